"""A slide's map: its layers filtered, fitted to what it is about, with name labels."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import folium
import geopandas as gpd
import numpy as np
from folium.template import Template

from geo_app.maps.build import build_zone_map
from geo_app.maps.elements import RawMacroElement
from geo_app.present.figures import StoryData
from geo_app.present.labels import add_labels
from geo_app.present.model import MapView

#: Space kept around the features a slide fits to (px).
FIT_PADDING_PX = 48
#: Name labels on a slide (CSS px at 1920×1080): the map draws project and parcel names
#: at 0.85–0.9 of this, so every label stays at 18 px or more on a projector.
SLIDE_LABEL_PX = 22


def slide_layers(data: StoryData, view: MapView) -> dict[str, gpd.GeoDataFrame]:
    """The layers of ``view`` (all of the store's when it names none), filters applied."""
    names = list(view.layers) or list(data.layers)
    out = {}
    for name in names:
        gdf = data.layer(name)
        for column, values in view.filters.get(name, {}).items():
            if column in gdf.columns:
                gdf = gdf[gdf[column].astype("string").isin(values).fillna(False).to_numpy()]
        out[name] = gdf
    return out


def fit_bounds(layers: Mapping[str, gpd.GeoDataFrame], fit: str) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of layer ``fit`` (lon/lat), ``None`` if empty."""
    gdf = layers.get(fit)
    if gdf is None or len(gdf) == 0:
        return None
    if gdf.crs is not None and gdf.crs.to_epsg() not in (4490, 4326):
        gdf = gdf.to_crs(4490)
    minx, miny, maxx, maxy = gdf.total_bounds
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return None
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


class _PresentStyle(RawMacroElement):
    """The map on a projector: no layer box, bigger legend text, keys left to the deck."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var css = document.createElement('style');
          css.textContent = '.leaflet-control-layers{display:none !important;}' +
            '.geo-legend{font-size:17px !important;line-height:1.5 !important;}' +
            '.leaflet-container{font-size:16px;}';
          document.head.appendChild(css);
          {{ this._parent.get_name() }}.keyboard.disable();
        })();
        {% endmacro %}
        """
    )


def build_slide_map(
    data: StoryData,
    view: MapView,
    *,
    lang: str = "zh",
    asset_base_url: str | None = "app/static/vendor",
    label_size_px: int = SLIDE_LABEL_PX,
) -> folium.Map:
    """The folium map of a slide (the app's :func:`build_zone_map` with its styles and
    legend), fitted to ``view.fit`` (or ``center``/``zoom``), names of ``view.labels``."""
    layers = slide_layers(data, view)
    bounds = fit_bounds(layers, view.fit) if view.fit and view.center is None else None
    options: dict[str, Any] = {}
    own_labels = "labels" not in _MAP_OPTIONS
    if not own_labels:  # the map's own labels (geo_app.maps.labels), at projector size
        options.update(labels=view.labels, label_px=label_size_px)
    if "layer_control" in _MAP_OPTIONS:
        options["layer_control"] = False
    if "legend_open" in _MAP_OPTIONS:
        options["legend_open"] = True
    m = build_zone_map(layers, lang=lang, center=view.center, zoom=view.zoom,
                       asset_base_url=asset_base_url, **options)
    if bounds is not None:
        m.fit_bounds(bounds, padding=(FIT_PADDING_PX, FIT_PADDING_PX))
    if own_labels:
        add_labels(m, layers, view.labels, lang=lang, size_px=label_size_px)
    _PresentStyle().add_to(m)
    return m


#: Options of :func:`build_zone_map` in this release (labels, layer box, legend ones are
#: newer than the slides: the slides use them when present and draw their own otherwise).
_MAP_OPTIONS = frozenset(inspect.signature(build_zone_map).parameters)

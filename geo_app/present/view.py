"""A slide's map: its layers filtered, fitted to what it is about, with name labels.

The map is the app's own (:func:`geo_app.maps.build.build_zone_map`: the same styles,
legend and collision-aware labels), without the layer box, legend open, labels at
projector size. Besides the store's layers a slide may show ``loop_belt``, the 2 km belt
of the tourism loop road with the villages it reaches (:mod:`geo_app.maps.belt`).
"""

from __future__ import annotations

from collections.abc import Mapping

import folium
import geopandas as gpd
import numpy as np
from folium.template import Template

from geo_app.maps.belt import belt_layer, belt_style
from geo_app.maps.build import build_zone_map
from geo_app.maps.elements import RawMacroElement
from geo_app.maps.style import BELT_LAYER, LayerStyle
from geo_app.present.figures import StoryData
from geo_app.present.model import MapView

#: Space kept around the features a slide fits to (px).
FIT_PADDING_PX = 48
#: Name labels on a slide (CSS px at 1920×1080): the map draws project and parcel names
#: at 0.85–0.9 of this, so every label stays at 18 px or more on a projector.
SLIDE_LABEL_PX = 22
#: Layers a slide can show that are computed from the store's layers, and what they need.
DERIVED_LAYERS: dict[str, tuple[str, ...]] = {BELT_LAYER: ("villages", "roads")}


def slide_layers(data: StoryData, view: MapView) -> dict[str, gpd.GeoDataFrame]:
    """The layers of ``view`` (all of the store's when it names none), filters applied."""
    names = list(view.layers) or list(data.layers)
    out = {}
    for name in names:
        if name == BELT_LAYER:
            gdf = data.memo("belt_layer", lambda: belt_layer(
                data.layer("villages"), data.layer("roads"), plane=data.planes.get("villages")))
        else:
            gdf = data.layer(name)
        for column, values in view.filters.get(name, {}).items():
            if column in gdf.columns:
                gdf = gdf[gdf[column].astype("string").isin(values).fillna(False).to_numpy()]
        out[name] = gdf
    return out


def _styles(layers: Mapping[str, gpd.GeoDataFrame]) -> dict[str, LayerStyle]:
    belt = layers.get(BELT_LAYER)
    if belt is None:
        return {}
    return {BELT_LAYER: belt_style(int((belt["kind"] == "village").sum()))}


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


class _SlideKeys(RawMacroElement):
    """The arrow keys turn the slides: the map does not pan with them."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.keyboard.disable();
        {% endmacro %}
        """
    )


def build_slide_map(
    data: StoryData,
    view: MapView,
    *,
    lang: str = "zh",
    asset_base_url: str | None = "app/static/vendor",
    label_size_px: float = SLIDE_LABEL_PX,
) -> folium.Map:
    """The folium map of a slide, fitted to ``view.fit`` (or ``center``/``zoom``), with
    the names of ``view.labels``."""
    layers = slide_layers(data, view)
    m = build_zone_map(layers, lang=lang, center=view.center, zoom=view.zoom,
                       asset_base_url=asset_base_url, labels=view.labels,
                       label_px=label_size_px, layer_control=False, legend_open=True,
                       styles=_styles(layers))
    if view.fit and view.center is None:
        bounds = fit_bounds(layers, view.fit)
        if bounds is not None:
            m.fit_bounds(bounds, padding=(FIT_PADDING_PX, FIT_PADDING_PX))
    _SlideKeys().add_to(m)
    return m

"""Cached map building: a rerun with the same store version and choices reuses the map."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import folium
import geopandas as gpd
import streamlit as st

from geo_app.analysis.zonal import RasterKind
from geo_app.errors import InputError
from geo_app.maps.belt import belt_layer, belt_style
from geo_app.maps.build import build_zone_map, export_map_html
from geo_app.maps.labels import DEFAULT_LABEL_LAYERS, DEFAULT_LABEL_PX
from geo_app.maps.style import BELT_LAYER, Basemap, LayerStyle, VillageTheme, village_style
from geo_app.maps.terrain import hillshade_overlay
from geo_app.settings import get_settings
from geo_app.ui import loaders
from geo_app.ui.filters import MapFilters, filtered_bounds
from geo_app.ui.search import SearchHit, search_features

#: Where ``streamlit run`` serves ``static/`` (``[server] enableStaticServing``), from the
#: server root; geo_app.maps.assets makes it relative to the component iframe.
ASSET_BASE_URL = "app/static/vendor"


@dataclass(frozen=True)
class DrawnMap:
    """A built map kept pristine in the cache: render only copies of it.

    streamlit-folium renames the elements of the map it renders, so rendering the same
    object twice gives a script with stale names; a deep copy costs ~10 ms even for
    10,000 parcels (the packed features are shared strings), a rebuild ~0.3 s.
    """

    pristine: folium.Map
    identity: str

    def fresh(self) -> folium.Map:
        return copy.deepcopy(self.pristine)


def tianditu_key() -> str | None:
    """The Tianditu key from GEO_APP_TIANDITU_KEY or Streamlit secrets, read now."""
    key = get_settings().tianditu_key.strip()
    if key:
        return key
    if st.secrets.load_if_toml_exists():
        for name in ("GEO_APP_TIANDITU_KEY", "tianditu_key"):
            value = st.secrets.get(name)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


@dataclass(frozen=True)
class MapLook:
    """How the zone map looks beyond its data: labels, village colours, the loop belt.

    The sidebar is the map's one layer control: ``visible`` (in :func:`zone_map`) and
    ``belt`` say what is drawn; Leaflet's own layer box is not shown.
    """

    labels: tuple[str, ...] = DEFAULT_LABEL_LAYERS
    label_px: int = DEFAULT_LABEL_PX
    village_theme: VillageTheme = VillageTheme.PLAN
    belt: bool = False


def belt_frame(location: str, token: str) -> gpd.GeoDataFrame | None:
    """The loop road's 2 km belt and its villages (every village, as on the dashboard)."""
    data = loaders.load_store(location, token)
    villages, roads = data.layers.get("villages"), data.layers.get("roads")
    if villages is None or roads is None or not len(villages) or not len(roads):
        return None
    try:
        return belt_layer(villages, roads, plane=data.planes.get("villages"))
    except InputError:
        return None  # no loop road in this store: nothing to draw (the dashboard says why)


def _build(location: str, token: str, filters: MapFilters, lang: str, basemap: Basemap,
           visible: tuple[str, ...], key: str | None, asset_base_url: str,
           look: MapLook = MapLook()) -> folium.Map:
    layers = loaders.filtered_layers(location, token, filters)
    styles: dict[str, LayerStyle] = {"villages": village_style(look.village_theme)}
    shown = set(visible)
    if look.belt:
        belt = belt_frame(location, token)
        if belt is not None:
            layers = {**layers, BELT_LAYER: belt}
            styles[BELT_LAYER] = belt_style(int((belt["kind"] == "village").sum()))
            shown.add(BELT_LAYER)
    overlays = []
    if basemap is Basemap.HILLSHADE:  # offline relief; without a DEM the plain background
        dem = loaders.rasters(location, token)[RasterKind.DEM]
        if dem is not None:
            overlays.append(hillshade_overlay(dem.path, 1.0))
    # a filtered map opens on what the filters kept (Leaflet fits it to the map's size)
    return build_zone_map(layers, lang=lang, basemap=basemap, visible=shown,
                          tianditu_key=key, asset_base_url=asset_base_url,
                          labels=look.labels, label_px=look.label_px, styles=styles,
                          layer_control=False, fit_bounds=filtered_bounds(layers, filters),
                          overlays=overlays)


@st.cache_resource(show_spinner=False, max_entries=8)
def zone_map(location: str, token: str, filters: MapFilters, lang: str, basemap: Basemap,
             visible: tuple[str, ...], key: str | None, look: MapLook = MapLook()) -> DrawnMap:
    """The map for these choices, built once (the view is applied by the component)."""
    m = _build(location, token, filters, lang, basemap, visible, key, ASSET_BASE_URL, look)
    identity = "|".join(map(str, (location, token, filters, lang, basemap, visible, bool(key),
                                  look)))
    return DrawnMap(m, identity)


@st.cache_data(show_spinner=False, max_entries=4)
def map_html(location: str, token: str, filters: MapFilters, lang: str, basemap: Basemap,
             visible: tuple[str, ...], key: str | None, look: MapLook = MapLook()) -> str:
    """The map on screen as one self-contained HTML file that opens offline."""
    drawn = zone_map(location, token, filters, lang, basemap, visible, key, look)
    return export_map_html(drawn.fresh())


@st.cache_data(show_spinner=False, max_entries=64)
def search(location: str, token: str, query: str) -> list[SearchHit]:
    return search_features(loaders.load_store(location, token).layers, query)


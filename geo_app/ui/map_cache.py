"""Cached map building: a rerun with the same store version and choices reuses the map."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import folium
import streamlit as st

from geo_app.maps.build import build_zone_map, export_map_html
from geo_app.maps.style import Basemap
from geo_app.settings import get_settings
from geo_app.ui import loaders
from geo_app.ui.filters import MapFilters
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


def _build(location: str, token: str, filters: MapFilters, lang: str, basemap: Basemap,
           visible: tuple[str, ...], key: str | None, asset_base_url: str) -> folium.Map:
    layers = loaders.filtered_layers(location, token, filters)
    return build_zone_map(layers, lang=lang, basemap=basemap, visible=set(visible),
                          tianditu_key=key, asset_base_url=asset_base_url)


@st.cache_resource(show_spinner=False, max_entries=8)
def zone_map(location: str, token: str, filters: MapFilters, lang: str, basemap: Basemap,
             visible: tuple[str, ...], key: str | None) -> DrawnMap:
    """The map for these choices, built once (the view is applied by the component)."""
    m = _build(location, token, filters, lang, basemap, visible, key, ASSET_BASE_URL)
    identity = "|".join(map(str, (location, token, filters, lang, basemap, visible, bool(key))))
    return DrawnMap(m, identity)


@st.cache_data(show_spinner=False, max_entries=4)
def map_html(location: str, token: str, filters: MapFilters, lang: str, basemap: Basemap,
             visible: tuple[str, ...], key: str | None) -> str:
    """The map on screen as one self-contained HTML file that opens offline."""
    drawn = zone_map(location, token, filters, lang, basemap, visible, key)
    return export_map_html(drawn.fresh())


@st.cache_data(show_spinner=False, max_entries=64)
def search(location: str, token: str, query: str) -> list[SearchHit]:
    return search_features(loaders.load_store(location, token).layers, query)


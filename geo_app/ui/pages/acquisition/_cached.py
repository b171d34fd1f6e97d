"""Figures and maps of the acquisition page, computed once per store location and version
(the token) and kept by streamlit's caches.

Everything "as of a date" is asked of the store, which answers in SQL over its
``(parcel_id, effective_date, …)`` index (:meth:`~geo_app.storage.base.LayerStore.stages_as_of`,
:meth:`~geo_app.storage.base.LayerStore.net_land_steps`,
:meth:`~geo_app.storage.base.LayerStore.event_span`): a step of the month slider reads the
stage of each parcel on that day, never the whole log. Events whose stage is not a known
code are left out (``known_only``), as everywhere in the app.
"""

from __future__ import annotations

import datetime as dt

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from geo_app.analysis.progress import NET_LAND_OR_LATER, PhaseProgress, progress
from geo_app.analysis.timeline import (
    DateComparison,
    compare_stages,
    net_land_by_month_from_steps,
    parcel_plane_area_mu,
    progress_from_stages,
    stages_on,
)
from geo_app.io.excel import progress_excel_bytes
from geo_app.maps.build import build_zone_map
from geo_app.maps.style import Basemap
from geo_app.storage import open_store
from geo_app.ui import loaders
from geo_app.ui.map_cache import ASSET_BASE_URL, DrawnMap
from geo_app.ui.search import view_for_bounds

MAP_HEIGHT_PX = 520
SMALL_MAP_HEIGHT_PX = 360
#: These maps show parcels only, with one stage legend under them
#: (:func:`~geo_app.ui.pages.acquisition._widgets.stage_legend`): the in-map legend and
#: layer switch would cover the parcels.
_PLAIN_MAP_CSS = (
    "<style>.geo-legend, .leaflet-control-layers { display: none !important; }</style>"
)


def _context_layers(data: loaders.StoreData, parcels: gpd.GeoDataFrame
                    ) -> dict[str, gpd.GeoDataFrame]:
    """The parks the parcels lie in (for orientation), then the parcels."""
    layers: dict[str, gpd.GeoDataFrame] = {}
    parks = data.layers.get("parks")
    if parks is not None and "park" in parcels.columns and "name" in parks.columns:
        mine = parks[parks["name"].isin(parcels["park"].dropna().unique())]
        if len(mine):
            layers["parks"] = mine
    layers["parcels"] = parcels
    return layers


def _draw(layers: dict[str, gpd.GeoDataFrame], lang: str, identity: str,
          selected: tuple[str, str] | None = None, *, height_px: int = MAP_HEIGHT_PX
          ) -> DrawnMap:
    """The parcels (zoomed to them, not to the whole park) with their parks around."""
    parcels = layers["parcels"]
    view = None
    if len(parcels):
        bounds = parcels.geometry.to_crs(4490).total_bounds
        view = view_for_bounds(tuple(float(b) for b in bounds), width_px=700,
                               height_px=height_px)
    m = build_zone_map(layers, lang=lang, basemap=Basemap.NONE, selected=selected,
                       center=view.center if view else None, zoom=view.zoom if view else None,
                       asset_base_url=ASSET_BASE_URL)
    m.get_root().header.add_child(folium.Element(_PLAIN_MAP_CSS), name="geo_app_plain_map")
    return DrawnMap(pristine=m, identity=identity)


@st.cache_resource(show_spinner=False, max_entries=8)
def parcel_map(location: str, token: str, lang: str, selected: str | None) -> DrawnMap:
    """Parcels coloured by their current stage, ``selected`` (a parcel id) outlined."""
    data = loaders.load_store(location, token)
    parcels = data.layer("parcels")
    return _draw(_context_layers(data, parcels), lang, f"{location}|{token}|{lang}|{selected}",
                 ("parcels", selected) if selected else None)


@st.cache_resource(show_spinner=False, max_entries=16)
def as_of_map(location: str, token: str, lang: str, as_of: dt.date,
              height_px: int = MAP_HEIGHT_PX) -> DrawnMap:
    """Parcels coloured by their stage on ``as_of`` (grey: not started)."""
    data = loaders.load_store(location, token)
    parcels = data.layer("parcels")
    then = parcels.drop(columns=[c for c in ("stage_date",) if c in parcels.columns])
    if has_history(data):  # else the stages the layer has, as progress_on shows them
        then["stage"] = stages_on(parcels["id"], stages_on_day(location, token, as_of))
    return _draw(_context_layers(data, then), lang, f"{location}|{token}|{lang}|{as_of}",
                 height_px=height_px)


@st.cache_data(show_spinner=False, max_entries=32)
def stages_on_day(location: str, token: str, day: dt.date) -> pd.DataFrame:
    """``parcel_id``, ``stage`` on ``day``, from the store's SQL (known stages only)."""
    store = open_store(location)
    try:
        return store.stages_as_of(day, known_only=True)
    finally:
        store.close()


@st.cache_data(show_spinner=False, max_entries=8)
def span(location: str, token: str) -> tuple[dt.date, dt.date] | None:
    """The ledger's first and last effective date (known stages), ``None`` without events."""
    store = open_store(location)
    try:
        return store.event_span(known_only=True)
    finally:
        store.close()


@st.cache_data(show_spinner=False, max_entries=32)
def progress_on(location: str, token: str, as_of: dt.date) -> list[PhaseProgress]:
    """Each phase's progress on ``as_of``; without any stage history, the parcels' stages
    as the layer has them (the page says so: :func:`has_history`)."""
    data = loaders.load_store(location, token)
    parcels, plane = data.layer("parcels"), data.planes.get("parcels")
    if not has_history(data):
        return progress(parcels, plane=plane)
    return progress_from_stages(parcels, stages_on_day(location, token, as_of), plane=plane,
                                area_mu=parcel_areas_mu(location, token))


@st.cache_data(show_spinner=False, max_entries=4)
def parcel_areas_mu(location: str, token: str) -> np.ndarray:
    """Each parcel's plane area in mu as progress measures it, once per store version
    (every step of the month slider reuses it)."""
    data = loaders.load_store(location, token)
    return parcel_plane_area_mu(data.layer("parcels"), data.planes.get("parcels"))


def has_history(data: loaders.StoreData) -> bool:
    """Whether the store has stage events (with a known stage) to look back through."""
    return span(data.location, data.token) is not None


@st.cache_data(show_spinner=False, max_entries=8)
def monthly(location: str, token: str) -> pd.DataFrame:
    """Net land per phase at each month end (:func:`net_land_by_month_from_steps`)."""
    data = loaders.load_store(location, token)
    store = open_store(location)
    try:
        steps = store.net_land_steps(NET_LAND_OR_LATER, known_only=True)
    finally:
        store.close()
    return net_land_by_month_from_steps(data.layer("parcels"), steps, span(location, token),
                                        plane=data.planes.get("parcels"))


@st.cache_data(show_spinner=False, max_entries=16)
def comparison(location: str, token: str, day_a: dt.date, day_b: dt.date) -> DateComparison:
    """Progress on two dates and the parcels that changed stage (:func:`compare_stages`)."""
    data = loaders.load_store(location, token)
    return compare_stages(data.layer("parcels"), day_a, day_b,
                          stages_on_day(location, token, day_a),
                          stages_on_day(location, token, day_b),
                          plane=data.planes.get("parcels"))


@st.cache_data(show_spinner=False, max_entries=8)
def progress_excel(location: str, token: str, as_of: dt.date) -> bytes:
    """The workbook of the progress on ``as_of`` and the events recorded up to it."""
    events = loaders.events_until(location, token, as_of)
    return progress_excel_bytes(progress_on(location, token, as_of), events, as_of=as_of)

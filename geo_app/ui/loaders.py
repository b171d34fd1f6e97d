"""Cached loading: layers (with areas) and figures, keyed by store location and version.

Every cached function takes ``location`` and ``token``; the token changes when the store
changes (file size and modification time of the GeoPackage and its WAL), so an edit is
seen on the next rerun while an unchanged store is never read twice.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo_app.analysis.area import add_areas
from geo_app.analysis.crs import GEOGRAPHIC_EPSG, PlaneCRS
from geo_app.analysis.dashboard import (
    ProjectSummary,
    VillageSummary,
    acquisition_progress,
    loop_belt_villages,
    park_coverage,
    project_summary,
    projects_by,
    stage_mu_table,
    village_summary,
    village_table,
)
from geo_app.analysis.progress import PhaseProgress
from geo_app.analysis.zonal import RasterKind
from geo_app.domain.layers import LAYER_SPECS
from geo_app.errors import InputError
from geo_app.raster.service import ResolvedRaster, store_rasters
from geo_app.settings import get_settings
from geo_app.storage import display_location, open_store
from geo_app.ui.filters import Layers, MapFilters, apply_filters
from geo_app.ui.gaps import split_unknown_stages

#: Stores that are not files (PostGIS) are re-read at least this often (changes by others).
DB_REFRESH_S = 30.0
#: Writes made by this process, so its own changes show at once on any store.
_WRITES = {"count": 0}


@dataclass(frozen=True)
class StoreData:
    """The store's layers, areas added to polygon layers. Treat as read-only.

    No stage events: a ledger of millions would be read on every store version. Figures
    come from the parcels' stages or the store's as-of SQL; the few views that show events
    themselves read them lazily (:func:`stage_events`, :func:`events_until`,
    :func:`unknown_events`).
    """

    location: str
    token: str
    layers: Layers
    planes: dict[str, PlaneCRS]

    def layer(self, name: str) -> gpd.GeoDataFrame:
        if name not in self.layers:
            have = ", ".join(self.layers) or "none"
            raise InputError(
                f"The store {display_location(self.location)} has no layer '{name}' "
                f"(it has: {have}). "
                "Import it, or point GEO_APP_STORE at a store that has it."
            )
        return self.layers[name]


def store_token(location: str) -> str:
    """A version string that changes whenever the store's content may have changed."""
    path = Path(location)
    if path.is_file():
        parts = []
        for p in (path, path.with_name(path.name + "-wal")):
            if p.exists():
                stat = p.stat()
                parts.append(f"{stat.st_mtime_ns}:{stat.st_size}")
        return "|".join(parts)
    return f"t{int(time.time() // DB_REFRESH_S)}-w{_WRITES['count']}"


def note_write() -> None:
    """Call after writing to a store: every cached figure is read again on the next run."""
    _WRITES["count"] += 1


def current_store() -> tuple[str, str]:
    """Open the configured store (raising a GeoAppError if it cannot) → (location, token).

    The location is what reopens the store: the configured path or database URL (with its
    password; show it only through ``display_location``), or the workspace path.
    """
    store = open_store()
    try:
        location = get_settings().store.strip() or store.location
        return location, store_token(location)
    finally:
        store.close()


def _ordered(names: list[str]) -> list[str]:
    known = [n for n in LAYER_SPECS if n in names]
    return known + sorted(n for n in names if n not in LAYER_SPECS)


def _lonlat(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer in CGCS2000 lon/lat: clicks, search and maps work in true lon/lat.

    A store may hold real survey data in a Gauss-Krüger plane; areas are measured before this.
    """
    if gdf.crs is None or gdf.crs.to_epsg() in (GEOGRAPHIC_EPSG, 4326):
        return gdf
    return gdf.to_crs(GEOGRAPHIC_EPSG)


@st.cache_resource(show_spinner=False, max_entries=4)
def load_store(location: str, token: str) -> StoreData:
    """Read every layer once per store version, in lon/lat; add the six area columns to polygons.

    The stage events are not read here (see :class:`StoreData`).
    """
    store = open_store(location)
    try:
        layers: Layers = {}
        planes: dict[str, PlaneCRS] = {}
        infos = {i.name: i for i in store.list_layers()}
        for name in _ordered(list(infos)):
            gdf = store.read_layer(name)
            geom_type = (infos[name].geometry_type or "").lower()
            if "polygon" in geom_type and len(gdf):
                gdf, planes[name] = add_areas(gdf)
            layers[name] = _lonlat(gdf)
    finally:
        store.close()
    return StoreData(location, token, layers, planes)


# --- stage events, for the views that show them ----------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=2)
def stage_events(location: str, token: str) -> pd.DataFrame:
    """The whole ledger's events with a known stage (unknown ``from_stage`` blanked, see
    :func:`~geo_app.ui.gaps.split_unknown_stages`), once per store version.

    Only for work that needs every event itself (a storyboard's animation, a brief as of a
    date); figures ask the store's SQL. Treat as read-only.
    """
    store = open_store(location)
    try:
        return split_unknown_stages(store.read_events())[0]
    finally:
        store.close()


@st.cache_data(show_spinner=False, max_entries=8)
def events_until(location: str, token: str, as_of: dt.date) -> pd.DataFrame:
    """The events with a known stage in effect on or before ``as_of`` (an export's rows)."""
    store = open_store(location)
    try:
        return split_unknown_stages(store.read_events(until=as_of))[0]
    finally:
        store.close()


@st.cache_data(show_spinner=False, max_entries=8)
def unknown_events(location: str, token: str) -> pd.DataFrame:
    """Events with a stage no release knows (written by another tool): listed, never counted."""
    store = open_store(location)
    try:
        return store.read_events(unknown_only=True)
    finally:
        store.close()


@st.cache_data(show_spinner=False, max_entries=16)
def capabilities(location: str, token: str) -> frozenset[str]:
    """What the connected user may do in the store (PostGIS roles; everything on a file)."""
    store = open_store(location)
    try:
        return frozenset(str(c) for c in store.capabilities())
    finally:
        store.close()


def current_data() -> StoreData:
    location, token = current_store()
    return load_store(location, token)


@st.cache_resource(show_spinner=False, max_entries=32)
def filtered_layers(location: str, token: str, filters: MapFilters) -> Layers:
    return apply_filters(load_store(location, token).layers, filters)


# --- dashboard figures ---------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=8)
def progress_figures(location: str, token: str, lang: str
                     ) -> tuple[list[PhaseProgress], pd.DataFrame]:
    data = load_store(location, token)
    phases = acquisition_progress(data.layer("parcels"), plane=data.planes.get("parcels"))
    return phases, stage_mu_table(phases, lang=lang)


@st.cache_data(show_spinner=False, max_entries=8)
def coverage_figures(location: str, token: str) -> pd.DataFrame:
    data = load_store(location, token)
    return park_coverage(data.layer("parks"), data.layer("parcels"),
                         plane=data.planes.get("parks"))


@st.cache_data(show_spinner=False, max_entries=8)
def village_figures(location: str, token: str, lang: str
                    ) -> tuple[VillageSummary, pd.DataFrame]:
    summary = village_summary(load_store(location, token).layer("villages"))
    return summary, village_table(summary, lang=lang)


@st.cache_data(show_spinner=False, max_entries=8)
def project_figures(location: str, token: str, lang: str
                    ) -> tuple[ProjectSummary, pd.DataFrame, pd.DataFrame]:
    projects = load_store(location, token).layer("projects")
    return (project_summary(projects), projects_by(projects, "status", lang=lang),
            projects_by(projects, "category", lang=lang))


@st.cache_data(show_spinner=False, max_entries=8)
def belt_figures(location: str, token: str) -> pd.DataFrame:
    data = load_store(location, token)
    return loop_belt_villages(data.layer("villages"), data.layer("roads"),
                              plane=data.planes.get("villages"))



@st.cache_data(show_spinner=False, max_entries=4)
def rasters(location: str, token: str) -> dict[RasterKind, ResolvedRaster | None]:
    """The store's DEM and land cover (newest registered, else the bundled ones)."""
    store = open_store(location)
    try:
        return store_rasters(store)
    finally:
        store.close()

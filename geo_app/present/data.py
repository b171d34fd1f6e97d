"""Where a presentation's data and storyboards come from."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo_app.analysis.area import add_areas
from geo_app.analysis.crs import GEOGRAPHIC_EPSG, PlaneCRS
from geo_app.present.figures import StoryData
from geo_app.storage import open_store

#: The storyboards that ship with the package (``geo_app/storyboards/*.toml``).
STORYBOARD_DIR = Path(__file__).resolve().parent.parent / "storyboards"


def bundled_storyboards() -> dict[str, Path]:
    """File name → path of each bundled storyboard, sorted by name."""
    return {p.name: p for p in sorted(STORYBOARD_DIR.glob("*.toml"))}


def story_data_from(layers: dict[str, gpd.GeoDataFrame], events: pd.DataFrame,
                    planes: dict[str, PlaneCRS] | None = None) -> StoryData:
    """Wrap data already loaded (the app's cached store data) for the figures."""
    return StoryData(dict(layers), events, dict(planes or {}))


def load_story_data(location: str | None = None) -> StoryData:
    """Read every layer and the stage-event log of the store at ``location`` (default: the
    configured store) the way the app does: areas added to polygon layers, lon/lat."""
    store = open_store(location)
    try:
        layers: dict[str, gpd.GeoDataFrame] = {}
        planes: dict[str, PlaneCRS] = {}
        for info in store.list_layers():
            gdf = store.read_layer(info.name)
            if "polygon" in (info.geometry_type or "").lower() and len(gdf):
                gdf, planes[info.name] = add_areas(gdf)
            if gdf.crs is not None and gdf.crs.to_epsg() not in (GEOGRAPHIC_EPSG, 4326):
                gdf = gdf.to_crs(GEOGRAPHIC_EPSG)
            layers[info.name] = gdf
        events = store.read_events()
    finally:
        store.close()
    return StoryData(layers, events, planes)

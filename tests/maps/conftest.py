"""Fixtures for the map tests: the bundled layers with areas, vendored assets.

Chromium is the session-wide ``chromium`` fixture of ``tests/conftest.py``.
"""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest

from geo_app.analysis.area import add_areas
from geo_app.maps import ensure_assets
from geo_app.settings import BUNDLED_LAYERS

POLYGON_LAYERS = ("parks", "parcels", "villages", "sites")


@pytest.fixture(scope="session")
def vendored() -> None:
    """The map assets must have been fetched (``python scripts/fetch_assets.py``)."""
    ensure_assets()


@pytest.fixture(scope="session")
def _zone_layers_pristine() -> dict[str, gpd.GeoDataFrame]:
    layers = {}
    for name, _ in pyogrio.list_layers(BUNDLED_LAYERS):
        if name == "stage_events":
            continue
        gdf = gpd.read_file(BUNDLED_LAYERS, layer=name)
        if name in POLYGON_LAYERS:
            gdf, _plane = add_areas(gdf)
        layers[name] = gdf
    return layers


@pytest.fixture
def zone_layers(_zone_layers_pristine, vendored) -> dict[str, gpd.GeoDataFrame]:
    """The seven bundled layers (areas added to the polygon layers), private copies."""
    return {name: gdf.copy() for name, gdf in _zone_layers_pristine.items()}

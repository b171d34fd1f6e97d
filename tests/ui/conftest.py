"""Fixtures for the app tests: AppTest runners and a store with 10,000 parcels."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from geo_app.domain.stages import STAGE_ORDER
from geo_app.settings import BUNDLED_LAYERS

APP = Path(__file__).resolve().parents[2] / "app.py"
#: This machine is slow (2 cores); a first run builds every cache.
TIMEOUT_S = 60.0


def _page_script(page: str) -> None:
    from geo_app.ui.app import main

    main(default_page=page)


@pytest.fixture
def app_page() -> Callable[[str], AppTest]:
    """An AppTest of the whole app (sidebar, navigation) opened on one page."""

    def make(page: str) -> AppTest:
        if page == "map":
            return AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
        return AppTest.from_function(_page_script, args=(page,), default_timeout=TIMEOUT_S)

    return make


def synthetic_parcels(n: int, *, seed: int = 7) -> gpd.GeoDataFrame:
    """``n`` 40 m parcels of the parcels schema tiling a square in 青春化工园's plane area."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n)))
    col, row = np.divmod(np.arange(n), side)
    x0, y0 = 547_000.0, 3_502_000.0  # EPSG:4547, near 113.49°E 31.65°N
    minx, miny = x0 + col * 40.0, y0 + row * 40.0
    geoms = shapely.box(minx, miny, minx + 38.0, miny + 38.0)
    stages = np.array([s.value for s in STAGE_ORDER], dtype=object)
    gdf = gpd.GeoDataFrame(
        {
            "id": np.char.add("S", np.arange(n).astype(str)).astype(object),
            "name": np.char.add("合成地块", np.arange(n).astype(str)).astype(object),
            "park": "青春化工园",
            "phase": rng.integers(1, 3, n),
            "stage": stages[rng.integers(0, len(stages), n)],
            "stage_date": "2021-11-01",
            "declared_area_mu": 38.0 * 38.0 / (10000 / 15),
            "land_use": "工业用地",
        },
        geometry=geoms,
        crs=4547,
    )
    return gdf.to_crs(4490)


@pytest.fixture(scope="session")
def big_gpkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled layers with the parcels replaced by 10,000 synthetic parcels."""
    target = tmp_path_factory.mktemp("big") / "big.gpkg"
    shutil.copyfile(BUNDLED_LAYERS, target)
    pyogrio.write_dataframe(synthetic_parcels(10_000), target, layer="parcels", driver="GPKG")
    return target

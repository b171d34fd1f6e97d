"""The layer's terrain table: one row per feature, classes as mu/% columns, headers in both
languages, Excel cells that stay text; the page's pure helpers."""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pytest
from openpyxl import load_workbook
from shapely.geometry import box
from terrain_grids import GK_CELL, GK_X0, GK_Y0, gk_transform

from geo_app.analysis.suitability import Thresholds
from geo_app.analysis.terrain_report import layer_terrain
from geo_app.ui.pages.terrain import display_table, feature_view, polygon_layers, shares_frame
from geo_app.ui.tables import excel_bytes

N = 20
HOSTILE = "=HYPERLINK(\"http://x\")"


@pytest.fixture
def rasters(write_raster):
    cols, _rows = np.meshgrid(np.arange(N), np.arange(N))
    dem = write_raster("dem.tif", (40.0 + 10.0 * cols).astype("float32"), "EPSG:4547",
                       gk_transform())  # 10 m per 30 m cell: 18.43° everywhere
    lc = np.ones((N, N), dtype="uint8")
    lc[:, 10:] = 5
    landcover = write_raster("lc.tif", lc, "EPSG:4547", gk_transform(), nodata=0)
    return dem, landcover


def _layer() -> gpd.GeoDataFrame:
    def cells(c0, r0, c1, r1):
        return box(GK_X0 + c0 * GK_CELL, GK_Y0 - r1 * GK_CELL, GK_X0 + c1 * GK_CELL,
                   GK_Y0 - r0 * GK_CELL)
    return gpd.GeoDataFrame({"id": ["A", "B"], "name": ["田", HOSTILE]},
                            geometry=[cells(2, 2, 8, 8), cells(8, 2, 16, 6)], crs=4547)


def test_table_joins_dem_and_landcover_and_screens(rasters):
    dem, landcover = rasters
    table = layer_terrain(_layer(), dem=dem, landcover=landcover, thresholds=Thresholds())
    a = table.feature("A")
    assert a["landcover_share"]["cropland"] == pytest.approx(1.0)
    assert a["elev_min"] == pytest.approx(60.0) and a["elev_max"] == pytest.approx(110.0)
    assert a["suitability"] == "flagged" and "steep" in a["flags"]
    b = table.feature("B")
    assert b["landcover_share"]["cropland"] == pytest.approx(0.25)
    assert b["landcover_share"]["built_up"] == pytest.approx(0.75)
    data = table.to_dict()
    assert [f["id"] for f in data["features"]] == ["A", "B"]
    assert data["crs"] == {"dem": "EPSG:4547", "landcover": "EPSG:4547"}


@pytest.mark.parametrize(("lang", "area", "crop"), [("zh", "面积（椭球，亩）", "耕地 mu"),
                                                      ("en", "Area (ellipsoidal, mu)",
                                                       "Cropland mu")])
def test_display_table_and_excel(rasters, lang, area, crop):
    dem, landcover = rasters
    table = layer_terrain(_layer(), dem=dem, landcover=landcover)
    shown = display_table(table, lang)
    assert area in shown.columns and crop in shown.columns
    assert list(shown.columns[:3]) == [shown.columns[0], shown.columns[1], area]
    assert shown[crop].sum() == pytest.approx(
        table.frame["area_mu_ellipsoidal"].iloc[0] + 0.25 * table.frame[
            "area_mu_ellipsoidal"].iloc[1])
    wb = load_workbook(io.BytesIO(excel_bytes(shown, sheet="terrain")))
    ws = wb.active
    names = [ws.cell(row=r, column=2).value for r in range(2, 4)]
    assert HOSTILE in names  # stored as text, never a formula
    assert all(ws.cell(row=r, column=2).data_type == "s" for r in range(2, 4))


def test_page_helpers(rasters):
    _dem, landcover = rasters
    table = layer_terrain(_layer(), dem=None, landcover=landcover)
    frame = shares_frame(table.feature("B"), table.classes, "en")
    assert list(frame["class"])[:1] == ["Cropland"]
    assert frame["mu"].sum() == pytest.approx(table.feature("B")["area_mu_ellipsoidal"])
    layers = {"p": _layer(), "pts": gpd.GeoDataFrame(geometry=gpd.points_from_xy([0], [0]))}
    assert polygon_layers(layers) == ["p"]
    view = feature_view(_layer().to_crs(4490), "A")
    assert view is not None and view[0] < view[2] and view[1] < view[3]
    assert feature_view(_layer(), "nope") is None

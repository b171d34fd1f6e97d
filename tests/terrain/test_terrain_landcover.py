"""Land-cover shares and mu on a checkerboard of classes, with fractional cells, in GK metres
and in degrees. Expected shares: overlap of the polygon with each cell, by hand (1-D
overlaps) in the plane, by ``pyproj.Geod`` cell by cell on the ellipsoid in degrees."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod, Transformer
from shapely.geometry import box
from terrain_grids import (
    GEO_CELL,
    GEO_LAT0,
    GEO_LON0,
    GK_CELL,
    GK_X0,
    GK_Y0,
    geo_transform,
    gk_transform,
)

from geo_app.analysis.terrain_classes import DEFAULT_CLASSES, LandCoverClass
from geo_app.analysis.units import M2_PER_MU
from geo_app.analysis.zonal import landcover_stats

GEOD = Geod(ellps="GRS80")
N = 8
CODE = {c.value: c.code for c in DEFAULT_CLASSES}


def _checkerboard() -> np.ndarray:
    rows, cols = np.indices((N, N))
    board = (1 + (rows + cols) % 2).astype("uint8")  # cropland / forest
    board[5:7, 1:3] = 4  # a 2×2 block of water
    return board


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _hand_shares(board: np.ndarray, c0: float, r0: float, c1: float, r1: float
                 ) -> dict[str, float]:
    """Share of each class in the box (cell units): sum of width × height overlaps."""
    total = (c1 - c0) * (r1 - r0)
    out: dict[str, float] = {}
    for r in range(N):
        for c in range(N):
            a = _overlap(c, c + 1, c0, c1) * _overlap(r, r + 1, r0, r1)
            code = CODE[int(board[r, c])]
            out[code] = out.get(code, 0.0) + a / total
    return out


BOX = (0.35, 1.6, 5.8, 6.45)  # columns 0.35–5.8, rows 1.6–6.45: fractional cells all round


def test_checkerboard_shares_in_gk_match_hand_computation(write_raster):
    board = _checkerboard()
    raster = write_raster("lc.tif", board, "EPSG:4547", gk_transform(), nodata=0)
    c0, r0, c1, r1 = BOX
    poly = box(GK_X0 + c0 * GK_CELL, GK_Y0 - r1 * GK_CELL, GK_X0 + c1 * GK_CELL,
               GK_Y0 - r0 * GK_CELL)
    layer = gpd.GeoDataFrame({"id": ["P1"], "name": ["地块"]}, geometry=[poly], crs=4547)
    row = landcover_stats(layer, raster).frame.iloc[0]
    expected = _hand_shares(board, *BOX)
    for code, share in expected.items():
        assert row["landcover_share"][code] == pytest.approx(share, abs=1e-9), code
    assert row["landcover_share"]["water"] > 0  # the water block is partly inside
    assert row["landcover_share"]["built_up"] == 0.0
    # mu per class sum to the polygon's area (ellipsoidal, from Geod here) to 1e-6 mu
    to_ll = Transformer.from_crs(4547, 4326, always_xy=True)
    lon, lat = to_ll.transform(*poly.exterior.xy)
    geod_mu = abs(GEOD.polygon_area_perimeter(lon, lat)[0]) / M2_PER_MU
    assert sum(row["landcover_mu"].values()) == pytest.approx(geod_mu, abs=1e-6)
    assert row["area_mu_ellipsoidal"] == pytest.approx(geod_mu, abs=1e-6)
    for code, share in expected.items():
        assert row["landcover_mu"][code] == pytest.approx(share * geod_mu, abs=1e-6)
    assert row["landcover_no_data_share"] == 0.0


def test_checkerboard_shares_in_degrees_weight_cells_by_ground_area(write_raster):
    board = _checkerboard()
    raster = write_raster("lc_deg.tif", board, "EPSG:4326", geo_transform(), nodata=0)
    c0, r0, c1, r1 = BOX
    poly = box(GEO_LON0 + c0 * GEO_CELL, GEO_LAT0 - r1 * GEO_CELL, GEO_LON0 + c1 * GEO_CELL,
               GEO_LAT0 - r0 * GEO_CELL)
    layer = gpd.GeoDataFrame({"id": ["P1"]}, geometry=[poly], crs=4326)
    row = landcover_stats(layer, raster).frame.iloc[0]
    area: dict[str, float] = {}
    for r in range(N):
        for c in range(N):
            cell = box(GEO_LON0 + c * GEO_CELL, GEO_LAT0 - (r + 1) * GEO_CELL,
                       GEO_LON0 + (c + 1) * GEO_CELL, GEO_LAT0 - r * GEO_CELL)
            part = cell.intersection(poly)
            if part.is_empty:
                continue
            lon, lat = part.exterior.xy
            a = abs(GEOD.polygon_area_perimeter(lon, lat)[0])
            code = CODE[int(board[r, c])]
            area[code] = area.get(code, 0.0) + a
    total = sum(area.values())
    for code, a in area.items():
        assert row["landcover_share"][code] == pytest.approx(a / total, abs=2e-7), code
        assert row["landcover_mu"][code] == pytest.approx(a / M2_PER_MU, rel=1e-6), code
    assert sum(row["landcover_mu"].values()) == pytest.approx(total / M2_PER_MU, abs=1e-6)


def test_part_outside_and_no_data_cells_are_not_spread_over_classes(write_raster):
    board = np.full((N, N), 1, dtype="uint8")
    board[:, 6:] = 0  # no data in the two eastern columns
    raster = write_raster("lc_nd.tif", board, "EPSG:4547", gk_transform(), nodata=0)
    # columns -2 … 8: 2 outside to the west, 6 cropland, 2 no data → 60 % cropland
    poly = box(GK_X0 - 2 * GK_CELL, GK_Y0 - 4 * GK_CELL, GK_X0 + 8 * GK_CELL, GK_Y0)
    layer = gpd.GeoDataFrame({"id": ["P1"]}, geometry=[poly], crs=4547)
    row = landcover_stats(layer, raster).frame.iloc[0]
    assert row["landcover_share"]["cropland"] == pytest.approx(0.6, abs=1e-9)
    assert row["landcover_no_data_share"] == pytest.approx(0.4, abs=1e-9)
    assert sum(row["landcover_mu"].values()) == pytest.approx(
        0.6 * row["area_mu_ellipsoidal"], abs=1e-6)


def test_polygon_in_another_crs_is_reprojected_to_the_raster(write_raster):
    """The same parcel given in degrees (EPSG:4490) over the GK raster: same shares."""
    board = _checkerboard()
    raster = write_raster("lc2.tif", board, "EPSG:4547", gk_transform(), nodata=0)
    c0, r0, c1, r1 = BOX
    poly = box(GK_X0 + c0 * GK_CELL, GK_Y0 - r1 * GK_CELL, GK_X0 + c1 * GK_CELL,
               GK_Y0 - r0 * GK_CELL)
    layer = gpd.GeoDataFrame({"id": ["P1"]}, geometry=[poly], crs=4547).to_crs(4490)
    row = landcover_stats(layer, raster).frame.iloc[0]
    for code, share in _hand_shares(board, *BOX).items():
        assert row["landcover_share"][code] == pytest.approx(share, abs=1e-6), code


def test_values_outside_the_classes_are_named(write_raster):
    board = np.full((N, N), 9, dtype="uint8")
    raster = write_raster("lc9.tif", board, "EPSG:4547", gk_transform(), nodata=0)
    poly = box(GK_X0, GK_Y0 - 2 * GK_CELL, GK_X0 + 2 * GK_CELL, GK_Y0)
    layer = gpd.GeoDataFrame({"id": ["P1"]}, geometry=[poly], crs=4547)
    classes = (LandCoverClass(1, "cropland", "耕地", "Cropland", "#ffff00"),)
    result = landcover_stats(layer, raster, classes=classes)
    assert result.frame.iloc[0]["landcover_share"]["value_9"] == pytest.approx(1.0)
    assert any("9" in note for note in result.notes)

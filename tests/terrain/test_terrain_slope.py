"""Slope and elevation on synthetic DEMs: a plane of known gradient, a step; GK and degrees.

Expected slopes use the ground distance between neighbouring cell centres measured with
``pyproj.Geod`` (independent of the code's per-row radii and point scales)."""

from __future__ import annotations

import math

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

from geo_app.analysis.zonal import Stat, dem_stats

GEOD = Geod(ellps="GRS80")
N = 40


def _gk_ground_cell_m(col: float, row: float) -> tuple[float, float]:
    """Ground distance (m) between the centres of cell (col±1, row) and (col, row±1), /2."""
    to_ll = Transformer.from_crs(4547, 4326, always_xy=True)
    x, y = GK_X0 + (col + 0.5) * GK_CELL, GK_Y0 - (row + 0.5) * GK_CELL
    lon_w, lat_w = to_ll.transform(x - GK_CELL, y)
    lon_e, lat_e = to_ll.transform(x + GK_CELL, y)
    lon_n, lat_n = to_ll.transform(x, y + GK_CELL)
    lon_s, lat_s = to_ll.transform(x, y - GK_CELL)
    return (GEOD.inv(lon_w, lat_w, lon_e, lat_e)[2] / 2,
            GEOD.inv(lon_s, lat_s, lon_n, lat_n)[2] / 2)


def _gk_box(c0: float, r0: float, c1: float, r1: float) -> gpd.GeoDataFrame:
    geom = box(GK_X0 + c0 * GK_CELL, GK_Y0 - r1 * GK_CELL, GK_X0 + c1 * GK_CELL,
               GK_Y0 - r0 * GK_CELL)
    return gpd.GeoDataFrame({"id": ["A"], "name": ["a"]}, geometry=[geom], crs=4547)


@pytest.mark.parametrize(("gx", "gy"), [(0.2, 0.0), (0.0, 0.35), (0.1, -0.15)])
def test_plane_in_gk_has_the_slope_of_its_gradient(write_raster, gx, gy):
    cols, rows = np.meshgrid(np.arange(N), np.arange(N))
    z = (100.0 + gx * cols * GK_CELL - gy * rows * GK_CELL).astype("float32")
    dem = write_raster("plane.tif", z, "EPSG:4547", gk_transform())
    result = dem_stats(_gk_box(10.3, 12.6, 25.7, 30.2), dem)
    dx, dy = _gk_ground_cell_m(18, 21)
    expected = math.degrees(math.atan(math.hypot(gx * GK_CELL / dx, gy * GK_CELL / dy)))
    row = result.frame.iloc[0]
    assert row["slope_mean_deg"] == pytest.approx(expected, abs=2e-5)
    assert row["slope_max_deg"] == pytest.approx(expected, abs=2e-5)
    # the grid-size slope (no point scale) would be off by the GK scale at 50 km from 114°E
    assert math.degrees(math.atan(math.hypot(gx, gy))) != pytest.approx(expected, abs=1e-7)


def test_plane_in_degrees_has_the_slope_of_its_ground_gradient(write_raster):
    """z rises 0.25 m per metre northward (distance along the meridian by Geod)."""
    g = 0.25
    lats = GEO_LAT0 - (np.arange(N) + 0.5) * GEO_CELL
    north_m = np.array([GEOD.inv(GEO_LON0, lats[-1], GEO_LON0, lat)[2] for lat in lats])
    z = np.repeat((g * north_m)[:, None], N, axis=1).astype("float64")
    dem = write_raster("plane_deg.tif", z, "EPSG:4326", geo_transform())
    poly = box(GEO_LON0 + 8.2 * GEO_CELL, GEO_LAT0 - 30.4 * GEO_CELL,
               GEO_LON0 + 31.5 * GEO_CELL, GEO_LAT0 - 6.7 * GEO_CELL)
    layer = gpd.GeoDataFrame({"id": ["A"]}, geometry=[poly], crs=4326)
    row = dem_stats(layer, dem).frame.iloc[0]
    assert row["slope_mean_deg"] == pytest.approx(math.degrees(math.atan(g)), abs=1e-5)
    assert row["slope_max_deg"] == pytest.approx(math.degrees(math.atan(g)), abs=1e-5)


def test_plane_in_degrees_eastward(write_raster):
    """z rises 0.1 m per metre eastward along each parallel (Geod steps between cells)."""
    g = 0.1
    lats = GEO_LAT0 - (np.arange(N) + 0.5) * GEO_CELL
    lons = GEO_LON0 + (np.arange(N) + 0.5) * GEO_CELL
    z = np.empty((N, N))
    for r, lat in enumerate(lats):
        steps = [GEOD.inv(lons[c], lat, lons[c + 1], lat)[2] for c in range(N - 1)]
        z[r] = g * np.concatenate([[0.0], np.cumsum(steps)])
    dem = write_raster("plane_east.tif", z, "EPSG:4326", geo_transform())
    poly = box(GEO_LON0 + 5 * GEO_CELL, GEO_LAT0 - 35 * GEO_CELL,
               GEO_LON0 + 35 * GEO_CELL, GEO_LAT0 - 5 * GEO_CELL)
    row = dem_stats(gpd.GeoDataFrame({"id": ["A"]}, geometry=[poly], crs=4326), dem).frame.iloc[0]
    assert row["slope_max_deg"] == pytest.approx(math.degrees(math.atan(g)), abs=1e-5)
    # the naive degree-to-metre conversion at the equator would give about 5.4°, not 5.71°
    assert row["slope_mean_deg"] > 5.70


def test_step_gives_hand_computed_elevation_and_slope(write_raster):
    """z = 0 west of column 20, 30 m from it on; the polygon spans columns 5.5–24.25."""
    h = 30.0
    z = np.zeros((N, N), dtype="float32")
    z[:, 20:] = h
    dem = write_raster("step.tif", z, "EPSG:4547", gk_transform())
    layer = _gk_box(5.5, 4.3, 24.25, 15.7)
    row = dem_stats(layer, dem).frame.iloc[0]
    width = 24.25 - 5.5
    assert row["elev_min"] == 0.0
    assert row["elev_max"] == h
    assert row["elev_mean"] == pytest.approx(h * (24.25 - 20) / width, rel=1e-9)
    dx, _dy = _gk_ground_cell_m(20, 10)
    step_slope = math.degrees(math.atan(h / (2 * dx)))  # Horn: columns 19 and 20 see the step
    assert row["slope_max_deg"] == pytest.approx(step_slope, abs=1e-5)
    assert row["slope_mean_deg"] == pytest.approx(step_slope * 2 / width, abs=1e-5)
    assert row["dem_no_data_share"] == pytest.approx(0.0, abs=1e-12)


def test_edge_and_no_data_cells_have_no_slope_and_are_reported(write_raster):
    z = np.full((N, N), 50.0, dtype="float32")
    z[:, :10] = -9999.0
    dem = write_raster("nodata.tif", z, "EPSG:4547", gk_transform(), nodata=-9999.0)
    # half the polygon on no-data cells, a quarter beyond the raster's west edge
    layer = _gk_box(-10, 0, 30, 10)
    row = dem_stats(layer, dem).frame.iloc[0]
    assert row["dem_no_data_share"] == pytest.approx(0.5, abs=1e-12)
    assert row["elev_min"] == row["elev_max"] == 50.0
    assert row["slope_max_deg"] == pytest.approx(0.0, abs=1e-12)


def test_only_elevation_when_asked(write_raster):
    z = np.full((N, N), 12.5, dtype="float32")
    dem = write_raster("flat.tif", z, "EPSG:4547", gk_transform())
    result = dem_stats(_gk_box(2, 2, 6, 6), dem, stats=(Stat.ELEVATION,))
    assert "slope_mean_deg" not in result.frame.columns
    assert result.to_dict()["features"][0]["elev_mean"] == 12.5


def test_slope_written_in_small_blocks_equals_one_block(write_raster, tmp_path):
    """Blocks of 3 rows with their halos give the same slope as the whole window at once."""
    import rasterio
    from rasterio.windows import Window

    from geo_app.analysis.terrain import write_slope_raster

    rng = np.random.default_rng(7)
    z = (100.0 + rng.normal(0, 5, (N, N)).cumsum(axis=0)).astype("float32")
    z[17, 23] = -9999.0
    dem = write_raster("rough.tif", z, "EPSG:4547", gk_transform(), nodata=-9999.0)
    with rasterio.open(dem) as src:
        window = Window(3, 5, 30, 31)
        small = write_slope_raster(src, tmp_path / "small.tif", window, block_rows=3)
        whole = write_slope_raster(src, tmp_path / "whole.tif", window, block_rows=1000)
        edge = write_slope_raster(src, tmp_path / "edge.tif", Window(0, 0, N, N), block_rows=7)
    with rasterio.open(small) as a, rasterio.open(whole) as b, rasterio.open(edge) as e:
        sa, sb, se = a.read(1), b.read(1), e.read(1)
    np.testing.assert_array_equal(sa, sb)
    assert np.isnan(sa[17 - 5 - 1: 17 - 5 + 2, 23 - 3 - 1: 23 - 3 + 2]).all()  # around no-data
    assert np.isnan(se[0]).all() and np.isnan(se[:, -1]).all()  # the raster's edge
    # same cells, same slopes (the point scale is taken at each window's middle column)
    np.testing.assert_allclose(se[5:36, 3:33], sa, rtol=1e-6)

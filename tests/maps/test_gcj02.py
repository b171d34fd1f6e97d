"""WGS 84 → GCJ-02 against published reference pairs; the inverse; geometry shifting."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Polygon

from geo_app.maps import Basemap, to_true_coords
from geo_app.maps.gcj02 import gcj02_to_wgs84, shift_to_gcj02, wgs84_to_gcj02

GEOD = Geod(ellps="WGS84")

# (wgs lat, wgs lon, gcj lat, gcj lon): the test vectors published with the eviltransform
# libraries (github.com/googollee/eviltransform, go/transform_test.go and python/test.py).
REFERENCE = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), REFERENCE)
def test_forward_matches_published_pairs(wlat, wlon, glat, glon):
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert lat == pytest.approx(glat, abs=1e-9)
    assert lon == pytest.approx(glon, abs=1e-9)


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), REFERENCE)
def test_inverse_recovers_wgs84_within_a_millimetre(wlat, wlon, glat, glon):
    lon, lat = gcj02_to_wgs84(glon, glat)
    assert GEOD.inv(wlon, wlat, lon, lat)[2] < 1e-3


def test_offset_in_suizhou_is_some_hundred_metres():
    lon = np.array([113.30, 113.38, 113.45, 113.52])
    lat = np.array([31.60, 31.69, 31.75, 31.65])
    glon, glat = wgs84_to_gcj02(lon, lat)
    offset_m = GEOD.inv(lon, lat, glon, glat)[2]
    assert np.all((offset_m > 400) & (offset_m < 800)), offset_m
    back_lon, back_lat = gcj02_to_wgs84(glon, glat)
    assert np.max(GEOD.inv(lon, lat, back_lon, back_lat)[2]) < 1e-3


def test_outside_china_is_not_shifted():
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)


def test_shift_moves_every_vertex_and_leaves_the_input_alone():
    square = Polygon([(113.40, 31.70), (113.41, 31.70), (113.41, 31.71), (113.40, 31.71)])
    before = shapely.get_coordinates(square).copy()
    shifted = shift_to_gcj02(np.array([square], dtype=object))[0]
    np.testing.assert_array_equal(shapely.get_coordinates(square), before)
    expected_lon, expected_lat = wgs84_to_gcj02(before[:, 0], before[:, 1])
    np.testing.assert_allclose(shapely.get_coordinates(shifted),
                               np.column_stack([expected_lon, expected_lat]), atol=1e-12)


def test_to_true_coords_undoes_the_gaode_shift_only():
    lat, lon = 31.69, 113.38
    glon, glat = wgs84_to_gcj02(lon, lat)
    true_lat, true_lon = to_true_coords(glat, glon, Basemap.GAODE)
    assert GEOD.inv(lon, lat, true_lon, true_lat)[2] < 1.0
    assert to_true_coords(glat, glon, Basemap.OSM) == (glat, glon)
    assert to_true_coords(glat, glon, Basemap.NONE) == (glat, glon)

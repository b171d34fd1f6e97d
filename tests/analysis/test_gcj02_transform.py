"""WGS 84 ⇄ GCJ-02 against published reference pairs; the inverse; geometry and layer shifts."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Polygon

from geo_app.analysis.gcj02 import (
    gcj02_to_wgs84,
    gcj02_to_wgs84_gdf,
    shift_to_gcj02,
    wgs84_to_gcj02,
)
from geo_app.errors import CRSError

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


def test_layer_in_gcj02_comes_back_to_wgs84_within_a_millimetre():
    wgs = [Polygon([(113.40, 31.70), (113.41, 31.70), (113.41, 31.71), (113.40, 31.71)]),
           Polygon([(113.50, 31.60), (113.52, 31.60), (113.51, 31.62)])]
    gcj = shift_to_gcj02(np.array(wgs, dtype=object))
    gdf = gpd.GeoDataFrame({"id": [1, 2, 3]}, geometry=[*gcj, None], crs=4490)
    back = gcj02_to_wgs84_gdf(gdf)
    assert back.crs == gdf.crs and back.geometry.iloc[2] is None
    for orig, got in zip(wgs, back.geometry.iloc[:2], strict=True):
        a, b = shapely.get_coordinates(orig), shapely.get_coordinates(got)
        assert np.max(GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])[2]) < 1e-3
    # the input is left alone
    assert shapely.equals_exact(gdf.geometry.iloc[0], gcj[0], tolerance=0)


def test_projected_layer_cannot_be_gcj02():
    gdf = gpd.GeoDataFrame(geometry=[Polygon([(0, 0), (1, 0), (1, 1)])], crs=4547)
    with pytest.raises(CRSError, match="GCJ-02 is only ever longitude/latitude"):
        gcj02_to_wgs84_gdf(gdf)

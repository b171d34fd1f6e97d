"""The maps keep the GCJ-02 transform (re-exported from the analysis layer) for Gaode tiles."""

from __future__ import annotations

from pyproj import Geod

from geo_app.analysis import gcj02 as analysis_gcj02
from geo_app.maps import Basemap, to_true_coords
from geo_app.maps import gcj02 as maps_gcj02
from geo_app.maps.gcj02 import wgs84_to_gcj02

GEOD = Geod(ellps="WGS84")


def test_maps_reexports_the_analysis_transform():
    for name in maps_gcj02.__all__:
        assert getattr(maps_gcj02, name) is getattr(analysis_gcj02, name)


def test_to_true_coords_undoes_the_gaode_shift_only():
    lat, lon = 31.69, 113.38
    glon, glat = wgs84_to_gcj02(lon, lat)
    true_lat, true_lon = to_true_coords(glat, glon, Basemap.GAODE)
    assert GEOD.inv(lon, lat, true_lon, true_lat)[2] < 1.0
    assert to_true_coords(glat, glon, Basemap.OSM) == (glat, glon)
    assert to_true_coords(glat, glon, Basemap.NONE) == (glat, glon)

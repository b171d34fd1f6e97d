"""Each feature's plane area in its own 3° zone; ellipsoidal area against pyproj.Geod."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod, Proj
from shapely.geometry import Polygon, box

from geo_app.analysis.area import add_areas, area_totals
from geo_app.analysis.crs import PlaneCRS

GRS80 = Geod(ellps="GRS80")


def _km_square(epsg: int, x0: float, y0: float) -> Polygon:
    """A 1 km square drawn in a GK plane, returned in CGCS2000 lon/lat."""
    sq = gpd.GeoSeries([box(x0, y0, x0 + 1000, y0 + 1000)], crs=epsg)
    return sq.to_crs(4490).iloc[0]


def _hubei() -> gpd.GeoDataFrame:
    west = _km_square(4546, 509_500, 3_430_000)  # ~111.1°E, 31.0°N: zone 37, CM 111°E
    east = _km_square(4547, 519_000, 3_507_000)  # ~114.2°E, 31.7°N: zone 38, CM 114°E
    east2 = _km_square(4547, 430_000, 3_500_000)  # ~113.3°E: zone 38
    return gpd.GeoDataFrame({"id": ["w", "e", "e2"]}, geometry=[west, east, east2], crs=4490)


def test_each_feature_is_measured_in_its_own_zone():
    gdf = _hubei()
    lon = shapely.get_coordinates(shapely.centroid(gdf.geometry.array))[:, 0]
    assert lon[0] == pytest.approx(111.1, abs=0.02) and lon[1] == pytest.approx(114.2, abs=0.02)
    measured, plane = add_areas(gdf)
    assert list(measured["crs_plane"]) == ["EPSG:4546", "EPSG:4547", "EPSG:4547"]
    for pos, epsg in ((0, 4546), (1, 4547), (2, 4547)):
        shapely_own_zone = gdf.geometry.iloc[[pos]].to_crs(epsg).area.iloc[0]
        assert measured["area_m2_plane"].iloc[pos] == pytest.approx(shapely_own_zone, rel=1e-12)
        assert measured["area_m2_plane"].iloc[pos] == pytest.approx(1e6, rel=1e-9)
    assert plane.epsg == 4547
    assert plane.reason.startswith("each feature in its own 3-degree Gauss-Krüger zone")
    assert "most in zone 38 (central meridian 114°E, EPSG:4547), 2 of 3 features; also " \
        "zone 37 (EPSG:4546): 1" in plane.reason


@pytest.mark.parametrize(("pos", "epsg"), [(0, 4546), (1, 4547)])
def test_plane_and_geodesic_areas_differ_by_the_gk_scale_only(pos, epsg):
    gdf = _hubei()
    measured, _ = add_areas(gdf)
    geom = gdf.geometry.iloc[pos]
    geod_m2 = abs(GRS80.geometry_area_perimeter(geom)[0])
    scale = Proj(f"EPSG:{epsg}").get_factors(geom.centroid.x, geom.centroid.y).areal_scale
    assert measured["area_m2_plane"].iloc[pos] / geod_m2 == pytest.approx(scale, rel=1e-6)
    assert measured["area_m2_ellipsoidal"].iloc[pos] == pytest.approx(geod_m2, rel=1e-8)


def test_one_plane_for_all_is_off_by_the_expected_scale_in_the_far_zone():
    gdf = _hubei()
    own, _ = add_areas(gdf)
    forced, plane = add_areas(gdf, plane=PlaneCRS(4547, "given"))
    assert plane.reason == "given" and set(forced["crs_plane"]) == {"EPSG:4547"}
    c = gdf.geometry.iloc[0].centroid
    expected = (Proj("EPSG:4547").get_factors(c.x, c.y).areal_scale
                / Proj("EPSG:4546").get_factors(c.x, c.y).areal_scale)
    ratio = forced["area_m2_plane"].iloc[0] / own["area_m2_plane"].iloc[0]
    assert ratio == pytest.approx(expected, rel=1e-6)
    assert 1.001 < ratio < 1.003  # the ~0.1-0.2 % of the issue
    assert forced["area_m2_plane"].iloc[1] == pytest.approx(own["area_m2_plane"].iloc[1])


@pytest.mark.parametrize(("lon", "lat"), [(108.4, 29.1), (116.0, 33.2), (74.0, 39.5),
                                          (134.0, 48.0), (110.0, 18.5), (87.6, 43.8)])
def test_ellipsoidal_area_of_a_province_and_china_wide_layer_matches_geod(lon, lat):
    # one layer holding a Suizhou parcel and a 10 km square far away (Hubei corners, China)
    far = Polygon([(lon, lat), (lon + 0.1, lat), (lon + 0.1, lat + 0.09), (lon, lat + 0.09)])
    near = box(113.40, 31.70, 113.41, 31.71)
    gdf = gpd.GeoDataFrame(geometry=[near, far], crs=4490)
    measured, _ = add_areas(gdf)
    for geom, ours in zip([near, far], measured["area_m2_ellipsoidal"], strict=True):
        assert ours == pytest.approx(abs(GRS80.geometry_area_perimeter(geom)[0]), rel=1e-6)


def test_unmeasurable_features_get_nan_and_no_plane_and_are_not_counted():
    with np.errstate(invalid="ignore"):
        nan_poly = shapely.from_wkt("POLYGON ((113.4 31.7, NaN 31.7, 113.41 31.71, 113.4 31.7))")
    inf_poly = shapely.polygons([[113.4, 31.7], [np.inf, 31.7], [113.41, 31.71], [113.4, 31.7]])
    gdf = gpd.GeoDataFrame({"g": ["a", "a", "b", "b"]}, crs=4490, geometry=[
        box(113.40, 31.70, 113.41, 31.71), nan_poly, inf_poly, None])
    measured, _ = add_areas(gdf)
    assert np.isfinite(measured["area_m2_plane"].iloc[0])
    assert measured["area_m2_plane"].iloc[1:].isna().all()
    assert measured["area_m2_ellipsoidal"].iloc[1:].isna().all()
    assert list(measured["crs_plane"].iloc[1:]) == [None, None, None]
    total = area_totals(measured)
    assert (int(total["count"].iloc[0]), int(total["not_measured"].iloc[0])) == (1, 3)
    assert total["area_m2_plane"].iloc[0] == pytest.approx(measured["area_m2_plane"].iloc[0])
    by = area_totals(measured, by="g")
    assert list(by["count"]) == [1, 0] and list(by["not_measured"]) == [1, 2]
    assert np.isnan(by.loc["b", "area_m2_plane"])  # nothing measured: not 0

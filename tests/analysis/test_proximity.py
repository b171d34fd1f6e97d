from __future__ import annotations

import geopandas as gpd
import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point

from geo_app.analysis.proximity import nearest, within_distance

GRS80 = Geod(ellps="GRS80")


def test_nearest_plant_and_distance_match_geodesic():
    villages = gpd.GeoDataFrame(
        {"id": ["v1", "v2"], "name": ["甲村", "乙村"]},
        geometry=[Point(113.40, 31.70), Point(113.50, 31.75)], crs=4490,
    )
    plants = gpd.GeoDataFrame(
        {"id": ["f1", "f2"], "name": ["一站", "二站"]},
        geometry=[Point(113.41, 31.705), Point(113.52, 31.74)], crs=4490,
    )
    out = nearest(villages, plants)
    assert list(out["nearest_id"]) == ["f1", "f2"]
    for (lon1, lat1), (lon2, lat2), ours in zip(
        [(113.40, 31.70), (113.50, 31.75)], [(113.41, 31.705), (113.52, 31.74)],
        out["distance_m"], strict=True,
    ):
        geodesic = GRS80.inv(lon1, lat1, lon2, lat2)[2]
        # GK plane distance ≈ geodesic × scale factor (< 1e-4 off this close to CM 114°E)
        assert ours == pytest.approx(geodesic, rel=1e-4)


def test_within_distance_keeps_features_inside_the_belt():
    x0, y0 = 440_000, 3_505_000
    road = gpd.GeoDataFrame({"id": ["r"], "name": ["road"]},
                            geometry=[LineString([(x0, y0), (x0 + 5000, y0)])], crs=4547)
    pts = gpd.GeoDataFrame(
        {"id": ["near", "edge", "far"], "name": ["a", "b", "c"]},
        geometry=[Point(x0 + 100, y0 + 1500), Point(x0 + 2500, y0 - 1999), Point(x0, y0 + 2001)],
        crs=4547,
    ).to_crs(4490)
    out = within_distance(pts, road.to_crs(4490), distance_m=2000)
    assert list(out["id"]) == ["near", "edge"]
    assert out["distance_m"].iloc[0] == pytest.approx(1500, abs=0.01)


def test_null_or_empty_geometry_gets_no_nearest_instead_of_garbage():
    features = gpd.GeoDataFrame(
        {"id": ["a", "b", "c"], "name": ["甲", "乙", "丙"]},
        geometry=[Point(113.40, 31.70), None, Point()], crs=4490,
    )
    targets = gpd.GeoDataFrame({"id": ["t"], "name": ["站"]},
                               geometry=[Point(113.41, 31.70)], crs=4490)
    out = nearest(features, targets)
    assert out["nearest_id"].iloc[0] == "t" and out["nearest_id"].iloc[1:].isna().all()
    assert out["distance_m"].iloc[0] == pytest.approx(GRS80.inv(113.40, 31.70, 113.41, 31.70)[2],
                                                     rel=1e-4)
    assert out["distance_m"].iloc[1:].isna().all()


def test_empty_target_layer_gives_no_match_and_within_keeps_nothing():
    features = gpd.GeoDataFrame({"id": ["a"]}, geometry=[Point(113.40, 31.70)], crs=4490)
    none = gpd.GeoDataFrame({"id": []}, geometry=[], crs=4490)
    out = nearest(features, none)
    assert out["nearest_id"].isna().all() and out["distance_m"].isna().all()
    assert len(within_distance(features, none, distance_m=1e6)) == 0


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1.0])
def test_within_refuses_unusable_distances(bad):
    from geo_app.errors import InputError

    pts = gpd.GeoDataFrame({"id": ["a"]}, geometry=[Point(113.40, 31.70)], crs=4490)
    with pytest.raises(InputError, match="metres"):
        within_distance(pts, pts, distance_m=bad)

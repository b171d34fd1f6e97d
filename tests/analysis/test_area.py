from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Polygon, box

from geo_app.analysis.area import add_areas, area_totals
from geo_app.analysis.crs import PlaneCRS

GRS80 = Geod(ellps="GRS80")  # CGCS2000's ellipsoid
OFFSET = np.array([440_000, 3_505_000])  # GK CM 114°E, near Suizhou


def _km_square_in_gk() -> gpd.GeoDataFrame:
    # 1 km × 1 km square in the CGCS2000 GK plane CM 114°E, near Suizhou
    sq = box(440_000, 3_505_000, 441_000, 3_506_000)
    return gpd.GeoDataFrame({"id": ["sq"], "name": ["square"]}, geometry=[sq], crs=4547)


def test_km_square_in_gk_plane_is_1500_mu():
    measured, plane = add_areas(_km_square_in_gk().to_crs(4490))
    assert plane.epsg == 4547
    assert measured["area_mu_plane"].iloc[0] == pytest.approx(1500.0, abs=1e-6)
    assert measured["area_ha_plane"].iloc[0] == pytest.approx(100.0, abs=1e-7)
    assert measured["area_m2_plane"].iloc[0] == pytest.approx(1e6, abs=1e-3)


def test_ellipsoidal_area_matches_pyproj_geod_within_a_hundredth_of_a_percent():
    lonlat = _km_square_in_gk().to_crs(4490)
    polys = [
        lonlat.geometry.iloc[0],
        Polygon([(113.30, 31.60), (113.42, 31.61), (113.45, 31.70), (113.31, 31.72)]),
        box(113.50, 31.75, 113.5005, 31.7504),
    ]
    gdf = gpd.GeoDataFrame({"id": ["a", "b", "c"]}, geometry=polys, crs=4490)
    measured, _ = add_areas(gdf)
    for geom, ours in zip(polys, measured["area_m2_ellipsoidal"], strict=True):
        geod_m2 = abs(GRS80.geometry_area_perimeter(geom)[0])
        assert ours == pytest.approx(geod_m2, rel=1e-4)


def test_plane_and_ellipsoid_differ_by_gk_scale_only():
    # at ~57 km west of CM 114°E the GK scale factor is ~1 + 4e-5: areas differ < 0.1 %
    measured, _ = add_areas(_km_square_in_gk().to_crs(4490))
    ratio = measured["area_m2_plane"].iloc[0] / measured["area_m2_ellipsoidal"].iloc[0]
    assert 1.0 < ratio < 1.001


def test_area_in_a_given_plane_crs():
    gdf = _km_square_in_gk()
    measured, plane = add_areas(gdf, plane=PlaneCRS(4547, "given"))
    assert plane.reason == "given"
    assert measured["area_mu_plane"].iloc[0] == pytest.approx(1500.0)


def test_totals_by_group_sum_feature_areas():
    squares = [box(0, 0, 100, 100), box(200, 0, 300, 200), box(400, 0, 500, 50)]
    gdf = gpd.GeoDataFrame(
        {"id": ["a", "b", "c"], "phase": [1, 2, 1]},
        geometry=[Polygon(np.asarray(s.exterior.coords) + OFFSET) for s in squares],
        crs=4547,
    )
    measured, _ = add_areas(gdf)
    by_phase = area_totals(measured, by="phase")
    assert by_phase.loc[1, "area_m2_plane"] == pytest.approx(10_000 + 5_000)
    assert by_phase.loc[2, "area_m2_plane"] == pytest.approx(20_000)
    assert list(by_phase["count"]) == [2, 1]
    total = area_totals(measured)
    assert total["area_mu_plane"].iloc[0] == pytest.approx(35_000 / (10000 / 15))


def test_area_report_refuses_point_and_line_layers_and_reports_mixed_features():
    from shapely.geometry import LineString, Point

    from geo_app.analysis.report import area_report
    from geo_app.errors import InputError

    sq = Polygon(np.asarray(box(0, 0, 100, 100).exterior.coords) + OFFSET)
    pt, line = Point(OFFSET), LineString([OFFSET, OFFSET + 100])
    with pytest.raises(InputError, match="'projects' holds Point geometries"):
        area_report(gpd.GeoDataFrame(geometry=[pt], crs=4547), what="'projects'")
    with pytest.raises(InputError, match="'roads' holds LineString geometries"):
        area_report(gpd.GeoDataFrame(geometry=[line, None], crs=4547), what="'roads'")
    # a line among polygons and a null: reported per feature, not measured, never 0
    mixed = area_report(gpd.GeoDataFrame(geometry=[sq, line, None], crs=4547))
    assert mixed["total"]["area_m2_plane"] == pytest.approx(10_000)
    assert (mixed["total"]["count"], mixed["total"]["not_measured"]) == (1, 2)
    line_row, null_row = mixed["features"][1], mixed["features"][2]
    assert line_row["area_m2_plane"] is None and null_row["area_mu_ellipsoidal"] is None
    assert line_row["issues"][0]["kind"] == "not_polygon"
    assert "a LineString where polygons are expected" in line_row["issues"][0]["message"]
    assert null_row["issues"] == [{"kind": "empty", "severity": "warning",
                                   "message": "no geometry (null): not measured"}]


def test_area_report_refuses_totals_by_the_geometry_column():
    from geo_app.analysis.report import area_report
    from geo_app.errors import InputError

    sq = Polygon(np.asarray(box(0, 0, 100, 100).exterior.coords) + OFFSET)
    gdf = gpd.GeoDataFrame({"phase": [1]}, geometry=[sq], crs=4547)
    with pytest.raises(InputError, match="geometry column; total by an attribute: phase"):
        area_report(gdf, by="geometry")

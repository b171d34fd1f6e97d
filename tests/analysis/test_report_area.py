"""The area report: keys kept, crs_source, per-feature planes and issues, null areas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from geo_app.analysis.crs import PlaneCRS, resolve_source_crs
from geo_app.analysis.geometry_checks import check_geometries
from geo_app.analysis.report import area_report

X0, Y0 = 440_000.0, 3_505_000.0
MU = 10000 / 15
AREA_KEYS = {"area_m2_plane", "area_m2_ellipsoidal", "area_mu_plane", "area_mu_ellipsoidal",
             "area_ha_plane", "area_ha_ellipsoidal"}


def r(x0, y0, x1, y1) -> Polygon:
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def test_report_keeps_its_keys_and_adds_crs_source_planes_and_issues():
    gdf = gpd.GeoDataFrame({"id": [1, 2], "name": ["a", "b"], "phase": [1, 2]},
                           geometry=[r(0, 0, 100, 100), r(200, 0, 300, 50)])
    gdf, source = resolve_source_crs(gdf)  # bare eastings: assumed EPSG:4547, said
    report = area_report(gdf, by="phase", crs_source=source)
    assert set(report) == {"crs_source", "crs_plane", "crs_reason", "features", "total",
                           "groups"}
    assert report["crs_source"] == source.to_dict()
    assert report["crs_source"]["inferred"] is True and report["crs_source"]["crs"] == "EPSG:4547"
    assert report["crs_plane"] == "EPSG:4547"
    assert "each feature in its own 3-degree Gauss-Krüger zone" in report["crs_reason"]
    assert "most in zone 38" in report["crs_reason"] and "114°E" in report["crs_reason"]
    first = report["features"][0]
    assert set(first) == {"id", "name", "crs_plane", "issues"} | AREA_KEYS
    assert first["crs_plane"] == "EPSG:4547" and first["issues"] == []
    assert first["area_m2_plane"] == pytest.approx(10_000)
    assert report["total"]["area_mu_plane"] == pytest.approx(15_000 / MU)
    assert (report["total"]["count"], report["total"]["not_measured"]) == (2, 0)
    assert [g["area_m2_plane"] for g in report["groups"]] == pytest.approx([10_000, 5_000])


def test_without_crs_source_the_layers_own_crs_is_reported():
    report = area_report(gpd.GeoDataFrame(geometry=[r(0, 0, 10, 10)], crs=4547))
    assert report["crs_source"]["crs"] == "EPSG:4547"
    assert report["crs_source"]["inferred"] is False


def test_broken_geometries_are_repaired_or_left_out_never_zero():
    bow = shapely.affinity.translate(Polygon([(0, 0), (100, 100), (100, 0), (0, 100)]), X0, Y0)
    doubled = MultiPolygon([r(200, 0, 300, 100), r(200, 0, 300, 100)])
    with np.errstate(invalid="ignore"):
        nan_poly = shapely.from_wkt(f"POLYGON (({X0} {Y0}, NaN {Y0}, {X0 + 9} {Y0 + 9}, "
                                    f"{X0} {Y0}))")
    inf_poly = shapely.polygons([[X0, Y0], [np.inf, Y0], [X0 + 9, Y0 + 9], [X0, Y0]])
    gdf = gpd.GeoDataFrame({"id": ["bow", "dbl", "nan", "inf", "none"]}, crs=4547,
                           geometry=[bow, doubled, nan_poly, inf_poly, None])
    report = area_report(gdf)
    rows = {f["id"]: f for f in report["features"]}
    assert rows["bow"]["area_m2_plane"] == pytest.approx(5_000)  # not 0
    assert rows["bow"]["issues"][0]["kind"] == "self_intersection"
    assert rows["dbl"]["area_m2_plane"] == pytest.approx(10_000)  # not 20 000
    assert rows["dbl"]["issues"][0]["severity"] == "repaired"
    for fid in ("nan", "inf", "none"):
        assert all(rows[fid][k] is None for k in AREA_KEYS) and rows[fid]["crs_plane"] is None
        assert rows[fid]["issues"][0]["severity"] == "warning"
    assert report["total"]["area_m2_plane"] == pytest.approx(15_000)
    assert (report["total"]["count"], report["total"]["not_measured"]) == (2, 3)
    strict = area_report(gdf, strict=True)
    assert strict["total"]["count"] == 0 and strict["total"]["area_m2_plane"] is None
    assert strict["crs_plane"] is None and strict["crs_reason"] == "no feature could be measured"


def test_all_empty_layer_reports_instead_of_raising():
    gdf, source = resolve_source_crs(gpd.GeoDataFrame({"id": [1, 2]},
                                                      geometry=[None, Polygon()]))
    report = area_report(gdf, crs_source=source)
    assert report["total"] == {k: None for k in AREA_KEYS} | {"count": 0, "not_measured": 2}


def test_a_given_check_and_plane_are_used():
    gdf = gpd.GeoDataFrame({"id": [1]}, geometry=[r(0, 0, 100, 100)], crs=4547).to_crs(4490)
    check = check_geometries(gdf)
    report = area_report(gdf, check=check, plane=PlaneCRS(4546, "given by the user"))
    assert report["crs_plane"] == "EPSG:4546" and report["crs_reason"] == "given by the user"
    assert report["features"][0]["crs_plane"] == "EPSG:4546"
    assert report["features"][0]["area_m2_plane"] > 10_000 * 1.001  # CM 111°E is 3° away

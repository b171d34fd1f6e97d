"""Geometry checks: invalid, empty, non-finite and overlapping features, with known answers
from hand-computed rectangles in the CGCS2000 GK plane CM 114°E (EPSG:4547)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, Polygon, box

from geo_app.analysis.crs import PlaneCRS
from geo_app.analysis.geometry_checks import (
    IssueKind,
    Severity,
    area_mismatch,
    check_geometries,
    outside_share,
    overlap_with_existing_mu,
)

X0, Y0 = 440_000.0, 3_505_000.0  # near Suizhou in EPSG:4547
MU = 10000 / 15


def r(x0, y0, x1, y1) -> Polygon:
    """A rectangle in metres relative to (X0, Y0)."""
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def at(geom):
    return shapely.affinity.translate(geom, X0, Y0)


def layer(geoms, crs=4547) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": [f"P{i}" for i in range(len(geoms))]}, geometry=list(geoms),
                            crs=crs)


def kinds(check, pos):
    return [(i.kind, i.severity) for i in check.issues_of(pos)]


def test_a_clean_layer_has_no_issues():
    check = check_geometries(layer([r(0, 0, 100, 100), r(100, 0, 200, 100)]))  # edge-adjacent
    assert check.issues == [] and check.measurable.tolist() == [True, True]


def test_bow_tie_is_repaired_to_its_two_triangles_and_said():
    bow = at(Polygon([(0, 0), (100, 100), (100, 0), (0, 100)]))
    check = check_geometries(layer([bow]))
    (issue,) = check.issues
    assert (issue.kind, issue.severity) == (IssueKind.SELF_INTERSECTION, Severity.REPAIRED)
    assert issue.feature_id == "P0" and issue.position == 0
    assert "area 0.00 m² as drawn → 5,000.00 m² repaired" in issue.message
    assert issue.details["area_m2_after"] == pytest.approx(2 * 0.5 * 100 * 50)
    assert check.gdf.geometry.iloc[0].area == pytest.approx(5000.0)
    assert check.gdf.geometry.iloc[0].is_valid and check.measurable[0]


def test_strict_refuses_the_repair():
    bow = at(Polygon([(0, 0), (100, 100), (100, 0), (0, 100)]))
    check = check_geometries(layer([bow]), strict=True)
    (issue,) = check.issues
    assert issue.severity is Severity.ERROR and not check.measurable[0]
    assert "not measured (--strict refuses repairs" in issue.message
    assert check.gdf.geometry.iloc[0].equals_exact(bow, tolerance=0)


def test_overlapping_and_duplicated_parts_are_unioned():
    overlapping = at(MultiPolygon([box(0, 0, 100, 100), box(50, 0, 150, 100)]))
    doubled = at(MultiPolygon([box(0, 0, 100, 100), box(0, 0, 100, 100)]))
    check = check_geometries(layer([overlapping, r(1000, 0, 1001, 1), doubled]))
    for pos, before, after in ((0, 20_000, 15_000), (2, 20_000, 10_000)):
        issue = check.issues_of(pos)[0]
        assert issue.kind is IssueKind.OVERLAPPING_PARTS
        assert f"area {before:,.2f} m² as drawn → {after:,.2f} m² repaired" in issue.message
        assert check.gdf.geometry.iloc[pos].area == pytest.approx(after)


def test_hole_outside_its_shell_is_reported_with_both_areas():
    shell, hole = box(0, 0, 100, 100), box(200, 0, 240, 100)
    bad = at(Polygon(shell.exterior.coords, [hole.exterior.coords]))
    assert bad.area == pytest.approx(6000)  # what shapely alone says: −40 %
    check = check_geometries(layer([bad]))
    (issue,) = check.issues
    assert issue.kind is IssueKind.HOLE_OUTSIDE_SHELL and issue.severity is Severity.REPAIRED
    assert "area 6,000.00 m² as drawn → 14,000.00 m² repaired" in issue.message
    assert "if it was meant as a hole, correct the file" in issue.message


def test_unmeasurable_features_are_reported_never_measured_and_never_raise():
    with np.errstate(invalid="ignore"):
        nan_poly = shapely.from_wkt(f"POLYGON (({X0} {Y0}, NaN {Y0}, {X0 + 9} {Y0 + 9}, "
                                    f"{X0} {Y0}))")
    inf_poly = shapely.polygons([[X0, Y0], [np.inf, Y0], [X0 + 9, Y0 + 9], [X0, Y0]])
    collapsed = at(Polygon([(0, 0), (5, 0), (10, 0)]))
    geoms = [nan_poly, inf_poly, None, Polygon(), collapsed, Point(X0, Y0),
             LineString([(X0, Y0), (X0 + 5, Y0)]), r(0, 0, 10, 10)]
    check = check_geometries(layer(geoms))
    assert check.measurable.tolist() == [False] * 7 + [True]
    assert kinds(check, 0) == [(IssueKind.NON_FINITE, Severity.WARNING)]
    assert kinds(check, 1) == [(IssueKind.NON_FINITE, Severity.WARNING)]
    assert check.issues_of(0)[0].message.startswith("1 coordinate(s) are NaN or infinite")
    assert check.issues_of(2)[0].message == "no geometry (null): not measured"
    assert check.issues_of(3)[0].message == "empty geometry: not measured"
    assert kinds(check, 4) == [(IssueKind.DEGENERATE, Severity.WARNING)]
    assert kinds(check, 5) == [(IssueKind.NOT_POLYGON, Severity.WARNING)]
    assert "a LineString where polygons are expected" in check.issues_of(6)[0].message
    assert check.not_measurable == 7


def test_stray_lines_are_dropped_from_a_collection_and_said():
    gc = GeometryCollection([r(0, 0, 100, 100), LineString([(X0, Y0), (X0 - 50, Y0)])])
    check = check_geometries(layer([gc]))
    (issue,) = check.issues
    assert issue.severity is Severity.REPAIRED and "dropped 1 stray line/point" in issue.message
    assert check.gdf.geometry.iloc[0].geom_type == "Polygon"
    assert check.gdf.geometry.iloc[0].area == pytest.approx(10_000)


def test_duplicates_and_overlaps_within_the_file_in_mu():
    a = r(0, 0, 100, 100)
    same_other_order = Polygon(list(a.exterior.coords)[::-1])  # same ring, reversed
    b = r(50, 0, 150, 100)  # overlaps a by 50 × 100 = 5000 m² = 7.5 mu
    check = check_geometries(layer([a, same_other_order, b, r(300, 0, 400, 100)]))
    (dup,) = check.issues_of(1)
    assert dup.kind is IssueKind.DUPLICATE and dup.details["other_position"] == 0
    assert dup.message == "same geometry as feature 1 (id 'P0'): its area counts twice in " \
        "the totals"
    overlaps = check.issues_of(2)
    assert [i.kind for i in overlaps] == [IssueKind.OVERLAP_WITHIN] * 2
    assert overlaps[0].message == "overlaps feature 1 (id 'P0') by 7.50 mu (5,000.00 m²)"
    assert overlaps[0].details["overlap_m2"] == pytest.approx(5000)
    assert check.issues_of(3) == [] and check.measurable.all()


def test_overlap_within_in_lonlat_is_measured_in_the_gk_plane():
    gk = layer([r(0, 0, 100, 100), r(50, 0, 150, 100)])
    check = check_geometries(gk.to_crs(4490), id_column=None)
    (issue,) = check.issues
    assert issue.details["overlap_m2"] == pytest.approx(5000, rel=1e-6)
    assert issue.feature_id is None and issue.message.startswith("overlaps feature 1 by 7.50 mu")


def test_overlap_with_existing_counts_covered_area_once():
    new = layer([r(0, 0, 100, 100), r(500, 500, 600, 600), None])
    existing = layer([r(50, 0, 150, 100), r(0, 50, 100, 150)])  # they overlap each other
    mu = overlap_with_existing_mu(new, existing, plane=None)
    assert mu[0] == pytest.approx((5000 + 5000 - 2500) / MU)  # 11.25 mu
    assert mu[1] == 0 and np.isnan(mu[2])
    in_lonlat = overlap_with_existing_mu(new, existing.to_crs(4490),
                                         plane=PlaneCRS(4547, "given"))
    assert in_lonlat[0] == pytest.approx(11.25, rel=1e-6)


def test_outside_share_of_a_boundary():
    boundary = r(0, 0, 75, 100)
    gdf = layer([r(0, 0, 100, 100), r(10, 10, 20, 20), r(500, 0, 600, 100), None])
    share = outside_share(gdf, boundary, plane=None)
    assert share[0] == pytest.approx(0.25) and share[1] == 0 and share[2] == 1
    assert np.isnan(share[3])


def test_area_mismatch_flags_more_than_one_percent():
    computed = np.array([1000.0, 1020.0, 990.5, np.nan, 50.0, 10.0])
    declared = np.array([1005.0, 1000.0, 1000.0, 1000.0, np.nan, 0.0])
    assert area_mismatch(computed, declared).tolist() == [False, True, False, False, False,
                                                         False]
    assert area_mismatch(computed, declared, tolerance=0.005).tolist()[2] is True

"""Coverage without a global union: every path (inside, crossing, overlapping clusters,
duplicates, touching) against hand-computed areas and against the dissolve-everything method,
and the no-overlap certificate against a brute-force pairwise check."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Polygon, box

from geo_app.analysis.area import add_areas, clear_projected, equal_area_crs
from geo_app.analysis.coverage import EDGE_STEP_M, coverage, overlap_clusters
from geo_app.analysis.crs import PlaneCRS
from geo_app.maps.synthetic import synthetic_parcels

X0, Y0 = 440_000, 3_505_000  # EPSG:4547, near Suizhou
MU = 10_000 / 15
GK = PlaneCRS(4547, "test")


def _gk(geoms, **cols) -> gpd.GeoDataFrame:
    cols = cols or {"id": [f"f{i}" for i in range(len(geoms))]}
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=4547).to_crs(4490)


def _park(x0=X0, y0=Y0, w=1000, h=1000) -> gpd.GeoDataFrame:
    return _gk([box(x0, y0, x0 + w, y0 + h)], id=["P"], name=["park"])


def _by_union(of: gpd.GeoDataFrame, by: gpd.GeoDataFrame, plane: PlaneCRS = GK):
    """The reference: dissolve every cover, clip each target, measure (plane and ellipsoid,
    clipped shapes densified as the module documents)."""
    targets = of.geometry.to_crs(plane.epsg).to_numpy()
    union = shapely.union_all(by.geometry.to_crs(plane.epsg).to_numpy())
    covered = shapely.intersection(targets, union)
    dense = shapely.segmentize(covered, EDGE_STEP_M)
    ell = gpd.GeoSeries(dense, crs=plane.epsg).to_crs(equal_area_crs(by)).area.to_numpy()
    return shapely.area(covered), ell


def _assert_same_as_union(of, by, *, rel=1e-9):
    clear_projected()
    ours = coverage(of, by, plane=GK)
    plane_m2, ell_m2 = _by_union(of, by)
    assert ours["covered_mu_plane"].to_numpy() * MU == pytest.approx(plane_m2, rel=rel, abs=1e-6)
    assert ours["covered_mu_ellipsoidal"].to_numpy() * MU == pytest.approx(ell_m2, rel=rel,
                                                                            abs=1e-6)
    return ours


def _brute_force_groups(geoms: np.ndarray) -> set[frozenset[int]]:
    """Connected groups of polygons whose interiors meet, pair by pair (no index, no shortcut)."""
    parent = list(range(len(geoms)))

    def find(k: int) -> int:
        while parent[k] != k:
            k = parent[k]
        return k

    for i, j in itertools.combinations(range(len(geoms)), 2):
        if geoms[i].relate_pattern(geoms[j], "T********"):
            parent[find(i)] = find(j)
    groups: dict[int, set[int]] = {}
    for k in range(len(geoms)):
        groups.setdefault(find(k), set()).add(k)
    return {frozenset(g) for g in groups.values() if len(g) > 1}


def _groups(geoms: np.ndarray) -> set[frozenset[int]]:
    return {frozenset(int(k) for k in g) for g in overlap_clusters(np.asarray(geoms))}


# --- hand-computed cases, one per path ---------------------------------------------------


def test_parcel_strictly_inside_counts_its_whole_area():
    parcels = _gk([box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 200)])  # 100 m × 100 m = 15 mu
    row = _assert_same_as_union(_park(), parcels).iloc[0]
    assert row["covered_mu_plane"] == pytest.approx(15.0, abs=1e-6)
    assert row["share_covered"] == pytest.approx(0.01, abs=1e-9)


def test_parcel_crossing_the_edge_counts_the_part_inside():
    parcels = _gk([box(X0 - 100, Y0 + 100, X0 + 200, Y0 + 200)])  # 200 of its 300 m inside
    row = _assert_same_as_union(_park(), parcels).iloc[0]
    assert row["covered_mu_plane"] == pytest.approx(200 * 100 / MU, abs=1e-6)


def test_overlapping_cluster_is_dissolved_once():
    # three boxes in a chain: [0,300], [200,500], [400,700] × [0,100] → union 700 × 100
    chain = [box(X0 + a, Y0, X0 + a + 300, Y0 + 100) for a in (0, 200, 400)]
    lone = box(X0 + 800, Y0 + 500, X0 + 900, Y0 + 600)
    geoms = [*chain, lone]
    row = _assert_same_as_union(_park(), _gk(geoms)).iloc[0]
    assert row["covered_mu_plane"] == pytest.approx((700 * 100 + 100 * 100) / MU, abs=1e-6)
    assert _groups(shapely.transform(np.array(geoms), lambda xy: xy)) == {frozenset({0, 1, 2})}


def test_identical_duplicates_count_once():
    parcel = box(X0 + 100, Y0 + 100, X0 + 400, Y0 + 300)  # 300 × 200 = 90 mu
    row = _assert_same_as_union(_park(), _gk([parcel, parcel, parcel])).iloc[0]
    assert row["covered_mu_plane"] == pytest.approx(90.0, abs=1e-6)
    assert _groups(np.array([parcel, parcel, parcel])) == {frozenset({0, 1, 2})}


def test_touching_parcels_are_not_overlap_but_both_count():
    # side by side (shared edge) and corner to corner: no area in common
    geoms = [box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 100, Y0, X0 + 200, Y0 + 100),
             box(X0 + 200, Y0 + 100, X0 + 300, Y0 + 200)]
    assert _groups(np.array(geoms)) == set()
    row = _assert_same_as_union(_park(x0=X0 - 50, y0=Y0 - 50), _gk(geoms)).iloc[0]
    assert row["covered_mu_plane"] == pytest.approx(3 * 15.0, abs=1e-6)


def test_parcel_covering_two_parks_counts_in_each():
    parks = _gk([box(X0, Y0, X0 + 500, Y0 + 500), box(X0 + 500, Y0, X0 + 1000, Y0 + 500)],
                id=["A", "B"], name=["a", "b"])
    parcels = _gk([box(X0 + 400, Y0, X0 + 700, Y0 + 100)])
    table = _assert_same_as_union(parks, parcels)
    assert table["covered_mu_plane"].to_numpy() == pytest.approx([100 * 100 / MU,
                                                                  200 * 100 / MU], abs=1e-6)


def test_park_inside_one_big_parcel_is_fully_covered():
    parks = _park(x0=X0 + 100, y0=Y0 + 100, w=200, h=200)
    parcels = _gk([box(X0, Y0, X0 + 1000, Y0 + 1000)])
    row = _assert_same_as_union(parks, parcels).iloc[0]
    assert row["share_covered"] == pytest.approx(1.0, abs=1e-12)


def test_parcel_with_a_hole_and_a_parcel_in_the_hole():
    ring = Polygon(box(X0, Y0, X0 + 300, Y0 + 300).exterior.coords,
                   [box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 200).exterior.coords])
    island = box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 200)
    geoms = np.array([ring, island])
    assert _groups(geoms) == set()
    row = _assert_same_as_union(_park(x0=X0 - 10, y0=Y0 - 10), _gk(geoms)).iloc[0]
    assert row["covered_mu_plane"] == pytest.approx(300 * 300 / MU, abs=1e-6)


def test_targets_without_geometry_are_not_measured_and_empty_covers_are_skipped():
    parks = _gk([box(X0, Y0, X0 + 1000, Y0 + 1000), None], id=["A", "B"], name=["a", "b"])
    parcels = _gk([box(X0, Y0, X0 + 100, Y0 + 100), Polygon(), None])
    table = coverage(parks, parcels, plane=GK)
    assert table["covered_mu_plane"].iloc[0] == pytest.approx(15.0, abs=1e-6)
    assert np.isnan(table["covered_mu_plane"].iloc[1])
    assert np.isnan(table["area_mu_plane"].iloc[1])


def test_ellipsoidal_covered_area_follows_the_plane_edge_of_a_long_park():
    """A 10 km park fully covered: its covered area on the ellipsoid equals its own area
    measured on GRS80 by pyproj.Geod along the plane's straight edges (densified 20 m)."""
    w = 10_000
    park_gk = box(X0, Y0, X0 + w, Y0 + w)
    parks = _gk([park_gk], id=["P"], name=["park"])
    tiles = [box(X0 + i * 2500, Y0 + j * 2500, X0 + (i + 1) * 2500, Y0 + (j + 1) * 2500)
             for i in range(4) for j in range(4)]
    row = _assert_same_as_union(parks, _gk(tiles)).iloc[0]
    lonlat = gpd.GeoSeries([shapely.segmentize(park_gk, 5.0)], crs=4547).to_crs(4490).iloc[0]
    geod_m2 = abs(Geod(ellps="GRS80").geometry_area_perimeter(lonlat)[0])
    assert row["covered_mu_ellipsoidal"] * MU == pytest.approx(geod_m2, rel=1e-8)


# --- a cadastral fabric (shared vertices), with and without overlapping parcels ----------


@pytest.fixture(scope="module")
def fabric() -> gpd.GeoDataFrame:
    return synthetic_parcels(900, seed=3, points_per_edge=1)


def _parks_over(parcels: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    minx, miny, maxx, maxy = parcels.to_crs(4547).total_bounds
    w, h = maxx - minx, maxy - miny
    geoms = [box(minx + 0.1 * w, miny - 10, minx + 0.45 * w, maxy + 10),
             box(minx + 0.45 * w, miny + 0.2 * h, maxx + 10, miny + 0.7 * h),
             Polygon([(minx, miny), (maxx, miny + 0.3 * h), (minx + 0.3 * w, maxy)])]
    return _gk(geoms, id=["a", "b", "c"], name=["a", "b", "c"])


def test_fabric_is_certified_free_of_overlap_and_matches_the_union(fabric):
    plane = fabric.to_crs(4547).geometry.to_numpy()
    assert _groups(plane) == set()
    _assert_same_as_union(_parks_over(fabric), fabric)


def test_fabric_with_measured_areas_gives_the_same_answer(fabric):
    measured, _ = add_areas(fabric)
    parks = _parks_over(fabric)
    plain = coverage(parks, fabric, plane=GK)
    reused = coverage(parks, measured, plane=GK)
    assert reused["covered_mu_plane"].to_numpy() == pytest.approx(
        plain["covered_mu_plane"].to_numpy(), rel=1e-12)
    assert reused["covered_mu_ellipsoidal"].to_numpy() == pytest.approx(
        plain["covered_mu_ellipsoidal"].to_numpy(), rel=1e-12)


def test_fabric_with_survey_noise_overlaps_in_slivers_and_matches_the_union():
    """Boundary points with sub-metre noise per parcel: neighbours overlap in slivers, so
    the certificate cannot hold and the exact path must give the union's answer."""
    noisy = synthetic_parcels(200, seed=5, points_per_edge=3)
    assert overlap_clusters(noisy.to_crs(4547).geometry.to_numpy())
    _assert_same_as_union(_parks_over(noisy), noisy)


def _with_overlaps(fabric: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    gk = fabric.to_crs(4547)
    g = gk.geometry.to_numpy()
    extra = [
        g[10],                                            # identical duplicate
        shapely.affinity.translate(g[40], 30, 20),        # shifted copy, inside the fabric
        shapely.affinity.scale(g[77], 0.5, 0.5),          # contained in its parcel
        shapely.affinity.translate(g[5], -30, 0),         # sticking out of the fabric
        shapely.union_all([g[200], g[201]]),              # one parcel drawn over two
    ]
    rows = gpd.GeoDataFrame({"id": [f"x{i}" for i in range(len(extra))]}, geometry=extra,
                            crs=4547)
    both = gpd.GeoDataFrame({"id": list(gk["id"]) + list(rows["id"])},
                            geometry=list(g) + extra, crs=4547)
    return both.to_crs(4490)


def test_fabric_with_overlapping_parcels_matches_the_union(fabric):
    layer = _with_overlaps(fabric)
    _assert_same_as_union(_parks_over(layer), layer)


def test_overlap_groups_equal_brute_force_on_the_fabric_with_overlaps(fabric):
    plane = _with_overlaps(fabric).to_crs(4547).geometry.to_numpy()
    assert _groups(plane) == _brute_force_groups(plane)
    assert len(_groups(plane)) == 5


@pytest.mark.parametrize("case", ["gap", "t_junction", "shifted_edge", "nested_three",
                                  "hole_filled_twice", "crossing_outside"])
def test_certificate_never_passes_wrongly(case):
    """Small layouts that break an assumption of the certificate: the groups it gives are
    the brute-force ones (no overlap missed, touching never taken for overlap)."""
    s = 100.0
    grid = [box(i * s, j * s, (i + 1) * s, (j + 1) * s) for i in range(3) for j in range(3)]
    if case == "gap":  # a missing parcel leaves a hole in the fabric; one parcel over it
        geoms = [g for k, g in enumerate(grid) if k != 4] + [box(90, 90, 210, 210)]
    elif case == "t_junction":  # two half-width parcels against one full edge
        geoms = [box(0, 0, 100, 100), box(100, 0, 200, 50), box(100, 50, 200, 100),
                 box(100, 40, 200, 60)]
    elif case == "shifted_edge":  # neighbours whose shared edge does not match
        geoms = [box(0, 0, 100, 100), box(99, 0, 200, 100), box(200, 0, 300, 100)]
    elif case == "nested_three":
        geoms = [box(0, 0, 300, 300), box(50, 50, 250, 250), box(100, 100, 200, 200)]
    elif case == "hole_filled_twice":
        ring = Polygon(box(0, 0, 300, 300).exterior.coords,
                       [box(100, 100, 200, 200).exterior.coords])
        geoms = [ring, box(100, 100, 200, 200), box(100, 100, 200, 200)]
    else:  # a parcel across the fabric's outer edge
        geoms = [*grid, box(250, 250, 350, 350)]
    arr = np.array(geoms, dtype=object)
    assert _groups(arr) == _brute_force_groups(arr)
    layer = _gk([shapely.affinity.translate(g, X0, Y0) for g in geoms])
    _assert_same_as_union(_park(x0=X0 + 20, y0=Y0 + 20, w=250, h=250), layer)


def test_random_boxes_match_brute_force_and_the_union():
    rng = np.random.default_rng(7)
    xy = rng.uniform(0, 900, (60, 2)).round(0)
    wh = rng.uniform(20, 150, (60, 2)).round(0)
    geoms = np.array([box(x, y, x + w, y + h) for (x, y), (w, h) in zip(xy, wh, strict=True)])
    assert _groups(geoms) == _brute_force_groups(geoms)
    layer = _gk([shapely.affinity.translate(g, X0, Y0) for g in geoms])
    _assert_same_as_union(_park(x0=X0 + 100, y0=Y0 + 200, w=600, h=500), layer)

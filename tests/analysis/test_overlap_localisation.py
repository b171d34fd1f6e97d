"""The fast "which features can overlap" step of the overlap check never hides an overlap.

Every case compares the overlaps :func:`check_geometries` reports with an independent
brute force over all pairs (``shapely.intersection`` area in EPSG:4547, metres), on
tilings with duplicates, contained, shifted, enclosed and T-junction features.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from geo_app.analysis.geometry_checks import IssueKind, check_geometries

X0, Y0 = 440_000.0, 3_505_000.0


def grid(n: int, *, cell: float = 50.0, dx: float = 0.0, seed: int = 0) -> list[Polygon]:
    """An n × n jittered tiling (shared vertices), shifted by ``dx`` metres."""
    rng = np.random.default_rng(seed)
    gx, gy = np.meshgrid(np.arange(n + 1) * cell, np.arange(n + 1) * cell)
    gx = gx + rng.uniform(-0.2, 0.2, gx.shape) * cell
    gy = gy + rng.uniform(-0.2, 0.2, gy.shape) * cell
    gx[:, 0], gx[:, -1], gy[0, :], gy[-1, :] = 0, n * cell, 0, n * cell
    x, y = gx + X0 + dx, gy + Y0
    return [Polygon([(x[i, j], y[i, j]), (x[i, j + 1], y[i, j + 1]),
                     (x[i + 1, j + 1], y[i + 1, j + 1]), (x[i + 1, j], y[i + 1, j])])
            for i in range(n) for j in range(n)]


def reported(geoms: list) -> set[tuple[int, int]]:
    gdf = gpd.GeoDataFrame(geometry=geoms, crs=4547)
    check = check_geometries(gdf, id_column=None)
    return {(i.position, i.details["other_position"]) for i in check.issues
            if i.kind is IssueKind.OVERLAP_WITHIN}


def brute_force(geoms: list) -> set[tuple[int, int]]:
    """Every pair with ≥ 1 m² in common, except exact duplicates (reported as such)."""
    out = set()
    for i, j in itertools.combinations(range(len(geoms)), 2):
        a, b = geoms[i], geoms[j]
        if shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), 0):
            continue
        if shapely.intersection(a, b).area >= 1.0:
            out.add((j, i))
    return out


def cases() -> dict[str, list]:
    tiles = grid(6)
    shifted_grid = grid(6, dx=25.0, seed=1)
    ring_of_holes = box(X0, Y0, X0 + 300, Y0 + 300).difference(box(X0 + 100, Y0 + 100,
                                                                   X0 + 200, Y0 + 200))
    return {
        "clean tiling": tiles,
        "duplicate": [*tiles, tiles[7]],
        "duplicate with an extra vertex": [*tiles, Polygon(
            [tiles[7].exterior.coords[0], tiles[7].exterior.interpolate(0.5, normalized=True)
             .coords[0], *tiles[7].exterior.coords[1:]])],
        "contained, not touching": [*tiles, tiles[14].centroid.buffer(5)],
        "shifted copy of one": [*tiles, shapely.affinity.translate(tiles[20], 10, 0)],
        "big one over the middle": [*tiles, box(X0 + 80, Y0 + 80, X0 + 220, Y0 + 220)],
        "two tilings of one area": tiles + shifted_grid,
        "T-junctions, no overlap": [box(X0, Y0, X0 + 50, Y0 + 100),
                                    box(X0 + 50, Y0, X0 + 100, Y0 + 50),
                                    box(X0 + 50, Y0 + 50, X0 + 100, Y0 + 100)],
        "island in a hole": [ring_of_holes, box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 200)],
        "island larger than its hole": [ring_of_holes, box(X0 + 90, Y0 + 100, X0 + 200,
                                                           Y0 + 200)],
        "clockwise copies of tiles, moved": [*tiles, *(
            shapely.affinity.translate(shapely.reverse(t), 12, 0) for t in tiles[8:10])],
        "tiles as multipolygons, one doubled": [
            *(shapely.MultiPolygon([t]) for t in tiles), shapely.MultiPolygon([tiles[3]])],
        "multipolygon over two tiles": [*tiles, shapely.MultiPolygon(
            [tiles[1].centroid.buffer(3), tiles[30].centroid.buffer(4)])],
        # every edge cancels if rings are not read interior-on-the-left
        "a parcel over its two halves drawn clockwise": [
            Polygon([(X0, Y0), (X0 + 50, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 50),
                     (X0 + 50, Y0 + 50), (X0, Y0 + 50)]),
            shapely.reverse(box(X0, Y0, X0 + 50, Y0 + 50)),
            shapely.reverse(box(X0 + 50, Y0, X0 + 100, Y0 + 50))],
        "two overlaps enclosed by a third": [
            ring_of_holes, box(X0 + 100, Y0 + 100, X0 + 160, Y0 + 200),
            box(X0 + 140, Y0 + 100, X0 + 200, Y0 + 200),
            box(X0 + 250, Y0 + 250, X0 + 350, Y0 + 350)],
    }


@pytest.mark.parametrize("name", list(cases()))
def test_reported_overlaps_equal_the_brute_force(name):
    geoms = cases()[name]
    assert reported(geoms) == brute_force(geoms)


def test_the_cases_do_overlap_where_expected():
    """Guard against cases that test nothing: the brute force finds overlaps in them."""
    found = {name: len(brute_force(g)) for name, g in cases().items()}
    assert found["clean tiling"] == found["T-junctions, no overlap"] == 0
    assert found["island in a hole"] == found["duplicate"] == 0
    for name in ("duplicate with an extra vertex", "contained, not touching",
                 "shifted copy of one", "big one over the middle", "two tilings of one area",
                 "island larger than its hole", "two overlaps enclosed by a third",
                 "clockwise copies of tiles, moved", "multipolygon over two tiles",
                 "a parcel over its two halves drawn clockwise"):
        assert found[name] > 0, name


@pytest.mark.parametrize("seed", range(6))
def test_random_extra_parcels_on_a_tiling(seed):
    """A tiling plus a few random rectangles and moved copies of tiles, anywhere."""
    rng = np.random.default_rng(seed)
    tiles = grid(8, seed=seed)
    extra = []
    for _ in range(4):
        x, y = rng.uniform(-20, 400, 2)
        w, h = rng.uniform(5, 120, 2)
        extra.append(box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h))
        k = int(rng.integers(len(tiles)))
        extra.append(shapely.affinity.translate(tiles[k], *rng.uniform(-30, 30, 2)))
    geoms = tiles + extra
    assert reported(geoms) == brute_force(geoms)

"""Coverage: how much of each polygon of one layer another layer covers (overlaps once).

The covered area of a polygon ``T`` is ``area(T ∩ ⋃ covers)``. Dissolving every cover first
(one ``union_all`` over a whole city's parcels) is what made this slow; the union is needed
only where covers really overlap. So:

1. covers whose bounding box meets no target are dropped (STRtree);
2. the covers that overlap each other (their interiors meet; touching does not count) are
   found and only those clusters are dissolved (:func:`overlap_clusters`); every other cover
   shares no area with any other, so the covered area is a plain sum over covers;
3. a cover strictly inside a target (``contains_properly``, prepared target) counts its
   whole area; only covers crossing a target's boundary are intersected.

Finding overlaps by testing every touching pair costs as much as the union. A cheap
certificate proves "no overlap" for a layer whose neighbours share their vertices (a tiling,
what a cadastral layer is): with every ring oriented (shells counter-clockwise, holes
clockwise) an edge shared by two neighbours appears once in each direction and cancels. The
sum over the parcels of "inside this parcel" is then the winding number of the left-over
edges. If those edges form simple rings that never meet, that number is 0 or 1 everywhere
exactly when each ring's inside is (ring nesting, one ``contains_properly`` query over the
few left-over rings), so no point lies in two parcels. Rings whose inside counts 2 or more
(a parcel on top of a tiling, a duplicate) localise the check to the covers meeting them;
anything else (edges used twice in one direction, crossing or touching left-overs, vertices
not shared) falls back to the exact pairwise test, so the answer is always the union's.

Ellipsoidal covered area: each piece (a whole cover, or a cover clipped to a target) is
measured in the Lambert azimuthal equal-area projection of the covering layer, as
:func:`~geo_app.analysis.area.add_areas` measures the covers themselves, with every edge at
most :data:`EDGE_STEP_M` long (densified in the plane): an edge is a straight line in the
plane, not in the equal-area map. A 10 km park edge drawn as one straight segment in the
equal-area map, as the dissolve-everything method did, is off by up to 1e-5 of the covered
area. A whole cover with no edge longer than :data:`LONG_EDGE_M` is measured exactly as its
own area is (the ``area_m2_ellipsoidal`` column of :func:`~geo_app.analysis.area.add_areas`
is used when the covering layer has it).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_app.analysis.area import (
    CHUNK_FEATURES,
    _equal_area_crs,
    finite_mask,
    projected,
    projected_finite,
    require_polygons,
    transformed_area_m2,
)
from geo_app.analysis.crs import PlaneCRS, choose_plane_crs
from geo_app.analysis.units import M2_PER_MU

#: Longest edge (m) of a clipped piece when it is mapped to the ellipsoid.
EDGE_STEP_M = 20.0
#: Whole covers with an edge longer than this (m) are densified to ``EDGE_STEP_M`` too;
#: shorter edges are measured as drawn, as their own areas are (below 1e-11 of the area).
LONG_EDGE_M = 100.0
#: DE-9IM pattern "the interiors meet" (overlap, containment, equality; not touching).
INTERIORS_MEET = "T********"


def coverage(
    of: gpd.GeoDataFrame,
    by: gpd.GeoDataFrame,
    *,
    plane: PlaneCRS | None = None,
    id_column: str = "id",
    name_column: str = "name",
    of_name: str = "The covered layer",
    by_name: str = "The covering layer",
) -> pd.DataFrame:
    """For each polygon of ``of``, the area covered by the union of ``by`` and its share.

    Overlapping features of ``by`` are counted once (as if dissolved first).
    Returns one row per feature of ``of`` with ``area_mu_plane``, ``covered_mu_plane``,
    ``covered_mu_ellipsoidal`` and ``share_covered`` (0–1, plane). Points and lines are
    refused (:class:`InputError`); ``of_name`` / ``by_name`` name the layers in the message.
    Features with no finite geometry cover nothing and are covered by nothing.
    """
    require_polygons(of, what=of_name)
    require_polygons(by, what=by_name)
    plane = plane or choose_plane_crs(of)
    measured = finite_mask(of) if len(of) else np.zeros(0, dtype=bool)
    of_plane = (projected(of.geometry, plane.epsg) if len(of) else np.empty(0, dtype=object))
    targets = np.where(measured, of_plane, shapely.Polygon())
    area_m2 = np.where(measured, shapely.area(targets), np.nan)
    covered_m2, covered_ell = covered_areas(targets, by, plane)
    covered_m2[~measured] = np.nan
    covered_ell[~measured] = np.nan
    share = np.divide(covered_m2, area_m2, out=np.zeros_like(area_m2), where=area_m2 > 0)
    return pd.DataFrame(
        {
            "id": of[id_column].to_numpy() if id_column in of else of.index.to_numpy(),
            "name": of[name_column].to_numpy() if name_column in of else None,
            "area_mu_plane": area_m2 / M2_PER_MU,
            "covered_mu_plane": covered_m2 / M2_PER_MU,
            "covered_mu_ellipsoidal": covered_ell / M2_PER_MU,
            "share_covered": share,
        }
    )


def covered_areas(
    targets_plane: np.ndarray, by: gpd.GeoDataFrame, plane: PlaneCRS
) -> tuple[np.ndarray, np.ndarray]:
    """Area of each target (plane geometries) covered by the union of ``by``: plane m² and
    ellipsoidal m² (equal-area projection of ``by``)."""
    n = len(targets_plane)
    covered_m2, covered_ell = np.zeros(n), np.zeros(n)
    if n == 0 or len(by) == 0:
        return covered_m2, covered_ell
    covers, ok, covers_xy = projected_finite(by.geometry, plane.epsg, coordinates=True)
    if not ok.any():
        return covered_m2, covered_ell
    by_ok = by if ok.all() else by[ok]
    targets = np.array(targets_plane, dtype=object)
    shapely.prepare(targets)
    tree = shapely.STRtree(covers)
    t_idx, c_idx = tree.query(targets, predicate="intersects")
    relevant = _distinct(c_idx, len(covers))
    everyone = len(relevant) == len(covers)
    # long edges first, from the coordinates at hand: the certificate is their last use
    long = _has_long_edge(covers, LONG_EDGE_M, covers_xy) if covers_xy is not None else None
    clusters = (overlap_clusters(covers, covers_xy, tree) if everyone
                else overlap_clusters(covers[relevant]))
    del covers_xy, tree
    in_cluster = np.zeros(len(covers), dtype=bool)
    for members in clusters:
        in_cluster[relevant[members]] = True
    ea = _equal_area_crs(by_ok, None)

    # single covers: whole when strictly inside the target, clipped otherwise
    single = ~in_cluster[c_idx]
    t_one, c_one = t_idx[single], c_idx[single]
    inside = shapely.contains_properly(targets[t_one], covers[c_one])
    whole = _distinct(c_one[inside], len(covers))
    if len(whole):
        whole_m2 = np.zeros(len(covers))
        whole_ell = np.zeros(len(covers))
        whole_m2[whole] = shapely.area(covers[whole])
        whole_ell[whole] = _whole_ellipsoidal_m2(by_ok, covers, whole, ea, plane,
                                                 None if long is None else long[whole])
        covered_m2 += np.bincount(t_one[inside], whole_m2[c_one[inside]], minlength=n)
        covered_ell += np.bincount(t_one[inside], whole_ell[c_one[inside]], minlength=n)
    pieces_t = [t_one[~inside]]
    pieces = [shapely.intersection(covers[c_one[~inside]], targets[t_one[~inside]])]

    # clusters of overlapping covers: dissolved, then clipped to each target they meet
    if clusters:
        merged = np.array([shapely.union_all(covers[relevant[m]]) for m in clusters],
                          dtype=object)
        m_idx, t_m = shapely.STRtree(targets).query(merged, predicate="intersects")
        pieces_t.append(t_m)
        pieces.append(shapely.intersection(merged[m_idx], targets[t_m]))
    piece_t = np.concatenate(pieces_t)
    piece = np.concatenate(pieces)
    if len(piece):
        covered_m2 += np.bincount(piece_t, shapely.area(piece), minlength=n)
        # a target edge is straight in the plane: follow it in the equal-area map
        dense = shapely.segmentize(piece, EDGE_STEP_M)
        piece_ell = gpd.GeoSeries(dense, crs=plane.epsg).to_crs(ea).area.to_numpy()
        covered_ell += np.bincount(piece_t, piece_ell, minlength=n)
    return covered_m2, covered_ell


def _whole_ellipsoidal_m2(by: gpd.GeoDataFrame, covers: np.ndarray, rows: np.ndarray,
                          ea: object, plane: PlaneCRS, long: np.ndarray | None = None
                          ) -> np.ndarray:
    """Ellipsoidal area of whole covers (``long``: which have a long edge, if known).

    Covers with no edge longer than :data:`LONG_EDGE_M` are measured as :func:`add_areas`
    measures them (its ``area_m2_ellipsoidal`` column when present, which is trusted to
    belong to these geometries); the others are densified in the plane.
    """
    out = np.empty(len(rows))
    if long is None:
        long = _has_long_edge(covers[rows], LONG_EDGE_M)
    short = rows[~long]
    known = (by["area_m2_ellipsoidal"].to_numpy(dtype=float)[short]
             if "area_m2_ellipsoidal" in by.columns else None)
    if known is not None and np.isfinite(known).all():
        out[~long] = known
    elif len(short):
        out[~long] = transformed_area_m2(by.geometry.to_numpy()[short], by.crs, ea)
    if long.any():
        dense = shapely.segmentize(covers[rows[long]], EDGE_STEP_M)
        out[long] = gpd.GeoSeries(dense, crs=plane.epsg).to_crs(ea).area.to_numpy()
    return out


def _distinct(values: np.ndarray, size: int) -> np.ndarray:
    """``np.unique`` of indices below ``size``, without sorting them."""
    seen = np.zeros(size, dtype=bool)
    seen[values] = True
    return np.flatnonzero(seen)


def _has_long_edge(geoms: np.ndarray, step_m: float, xy: np.ndarray | None = None
                   ) -> np.ndarray:
    """True for geometries with an edge longer than ``step_m`` (``xy``: their coordinates
    in ``get_coordinates`` order, if at hand), chunk by chunk."""
    out = np.zeros(len(geoms), dtype=bool)
    ends = None
    if xy is not None:
        ends = np.cumsum(shapely.get_num_coordinates(geoms))
    for first in range(0, len(geoms), CHUNK_FEATURES):
        part = geoms[first:first + CHUNK_FEATURES]
        if ends is None:
            part_xy, index = shapely.get_coordinates(part, return_index=True)
        else:
            begin = ends[first - 1] if first else 0
            part_xy = xy[begin:ends[first + len(part) - 1]]
            index = np.repeat(np.arange(len(part)), shapely.get_num_coordinates(part))
        if len(part_xy) < 2:
            continue
        length = np.hypot(*(part_xy[1:] - part_xy[:-1]).T)
        long = (length > step_m) & (index[1:] == index[:-1])
        out[first + index[1:][long]] = True
    return out


# --- which covers overlap ------------------------------------------------------------------


def overlap_clusters(geoms: np.ndarray, xy: np.ndarray | None = None,
                     tree: shapely.STRtree | None = None) -> list[np.ndarray]:
    """Groups (indices into ``geoms``) of polygons whose interiors meet, directly or through
    others; polygons that share area with no other are in no group. Touching is not overlap.

    ``geoms`` are polygons in a plane CRS (non-empty, finite); ``xy`` their coordinates in
    ``shapely.get_coordinates`` order and ``tree`` an STRtree of them, if at hand (not made
    again).
    """
    if len(geoms) < 2:
        return []
    suspects = _overlap_suspects(geoms, xy, tree)
    if len(suspects) < 2:
        return []
    sub = geoms[suspects]
    i, j = shapely.STRtree(sub).query(sub, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    meet = shapely.relate_pattern(sub[i], sub[j], INTERIORS_MEET)
    i, j = i[meet], j[meet]
    if len(i) == 0:
        return []
    labels = _components(len(sub), i, j)
    order = np.argsort(labels, kind="stable")
    sizes = np.bincount(labels)[np.unique(labels[order])]
    groups = np.split(order, np.cumsum(sizes)[:-1])
    return [suspects[g] for g in groups if len(g) > 1]


def _components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Connected components of the graph with edges (i, j): each node's smallest member."""
    labels = np.arange(n)
    while True:
        low = np.minimum(labels[i], labels[j])
        new = labels.copy()
        np.minimum.at(new, i, low)
        np.minimum.at(new, j, low)
        new = new[new]
        if np.array_equal(new, labels):
            return labels
        labels = new


def _overlap_suspects(geoms: np.ndarray, xy: np.ndarray | None = None,
                      tree: shapely.STRtree | None = None) -> np.ndarray:
    """Indices of the polygons that may overlap another: none when the edge certificate
    proves there is no overlap; else those meeting a region counted twice or more."""
    everything = np.arange(len(geoms))
    leftover = _leftover_edges(geoms, xy)
    if leftover is None:
        return everything
    start, end, repeated, total = leftover
    if len(start) == 0:
        return np.zeros(0, dtype=np.int64)
    segments = shapely.multilinestrings(shapely.linestrings(np.stack([start, end], axis=1)))
    if not repeated and _one_in_one_out(start, end) and shapely.is_simple(segments):
        regions = _doubly_counted_rings(segments)
    elif len(start) <= max(1000, total // 4):
        tree = tree if tree is not None else shapely.STRtree(geoms)
        regions = _doubly_counted_faces(segments, tree)
    else:
        return everything  # nearly no edge is shared: the pairwise test is as cheap
    if regions is None:
        return everything
    if len(regions) == 0:
        return np.zeros(0, dtype=np.int64)
    tree = tree if tree is not None else shapely.STRtree(geoms)
    return np.unique(tree.query(regions, predicate="intersects")[1])


def _doubly_counted_rings(segments: shapely.MultiLineString) -> np.ndarray | None:
    """Left-over edges forming simple rings that never meet: the rings whose inside is
    counted other than 0 or 1 times (nesting of the rings with their orientation)."""
    rings = shapely.get_parts(shapely.line_merge(segments, directed=True))
    if not shapely.is_closed(rings).all():
        return None
    ring_xy, ring_idx = shapely.get_coordinates(rings, return_index=True)
    polys = shapely.polygons(shapely.linearrings(ring_xy, indices=ring_idx))
    sign = np.where(shapely.is_ccw(rings), 1, -1)
    outer, inner = shapely.STRtree(polys).query(polys, predicate="contains_properly")
    count_inside = np.bincount(inner, weights=sign[outer], minlength=len(polys)) + sign
    return polys[(count_inside < 0) | (count_inside > 1)]


def _doubly_counted_faces(segments: shapely.MultiLineString, tree: shapely.STRtree
                          ) -> np.ndarray:
    """Any left-over edges: the faces they bound (noded, polygonized) that a point inside
    finds in two polygons or more. How many polygons hold a point only changes across a
    left-over edge, so it is constant on each face; a point on a shared (cancelled) edge
    is counted in both polygons, which can only flag a face too many, never miss one."""
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.node(segments))))
    faces = faces[shapely.area(faces) > 0]
    if len(faces) == 0:
        return faces
    points = shapely.point_on_surface(faces)
    hit = tree.query(points, predicate="intersects")[0]
    return faces[np.bincount(hit, minlength=len(faces)) >= 2]


def _leftover_edges(geoms: np.ndarray, xy: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray, bool, int] | None:
    """Directed edges left when opposite copies cancel (shells CCW, holes CW), one copy
    each; whether some edge was left more than once; the number of edges. None on a
    hash clash or a ring with no area.

    The edges are read chunk by chunk (:data:`CHUNK_FEATURES` polygons), from ``xy`` (the
    coordinates of ``geoms`` in ``get_coordinates`` order) when given: what stays for the
    whole layer is, for each edge, the indices of its two end points in a canonical order
    (``lo`` before ``hi``), its direction and its hash."""
    ends = np.cumsum(shapely.get_num_coordinates(geoms))
    most = int(ends[-1]) if len(ends) else 0
    points = xy if xy is not None else np.empty((most, 2))
    index_type = np.int32 if most < 2**31 else np.int64
    lo, hi = np.empty(most, dtype=index_type), np.empty(most, dtype=index_type)
    forward = np.empty(most, dtype=bool)
    key = np.empty(most, dtype=np.uint64)
    total = 0
    for first in range(0, len(geoms), CHUNK_FEATURES):
        part = geoms[first:first + CHUNK_FEATURES]
        base = int(ends[first - 1]) if first else 0
        part_xy = None if xy is None else xy[base:ends[first + len(part) - 1]]
        edges = _oriented_edges(part, part_xy)
        if edges is None:
            return None  # a ring with no area: leave it to the exact test
        local, ia, ib = edges
        if xy is None:
            points[base:base + len(local)] = local
        a, b = local[ia], local[ib]
        rows = slice(total, total + len(ia))
        fwd = forward[rows]
        np.logical_or(a[:, 0] < b[:, 0], (a[:, 0] == b[:, 0]) & (a[:, 1] < b[:, 1]), out=fwd)
        lo[rows] = np.where(fwd, ia, ib) + base
        hi[rows] = np.where(fwd, ib, ia) + base
        with np.errstate(over="ignore"):
            key[rows] = (_point_hash(np.where(fwd[:, None], a, b)) * _MIX[1]
                         + _point_hash(np.where(fwd[:, None], b, a)))
        total += len(ia)
        del local, ia, ib, a, b, edges
    lo, hi, forward, key = lo[:total], hi[:total], forward[:total], key[:total]
    codes, first_of = _checked_codes(key, lo, hi, points)
    del key
    if codes is None:
        return None
    net = (np.bincount(codes[forward], minlength=len(first_of))
           - np.bincount(codes[~forward], minlength=len(first_of)))
    del codes
    repeated = bool((np.abs(net) > 1).any())
    left = np.flatnonzero(net != 0)
    keep = first_of[left]
    up = net[left] > 0
    lo_xy, hi_xy = points[lo[keep]] + 0.0, points[hi[keep]] + 0.0  # -0.0 → 0.0
    start = np.where(up[:, None], lo_xy, hi_xy)
    end = np.where(up[:, None], hi_xy, lo_xy)
    return start, end, repeated, total


def _oriented_edges(geoms: np.ndarray, xy: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The coordinates of ``geoms`` (``xy`` if given; -0.0 read as 0.0, so equal points
    hash equally) and the indices of the start and end of every edge of non-zero length
    in them, shells counter-clockwise and holes clockwise; None if a ring has no area."""
    xy, ring_offsets, exterior = _rings(geoms, xy)
    n_rings = len(exterior)
    if n_rings == 0:
        return np.empty((0, 2)), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    xy = xy + 0.0  # -0.0 → 0.0
    ring_idx = np.repeat(np.arange(n_rings), np.diff(ring_offsets))
    ia = np.flatnonzero(ring_idx[:-1] == ring_idx[1:])
    r = ring_idx[ia]
    del ring_idx
    a, b = xy[ia], xy[ia + 1]
    origin = xy[np.minimum(ring_offsets[:-1], len(xy) - 1)][r]
    cross = ((a[:, 0] - origin[:, 0]) * (b[:, 1] - origin[:, 1])
             - (b[:, 0] - origin[:, 0]) * (a[:, 1] - origin[:, 1]))
    del origin
    signed = np.bincount(r, weights=cross, minlength=n_rings)
    if (signed == 0).any():
        return None
    moving = (a != b).any(axis=1)
    flip = ((signed > 0) != exterior)[r][moving]
    ia = ia[moving]
    return xy, np.where(flip, ia + 1, ia), np.where(flip, ia, ia + 1)


def _rings(geoms: np.ndarray, xy: np.ndarray | None = None
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coordinates of every ring (``xy`` if given: ``get_coordinates`` lists the rings in
    the same order), ring start offsets (n + 1) and which rings are shells."""
    type_ids = shapely.get_type_id(geoms)
    if (type_ids == shapely.GeometryType.POLYGON).all() and not (
            shapely.get_num_interior_rings(geoms).any()):
        counts = shapely.get_num_coordinates(geoms)
        offsets = np.zeros(len(geoms) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return (shapely.get_coordinates(geoms) if xy is None else xy, offsets,
                np.ones(len(geoms), dtype=bool))
    rings, poly_idx = shapely.get_rings(shapely.get_parts(geoms), return_index=True)
    exterior = np.ones(len(rings), dtype=bool)
    exterior[1:] = poly_idx[1:] != poly_idx[:-1]
    counts = shapely.get_num_coordinates(rings)
    offsets = np.zeros(len(rings) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return shapely.get_coordinates(rings) if xy is None else xy, offsets, exterior


_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9),
        np.uint64(0x94D049BB133111EB))


def _point_hash(xy: np.ndarray) -> np.ndarray:
    bits = np.ascontiguousarray(xy).view(np.uint64).reshape(-1, 2)
    h = bits[:, 0] * _MIX[0] ^ (bits[:, 1] + _MIX[2]) * _MIX[1]
    h ^= h >> np.uint64(31)
    h *= _MIX[2]
    h ^= h >> np.uint64(29)
    return h


def _factorize_pairs(lo: np.ndarray, hi: np.ndarray
                     ) -> tuple[np.ndarray | None, np.ndarray]:
    """Codes of equal (lo, hi) point pairs and each code's first row; None on a hash clash."""
    with np.errstate(over="ignore"):
        key = _point_hash(lo) * _MIX[1] + _point_hash(hi)
    return _checked_codes(key, lo, hi)


def _checked_codes(key: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                   points: np.ndarray | None = None
                   ) -> tuple[np.ndarray | None, np.ndarray]:
    """Codes of equal keys and each code's first row; None unless every row's points equal
    those of its code's first row (checked chunk by chunk). ``lo`` and ``hi`` are the
    rows' points, or their indices into ``points``."""
    codes, uniques = pd.factorize(key)
    first_of = np.zeros(len(uniques), dtype=np.int64)
    del uniques
    first_of[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)

    def at(side: np.ndarray, rows: np.ndarray | slice) -> np.ndarray:
        return side[rows] if points is None else points[side[rows]]

    step = 4 * CHUNK_FEATURES
    for first in range(0, len(codes), step):
        rows = slice(first, first + step)
        rep = first_of[codes[rows]]
        if not ((at(lo, rows) == at(lo, rep)).all() and (at(hi, rows) == at(hi, rep)).all()):
            return None, first_of
    return codes, first_of


def _one_in_one_out(start: np.ndarray, end: np.ndarray) -> bool:
    """Every vertex of the left-over edges starts exactly one and ends exactly one."""
    points = np.concatenate([start, end])
    zero = np.zeros_like(points)
    codes, first_of = _factorize_pairs(points, zero)
    if codes is None:
        return False
    n = len(first_of)
    outs = np.bincount(codes[: len(start)], minlength=n)
    ins = np.bincount(codes[len(start):], minlength=n)
    return bool((outs == 1).all() and (ins == 1).all())

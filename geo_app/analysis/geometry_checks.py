"""Geometry checks before measuring or importing: nothing invalid is measured silently.

:func:`check_geometries` looks at every feature of a polygon layer and returns a repaired
copy, the issues found (one :class:`FeatureIssue` each, with a message the user reads) and
which features can be measured. Invalid polygons are repaired with
``shapely.make_valid(method="structure")`` (the polygonal area is kept; stray lines and
points are dropped and said) or, with ``strict=True``, refused. Null, empty, NaN/inf and
collapsed geometries and points or lines in a polygon layer are reported and left out of
any sum (never counted as 0). Duplicated geometries and features overlapping each other are
warned about with the overlap in mu.

The other functions compare a layer with something else, vectorised with an STRtree:
:func:`overlap_with_existing_mu`, :func:`outside_share` and :func:`area_mismatch`.
All areas are plane areas in each feature's own 3° Gauss-Krüger zone unless a ``plane``
is given (see :mod:`geo_app.analysis.area`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_app.analysis.area import finite_mask, plane_areas_by_zone_m2, zone_plane_epsgs
from geo_app.analysis.crs import PlaneCRS
from geo_app.analysis.units import M2_PER_MU

#: Overlaps between features of one file smaller than this are digitising noise, not reported.
MIN_OVERLAP_M2 = 1.0
_POLYGONAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)


class IssueKind(StrEnum):
    """What is wrong with a feature's geometry."""

    SELF_INTERSECTION = "self_intersection"
    OVERLAPPING_PARTS = "overlapping_parts"
    HOLE_OUTSIDE_SHELL = "hole_outside_shell"
    INVALID = "invalid"
    NON_FINITE = "non_finite"
    EMPTY = "empty"
    DEGENERATE = "degenerate"
    NOT_POLYGON = "not_polygon"
    DUPLICATE = "duplicate"
    OVERLAP_WITHIN = "overlap_within"


class Severity(StrEnum):
    """``error``: the feature cannot be used as it is; ``warning``: used, but look at it
    (an unmeasurable feature is a warning here: it is left out and said; an importer makes
    it an error); ``repaired``: changed by the check (``make_valid``)."""

    ERROR = "error"
    WARNING = "warning"
    REPAIRED = "repaired"


@dataclass(frozen=True)
class FeatureIssue:
    """One thing found about one feature (``position``: 0-based row in the layer)."""

    position: int
    feature_id: object
    kind: IssueKind
    severity: Severity
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``{"kind", "severity", "message"}`` as in the area report."""
        return {"kind": str(self.kind), "severity": str(self.severity), "message": self.message}


@dataclass
class GeometryCheck:
    """What :func:`check_geometries` found.

    Attributes
    ----------
    gdf
        A copy of the layer with repaired geometries (unchanged with ``strict=True``).
    issues
        Every issue, in feature order.
    measurable
        Boolean per feature: a finite, polygonal, non-degenerate geometry whose area can be
        summed (duplicates and overlaps stay measurable; they are warnings).
    """

    gdf: gpd.GeoDataFrame
    issues: list[FeatureIssue]
    measurable: np.ndarray
    #: Each feature's id (None without an id column), as in the issues' ``feature_id``.
    ids: list[object] = field(default_factory=list, repr=False)

    def issues_of(self, position: int) -> list[FeatureIssue]:
        """The issues of one feature."""
        return [i for i in self.issues if i.position == position]

    @property
    def not_measurable(self) -> int:
        return int((~self.measurable).sum())


def check_geometries(
    gdf: gpd.GeoDataFrame,
    *,
    strict: bool = False,
    id_column: str | None = "id",
    min_overlap_m2: float = MIN_OVERLAP_M2,
) -> GeometryCheck:
    """Check (and repair) every feature of a polygon layer; see the module docstring.

    :func:`check_validity` then :func:`relation_issues`, the issues merged in feature order.

    Parameters
    ----------
    gdf
        The layer, with its CRS resolved (:func:`geo_app.analysis.crs.resolve_source_crs`).
    strict
        Refuse repairs: an invalid geometry becomes an ``error`` and is not measured.
    id_column
        Column naming features in messages (``feature_id``); None or missing: no ids.
    min_overlap_m2
        Overlaps between features of the layer smaller than this are not reported.
    """
    check = check_validity(gdf, strict=strict, id_column=id_column)
    check.issues.extend(relation_issues(check, min_overlap_m2=min_overlap_m2))
    check.issues.sort(key=lambda i: i.position)
    return check


def check_validity(
    gdf: gpd.GeoDataFrame,
    *,
    strict: bool = False,
    id_column: str | None = "id",
) -> GeometryCheck:
    """Each feature on its own: null, empty, NaN/inf, not polygonal, invalid (repaired or,
    with ``strict``, refused), collapsed. Everything that decides what can be measured or
    written; what features share with each other is :func:`relation_issues`."""
    n = len(gdf)
    geoms = np.asarray(gdf.geometry.array, dtype=object).copy()
    ids = _ids(gdf, id_column)
    issues: list[FeatureIssue] = []

    def add(pos: int, kind: IssueKind, severity: Severity, message: str, **details: Any) -> None:
        issues.append(FeatureIssue(int(pos), ids[pos], kind, severity, message, details))

    missing = shapely.is_missing(geoms)
    empty = np.zeros(n, dtype=bool)
    empty[~missing] = shapely.is_empty(geoms[~missing])
    for pos in np.flatnonzero(missing):
        add(pos, IssueKind.EMPTY, Severity.WARNING, "no geometry (null): not measured")
    for pos in np.flatnonzero(empty):
        add(pos, IssueKind.EMPTY, Severity.WARNING, "empty geometry: not measured")
    present = ~missing & ~empty

    nonfinite = present & ~finite_mask(gdf)
    if nonfinite.any():
        coords, index = shapely.get_coordinates(geoms[nonfinite], return_index=True)
        bad = np.bincount(index[~np.isfinite(coords).all(axis=1)],
                          minlength=int(nonfinite.sum()))
        for k, pos in enumerate(np.flatnonzero(nonfinite)):
            add(pos, IssueKind.NON_FINITE, Severity.WARNING,
                f"{bad[k]} coordinate(s) are NaN or infinite: not measured (correct the "
                "coordinates in the source file)", bad_coordinates=int(bad[k]))
    usable = present & ~nonfinite

    type_ids = np.full(n, -1)
    type_ids[usable] = shapely.get_type_id(geoms[usable])
    polygonal = usable & np.isin(type_ids, [int(t) for t in _POLYGONAL])
    collection = usable & (type_ids == int(shapely.GeometryType.GEOMETRYCOLLECTION))
    repaired = np.zeros(n, dtype=bool)
    refused = np.zeros(n, dtype=bool)
    for pos in np.flatnonzero(usable & ~polygonal & ~collection):
        add(pos, IssueKind.NOT_POLYGON, Severity.WARNING,
            f"a {geoms[pos].geom_type} where polygons are expected: "
            "no area, not measured", geom_type=geoms[pos].geom_type)
    not_polygon = usable & ~polygonal & ~collection

    # collections: keep their polygonal parts
    for pos in np.flatnonzero(collection):
        kept, dropped = _polygonal_parts(geoms[pos])
        if kept is None:
            add(pos, IssueKind.NOT_POLYGON, Severity.WARNING,
                "a geometry collection with no polygon: no area, not measured")
            not_polygon[pos] = True
        elif strict:
            add(pos, IssueKind.INVALID, Severity.ERROR,
                f"a geometry collection with {dropped} non-polygon part(s): not measured "
                "(--strict refuses repairs)")
            refused[pos] = True
        else:
            geoms[pos] = kept
            repaired[pos] = True
            add(pos, IssueKind.INVALID, Severity.REPAIRED,
                f"a geometry collection: kept its polygons, dropped {dropped} stray "
                "line/point part(s)", dropped_parts=dropped)
            polygonal[pos] = True

    # validity
    check = polygonal & ~repaired
    invalid = np.zeros(n, dtype=bool)
    invalid[check] = ~shapely.is_valid(geoms[check])
    degenerate = np.zeros(n, dtype=bool)
    if invalid.any():
        rows = np.flatnonzero(invalid)
        before = geoms[rows]
        fixed = shapely.make_valid(before, method="structure", keep_collapsed=False)
        sizes = _areas_m2(gdf, rows, before, fixed)
        for k, pos in enumerate(rows):
            kept, dropped = _polygonal_parts(fixed[k])
            info = _classify(before[k])
            area_before, area_after = sizes[0][k], sizes[1][k]
            if kept is None or shapely.area(kept) == 0:
                add(pos, IssueKind.DEGENERATE, Severity.WARNING,
                    f"collapsed polygon with no area ({info.reason}: its points lie on a line "
                    "or repeat): not measured", reason=info.reason)
                degenerate[pos] = True
                continue
            change = _change(area_before, area_after)
            extra = f"; dropped {dropped} stray line/point part(s)" if dropped else ""
            details = {"reason": info.reason, "area_m2_before": area_before,
                       "area_m2_after": area_after}
            if strict:
                add(pos, info.kind, Severity.ERROR,
                    f"{info.what}: not measured (--strict refuses repairs; make_valid would "
                    f"change the {change})", **details)
                refused[pos] = True
            else:
                geoms[pos] = kept
                repaired[pos] = True
                add(pos, info.kind, Severity.REPAIRED,
                    f"{info.what}: {info.repair}; {change}{extra}", **details)

    # valid but zero-area polygons
    zero = polygonal & ~invalid & ~refused & ~degenerate
    zero[zero] = shapely.area(geoms[zero]) == 0
    for pos in np.flatnonzero(zero):
        add(pos, IssueKind.DEGENERATE, Severity.WARNING,
            "polygon with no area (collapsed): not measured")
    degenerate |= zero

    measurable = polygonal & ~refused & ~degenerate & ~not_polygon
    out = gdf.copy()
    out[out.geometry.name] = gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs)
    issues.sort(key=lambda i: i.position)
    return GeometryCheck(out, issues, measurable, ids)


def relation_issues(check: GeometryCheck, *,
                    min_overlap_m2: float = MIN_OVERLAP_M2) -> list[FeatureIssue]:
    """Warnings about what the measurable features of ``check`` share: identical geometries
    and overlaps (≥ ``min_overlap_m2``), in feature order. Never an error: they change
    neither what is measured nor what is written (an importer may run them beside the
    write)."""
    geoms = np.asarray(check.gdf.geometry.array, dtype=object)
    ids, measurable = check.ids, check.measurable
    issues: list[FeatureIssue] = []
    dup_of = _duplicates(geoms, measurable)
    for pos, first in dup_of.items():
        issues.append(FeatureIssue(
            int(pos), ids[pos], IssueKind.DUPLICATE, Severity.WARNING,
            f"same geometry as feature {first + 1}{_idtext(ids[first])}: its area counts twice "
            "in the totals", {"other_position": int(first), "other_id": ids[first]}))
    for pos, other, m2 in _overlaps_within(check.gdf, measurable, set(dup_of.items()),
                                           min_overlap_m2):
        issues.append(FeatureIssue(
            int(pos), ids[pos], IssueKind.OVERLAP_WITHIN, Severity.WARNING,
            f"overlaps feature {other + 1}{_idtext(ids[other])} by {m2 / M2_PER_MU:,.2f} mu "
            f"({m2:,.2f} m²)", {"other_position": int(other), "other_id": ids[other],
                                "overlap_m2": float(m2)}))
    issues.sort(key=lambda i: i.position)
    return issues


# --------------------------------------------------------------------------- helpers
@dataclass(frozen=True)
class _Kind:
    kind: IssueKind
    reason: str
    what: str
    repair: str


def _classify(geom: Any) -> _Kind:
    reason = shapely.is_valid_reason(geom)
    head = reason.split("[")[0].strip()
    if head in {"Self-intersection", "Ring Self-intersection"}:
        if geom.geom_type == "MultiPolygon":
            parts = shapely.get_parts(geom)
            if shapely.is_valid(parts).all():
                overlap = float(shapely.area(parts).sum() - shapely.union_all(parts).area)
                if overlap > 0:
                    return _Kind(IssueKind.OVERLAPPING_PARTS, reason,
                                 f"{len(parts)} parts of the multipolygon overlap or repeat "
                                 "(their common area would be counted twice)",
                                 "parts unioned")
                return _Kind(IssueKind.INVALID, reason,
                             "parts of the multipolygon touch along an edge",
                             "parts merged (make_valid)")
        return _Kind(IssueKind.SELF_INTERSECTION, reason,
                     f"self-intersecting boundary ({reason})",
                     "repaired with make_valid, the enclosed area kept")
    if head == "Hole lies outside shell":
        return _Kind(IssueKind.HOLE_OUTSIDE_SHELL, reason,
                     f"a hole lies outside its shell ({reason})",
                     "the ring kept as a separate part (make_valid); if it was meant as a "
                     "hole, correct the file")
    return _Kind(IssueKind.INVALID, reason, f"invalid geometry ({reason})",
                 "repaired with make_valid")


def _polygonal_parts(geom: Any) -> tuple[Any, int]:
    """(the polygonal parts as one geometry or None, how many other parts were dropped)."""
    if geom is None or shapely.is_empty(geom):
        return None, 0
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom, 0
    parts = shapely.get_parts(geom)
    # nested collections: flatten once more
    flat = np.concatenate([shapely.get_parts(p) for p in parts]) if len(parts) else parts
    poly = flat[np.isin(shapely.get_type_id(flat), [int(t) for t in _POLYGONAL])]
    dropped = len(flat) - len(poly)
    polys = np.concatenate([shapely.get_parts(p) for p in poly]) if len(poly) else poly
    polys = polys[~shapely.is_empty(polys)] if len(polys) else polys
    if len(polys) == 0:
        return None, dropped
    if len(polys) == 1:
        return polys[0], dropped
    return shapely.union_all(polys), dropped


def _areas_m2(gdf: gpd.GeoDataFrame, rows: np.ndarray, before: np.ndarray, after: np.ndarray
              ) -> tuple[list[float | None], list[float | None]]:
    """Plane areas (m², own zone) of geometries before and after repair; None if no CRS."""
    if gdf.crs is None or len(rows) == 0:
        return [None] * len(rows), [None] * len(rows)
    with np.errstate(all="ignore"):
        after_poly = np.array([_polygonal_parts(g)[0] for g in after], dtype=object)
        frame = gpd.GeoDataFrame(geometry=gpd.GeoSeries(
            np.where(shapely.is_missing(after_poly), before, after_poly), crs=gdf.crs))
        epsgs = zone_plane_epsgs(frame)
        a_before = plane_areas_by_zone_m2(gpd.GeoSeries(before, crs=gdf.crs), epsgs)
        a_after = plane_areas_by_zone_m2(gpd.GeoSeries(after_poly, crs=gdf.crs), epsgs)
    return ([_finite(v) for v in a_before], [_finite(v) for v in a_after])


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _change(before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return "area as drawn and repaired unknown"
    return f"area {before:,.2f} m² as drawn → {after:,.2f} m² repaired"


def _ids(gdf: gpd.GeoDataFrame, id_column: str | None) -> list[object]:
    """Each feature's id as a plain Python value (None where missing).

    Converted once with ``to_numpy`` (``tolist`` of an Arrow string column goes value by
    value, 0.3 s per 100k); only non-string values are looked at one by one.
    """
    if not id_column or id_column not in gdf.columns:
        return [None] * len(gdf)
    column = gdf[id_column]
    values = column.to_numpy(dtype=object, na_value=None)
    if isinstance(column.dtype, pd.StringDtype):  # every value a str or None already
        return values.tolist()
    return [v if v is None or type(v) is str else _plain_id(v) for v in values]


def _plain_id(value: object) -> object:
    if _isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _isna(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _idtext(fid: object) -> str:
    return "" if fid is None else f" (id {fid!r})"


def _duplicates(geoms: np.ndarray, measurable: np.ndarray) -> dict[int, int]:
    """Later feature → first feature with an identical (normalised) geometry."""
    rows = np.flatnonzero(measurable)
    if len(rows) < 2:
        return {}
    # equal geometries have equal bounds: normalise and encode only rows sharing theirs
    # (found by a hash of the four bounds; a collision only adds a candidate)
    digest = _row_digest(shapely.bounds(geoms[rows]))
    rows = rows[pd.Series(digest).duplicated(keep=False).to_numpy()]
    if len(rows) < 2:
        return {}
    codes, _uniques = pd.factorize(shapely.to_wkb(shapely.normalize(geoms[rows])))
    _, first_at = np.unique(codes, return_index=True)
    first = rows[first_at[codes]]
    later = first != rows
    return {int(p): int(f) for p, f in zip(rows[later], first[later], strict=True)}


def _overlaps_within(gdf: gpd.GeoDataFrame, measurable: np.ndarray,
                     skip: set[tuple[int, int]], min_m2: float
                     ) -> list[tuple[int, int, float]]:
    """(later feature, earlier feature, overlap m²) for features whose interiors overlap.

    Only the features :func:`_may_overlap` cannot clear go through the exact pairwise
    check (an STRtree ``intersects`` query, ``relate_pattern`` for a common interior, then
    the intersection's area): in a clean tiling that is none of them.
    """
    rows = np.flatnonzero(measurable)
    if len(rows) < 2:
        return []
    geoms = np.asarray(gdf.geometry.array, dtype=object)[rows]
    suspects = _may_overlap(geoms)
    rows, geoms = rows[suspects], geoms[suspects]
    if len(rows) < 2:
        return []
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    keep = a > b  # each pair once; a is the later feature
    a, b = a[keep], b[keep]
    if len(a) == 0:
        return []
    inner = shapely.relate_pattern(geoms[a], geoms[b], "T********")
    a, b = a[inner], b[inner]
    if skip:
        pairs = np.array([(int(rows[i]), int(rows[j])) not in skip for i, j in zip(a, b,
                                                                                    strict=True)])
        if len(pairs):
            a, b = a[pairs], b[pairs]
    if len(a) == 0:
        return []
    pieces = shapely.intersection(geoms[a], geoms[b])
    sub = gdf.iloc[rows[a]]
    epsgs = zone_plane_epsgs(sub)
    m2 = plane_areas_by_zone_m2(gpd.GeoSeries(pieces, crs=gdf.crs), epsgs)
    return sorted((int(rows[i]), int(rows[j]), float(v))
                  for i, j, v in zip(a, b, m2, strict=True) if np.isfinite(v) and v >= min_m2)


def _may_overlap(geoms: np.ndarray) -> np.ndarray:
    """Boolean per (valid, polygonal) geometry: False where it provably overlaps no other.

    Why: the exact pairwise check costs a full ``relate`` per touching pair (3 s for 100k
    tiled parcels). Instead, count how often the coverage (how many features cover a point)
    can change: only across boundary edges. An edge shared, reversed, by exactly two
    features (:func:`_edge_check`, 0.1 s per 100k in numpy) changes nothing. Any other edge
    is checked by GEOS's coverage validator (``coverage_invalid_edges``, run only on the
    features owning such edges and their neighbours): it flags an edge that lies in or
    crosses another feature or half-matches another edge; an unflagged one separates
    covered-once from uncovered. So outside the flagged features and the areas they
    enclose, no point is covered twice. Unflagged features can still overlap each other
    *inside* a ring of flagged ones (two tilings of one area, each consistent in itself),
    hence: fill the holes of the union of the flagged features and keep every feature whose
    interior meets that filled area. Clean tiling: nothing kept; 1 % overlapping parcels: about
    2 % kept plus their neighbours.
    """
    if not hasattr(shapely, "coverage_invalid_edges"):  # shapely < 2.1: check every pair
        return np.ones(len(geoms), dtype=bool)
    unshared, flagged = _edge_check(geoms)
    tree = shapely.STRtree(geoms)
    owners = np.flatnonzero(unshared & ~flagged)
    if len(owners):
        # every envelope neighbour of an owner goes in, so the validator sees what it
        # would see in the whole layer (its flags on the neighbours themselves are ignored)
        subset = np.unique(np.r_[owners, tree.query(geoms[owners])[1]])
        invalid = ~shapely.is_empty(shapely.coverage_invalid_edges(geoms[subset]))
        flagged[subset[invalid & np.isin(subset, owners)]] = True
    if not flagged.any():
        return flagged
    union = shapely.union_all(geoms[flagged])
    shells = shapely.get_exterior_ring(shapely.get_parts(union))
    filled = shapely.polygons(shells[~shapely.is_empty(shells)])
    area_at, near = tree.query(filled, predicate="intersects")
    # every overlap lies inside the filled area: a feature that only touches it from outside
    # overlaps nothing (1 % overlapping parcels: 4.6k suspects instead of 12.9k, and a
    # quarter of the pairs to relate)
    inside = shapely.relate_pattern(filled[area_at], geoms[near], "T********")
    suspects = flagged.copy()
    suspects[near[inside]] = True
    return suspects


def _edge_check(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(has an edge not shared reversed with exactly one other, has an edge that repeats).

    Per geometry. Rings are read with their interior on the left (shells anticlockwise,
    holes clockwise); an edge is compared exactly (same two vertices). A repeated edge
    (twice in one direction) or a ring too thin to orient reliably flags its geometry.
    Edges are grouped by sorting a 64-bit hash of their four coordinates (one key, a
    quarter of a four-key ``lexsort``); neighbours in that order are compared exactly, and
    should two different edges share a hash the four-key sort is used instead.
    """
    xy, ring, owner, shell = _ring_coordinates(geoms)
    x, y = xy[:, 0] + 0.0, xy[:, 1] + 0.0  # -0.0 becomes 0.0: equal values, equal bits
    same = ring[1:] == ring[:-1]
    edge_ring = ring[:-1][same]
    ax, ay, bx, by = x[:-1][same], y[:-1][same], x[1:][same], y[1:][same]
    start = np.searchsorted(ring, edge_ring)  # each ring's first vertex: small numbers
    fx, fy = x[start], y[start]
    rax, ray, rbx, rby = ax - fx, ay - fy, bx - fx, by - fy
    twice_area = np.bincount(edge_ring, weights=rax * rby - rbx * ray, minlength=len(owner))
    span = np.bincount(edge_ring, weights=np.abs(rax) + np.abs(ray), minlength=len(owner))
    unsure = np.abs(twice_area) <= 1e-9 * span ** 2
    turn = (shell != (twice_area > 0))[edge_ring]
    ax, bx = np.where(turn, bx, ax), np.where(turn, ax, bx)
    ay, by = np.where(turn, by, ay), np.where(turn, ay, by)
    back = (ax > bx) | ((ax == bx) & (ay > by))
    lox, hix = np.where(back, bx, ax), np.where(back, ax, bx)
    loy, hiy = np.where(back, by, ay), np.where(back, ay, by)
    real = (lox != hix) | (loy != hiy)  # repeated vertices make no edge
    key = np.column_stack([lox[real], loy[real], hix[real], hiy[real]])
    back, edge_ring = back[real], edge_ring[real]
    order, group = _edge_groups(key)
    backward = np.bincount(group, weights=back[order]).astype(int)
    forward = np.bincount(group) - backward
    edge_owner = owner[edge_ring[order]]
    unshared = np.zeros(len(geoms), dtype=bool)
    unshared[edge_owner[~((forward == 1) & (backward == 1))[group]]] = True
    flagged = np.zeros(len(geoms), dtype=bool)
    flagged[edge_owner[((forward > 1) | (backward > 1))[group]]] = True
    flagged[owner[unsure]] = True
    return unshared, flagged


_HASH_MULTIPLIERS = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                              0xD6E8FEB86659FD93], dtype=np.uint64)


def _row_digest(values: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row of an (n, 4) float64 array (equal rows, equal hashes)."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)
    with np.errstate(over="ignore"):
        mixed = bits * _HASH_MULTIPLIERS
        return (mixed[:, 0] ^ np.left_shift(mixed[:, 1], np.uint64(17)) ^ (
            mixed[:, 1] >> np.uint64(47)) ^ mixed[:, 2] * np.uint64(3)
            ^ (mixed[:, 3] >> np.uint64(29)) ^ np.left_shift(mixed[:, 3], np.uint64(35)))


def _edge_groups(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(an order putting equal rows of ``key`` together, the group number of each row in
    that order). ``key``: (n, 4) float64 without -0.0 or NaN."""
    if len(key) == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    digest = _row_digest(key)
    order = np.argsort(digest)
    sorted_key = key[order]
    new = np.r_[True, (sorted_key[1:] != sorted_key[:-1]).any(axis=1)]
    sorted_digest = digest[order]
    if (new[1:] & (sorted_digest[1:] == sorted_digest[:-1])).any():  # a collision
        order = np.lexsort((key[:, 3], key[:, 2], key[:, 1], key[:, 0]))
        sorted_key = key[order]
        new = np.r_[True, (sorted_key[1:] != sorted_key[:-1]).any(axis=1)]
    return order, np.cumsum(new) - 1


def _ring_coordinates(geoms: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(coordinates, ring number per coordinate, geometry per ring, ring is a shell).

    Polygons without holes are read directly (one ring each); only polygons with holes and
    multipolygons are taken apart into rings (building ring objects costs 2 µs each).
    """
    simple = (shapely.get_type_id(geoms) == int(shapely.GeometryType.POLYGON)) & (
        shapely.get_num_interior_rings(geoms) == 0)
    complex_rows = np.flatnonzero(~simple)
    parts, part_owner = shapely.get_parts(geoms[complex_rows], return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    ring_shell = np.r_[True, ring_part[1:] != ring_part[:-1]] if len(rings) else np.zeros(
        0, dtype=bool)
    all_rings = np.concatenate([geoms[simple], rings])
    owner = np.r_[np.flatnonzero(simple), complex_rows[part_owner[ring_part]]].astype(int)
    shell = np.r_[np.ones(int(simple.sum()), dtype=bool), ring_shell]
    xy, ring = shapely.get_coordinates(all_rings, return_index=True)
    return xy, ring, owner, shell


# --------------------------------------------------------------------------- comparisons
def _prepared(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    ok = finite_mask(gdf)
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    return geoms, ok


def _valid(geoms: np.ndarray) -> np.ndarray:
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        geoms = geoms.copy()
        geoms[bad] = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
    return geoms


def overlap_with_existing_mu(new: gpd.GeoDataFrame, existing: gpd.GeoDataFrame, *,
                             plane: PlaneCRS | None = None) -> np.ndarray:
    """Per feature of ``new``: mu of its area covered by any feature of ``existing``.

    Overlaps among existing features are counted once (the covered pieces are unioned per
    new feature). Areas in each new feature's own 3° zone, or in ``plane``. NaN for new
    features with no finite geometry. ``existing`` is reprojected to ``new``'s CRS; its
    invalid geometries are made valid for the comparison.
    """
    out = np.full(len(new), np.nan)
    geoms, ok = _prepared(new)
    out[ok] = 0.0
    if not ok.any() or len(existing) == 0:
        return out
    ex = existing.to_crs(new.crs) if existing.crs is not None and new.crs is not None and (
        existing.crs != new.crs) else existing
    ex_geoms, ex_ok = _prepared(ex)
    ex_geoms = _valid(ex_geoms[ex_ok & _polygonal_mask(ex_geoms)])
    if len(ex_geoms) == 0:
        return out
    rows = np.flatnonzero(ok)
    mine = _valid(geoms[rows])
    tree = shapely.STRtree(ex_geoms)
    i, j = tree.query(mine, predicate="intersects")
    if len(i) == 0:
        return out
    inner = shapely.relate_pattern(mine[i], ex_geoms[j], "T********")
    i, j = i[inner], j[inner]
    if len(i) == 0:
        return out
    pieces = shapely.intersection(mine[i], ex_geoms[j])
    order = np.argsort(i, kind="stable")
    i, pieces = i[order], pieces[order]
    starts = np.flatnonzero(np.r_[True, i[1:] != i[:-1]])
    owners = i[starts]
    groups = np.split(pieces, starts[1:])
    covered = np.array([g[0] if len(g) == 1 else shapely.union_all(g) for g in groups],
                       dtype=object)
    epsgs = zone_plane_epsgs(new.iloc[rows[owners]], plane=plane)
    m2 = plane_areas_by_zone_m2(gpd.GeoSeries(covered, crs=new.crs), epsgs)
    out[rows[owners]] = m2 / M2_PER_MU
    return out


def _polygonal_mask(geoms: np.ndarray) -> np.ndarray:
    return np.isin(shapely.get_type_id(geoms), [int(t) for t in _POLYGONAL])


def outside_share(gdf: gpd.GeoDataFrame, boundary_geom: Any, *,
                  plane: PlaneCRS | None = None) -> np.ndarray:
    """Share (0–1) of each feature's area outside ``boundary_geom`` (in ``gdf``'s CRS).

    0 for features inside, 1 for features wholly outside; areas in each feature's own 3°
    zone, or in ``plane``. NaN for features with no finite geometry or no area.
    """
    out = np.full(len(gdf), np.nan)
    geoms, ok = _prepared(gdf)
    if not ok.any():
        return out
    boundary = _valid(np.array([boundary_geom], dtype=object))[0]
    shapely.prepare(boundary)
    rows = np.flatnonzero(ok)
    mine = _valid(geoms[rows])
    inside = shapely.covers(boundary, mine)
    apart = shapely.disjoint(boundary, mine)
    share = np.where(inside, 0.0, np.where(apart, 1.0, np.nan))
    cut = ~inside & ~apart
    if cut.any():
        epsgs = zone_plane_epsgs(gdf.iloc[rows[cut]], plane=plane)
        whole = plane_areas_by_zone_m2(gpd.GeoSeries(mine[cut], crs=gdf.crs), epsgs)
        within = plane_areas_by_zone_m2(
            gpd.GeoSeries(shapely.intersection(mine[cut], boundary), crs=gdf.crs), epsgs)
        with np.errstate(invalid="ignore", divide="ignore"):
            share[cut] = np.clip(1.0 - within / whole, 0.0, 1.0)
    zero = shapely.area(mine) == 0
    share[zero] = np.nan
    out[rows] = share
    return out


def area_mismatch(computed_m2: np.ndarray, declared_m2: np.ndarray, *,
                  tolerance: float = 0.01) -> np.ndarray:
    """True where the computed area differs from a declared one by more than ``tolerance``
    (relative to the declared area). False where either is missing, not finite or the
    declared area is not positive (nothing to compare)."""
    c = np.asarray(computed_m2, dtype=float)
    d = np.asarray(declared_m2, dtype=float)
    ok = np.isfinite(c) & np.isfinite(d) & (d > 0)
    off = np.zeros(np.broadcast(c, d).shape, dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.abs(c - d) / d
    off[ok] = rel[ok] > tolerance
    return off

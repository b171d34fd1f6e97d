"""Rings of one parcel into a Polygon or MultiPolygon: holes and parts decided by containment.

The 圈号 (ring number) does not say whether ring 2 is a hole or a second part, so a ring
lying inside another ring of the same parcel is a hole of the smallest such ring, a ring
inside a hole is a new part (even/odd nesting), and any other ring is a separate part.
Each ring keeps its vertex order and start point exactly as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.errors import GEOSException
from shapely.geometry import MultiPolygon, Polygon

from geo_app.io._boundary_txt_parse import RawPoint

Coord = tuple[float, float]


@dataclass
class Ring:
    """Consecutive points of one ring, as (easting, northing)."""

    number: int | None
    first_line: int
    coords: list[Coord] = field(default_factory=list)
    closed_in_file: bool = False


def group_rings(points: list[RawPoint], *, swap: bool) -> list[Ring]:
    """Split a parcel's points into rings: a new ring when 圈号 changes or after a closure."""
    rings: list[Ring] = []
    current: Ring | None = None
    for point in points:
        coord = (point.x, point.y) if swap else (point.y, point.x)
        if (
            current is None
            or current.closed_in_file
            or (point.ring is not None and point.ring != current.number)
        ):
            number = point.ring if point.ring is not None else (current.number if current else 1)
            current = Ring(number, point.line)
            rings.append(current)
        current.coords.append(coord)
        if len(current.coords) > 1 and coord == current.coords[0]:
            current.closed_in_file = True
    return rings


def open_vertex_count(ring: Ring) -> int:
    """Vertices of a ring without its closing repeat."""
    return len(ring.coords) - 1 if ring.closed_in_file else len(ring.coords)


def _contains(outer: Polygon, inner: np.ndarray) -> bool:
    """Every vertex of ``inner`` on or in ``outer``, at least one strictly inside."""
    try:
        points = shapely.points(inner)
        return bool(shapely.covers(outer, points).all() and shapely.contains(outer, points).any())
    except GEOSException:
        return False


def usable_rings(rings: list[Ring], label: str, notes: list[str]) -> list[list[Coord]]:
    """Closed coordinate lists of the rings with 3+ distinct points (others skipped, noted)."""
    usable: list[list[Coord]] = []
    for ring in rings:
        where = f"ring 圈号 {ring.number} from line {ring.first_line}"
        if len(set(ring.coords)) < 3:
            notes.append(f"{label}: {where} has fewer than 3 distinct points and was skipped.")
            continue
        coords = list(ring.coords)
        if not ring.closed_in_file:
            notes.append(f"{label}: {where} was not closed; closed it with its first point.")
            coords.append(coords[0])
        usable.append(coords)
    return usable


def nest(rings: list[list[Coord]]) -> Polygon | MultiPolygon:
    """One polygon per outer ring, with the rings directly inside it as holes."""
    arrays = [np.asarray(coords, dtype=float) for coords in rings]
    polygons = [Polygon(coords) for coords in arrays]
    areas = [abs(polygon.area) for polygon in polygons]
    parent: list[int | None] = []
    for i, coords in enumerate(arrays):
        containers = [
            j
            for j, polygon in enumerate(polygons)
            if j != i and areas[j] > areas[i] and _contains(polygon, coords[:-1])
        ]
        parent.append(min(containers, key=lambda j: areas[j]) if containers else None)

    def depth(i: int) -> int:
        level, node = 0, parent[i]
        while node is not None and level <= len(parent):
            level, node = level + 1, parent[node]
        return level

    shells = [i for i in range(len(arrays)) if depth(i) % 2 == 0]
    holes = {s: [arrays[h] for h in range(len(arrays)) if parent[h] == s] for s in shells}
    parts = [Polygon(arrays[s], holes[s]) for s in shells]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def build_geometries(
    parcels: list[list[list[Coord]]],
) -> list[Polygon | MultiPolygon | None]:
    """Each parcel's geometry from its usable rings (``None`` if it has none).

    Single-ring parcels, the common case, are built in one vectorised call.
    """
    geometries: list[Polygon | MultiPolygon | None] = [None] * len(parcels)
    single: list[int] = []
    for index, rings in enumerate(parcels):
        if len(rings) == 1:
            single.append(index)
        elif rings:
            geometries[index] = nest(rings)
    if single:
        lengths = [len(parcels[index][0]) for index in single]
        coords = np.asarray([xy for index in single for xy in parcels[index][0]], dtype=float)
        ring_index = np.repeat(np.arange(len(single)), lengths)
        polygons = shapely.polygons(shapely.linearrings(coords, indices=ring_index))
        for index, polygon in zip(single, polygons, strict=True):
            geometries[index] = polygon
    return geometries

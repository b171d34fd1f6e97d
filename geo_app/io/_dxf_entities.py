"""Closed polylines and text labels of a DXF drawing's model space (for :mod:`geo_app.io.dxf`).

Arcs (polyline bulges) are flattened to chords whose sagitta is at most
:data:`ARC_TOLERANCE` drawing units (1 mm for a drawing in metres, the survey precision of
boundary coordinates), computed from the bulge itself rather than from a Bézier
approximation, so a flattened arc's vertices lie exactly on the circle.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ezdxf.entities import DXFGraphic, Insert
from ezdxf.layouts import BaseLayout
from ezdxf.lldxf.const import DXFError
from ezdxf.lldxf.encoding import decode_dxf_unicode, decode_mif_to_unicode
from ezdxf.math import OCS, Vec3
from shapely.geometry import Polygon

#: Largest distance (drawing units) between an arc and the chords replacing it.
ARC_TOLERANCE = 0.001
#: Most chords one arc is cut into (a huge radius with a tiny tolerance stops here).
MAX_ARC_SEGMENTS = 4096
#: How deep INSERTs (block references) inside blocks are followed.
MAX_BLOCK_DEPTH = 8
#: Two vertices closer than this (drawing units) are the same point (first == last).
SAME_POINT = 1e-9

#: Boundary-point labels (界址点号 J1, J2…) that number vertices and never name a parcel.
_POINT_LABEL = re.compile(r"[JjＪｊ][0-9０-９]+")
_LINE_TYPES = frozenset({"LINE", "LWPOLYLINE", "POLYLINE", "ARC", "SPLINE"})
_TEXT_TYPES = frozenset({"TEXT", "MTEXT", "ATTRIB"})


@dataclass
class Ring:
    """One closed polyline, flattened to a ring of WCS (x, y) points."""

    points: list[tuple[float, float]]
    layer: str


@dataclass
class Label:
    """A TEXT / MTEXT / ATTRIB label at its insertion point (WCS)."""

    text: str
    x: float
    y: float


@dataclass
class Drawing:
    """What model space holds that matters for parcels."""

    rings: list[Ring] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    open_lines: Counter[str] = field(default_factory=Counter)  # layer → count
    degenerate: int = 0  # closed polylines with fewer than 3 distinct points
    point_labels: int = 0  # J1, J2… boundary-point numbers
    from_blocks: int = 0  # closed polylines found inside INSERTs
    other: Counter[str] = field(default_factory=Counter)  # ignored entity type → count


def dxf_text(value: str) -> str:
    """A DXF string as the user wrote it: ``\\U+XXXX`` and ``\\M+cXXXX`` escapes decoded."""
    return decode_mif_to_unicode(decode_dxf_unicode(value))


def collect(layout: BaseLayout) -> Drawing:
    """Closed polylines, labels and what was skipped in ``layout`` (with its block references)."""
    drawing = Drawing()
    for entity, from_block in _walk(drawing, layout, depth=0, layer_of_insert=None):
        kind = entity.dxftype()
        layer = dxf_text(str(entity.dxf.get("layer", "0")))
        if kind in ("LWPOLYLINE", "POLYLINE"):
            _add_polyline(drawing, entity, layer, from_block=from_block)
        elif kind in _LINE_TYPES:
            drawing.open_lines[layer] += 1
        elif kind in _TEXT_TYPES:
            _add_label(drawing, entity)
        elif kind not in ("INSERT", "POINT", "DIMENSION", "VIEWPORT"):
            drawing.other[kind] += 1
    return drawing


def _walk(
    drawing: Drawing, layout: Iterable[DXFGraphic], *, depth: int, layer_of_insert: str | None
) -> Iterator[tuple[DXFGraphic, bool]]:
    """Every entity, with block references expanded (entities on layer 0 take the INSERT's)."""
    for entity in layout:
        if layer_of_insert is not None and entity.dxf.get("layer", "0") == "0":
            entity.dxf.layer = layer_of_insert
        yield entity, layer_of_insert is not None
        if isinstance(entity, Insert) and depth < MAX_BLOCK_DEPTH:
            for attrib in entity.attribs:
                yield attrib, True
            try:
                parts = list(entity.virtual_entities())
            except (DXFError, ValueError, ZeroDivisionError):
                # a block ezdxf cannot explode (e.g. degenerate scaling): reported, not fatal
                drawing.other["INSERT (block not expanded)"] += 1
                continue
            yield from _walk(drawing, parts, depth=depth + 1, layer_of_insert=entity.dxf.layer)


def _add_polyline(drawing: Drawing, entity: DXFGraphic, layer: str, *, from_block: bool) -> None:
    vertices = _vertices(entity)
    if vertices is None:  # a polyface or polygon mesh: not a boundary
        drawing.other[f"{entity.dxftype()} (mesh)"] += 1
        return
    flagged = entity.closed if entity.dxftype() == "LWPOLYLINE" else entity.is_closed  # type: ignore[attr-defined]
    closed = bool(flagged) or (len(vertices) > 2 and _same(vertices[0], vertices[-1]))
    if not closed:
        drawing.open_lines[layer] += 1
        return
    if _same(vertices[0], vertices[-1]):
        vertices = vertices[:-1]
    ocs, elevation = _ocs(entity)
    flat = _flatten(vertices)
    points = [(p.x, p.y) for p in ocs.points_to_wcs(Vec3(x, y, elevation) for x, y in flat)]
    distinct = {(round(x, 9), round(y, 9)) for x, y in points}
    if len(distinct) < 3:
        drawing.degenerate += 1
        return
    drawing.rings.append(Ring([*points, points[0]], layer))
    drawing.from_blocks += from_block


def _vertices(entity: DXFGraphic) -> list[tuple[float, float, float]] | None:
    """(x, y, bulge) of a polyline's vertices in its OCS; None for meshes."""
    if entity.dxftype() == "LWPOLYLINE":
        return [(x, y, b) for x, y, b in entity.get_points("xyb")]  # type: ignore[attr-defined]
    if not (entity.is_2d_polyline or entity.is_3d_polyline):  # type: ignore[attr-defined]
        return None
    out = []
    for vertex in entity.vertices:  # type: ignore[attr-defined]
        if vertex.dxf.flags & 16:  # a spline frame control point, not on the curve
            continue
        loc = vertex.dxf.location
        bulge = 0.0 if entity.is_3d_polyline else float(vertex.dxf.get("bulge", 0.0))  # type: ignore[attr-defined]
        out.append((float(loc.x), float(loc.y), bulge))
    return out


def _ocs(entity: DXFGraphic) -> tuple[OCS, float]:
    if entity.dxftype() == "LWPOLYLINE":
        return entity.ocs(), float(entity.dxf.get("elevation", 0.0))
    if entity.is_3d_polyline:  # type: ignore[attr-defined]
        return OCS(), 0.0  # 3D polyline vertices are WCS already (z dropped)
    return entity.ocs(), float(Vec3(entity.dxf.get("elevation", (0, 0, 0))).z)


def _same(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return abs(a[0] - b[0]) <= SAME_POINT and abs(a[1] - b[1]) <= SAME_POINT


def _flatten(vertices: list[tuple[float, float, float]]) -> list[tuple[float, float]]:
    """A closed ring's points with every bulged segment replaced by chords along its arc."""
    out: list[tuple[float, float]] = []
    n = len(vertices)
    for i, (x0, y0, bulge) in enumerate(vertices):
        out.append((x0, y0))
        x1, y1, _ = vertices[(i + 1) % n]
        if abs(bulge) > 1e-12:
            out.extend(arc_points((x0, y0), (x1, y1), bulge))
    return out


def arc_points(
    start: tuple[float, float], end: tuple[float, float], bulge: float
) -> list[tuple[float, float]]:
    """Points strictly between ``start`` and ``end`` on the arc a DXF bulge describes.

    The bulge is tan(θ/4), θ the included angle, positive counter-clockwise.
    """
    (x0, y0), (x1, y1) = start, end
    chord = math.hypot(x1 - x0, y1 - y0)
    if chord <= SAME_POINT:
        return []
    theta = 4.0 * math.atan(bulge)
    radius = chord / (2.0 * abs(math.sin(theta / 2.0)))
    # centre: the chord's midpoint moved along its left normal by (chord/2)·cot(θ/2)
    offset = (chord / 2.0) / math.tan(theta / 2.0)
    cx = (x0 + x1) / 2.0 - (y1 - y0) / chord * offset
    cy = (y0 + y1) / 2.0 + (x1 - x0) / chord * offset
    ratio = min(1.0, max(-1.0, 1.0 - ARC_TOLERANCE / radius))
    step = 2.0 * math.acos(ratio) if ratio < 1.0 else abs(theta)
    segments = min(MAX_ARC_SEGMENTS, max(1, math.ceil(abs(theta) / step)))
    a0 = math.atan2(y0 - cy, x0 - cx)
    return [
        (
            cx + radius * math.cos(a0 + theta * k / segments),
            cy + radius * math.sin(a0 + theta * k / segments),
        )
        for k in range(1, segments)
    ]


def _add_label(drawing: Drawing, entity: DXFGraphic) -> None:
    kind = entity.dxftype()
    if kind == "MTEXT":
        text = entity.plain_text()  # type: ignore[attr-defined]
        point = Vec3(entity.dxf.insert)  # MTEXT's insert is WCS
    else:
        text = entity.plain_text()  # type: ignore[attr-defined]
        _align, p1, _p2 = entity.get_placement()  # type: ignore[attr-defined]
        point = entity.ocs().to_wcs(p1)
    text = " ".join(dxf_text(str(text)).split())
    if not text:
        return
    if _POINT_LABEL.fullmatch(text):
        drawing.point_labels += 1
        return
    drawing.labels.append(Label(text, float(point.x), float(point.y)))


def polygons(rings: list[Ring]) -> list[Polygon]:
    """The rings as shapely polygons, in order."""
    return [Polygon(r.points) for r in rings]

"""DXF red-line drawings (红线图): closed polylines become parcels, labels become names.

Public API
----------
:func:`read_dxf` returns a :class:`~geo_app.io.base.ReadResult` whose ``gdf`` has one row
per closed polyline of model space (LWPOLYLINE, 2D/3D POLYLINE, also inside block
references), with columns ``name`` (TEXT/MTEXT/ATTRIB labels inside the polygon, joined
with a space in reading order), ``layer`` (the CAD layer, e.g. 红线, 用地红线) and
``geometry``. Arcs are flattened to within 1 mm. ``gdf.crs`` is always ``None``: a DXF
declares no coordinate system (the analysis infers one from the coordinates).

Text encoding: a DXF of AutoCAD 2007 or later (``$ACADVER`` ≥ AC1021) is UTF-8; an older
one is in the code page its ``$DWGCODEPAGE`` names (ANSI_936 = GBK). A header that says
ANSI_1252 (Western, also the default when absent) over bytes that are really GBK or UTF-8
is common in drawings made by Chinese tools: the bytes decide and the reason says so.
``encoding=`` (``--encoding``) overrides everything.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import ezdxf
import geopandas as gpd
from ezdxf.lldxf.const import DXFError
from ezdxf.tools.codepage import toencoding
from shapely import STRtree
from shapely.geometry import Point

from geo_app.errors import InputError
from geo_app.io._dxf_entities import Drawing, collect, polygons
from geo_app.io.base import FileFormat, ReadResult
from geo_app.io.encoding import detect_text_encoding, normalise_encoding

__all__ = ["COLUMNS", "read_dxf"]

#: Output columns, in order, before ``geometry``.
COLUMNS = ("name", "layer")

_BINARY_SENTINEL = b"AutoCAD Binary DXF\r\n\x1a\x00"
#: An ASCII DXF starts with optional 999 comments, then group code 0 and SECTION.
_DXF_START = re.compile(rb"\A\s*(?:999\s*\r?\n[^\n]*\n\s*)*0\s*\r?\nSECTION\s*\r?\n")
_HEADER_VALUE = r"\$%s\s*\r?\n\s*[0-9]+\s*\r?\n([^\r\n]*)"
#: $ACADVER of the first release whose DXF is always UTF-8 (AutoCAD 2007).
_UTF8_FROM = "AC1021"
_RELEASES = {
    "AC1009": "R12",
    "AC1012": "R13",
    "AC1014": "R14",
    "AC1015": "R2000",
    "AC1018": "R2004",
    "AC1021": "R2007",
    "AC1024": "R2010",
    "AC1027": "R2013",
    "AC1032": "R2018",
}


def read_dxf(
    path: Path | str, *, encoding: str | None = None, source: str | None = None
) -> ReadResult:
    """Read the closed polylines of a DXF red-line drawing as polygons.

    Parameters
    ----------
    path
        The ``.dxf`` file (ASCII or binary DXF; not DWG).
    encoding
        Text encoding of an ASCII DXF (``--encoding``), overriding the header and the bytes.
    source
        The file name to show in messages (an upload's name); defaults to ``path``'s name.

    Returns
    -------
    ReadResult
        ``gdf`` with :data:`COLUMNS` and ``geometry`` (Polygon), ``crs`` None; ``encoding``
        and ``encoding_reason`` say how the text was decoded; ``notes`` list what was
        skipped: open lines (count and layers), labels outside every polygon, polygons
        inside others (kept as separate parcels, not holes), degenerate polylines.

    Raises
    ------
    InputError
        The file is missing, empty, a DWG, not DXF, damaged or truncated, not in the
        encoding used, or holds no closed polyline (only open lines, or nothing at all).
    """
    path = Path(path)
    name = source or path.name
    data = _read_bytes(path, name)
    codec, reason = _decide_encoding(data, name, encoding)
    doc = _load(path, name, codec, reason)
    drawing = collect(doc.modelspace())
    if not drawing.rings:
        raise InputError(_no_polygon_message(name, drawing))
    gdf, notes = _to_frame(drawing)
    return ReadResult(
        gdf=gdf,
        format=FileFormat.DXF,
        source=name,
        encoding=codec,
        encoding_reason=reason,
        crs_reason="a DXF drawing declares no coordinate system; inferred from the coordinates",
        notes=notes,
    )


def _read_bytes(path: Path, name: str) -> bytes:
    if not path.is_file():
        raise InputError(f"No file at {path}. Check the path.")
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{name} is empty. Export the drawing again as DXF.")
    if data[:4] == b"AC10" and data[4:6].isdigit():
        raise InputError(
            f"{name} is a DWG drawing, not DXF. Save it as DXF in CAD (另存为 → DXF) and "
            "import the .dxf file."
        )
    if not data.startswith(_BINARY_SENTINEL) and not _DXF_START.match(data[:4096]):
        raise InputError(
            f"{name} is not a DXF drawing (it does not start with a DXF SECTION). "
            "Export the drawing from CAD as DXF and import that file."
        )
    return data


def _header(data: bytes, variable: str) -> str | None:
    head = data[:200_000].decode("latin-1")
    found = re.search(_HEADER_VALUE % re.escape(variable), head)
    return found.group(1).strip() if found else None


def _decide_encoding(data: bytes, name: str, given: str | None) -> tuple[str, str]:
    """The codec for an ASCII DXF's text and why (header, bytes, or ``--encoding``)."""
    if data.startswith(_BINARY_SENTINEL):
        if given:
            raise InputError(
                f"{name} is a binary DXF, whose text encoding is fixed: drop --encoding."
            )
        return "utf-8", "binary DXF (its text encoding is fixed by its version)"
    if given:
        return normalise_encoding(given), f"given with --encoding {given}"
    version = _header(data, "ACADVER") or "AC1009"
    release = _RELEASES.get(version, version)
    if version >= _UTF8_FROM:
        return "utf-8", f"{release} DXF ($ACADVER={version}): R2007+ DXF is always UTF-8"
    codepage = _header(data, "DWGCODEPAGE")
    said = f"$DWGCODEPAGE={codepage}" if codepage else "no $DWGCODEPAGE"
    declared = toencoding(codepage.upper()) if codepage else "cp1252"
    where = f"{release} DXF ($ACADVER={version}) with {said}"
    if declared != "cp1252":
        codec = "gb18030" if declared == "gbk" else declared
        label = "GBK, read as GB18030, its superset" if declared == "gbk" else declared
        return codec, f"{where} ({label})"
    if data.isascii():
        return "cp1252", f"{where}; the text is plain ASCII"
    detected, why = detect_text_encoding(data)
    return detected, (
        f"{where} (Western, cp1252), but {why}: read as {detected}; "
        "give --encoding cp1252 if the labels are Western text"
    )


def _load(path: Path, name: str, codec: str, reason: str) -> ezdxf.document.Drawing:
    try:
        return ezdxf.readfile(path, encoding=codec, errors="strict")
    except UnicodeDecodeError:
        raise InputError(
            f"{name}: the drawing's text is not valid {codec} ({reason}). Give its "
            "encoding with --encoding (gbk or utf-8)."
        ) from None
    except (DXFError, OSError, ValueError, IndexError, KeyError, EOFError) as exc:
        detail = str(exc).replace(str(path), name).strip().rstrip(".") or type(exc).__name__
        raise InputError(
            f"{name} is not a readable DXF drawing ({detail}). It may be damaged or "
            "truncated: open it in CAD, save it again as DXF (AutoCAD 2000 or later) "
            "and import that file."
        ) from None


def _layers(counts: Counter[str]) -> str:
    return ", ".join(f"{layer} ({n})" for layer, n in counts.most_common())


def _no_polygon_message(name: str, drawing: Drawing) -> str:
    total = sum(drawing.open_lines.values())
    if total:
        return (
            f"{name} has only open lines ({total}, on layers {_layers(drawing.open_lines)}) "
            "and no closed polyline. The red line must be drawn as closed polylines: in "
            "CAD, join the lines (PEDIT → Join) and close them (PEDIT → Close), then save "
            "the DXF again."
        )
    held = _layers(drawing.other) if drawing.other else "no lines at all"
    labels = f", {len(drawing.labels)} text labels" if drawing.labels else ""
    return (
        f"{name} has no closed polyline in model space (it holds {held}{labels}). "
        "Draw each parcel's red line as a closed polyline and save the DXF again."
    )


def _to_frame(drawing: Drawing) -> tuple[gpd.GeoDataFrame, list[str]]:
    polys = polygons(drawing.rings)
    names, outside = _assign_labels(drawing, polys)
    gdf = gpd.GeoDataFrame(
        {"name": names, "layer": [r.layer for r in drawing.rings]},
        geometry=polys,
        crs=None,
    )
    notes: list[str] = []
    skipped = sum(drawing.open_lines.values())
    if skipped:
        notes.append(
            f"Skipped {skipped} open line(s) (LINE, ARC or unclosed polyline), not parcels, "
            f"on layer(s) {_layers(drawing.open_lines)}. If one is a red line, close it "
            "in CAD (PEDIT → Close)."
        )
    if outside:
        shown = ", ".join(f"'{t}'" for t in outside[:5])
        more = " …" if len(outside) > 5 else ""
        notes.append(
            f"{len(outside)} text label(s) lie outside every closed polyline and name no "
            f"parcel: {shown}{more}."
        )
    if drawing.point_labels:
        notes.append(
            f"{drawing.point_labels} boundary-point label(s) (J1, J2…) were not used as names."
        )
    nested = _nested_count(polys)
    if nested:
        notes.append(
            f"{nested} closed polyline(s) lie inside another one; each is kept as its own "
            "parcel (not as a hole). Check whether they are holes or parcels within a parcel."
        )
    if drawing.degenerate:
        notes.append(
            f"Skipped {drawing.degenerate} closed polyline(s) with fewer than 3 distinct points."
        )
    if drawing.from_blocks:
        notes.append(
            f"{drawing.from_blocks} closed polyline(s) come from block references (INSERT)."
        )
    return gdf, notes


def _assign_labels(drawing: Drawing, polys: list) -> tuple[list[str | None], list[str]]:
    """Each polygon's labels (innermost polygon containing the insertion point)."""
    tree = STRtree(polys)
    found: list[list[tuple[float, float, str]]] = [[] for _ in polys]
    outside: list[str] = []
    for label in drawing.labels:
        point = Point(label.x, label.y)
        hits = [int(i) for i in tree.query(point, predicate="covered_by")]
        if not hits:
            outside.append(label.text)
            continue
        best = min(hits, key=lambda i: polys[i].area)
        found[best].append((-label.y, label.x, label.text))
    names = [" ".join(t for *_, t in sorted(parts)) if parts else None for parts in found]
    return names, outside


def _nested_count(polys: list) -> int:
    tree = STRtree(polys)
    count = 0
    for i, poly in enumerate(polys):
        if any(
            int(j) != i and not polys[int(j)].equals(poly)
            for j in tree.query(poly, predicate="within")
        ):
            count += 1
    return count

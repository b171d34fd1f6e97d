"""The 部标 parcel boundary coordinate TXT (界址点坐标文件): read every variant, write the standard.

Public API
----------
:func:`read_boundary_txt` (a file) and :func:`read_boundary_txt_bytes` (an upload's bytes)
return a :class:`~geo_app.io.base.ReadResult` whose ``gdf`` has one row per parcel; the
CLI, the import pipeline and the app call one of them. :func:`write_boundary_txt` writes a
layer in the conservative standard layout (GBK, CRLF, CGCS2000 3° Gauss-Krüger with
zone-prefixed eastings). :func:`looks_like_boundary_txt` tells a dispatcher whether a
``.txt`` is one of these files. ``../shared/FORMAT-boundary-txt.md`` describes the format.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from geo_app.errors import InputError
from geo_app.io._boundary_txt_crs import HeaderCRS, decide_crs
from geo_app.io._boundary_txt_parse import (
    ParsedFile,
    RawParcel,
    RawPoint,
    nfkc,
    parse_integer,
    parse_text,
)
from geo_app.io._boundary_txt_rings import (
    build_geometries,
    group_rings,
    open_vertex_count,
    usable_rings,
)
from geo_app.io._boundary_txt_write import TxtWriteResult, write_boundary_txt
from geo_app.io.base import FileFormat, ReadResult
from geo_app.io.encoding import detect_text_encoding, normalise_encoding

__all__ = [
    "COLUMNS",
    "TxtWriteResult",
    "looks_like_boundary_txt",
    "read_boundary_txt",
    "read_boundary_txt_bytes",
    "write_boundary_txt",
]

#: Output columns, in order, before any ``extra_1``… and ``geometry``.
COLUMNS = (
    "id",
    "name",
    "geometry_kind",
    "map_sheet",
    "land_use",
    "land_class_code",
    "declared_area_ha",
    "declared_area_m2",
    "point_count_declared",
)

#: Area units seen in 地块面积 → hectares per unit. No unit means hectares.
_AREA_UNITS: dict[str, float] = {
    "": 1.0,
    "公顷": 1.0,
    "公頃": 1.0,
    "ha": 1.0,
    "hm2": 1.0,
    "亩": 1.0 / 15.0,
    "畝": 1.0 / 15.0,
    "mu": 1.0 / 15.0,
    "平方米": 1e-4,
    "平米": 1e-4,
    "m2": 1e-4,
    "sqm": 1e-4,
    "平方公里": 100.0,
    "平方千米": 100.0,
    "km2": 100.0,
}
_AREA = re.compile(r"([+-]?(?:[0-9]{1,15}(?:\.[0-9]*)?|\.[0-9]+))(.*)")
_LINE_BREAK_BYTES = re.compile(rb"\r\n|\r|\n")


def looks_like_boundary_txt(data: bytes) -> bool:
    """True when the bytes (the start of a file is enough) hold a ``[地块坐标]`` section."""
    head = data[:65536]
    for codec in ("utf-8", "gb18030"):
        text = head.decode(codec, errors="ignore")
        if re.search(r"[\[［【]\s*(地块坐标|界址点坐标)", text):
            return True
    return False


def read_boundary_txt(
    path: Path | str, *, encoding: str | None = None, source: str | None = None
) -> ReadResult:
    """Read a 部标 boundary coordinate TXT file: one row per parcel, in the file's own CRS.

    Parameters
    ----------
    path
        The file.
    encoding
        The user's ``--encoding`` (``gbk``, ``utf-8``…); detected from the bytes if omitted.
    source
        The name to show in messages (the upload's name); the file name if omitted.

    Returns
    -------
    ReadResult
        ``gdf`` columns: :data:`COLUMNS`, then ``extra_1``… (header fields beyond the usual
        eight), then ``geometry`` (Polygon/MultiPolygon). ``gdf.crs`` is built from the
        header (坐标系, 几度分带, 带号) and the eastings' zone prefix, or is ``None`` when the
        file does not say its zone. ``notes`` holds everything the user must see, including
        parcels that could not be read. ``metadata`` holds the header's key=value pairs
        (values as written; aliased keys such as 坐标系统/投影带号 under their usual names
        坐标系/带号) and ``extra_sections`` the text of unknown sections, by name.

    Raises
    ------
    InputError
        The file is missing, empty, binary, not in the encoding, has no ``[地块坐标]``
        section, a point line before any parcel header, eastings of mixed zones, or no
        parcel that can be read. The message names the line and what to do.
    """
    file = Path(path)
    name = source or file.name
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file. Check the path.") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or exc}).") from None
    return read_boundary_txt_bytes(data, encoding=encoding, source=name)


def read_boundary_txt_bytes(
    data: bytes, *, encoding: str | None = None, source: str = "boundary TXT"
) -> ReadResult:
    """Read a boundary TXT from its bytes (an upload); see :func:`read_boundary_txt`."""
    text, codec, reason = _decode(data, encoding, source)
    parsed = parse_text(text)
    if not parsed.saw_parcel_section:
        raise InputError(
            f"{source} has no [地块坐标] section, so it is not a 部标 boundary coordinate "
            "file (or the section line is misspelt). Add the line [地块坐标] before the "
            "parcels, or read the file in its own format."
        )
    if not parsed.parcels:
        raise InputError(
            f"{source}: [地块坐标] holds no parcel (no line ends in @). Each parcel starts "
            "with a header line such as '5,6.0000,ID,名称,面,,用途,,@'."
        )
    notes = list(parsed.notes)
    usable = _usable_parcels(parsed, notes)
    swap = _axes_swapped(usable)
    if swap:
        notes.append(
            "X and Y are swapped in this file (X holds the eastings, Y the northings); "
            "they were read the other way round, X as the northing."
        )
    prefix, plain = _easting_kind(usable, swap=swap)
    decision = decide_crs(
        HeaderCRS(
            coordinate_system=parsed.header.get("坐标系") or None,
            zone_width=parsed.header.get("几度分带") or None,
            zone=parsed.header.get("带号") or None,
            central_meridian=parsed.header.get("中央经线") or None,
        ),
        prefix=prefix,
        plain=plain,
    )
    notes.extend(decision.notes)
    gdf = _build_gdf(usable, swap=swap, notes=notes, crs=decision.crs)
    if gdf.empty:
        skipped = [note for note in notes if "NOT read" in note] or notes
        raise InputError(
            f"No parcel in {source} could be read: " + " ".join(skipped[:5]) + " Fix these "
            "lines and read the file again."
        )
    return ReadResult(
        gdf=gdf,
        format=FileFormat.BOUNDARY_TXT,
        source=source,
        encoding=codec,
        encoding_reason=reason,
        crs_reason=decision.reason,
        notes=notes,
        declared_area_m2_column="declared_area_m2",
        metadata=dict(parsed.header),
        extra_sections=dict(parsed.extra_sections),
    )


def _decode(data: bytes, encoding: str | None, source: str) -> tuple[str, str, str]:
    if not data.strip():
        raise InputError(f"{source} is empty. Choose the boundary TXT that holds the parcels.")
    if b"\x00" in data:
        raise InputError(
            f"{source} is a binary file (or UTF-16 text), not a boundary TXT. Choose the "
            ".txt file, or save it as GBK or UTF-8 text."
        )
    if encoding:
        codec, reason = normalise_encoding(encoding), f"given with --encoding {encoding}"
    else:
        try:
            codec, reason = detect_text_encoding(data)
        except InputError:
            codec, reason = "gb18030", ""  # the decode below names the first bad line
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        line = len(_LINE_BREAK_BYTES.findall(data[: exc.start])) + 1
        what = f"valid {codec} text" if reason else "valid UTF-8 or GBK/GB18030 text"
        raise InputError(
            f"{source}: line {line} is not {what} (the file may be damaged). Give the file's "
            "encoding with --encoding (gbk or utf-8), or fix that line."
        ) from None
    return text.removeprefix("\ufeff"), codec, reason


def _usable_parcels(parsed: ParsedFile, notes: list[str]) -> list[RawParcel]:
    usable = []
    for parcel in parsed.parcels:
        if parcel.problem is None and not parcel.points:
            parcel.problem = "it has no point lines"
        if parcel.problem is not None:
            notes.append(f"{parcel.label} was NOT read: {parcel.problem}.")
        else:
            usable.append(parcel)
    return usable


def _all_points(parcels: list[RawParcel]) -> list[RawPoint]:
    return [point for parcel in parcels for point in parcel.points]


def _axes_swapped(parcels: list[RawParcel]) -> bool:
    """True when every point has an easting-like X and a northing-like Y."""
    points = _all_points(parcels)

    def swapped(point: RawPoint) -> bool:
        x, y = abs(point.x), abs(point.y)
        return (x >= 1e7 and 1e6 <= y < 1e7) or (1e5 <= x < 1e6 and 1e6 <= y < 1e7)

    return bool(points) and all(swapped(point) for point in points)


def _easting_class(easting: float) -> str:
    if 1e7 <= easting < 1e8:
        return f"prefix {int(easting // 1e6)}"
    if 1e5 <= easting < 1e6:
        return "plain"
    return "other"


def _easting_kind(parcels: list[RawParcel], *, swap: bool) -> tuple[int | None, bool]:
    """The zone prefix all eastings share, or ``plain`` eastings; mixed zones are an error."""
    first: dict[str, tuple[int, float]] = {}
    for point in _all_points(parcels):
        easting = point.x if swap else point.y
        kind = _easting_class(easting)
        if kind not in first:
            first[kind] = (point.line, easting)
        if len(first) > 1:
            (kind_a, (line_a, east_a)), (kind_b, (line_b, east_b)) = list(first.items())[:2]
            raise InputError(
                f"Line {line_b}: easting {east_b:.3f} ({_describe(kind_b)}) does not match "
                f"line {line_a}'s {east_a:.3f} ({_describe(kind_a)}). One file holds one "
                "Gauss-Krüger zone: correct the coordinate or split the file by zone."
            )
    if not first:
        return None, False
    kind = next(iter(first))
    if kind.startswith("prefix "):
        return int(kind.removeprefix("prefix ")), False
    return None, kind == "plain"


def _describe(kind: str) -> str:
    if kind == "plain":
        return "no zone prefix"
    if kind == "other":
        return "neither zone-prefixed nor a plain 6-digit easting"
    return f"zone {kind}"


def _declared_area_ha(text: str, label: str, notes: list[str]) -> float | None:
    value = nfkc(text).replace(" ", "").lower().replace("²", "2")
    if not value:
        return None
    match = _AREA.fullmatch(value)
    unit = match.group(2) if match else None
    if match is None or unit not in _AREA_UNITS:
        notes.append(
            f"{label}: 地块面积 {text!r} is not an area (hectares, or a number with 公顷, 亩 "
            "or 平方米); the declared area is left empty."
        )
        return None
    return float(match.group(1)) * _AREA_UNITS[unit]


def _text(value: str | None) -> str | None:
    return value if value else None


def _build_gdf(
    parcels: list[RawParcel], *, swap: bool, notes: list[str], crs: CRS | None
) -> gpd.GeoDataFrame:
    parcel_notes: list[list[str]] = [[] for _ in parcels]
    parcel_rings = [group_rings(parcel.points, swap=swap) for parcel in parcels]
    usable = [
        usable_rings(rings, parcel.label, remarks)
        for parcel, rings, remarks in zip(parcels, parcel_rings, parcel_notes, strict=True)
    ]
    geometries = build_geometries(usable)
    width = max((len(parcel.extras) for parcel in parcels), default=0)
    rows: list[dict[str, object]] = []
    kept = []
    for parcel, rings, geometry, remarks in zip(
        parcels, parcel_rings, geometries, parcel_notes, strict=True
    ):
        notes.extend(remarks)
        label = parcel.label
        if geometry is None:
            notes.append(f"{label} was NOT read: no ring has 3 distinct points.")
            continue
        fields = parcel.fields
        count = parse_integer(fields.get("point_count_declared", ""))
        if count is not None:
            open_count = sum(open_vertex_count(ring) for ring in rings)
            if count not in (open_count, open_count + len(rings)):
                notes.append(
                    f"{label}: the header says {count} points but the file lists "
                    f"{open_count + len(rings)} counting each ring's closing point "
                    f"({open_count} without)."
                )
        kind = fields.get("geometry_kind") or ""
        if kind and nfkc(kind) not in ("面", "面状"):
            notes.append(f"{label}: 记录图形属性 is {kind!r}, not 面; read as a polygon.")
        area_ha = _declared_area_ha(fields.get("declared_area", ""), label, notes)
        row: dict[str, object] = {
            "id": _text(fields.get("id")),
            "name": _text(fields.get("name")),
            "geometry_kind": _text(fields.get("geometry_kind")),
            "map_sheet": _text(fields.get("map_sheet")),
            "land_use": _text(fields.get("land_use")),
            "land_class_code": _text(fields.get("land_class_code")),
            "declared_area_ha": area_ha,
            "declared_area_m2": None if area_ha is None else area_ha * 1e4,
            "point_count_declared": count,
        }
        for index in range(width):
            extra = parcel.extras[index] if index < len(parcel.extras) else None
            row[f"extra_{index + 1}"] = _text(extra)
        rows.append(row)
        kept.append(geometry)
    columns = [*COLUMNS, *(f"extra_{index + 1}" for index in range(width))]
    frame = pd.DataFrame({column: [row.get(column) for row in rows] for column in columns})
    for column in ("declared_area_ha", "declared_area_m2"):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    frame["point_count_declared"] = frame["point_count_declared"].astype("Int64")
    return gpd.GeoDataFrame(frame, geometry=kept, crs=crs)

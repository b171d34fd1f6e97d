"""Write a layer as a zipped Shapefile (.shp .shx .dbf .prj .cpg) in GBK or UTF-8.

The DBF format limits what a shapefile can hold, so the writer decides it, never GDAL
silently: field names are at most 10 *bytes* in the DBF encoding (a Chinese name holds 5
characters in GBK, 3 in UTF-8), truncated on a character boundary and made unique
(case-insensitively) with ``_1``, ``_2``…, names that already fit keeping priority; text
values are at most 254 bytes; dates are DBF dates. The ``.cpg`` names the encoding
(``GBK`` or ``UTF-8``) and, for GBK, the DBF language-driver byte says code page 936 too,
for programs that ignore ``.cpg``. A value the encoding cannot hold is refused with the
field and row, never written as ``?``.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pyogrio

from geo_app.domain.layers import LayerSpec
from geo_app.errors import InputError
from geo_app.io._export_frame import (
    attribute_columns,
    file_stem,
    gdal_frame,
    is_text_column,
    row_label,
)

FIELD_NAME_BYTES = 10
TEXT_VALUE_BYTES = 254
#: DBF header byte 29 (language driver id) for code page 936 (GBK, simplified Chinese).
LDID_GBK = 0x4D
_LDID_OFFSET = 29
#: Accepted ``encoding`` spellings → (Python codec, name written to ``.cpg``).
SHP_ENCODINGS: dict[str, tuple[str, str]] = {
    "gbk": ("gbk", "GBK"),
    "cp936": ("gbk", "GBK"),
    "gb2312": ("gbk", "GBK"),
    "utf-8": ("utf-8", "UTF-8"),
    "utf8": ("utf-8", "UTF-8"),
}
_SIDE_FILES = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_FAMILIES = {
    "Point": "Point", "MultiPoint": "Point",
    "LineString": "LineString", "MultiLineString": "LineString",
    "Polygon": "Polygon", "MultiPolygon": "Polygon",
}


@dataclass
class ShapefileZip:
    """A zipped shapefile and what was changed to fit the DBF format."""

    data: bytes
    encoding: str
    field_names: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def shp_codec(encoding: str) -> tuple[str, str]:
    """(Python codec, ``.cpg`` text) for a user's ``--encoding``; refuse anything else."""
    key = encoding.strip().lower().replace("_", "-")
    if key not in SHP_ENCODINGS:
        raise InputError(
            f"A shapefile is written in GBK or UTF-8, not {encoding!r}. Use --encoding gbk "
            "(older ArcGIS and Chinese GIS software) or --encoding utf-8."
        )
    return SHP_ENCODINGS[key]


def _truncate(text: str, codec: str, limit: int) -> str:
    out = ""
    for ch in text:
        if len((out + ch).encode(codec)) > limit:
            break
        out += ch
    return out


def dbf_field_names(columns: Sequence[str], codec: str) -> dict[str, str]:
    """Each column's DBF field name: ≤ 10 bytes in ``codec``, unique ignoring case.

    Deterministic: names that already fit are kept (first one wins among names equal
    ignoring case); the others are truncated on a character boundary and, if that
    collides, shortened further and given ``_1``, ``_2``… in column order.
    """
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for column in columns:
        fits = 0 < len(column.encode(codec)) <= FIELD_NAME_BYTES
        if fits and column.casefold() not in used:
            mapping[column] = column
            used.add(column.casefold())
    for column in columns:
        if column in mapping:
            continue
        base = column or "field"
        candidate = _truncate(base, codec, FIELD_NAME_BYTES)
        n = 0
        while not candidate or candidate.casefold() in used:
            n += 1
            suffix = f"_{n}"
            candidate = _truncate(base, codec, FIELD_NAME_BYTES - len(suffix)) + suffix
        mapping[column] = candidate
        used.add(candidate.casefold())
    return {column: mapping[column] for column in columns}


def _check_encodable(gdf: gpd.GeoDataFrame, spec: LayerSpec | None, codec: str,
                     cpg: str) -> None:
    hint = "Export with --encoding utf-8, or change the text."
    for column in attribute_columns(gdf):
        try:
            column.encode(codec)
        except UnicodeEncodeError:
            raise InputError(
                f"Field name {column!r} has characters {cpg} cannot hold. {hint}"
            ) from None
        if not is_text_column(gdf[column]):
            continue
        for pos, value in enumerate(gdf[column].tolist()):
            if isinstance(value, str):
                try:
                    value.encode(codec)
                except UnicodeEncodeError as exc:
                    bad = value[exc.start:exc.end]
                    raise InputError(
                        f"Field {column!r}, {row_label(gdf, spec, pos)}: {value!r} has "
                        f"characters {cpg} cannot hold ({bad!r}). {hint}"
                    ) from None


def _fit_text_values(gdf: gpd.GeoDataFrame, codec: str, notes: list[str]) -> None:
    for column in attribute_columns(gdf):
        if not is_text_column(gdf[column]):
            continue
        values = gdf[column].tolist()
        long = [
            i for i, v in enumerate(values)
            if isinstance(v, str) and len(v.encode(codec)) > TEXT_VALUE_BYTES
        ]
        if not long:
            continue
        for i in long:
            values[i] = _truncate(values[i], codec, TEXT_VALUE_BYTES)
        gdf[column] = values
        notes.append(
            f"Field {column!r}: {len(long)} text value(s) longer than {TEXT_VALUE_BYTES} bytes "
            "were cut (a DBF field holds no more); export as GeoPackage to keep them whole."
        )


def _geometry_type(gdf: gpd.GeoDataFrame, spec: LayerSpec | None) -> tuple[str | None, bool]:
    """(geometry_type to force for an empty layer, promote_to_multi)."""
    geoms = gdf.geometry
    types = set(geoms[geoms.notna() & ~geoms.is_empty].geom_type)
    unknown = types - set(_FAMILIES)
    families = {_FAMILIES[t] for t in types if t in _FAMILIES}
    if unknown or len(families) > 1:
        kinds = ", ".join(sorted(types))
        raise InputError(
            f"A shapefile holds one kind of geometry, but this layer has {kinds}. Export it "
            "as GeoPackage or GeoJSON, or split it by geometry type."
        )
    if not types:
        kind = spec.geometry_types[0] if spec is not None else "Polygon"
        return kind, False
    family = families.pop()
    return None, family != "Polygon" and len(types) > 1


def _set_gbk_ldid(dbf: Path) -> None:
    with dbf.open("r+b") as stream:
        stream.seek(_LDID_OFFSET)
        stream.write(bytes([LDID_GBK]))


def shapefile_zip(
    gdf: gpd.GeoDataFrame,
    *,
    layer_name: str,
    encoding: str = "utf-8",
    spec: LayerSpec | None = None,
) -> ShapefileZip:
    """The layer as a zipped shapefile (bytes), written in a temporary folder then removed.

    Raises
    ------
    InputError
        An encoding other than GBK/UTF-8, a value or field name the encoding cannot hold
        (naming the field and row), or mixed geometry kinds.
    """
    codec, cpg = shp_codec(encoding)
    _check_encodable(gdf, spec, codec, cpg)
    force_type, promote = _geometry_type(gdf, spec)
    frame = gdal_frame(gdf)
    notes: list[str] = []
    names = dbf_field_names(attribute_columns(frame), codec)
    renamed = {old: new for old, new in names.items() if old != new}
    if renamed:
        frame = frame.rename(columns=renamed)
        pairs = ", ".join(f"{old} → {new}" for old, new in renamed.items())
        notes.append(
            f"Shapefile field names hold at most {FIELD_NAME_BYTES} bytes in {cpg}; "
            f"renamed: {pairs}."
        )
    _fit_text_values(frame, codec, notes)
    if frame.crs is None:
        notes.append("The layer has no CRS, so the shapefile has no .prj.")
    stem = file_stem(layer_name)
    with tempfile.TemporaryDirectory(prefix="geo_app_shp_") as folder:
        shp = Path(folder) / f"{stem}.shp"
        pyogrio.write_dataframe(
            frame, shp, driver="ESRI Shapefile", encoding=cpg, use_arrow=True,
            geometry_type=force_type, promote_to_multi=promote or None,
        )
        if codec == "gbk":
            _set_gbk_ldid(shp.with_suffix(".dbf"))
        buffer = _zip(Path(folder), stem)
    return ShapefileZip(data=buffer, encoding=cpg, field_names=names, notes=notes)


def _zip(folder: Path, stem: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for suffix in _SIDE_FILES:
            part = folder / f"{stem}{suffix}"
            if part.is_file():
                zf.write(part, arcname=part.name)
    return buffer.getvalue()

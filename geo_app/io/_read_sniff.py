"""What a file is, from its first bytes and its extension (used by :mod:`geo_app.io.read`)."""

from __future__ import annotations

import re
from enum import StrEnum

from geo_app.io.base import FileFormat

#: How much of a file's start is read to recognise it.
HEAD_BYTES = 64 * 1024


class Kind(StrEnum):
    """What a file holds, as far as dispatch cares (a zip is not a format of its own)."""

    SHAPEFILE = FileFormat.SHAPEFILE.value
    GEOPACKAGE = FileFormat.GEOPACKAGE.value
    GEOJSON = FileFormat.GEOJSON.value
    FLATGEOBUF = FileFormat.FLATGEOBUF.value
    CSV = FileFormat.CSV.value
    KML = FileFormat.KML.value
    DXF = FileFormat.DXF.value
    BOUNDARY_TXT = FileFormat.BOUNDARY_TXT.value
    ZIP = "zip"
    KMZ = "kmz"
    XML = "xml"  # XML but not KML (GML…): left to GDAL
    DWG = "dwg"
    OFFICE = "office"  # Excel / Word: a zip or OLE file, not a map layer


#: Lower-case suffix → what the file should be.
EXTENSIONS: dict[str, Kind] = {
    ".shp": Kind.SHAPEFILE,
    ".gpkg": Kind.GEOPACKAGE,
    ".geojson": Kind.GEOJSON,
    ".json": Kind.GEOJSON,
    ".fgb": Kind.FLATGEOBUF,
    ".csv": Kind.CSV,
    ".kml": Kind.KML,
    ".kmz": Kind.KMZ,
    ".dxf": Kind.DXF,
    ".dwg": Kind.DWG,
    ".txt": Kind.BOUNDARY_TXT,  # or CSV: the content decides
    ".zip": Kind.ZIP,
    ".xlsx": Kind.OFFICE,
    ".xls": Kind.OFFICE,
    ".docx": Kind.OFFICE,
    ".doc": Kind.OFFICE,
}

#: How each kind is named in messages.
LABELS: dict[Kind, str] = {
    Kind.SHAPEFILE: "a shapefile (.shp)",
    Kind.GEOPACKAGE: "a GeoPackage",
    Kind.GEOJSON: "GeoJSON",
    Kind.FLATGEOBUF: "a FlatGeobuf file",
    Kind.CSV: "CSV",
    Kind.KML: "KML",
    Kind.KMZ: "a KMZ",
    Kind.DXF: "a DXF drawing",
    Kind.BOUNDARY_TXT: "a 部标 boundary coordinate TXT",
    Kind.ZIP: "a zip archive",
    Kind.XML: "XML",
    Kind.DWG: "a DWG drawing",
    Kind.OFFICE: "an Office document",
}

#: Kinds whose files always start with the same bytes: no magic means damaged.
BINARY_KINDS = frozenset({Kind.SHAPEFILE, Kind.GEOPACKAGE, Kind.FLATGEOBUF, Kind.ZIP,
                          Kind.KMZ})

_DXF_START = re.compile(rb"\A\s*(?:999\s*\r?\n[^\n]*\n\s*)*0\s*\r?\nSECTION\s*\r?\n")
_DWG_START = re.compile(rb"AC[12][.0-9][0-9]")
_TXT_SECTION = re.compile(r"[\[［【]\s*(属性描述|地块坐标|界址点坐标)\s*[\]］】]")
_KML_TAG = re.compile(rb"<(?:[A-Za-z0-9_]+:)?kml[\s>]", re.IGNORECASE)
_BOMS = (b"\xef\xbb\xbf",)


def _text_start(head: bytes) -> bytes:
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom):]
    return head.lstrip()


def looks_like_boundary_txt(head: bytes) -> bool:
    """A ``[属性描述]`` / ``[地块坐标]`` section header in the first KB (UTF-8 or GBK)."""
    first = head[:1024]
    return any(_TXT_SECTION.search(first.decode(codec, errors="ignore"))
               for codec in ("utf-8", "gb18030"))


def sniff(head: bytes) -> Kind | None:
    """What the first bytes of a file say it is, or None when they do not tell."""
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return Kind.ZIP
    if head.startswith(b"SQLite format 3\x00"):
        return Kind.GEOPACKAGE
    if head.startswith(b"fgb") and len(head) >= 8:
        return Kind.FLATGEOBUF
    if len(head) >= 100 and int.from_bytes(head[:4], "big") == 9994:
        return Kind.SHAPEFILE
    if _DWG_START.match(head):
        return Kind.DWG
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: .xls / .doc
        return Kind.OFFICE
    if head.startswith(b"AutoCAD Binary DXF") or _DXF_START.match(head):
        return Kind.DXF
    if looks_like_boundary_txt(head):
        return Kind.BOUNDARY_TXT
    text = _text_start(head)
    if text[:1] in (b"{", b"["):
        return Kind.GEOJSON
    if text[:1] == b"<":
        return Kind.KML if _KML_TAG.search(head) else Kind.XML
    return None

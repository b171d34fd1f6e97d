"""Shapefiles with Chinese text: the right encoding, said aloud, and names that decode.

Public API
----------
:func:`read_shapefile` reads one ``.shp`` (with its ``.dbf``, ``.shx``, ``.prj``, ``.cpg``)
into a :class:`~geo_app.io.base.ReadResult`. :func:`shapefile_encoding` decides the text
encoding of the attributes and field names, in this order:

1. ``encoding=`` (the user's ``--encoding``), always;
2. the ``.cpg`` file, when it names a known encoding (see :func:`cpg_codec`);
3. the DBF language-driver byte (offset 29), when it names a code page
   (:data:`LDID_CODECS`: 0x4D and 0x7A are GBK/cp936, 0x4F and 0x78 Big5/cp950, …);
   0 ("none") and 0x57 ("ANSI", the writer's Windows code page, not named) say nothing;
4. otherwise the bytes decide: UTF-8 when the field names' and text values' bytes are
   valid UTF-8, else GB18030 (a superset of GBK and GB2312).

GDAL alone reads a ``.cpg``-less DBF with code page 0 as ISO-8859-1, which turns
``曾都区`` into ``æ›¾éƒ½åŒº`` (UTF-8) or ``Ôø¶¼Çø`` (GBK); the decided encoding is passed to
pyogrio (GDAL's ``SHAPE_ENCODING``), so values *and* field names decode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pyogrio
from pandas.api.types import is_object_dtype, is_string_dtype
from pyogrio.errors import DataLayerError, DataSourceError

from geo_app.errors import InputError
from geo_app.io._read_ogr import gdal_reason
from geo_app.io.base import FileFormat, ReadResult
from geo_app.io.encoding import detect_text_encoding, normalise_encoding

__all__ = [
    "LDID_CODECS",
    "ShapefileEncoding",
    "cpg_codec",
    "read_shapefile",
    "shapefile_encoding",
]

#: DBF language-driver ids (byte 29) → (Python codec, what it is called). Only ids that
#: *name* a code page; 0 and 0x57 (ANSI) do not and leave the choice to the bytes.
LDID_CODECS: dict[int, tuple[str, str]] = {
    0x01: ("cp437", "DOS USA (cp437)"),
    0x02: ("cp850", "DOS multilingual (cp850)"),
    0x03: ("cp1252", "Windows ANSI Western (cp1252)"),
    0x13: ("cp932", "Japanese Shift-JIS (cp932)"),
    0x26: ("cp866", "Russian DOS (cp866)"),
    0x4D: ("gb18030", "GBK (cp936)"),
    0x4E: ("cp949", "Korean (cp949)"),
    0x4F: ("cp950", "Big5 (cp950)"),
    0x50: ("cp874", "Thai (cp874)"),
    0x58: ("cp1252", "Western European ANSI (cp1252)"),
    0x59: ("cp1252", "Spanish ANSI (cp1252)"),
    0x64: ("cp852", "Eastern European DOS (cp852)"),
    0x65: ("cp866", "Russian DOS (cp866)"),
    0x78: ("cp950", "Big5 (cp950)"),
    0x79: ("cp949", "Korean (cp949)"),
    0x7A: ("gb18030", "GBK (cp936)"),
    0x7B: ("cp932", "Japanese (cp932)"),
    0x7C: ("cp874", "Thai (cp874)"),
    0xC8: ("cp1250", "Eastern European Windows (cp1250)"),
    0xC9: ("cp1251", "Russian Windows (cp1251)"),
    0xCA: ("cp1254", "Turkish Windows (cp1254)"),
    0xCB: ("cp1253", "Greek Windows (cp1253)"),
    0xCC: ("cp1257", "Baltic Windows (cp1257)"),
}
_LDID_ANSI = 0x57

#: ``.cpg`` contents (upper case, spaces removed) → Python codec.
_CPG_ALIASES: dict[str, str] = {
    "UTF-8": "utf-8", "UTF8": "utf-8", "65001": "utf-8", "CP65001": "utf-8",
    "GBK": "gb18030", "GB2312": "gb18030", "GB18030": "gb18030", "936": "gb18030",
    "CP936": "gb18030", "ANSI936": "gb18030", "54936": "gb18030", "CP54936": "gb18030",
    "EUC-CN": "gb18030", "950": "cp950", "CP950": "cp950", "BIG5": "cp950",
    "ANSI950": "cp950", "1252": "cp1252", "CP1252": "cp1252", "ANSI1252": "cp1252",
    "ISO-8859-1": "iso8859-1", "ISO8859-1": "iso8859-1", "88591": "iso8859-1",
    "LATIN1": "iso8859-1", "932": "cp932", "SHIFT_JIS": "cp932", "949": "cp949",
}
#: Read by GDAL as this, a DBF's bytes come through unchanged (one character per byte).
_BYTES_AS_TEXT = "iso8859-1"
#: How much of the DBF's records is scanned to detect the encoding.
_SCAN_RECORD_BYTES = 16 * 1024 * 1024
#: Enough non-ASCII text to decide.
_ENOUGH_TEXT_BYTES = 256 * 1024


@dataclass(frozen=True)
class ShapefileEncoding:
    """The encoding decided for a shapefile's attributes, why, and anything to tell."""

    codec: str
    reason: str
    notes: list[str] = field(default_factory=list)


def cpg_codec(text: str) -> str | None:
    """The Python codec a ``.cpg`` file's content names, or None when it names none known.

    ``UTF-8``, ``utf8``, ``65001`` → ``utf-8``; ``GBK``, ``GB2312``, ``936``, ``CP936``,
    ``ANSI 936``, ``GB18030`` → ``gb18030``; other names Python knows are used as they are.
    """
    key = "".join(text.strip().strip("\ufeff").split()).upper()
    if not key:
        return None
    if key in _CPG_ALIASES:
        return _CPG_ALIASES[key]
    try:
        return normalise_encoding(key)
    except InputError:
        return None


def _sibling(shp: Path, suffix: str) -> Path | None:
    """The shapefile's part with ``suffix`` (``.cpg``), in any letter case, or None."""
    for candidate in (shp.with_suffix(suffix), shp.with_suffix(suffix.upper())):
        if candidate.is_file():
            return candidate
    try:
        for other in shp.parent.iterdir():
            if other.stem == shp.stem and other.suffix.lower() == suffix:
                return other
    except OSError:
        return None
    return None


def _trim_partial_utf8(value: bytes) -> bytes:
    """Drop an incomplete UTF-8 sequence at the end (a value cut at the field width)."""
    for back in range(1, min(4, len(value)) + 1):
        byte = value[-back]
        if byte & 0xC0 == 0x80:
            continue  # a continuation byte: look further back for the lead byte
        if byte >= 0xC0:
            needed = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return value[:-back] if needed > back else value
        return value
    return value


@dataclass(frozen=True)
class _Dbf:
    ldid: int
    names: list[bytes]
    text_fields: list[tuple[int, int]]  # (offset in the record, width)
    header_len: int
    record_len: int
    n_records: int


def _dbf_header(dbf: Path, name: str) -> _Dbf:
    try:
        with dbf.open("rb") as f:
            head = f.read(32)
            if len(head) < 32:
                raise InputError(_truncated(name, ".dbf"))
            header_len = int.from_bytes(head[8:10], "little")
            descriptors = f.read(max(header_len - 32, 0))
    except OSError as exc:
        raise InputError(f"{name}: its .dbf cannot be read ({exc.strerror or exc}).") from None
    n_records = int.from_bytes(head[4:8], "little")
    record_len = int.from_bytes(head[10:12], "little")
    names: list[bytes] = []
    text_fields: list[tuple[int, int]] = []
    offset = 1  # the deletion flag
    for start in range(0, len(descriptors) - 31, 32):
        desc = descriptors[start:start + 32]
        if desc[0] == 0x0D:
            break
        kind = chr(desc[11])
        width = desc[16] + (desc[17] << 8 if kind == "C" else 0)
        names.append(desc[:11].split(b"\0", 1)[0])
        if kind == "C":
            text_fields.append((offset, width))
        offset += width
    expected = header_len + n_records * record_len
    size = dbf.stat().st_size
    if size < expected:
        raise InputError(_truncated(name, ".dbf", size, expected))
    return _Dbf(head[29], names, text_fields, header_len, record_len, n_records)


def _truncated(name: str, part: str, size: int | None = None, expected: int | None = None
               ) -> str:
    sizes = f" ({size:,} bytes where its header says {expected:,})" if size is not None else ""
    return (f"{name}: the {part} file is truncated{sizes}. Copy or export the shapefile "
            "again, with all of its files (.shp, .shx, .dbf, .prj, .cpg).")


def _text_bytes(dbf: Path, info: _Dbf) -> bytes:
    """Field names and the non-ASCII text values (bounded), joined by newlines."""
    parts = [_trim_partial_utf8(n) if len(n) >= 10 else n
             for n in info.names if not n.isascii()]
    if not info.text_fields or info.record_len <= 0:
        return b"\n".join(parts)
    total = sum(len(p) for p in parts)
    with dbf.open("rb") as f:
        f.seek(info.header_len)
        data = f.read(min(info.n_records * info.record_len, _SCAN_RECORD_BYTES))
    view = memoryview(data)
    for start in range(0, len(data) - info.record_len + 1, info.record_len):
        for offset, width in info.text_fields:
            raw = bytes(view[start + offset:start + offset + width])
            if raw.isascii():
                continue
            value = raw.rstrip(b" \0")
            if len(value) == width:
                value = _trim_partial_utf8(value)
            parts.append(value)
            total += len(value)
        if total >= _ENOUGH_TEXT_BYTES:
            break
    return b"\n".join(parts)


def _detected(text: bytes, why: str, name: str) -> tuple[str, str]:
    try:
        codec, reason = detect_text_encoding(text)
    except InputError:
        raise InputError(
            f"{name}: the attribute text is neither UTF-8 nor GBK/GB18030 ({why}). Give its "
            "encoding with --encoding."
        ) from None
    if codec == "utf-8-sig":
        codec = "utf-8"
    if text.isascii():
        return "utf-8", f"{why}: the field names and text values are plain ASCII"
    return codec, f"{why}: {reason.replace('the non-ASCII bytes', 'the field bytes')}"


def _decodes(text: bytes, codec: str) -> bool:
    try:
        text.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def shapefile_encoding(
    shp: Path | str, *, given: str | None = None, source: str | None = None
) -> ShapefileEncoding:
    """Decide the encoding of a shapefile's attributes and field names, and say why.

    See the module docstring for the order. A declaration (``.cpg`` or code-page byte)
    whose codec cannot decode the bytes is set aside for detection, with a note.
    """
    shp = Path(shp)
    name = source or shp.name
    if given:
        codec = normalise_encoding(given)
        return ShapefileEncoding(codec, f"given with --encoding {given}")
    dbf = _sibling(shp, ".dbf")
    cpg = _sibling(shp, ".cpg")
    info = _dbf_header(dbf, name) if dbf else None
    text = _text_bytes(dbf, info) if dbf and info else b""
    notes: list[str] = []
    declared: tuple[str, str] | None = None
    why = "no .cpg"
    if cpg is not None:
        content = cpg.read_bytes()[:64].decode("ascii", errors="replace").strip()
        codec = cpg_codec(content)
        if codec:
            declared = codec, f"the .cpg file says {content}"
        else:
            why = f"the .cpg file says '{content}', not an encoding geo_app knows"
    if declared is None and info is not None:
        ldid = info.ldid
        if ldid in LDID_CODECS:
            codec, label = LDID_CODECS[ldid]
            declared = codec, f"the DBF code-page byte 0x{ldid:02X} names {label}"
        elif ldid == _LDID_ANSI:
            why += " and DBF code page 0x57 ('ANSI': the writer's Windows code page, unnamed)"
        else:
            why += f" and DBF code page {ldid if ldid == 0 else f'0x{ldid:02X}'}"
    if declared is not None:
        codec, reason = declared
        if _decodes(text, codec):
            if codec == "gb18030" and not text.isascii() and _decodes(text, "utf-8"):
                notes.append(f"{reason}, but the text bytes are also valid UTF-8, which GBK "
                             "text rarely is: if names look wrong, read with --encoding utf-8")
            return ShapefileEncoding(codec, reason, notes)
        why = f"{reason}, but the field bytes are not valid {codec}"
    if dbf is None:
        return ShapefileEncoding("utf-8", "no .dbf file: the shapefile has no attributes")
    codec, reason = _detected(text, why, name)
    return ShapefileEncoding(codec, reason, notes)


def _check_shp(shp: Path, name: str) -> None:
    """Refuse an empty or truncated ``.shp`` (GDAL reads a cut file without a word)."""
    size = shp.stat().st_size
    if size == 0:
        raise InputError(f"{name} is empty (0 bytes): copy or export the shapefile again.")
    with shp.open("rb") as f:
        head = f.read(28)
    if len(head) < 28 or int.from_bytes(head[:4], "big") != 9994:
        raise InputError(
            f"{name} is not a valid shapefile (.shp) - its first bytes are not a shapefile "
            "header: it is damaged or another kind of file. Export it again."
        )
    expected = int.from_bytes(head[24:28], "big") * 2
    if size < expected:
        raise InputError(_truncated(name, ".shp", size, expected))


def _decode_bytes(raw: bytes, codec: str) -> tuple[str, bool]:
    """Decode; a multibyte character cut at the very end is dropped (second item True)."""
    try:
        return raw.decode(codec), False
    except UnicodeDecodeError as exc:
        if exc.end == len(raw) and exc.start >= len(raw) - 3:
            return raw[:exc.start].decode(codec), True
        raise


def _decoded(raw: gpd.GeoDataFrame, decided: ShapefileEncoding, name: str, notes: list[str]
             ) -> gpd.GeoDataFrame:
    """Field names and text values decoded from their bytes with the decided codec."""
    codec = decided.codec
    geometry = raw.geometry.name
    renames: dict[str, str] = {}
    try:
        for column in raw.columns:
            if column == geometry or str(column).isascii():
                continue
            text, cut = _decode_bytes(str(column).encode(_BYTES_AS_TEXT), codec)
            renames[column] = text
            if cut:
                notes.append(f"field name '{text}' was cut mid-character at the DBF's 10-byte "
                             "limit by the program that wrote the file")
    except UnicodeDecodeError:
        raise InputError(_not_in(name, decided, "the field names")) from None
    out = raw.rename(columns=renames)
    for column in out.columns:
        dtype = out[column].dtype
        if column == geometry or not (is_object_dtype(dtype) or is_string_dtype(dtype)):
            continue
        out[column] = _decoded_values(out[column].tolist(), codec, name, decided, column)
    return gpd.GeoDataFrame(out, geometry=geometry, crs=raw.crs)


def _decoded_values(values: list, codec: str, name: str, decided: ShapefileEncoding,
                    column: str) -> list:
    decoded = []
    for row, value in enumerate(values):
        if isinstance(value, str) and not value.isascii():
            try:
                value = _decode_bytes(value.encode(_BYTES_AS_TEXT), codec)[0]
            except UnicodeDecodeError:
                raise InputError(_not_in(name, decided, f"field '{column}', row {row + 1}")
                                 ) from None
        decoded.append(value)
    return decoded


def _not_in(name: str, decided: ShapefileEncoding, where: str) -> str:
    return (f"{name}: the attribute text is not valid {decided.codec} ({where}; "
            f"{decided.reason}). Give the right encoding with --encoding (gbk or utf-8).")


def read_shapefile(
    path: Path | str, *, encoding: str | None = None, source: str | None = None
) -> ReadResult:
    """Read a ``.shp`` with its sibling files, decoding text in the right encoding.

    Parameters
    ----------
    path
        The ``.shp`` file.
    encoding
        The user's ``--encoding``, overriding ``.cpg``, code-page byte and detection.
    source
        The name shown to the user (an upload's or zip member's name).

    Returns
    -------
    ReadResult
        ``format`` SHAPEFILE; ``encoding``/``encoding_reason`` as decided by
        :func:`shapefile_encoding`; ``gdf.crs`` from the ``.prj`` (``crs_reason``
        ``"the .prj file"``) or None when there is none.

    Raises
    ------
    InputError
        Missing ``.shx``, empty, truncated or damaged files, text not in the encoding.
    """
    shp = Path(path)
    name = source or shp.name
    if not shp.is_file():
        raise InputError(f"No file at {name}. Check the path.")
    _check_shp(shp, name)
    if _sibling(shp, ".shx") is None:
        raise InputError(
            f"{name}: its .shx file is missing. A shapefile is several files with the same "
            "name (.shp, .shx, .dbf, .prj, .cpg): send them all, e.g. zipped together."
        )
    decided = shapefile_encoding(shp, given=encoding, source=name)
    notes = list(decided.notes)
    try:
        # GDAL hands the DBF's bytes over unchanged as ISO-8859-1; they are decoded here, so a
        # name or value cut mid-character at the field width (GDAL cuts UTF-8 names at 10
        # bytes) loses that character instead of failing the whole read.
        raw = pyogrio.read_dataframe(shp, encoding=_BYTES_AS_TEXT)
    except (DataSourceError, DataLayerError) as exc:
        raise InputError(
            f"{name} cannot be read as a shapefile ({gdal_reason(exc, shp, name)}): it is "
            "damaged or incomplete. Export it again with all of its files."
        ) from None
    gdf = _decoded(raw, decided, name, notes)
    if _sibling(shp, ".dbf") is None:
        notes.append(f"{name} has no .dbf file: the features have no attributes")
    prj = _sibling(shp, ".prj")
    if gdf.crs is not None:
        crs_reason = "the .prj file"
    elif prj is not None:
        crs_reason = None
        notes.append("the .prj file could not be understood: the CRS will be inferred from "
                     "the coordinates")
    else:
        crs_reason = None
    return ReadResult(
        gdf=gpd.GeoDataFrame(gdf),
        format=FileFormat.SHAPEFILE,
        source=name,
        encoding=decided.codec,
        encoding_reason=decided.reason,
        crs_reason=crs_reason,
        notes=notes,
    )


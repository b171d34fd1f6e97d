"""KML and KMZ (Google Earth, 奥维 Ovital, Amap exports): every folder, names and fields kept.

Public API
----------
:func:`read_kml` returns a :class:`~geo_app.io.base.ReadResult` with one row per placemark
of every folder, columns ``folder`` (the folder or document the placemark is in), ``name``
(``<name>``) and ``description`` (``<description>``) when any placemark has one, then every
ExtendedData field (``Data`` / ``SchemaData`` ``SimpleData``: ``NAME``, ``FCNAME``, ``DKBH``…
as written; :func:`geo_app.io.fields.map_fields` maps them), ``placemark_id`` when
placemarks carry ids, and ``geometry`` (2D). ``gdf.crs`` is EPSG:4326: KML is defined as
WGS 84 lon/lat.

:func:`gcj02_hint` returns a note when a file's text shows an Amap/奥维-style origin
(such files are often GCJ-02, ~600 m off WGS 84); the GeoJSON reader reuses it.

KMZ: every ``.kml`` inside the zip is read from memory (GDAL writes ``doc.kml`` plus
``layers/*.kml``), refused above :data:`MAX_KML_BYTES` uncompressed in all. A KML whose
XML declaration names an encoding the KML parser does not know (GB2312, GBK) is decoded
in Python and passed on as UTF-8.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from geo_app.errors import InputError
from geo_app.io.base import FileFormat, ReadResult
from geo_app.io.encoding import detect_text_encoding, normalise_encoding

__all__ = ["GCJ02_MARKERS", "MAX_KML_BYTES", "gcj02_hint", "read_kml"]

#: Largest KML text (bytes, uncompressed) read from a file or a KMZ.
MAX_KML_BYTES = 256 * 1024 * 1024
#: Words in a file's text that betray an Amap / 奥维 (Ovital) origin, i.e. likely GCJ-02.
GCJ02_MARKERS = ("amap", "autonavi", "ovital", "gcj", "高德", "奥维")

CRS_REASON = "KML is defined as WGS 84 longitude/latitude (EPSG:4326)"
_GCJ02 = re.compile("|".join(re.escape(m) for m in GCJ02_MARKERS), re.IGNORECASE)
_DECLARATION = re.compile(rb"""\A(\s*<\?xml[^>]*?encoding\s*=\s*["'])([^"']+)(["'])""")
_PLACEMARK = re.compile(rb"<(?:\w+:)?Placemark\b")
#: The name GDAL gives a KML document without <name> (pyogrio's in-memory file name).
_MEMORY_NAME = re.compile(r"pyogrio_[0-9a-f]{32}")
#: LIBKML's display fields (how a placemark is drawn, not land data), as the GDAL option
#: naming each and the name GDAL gives it while we read (see _kml_field_names).
_DISPLAY_FIELDS = {key: f"kml_{key[7:-6].lower()}__" for key in (
    "LIBKML_TIMESTAMP_FIELD", "LIBKML_BEGIN_FIELD", "LIBKML_END_FIELD",
    "LIBKML_ALTITUDEMODE_FIELD", "LIBKML_TESSELLATE_FIELD", "LIBKML_EXTRUDE_FIELD",
    "LIBKML_VISIBILITY_FIELD", "LIBKML_DRAWORDER_FIELD", "LIBKML_ICON_FIELD",
    "LIBKML_SNIPPET_FIELD")}
_DISPLAY_COLUMNS = tuple(_DISPLAY_FIELDS.values())
#: Names GDAL gives ``<name>``, ``<description>`` and the placemark's ``id`` while we read.
_NAME_FIELD, _DESCRIPTION_FIELD, _ID_FIELD = "kml_name__", "kml_description__", "kml_id__"


def gcj02_hint(raw_text: str, *, kind: str = "KML") -> str | None:
    """A note for the user when ``raw_text`` shows an Amap/奥维-style origin, else None.

    Looks (case-insensitively) for :data:`GCJ02_MARKERS`. ``kind`` names the format in
    the note (``"KML"``, ``"GeoJSON"``).
    """
    found = _GCJ02.search(raw_text)
    if found is None:
        return None
    return (
        f"This {kind} mentions '{found.group(0)}': {kind} from Amap (高德)/奥维 is often "
        "GCJ-02 (~600 m off): if shapes sit off the basemap, import with --gcj02."
    )


def read_kml(path: Path | str, *, source: str | None = None) -> ReadResult:
    """Read every placemark of a ``.kml`` or ``.kmz`` file.

    Parameters
    ----------
    path
        The ``.kml`` or ``.kmz`` file (a KMZ is recognised by its zip bytes too).
    source
        The file name to show in messages (an upload's name); defaults to ``path``'s name.

    Returns
    -------
    ReadResult
        ``gdf`` in EPSG:4326 with ``folder``, ``name``, ``description``, the ExtendedData
        fields and ``geometry``; ``encoding`` and ``encoding_reason`` from the XML
        declaration (or the bytes); ``notes`` with a GCJ-02 hint for Amap/奥维-style
        files and the count of placemarks without geometry.

    Raises
    ------
    InputError
        Missing, empty, not KML, damaged XML, a KMZ without a ``.kml`` or too large, or no
        placemark with a geometry.
    """
    path = Path(path)
    name = source or path.name
    if not path.is_file():
        raise InputError(f"No file at {path}. Check the path.")
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{name} is empty. Export the KML again.")
    documents = _kmz_documents(path, name) if data.startswith(b"PK") else [("", data)]
    frames: list[gpd.GeoDataFrame] = []
    texts, codecs_used, reasons = [], [], []
    for member, raw in documents:
        label = f"{name}/{member}" if member else name
        text, utf8, codec, reason = _decode(raw, label)
        if b"<kml" not in utf8[:65536] and b":kml" not in utf8[:65536]:
            raise InputError(
                f"{label} is not a KML file (no <kml> element). Export the layer as KML or KMZ."
            )
        if not _PLACEMARK.search(utf8):  # e.g. GDAL's doc.kml of links to layers/*.kml
            texts.append(text)
            continue
        frames.extend(_read_frames(utf8, label, Path(member or name).stem if member != "doc.kml"
                                   else Path(name).stem))
        texts.append(text)
        if codec not in codecs_used:
            codecs_used.append(codec)
            reasons.append(f"{member}: {reason}" if member else reason)
    gdf, without_geometry = _assemble(frames, name)
    notes = []
    hint = gcj02_hint("\n".join(texts))
    if hint:
        notes.append(hint)
    if without_geometry:
        notes.append(f"Skipped {without_geometry} placemark(s) without a geometry.")
    return ReadResult(
        gdf=gdf,
        format=FileFormat.KML,
        source=name,
        encoding=codecs_used[0] if len(codecs_used) == 1 else ", ".join(codecs_used),
        encoding_reason="; ".join(reasons),
        crs_reason=CRS_REASON,
        notes=notes,
    )


def _kmz_documents(path: Path, name: str) -> list[tuple[str, bytes]]:
    """Every ``.kml`` inside a KMZ (``doc.kml`` first), within :data:`MAX_KML_BYTES` in all.

    GDAL writes a KMZ as a ``doc.kml`` linking to ``layers/*.kml``; 奥维 and Google Earth
    write one ``doc.kml``. Each is read on its own; a file of links only holds no placemarks.
    """
    limit = f"the {MAX_KML_BYTES // 2**20} MB limit. Split the layer into smaller files."
    try:
        with zipfile.ZipFile(path) as archive:
            members = sorted(
                (m for m in archive.infolist()
                 if m.filename.lower().endswith(".kml") and not m.is_dir()),
                key=lambda m: (m.filename.lower() != "doc.kml", m.filename.count("/"),
                               m.filename),
            )
            if not members:
                raise InputError(
                    f"{name} is a zip without a .kml inside, not a KMZ. Export the layer as "
                    "KML or KMZ."
                )
            total = sum(m.file_size for m in members)
            if total > MAX_KML_BYTES:
                raise InputError(f"{name}: its KML expands to {total / 2**20:.0f} MB, over {limit}")
            documents, read = [], 0
            for member in members:
                with archive.open(member) as handle:
                    raw = handle.read(MAX_KML_BYTES - read + 1)
                read += len(raw)
                if read > MAX_KML_BYTES:  # the sizes in the zip's directory lied
                    raise InputError(f"{name}: its KML expands to over {limit}")
                documents.append((member.filename, raw))
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError):
        raise InputError(
            f"{name} is not a readable KMZ (a damaged or truncated zip). Export it again."
        ) from None
    return documents


def _decode(data: bytes, name: str) -> tuple[str, bytes, str, str]:
    """The text, UTF-8 bytes for GDAL (declaration fixed), the codec and why."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec, reason = "utf-16", "the bytes start with a UTF-16 byte-order mark"
    else:
        declared = _DECLARATION.match(data)
        if declared:
            label = declared.group(2).decode("ascii", "replace")
            try:
                codec = normalise_encoding(label)
            except InputError:
                raise InputError(
                    f'{name}: its XML declaration names an unknown encoding "{label}". '
                    "Export the KML again as UTF-8."
                ) from None
            reason = f'the XML declaration says encoding="{label}"'
            if codec == "gb18030" and label.lower() != "gb18030":
                reason += " (read as GB18030, its superset)"
        else:
            codec, why = detect_text_encoding(data)
            reason = f"no encoding in the XML declaration (XML's default is UTF-8); {why}"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        raise InputError(
            f"{name}: the text is not valid {codec} ({reason}). Fix the encoding in its XML "
            "declaration or export the KML again as UTF-8."
        ) from None
    text = text.lstrip("\ufeff")
    utf8 = text.encode("utf-8")
    found = _DECLARATION.match(utf8)
    if found:
        utf8 = found.group(1) + b"UTF-8" + found.group(3) + utf8[found.end():]
    return text, utf8, codec, reason


@contextmanager
def _kml_field_names() -> Iterator[None]:
    """Make GDAL put ``<name>``/``<description>`` in fields no ExtendedData field clashes with.

    GDAL's LIBKML driver calls ``<name>`` "Name" and matches field names case-insensitively,
    so an ExtendedData ``NAME`` would overwrite ``<name>`` (and come out empty as ``NAME2``);
    likewise an ExtendedData ``ID`` came out as ``ID2`` beside the placemark's ``id``, and
    ``BEGIN``, ``END``, ``ICON``… beside the display fields.
    """
    names = {"LIBKML_NAME_FIELD": _NAME_FIELD, "LIBKML_DESCRIPTION_FIELD": _DESCRIPTION_FIELD,
             "LIBKML_ID_FIELD": _ID_FIELD, **_DISPLAY_FIELDS}
    before = {key: pyogrio.get_gdal_config_option(key) for key in names}
    pyogrio.set_gdal_config_options(names)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def _read_frames(utf8: bytes, label: str, unnamed: str) -> list[gpd.GeoDataFrame]:
    """The placemarks of one KML document, one frame per folder that has any.

    Layers are opened by index: GDAL names an unnamed document after the in-memory file,
    which differs between two calls; such a folder is called ``unnamed`` (the file's stem).
    """
    frames = []
    try:
        with _kml_field_names():
            for index, (layer, _kind) in enumerate(pyogrio.list_layers(utf8)):
                frame = pyogrio.read_dataframe(utf8, layer=index)
                folder = unnamed if _MEMORY_NAME.fullmatch(str(layer)) else str(layer)
                if len(frame):
                    frames.append(_tidy(frame, folder))
    except (DataSourceError, DataLayerError) as exc:
        detail = re.sub(r"/vsimem/\S+", "", str(exc)).replace("ERROR parsing kml", "")
        raise InputError(
            f"{label} is not readable KML ({' '.join(detail.split()).strip(' :')}). It may be "
            "damaged or truncated: export it again."
        ) from None
    return frames


def _assemble(frames: list[gpd.GeoDataFrame], name: str) -> tuple[gpd.GeoDataFrame, int]:
    """All folders in one frame (EPSG:4326, 2D); placemarks without geometry dropped, counted."""
    if not frames:
        raise InputError(f"{name} holds no placemarks. Export a layer with features as KML.")
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry")
    has_geometry = gdf.geometry.notna() & ~gdf.geometry.is_empty
    without = int((~has_geometry).sum())
    if not has_geometry.any():
        raise InputError(f"{name} has {without} placemark(s) but none with a geometry.")
    gdf = gpd.GeoDataFrame(gdf[has_geometry].reset_index(drop=True), geometry="geometry",
                           crs="EPSG:4326")
    gdf["geometry"] = shapely.force_2d(gdf.geometry.to_numpy())
    return gdf, without


def _blank(values: pd.Series) -> bool:
    """Whether a column holds nothing: every value null or blank text."""
    return bool(values.isna().all() or values.astype("string").str.strip().fillna("").eq("").all())


def _tidy(frame: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """One layer's placemarks: folder first, KML's name/description, display columns gone."""
    frame = frame.drop(columns=[c for c in _DISPLAY_COLUMNS if c in frame.columns])
    # placemarks without <name>/<description>: no empty column that would keep an
    # ExtendedData NAME or FCNAME from being taken for the name
    frame = frame.drop(columns=[c for c in (_NAME_FIELD, _DESCRIPTION_FIELD)
                                if c in frame.columns and _blank(frame[c])])
    renames = {}
    if _ID_FIELD in frame.columns:
        renames[_ID_FIELD] = "placemark_id"
    for kml_field, column in ((_NAME_FIELD, "name"), (_DESCRIPTION_FIELD, "description")):
        if kml_field in frame.columns:
            # an ExtendedData field of the same name keeps its own name: nothing overwritten
            renames[kml_field] = column if column not in frame.columns else f"kml_{column}"
    frame = frame.rename(columns=renames)
    if "placemark_id" in frame.columns and frame["placemark_id"].isna().all():
        frame = frame.drop(columns="placemark_id")
    frame.insert(0, "folder", layer)
    return frame

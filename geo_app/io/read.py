"""The one way geo_app reads a file: :func:`read_any`.

The CLI (``area``, ``import``), the import pipeline and the app's Import page all call
:func:`read_any`, so a file is read the same way everywhere. It recognises the format
from the content's first bytes *and* the extension (a wrong extension over recognisable
content is read as what it is, with a note), unpacks zips safely into a temporary folder
that is always removed (:mod:`geo_app.io.archive`), and dispatches:

=======================  =====================================================
folder                   the one dataset inside (shapefiles first), else a list
``.shp``                 :func:`geo_app.io.shapefile.read_shapefile` (encoding!)
``.zip``                 the one dataset inside; several: ``layer`` names one
``.gpkg``                the one layer, or ``layer``
``.geojson``/``.json``   GDAL, then the CRS checked (RFC 7946 vs metres)
``.fgb``                 GDAL
``.csv``                 :func:`geo_app.io.csv.read_csv`
``.kml``/``.kmz``        :func:`geo_app.io.kml.read_kml`
``.dxf``                 :func:`geo_app.io.dxf.read_dxf`
``.txt``                 :func:`geo_app.io.boundary_txt.read_boundary_txt` for a 部标
                         TXT, else CSV
anything else            GDAL, when it can (format OTHER)
=======================  =====================================================

Every user mistake (missing, empty, damaged, truncated or unknown file, several layers
without a choice) raises :class:`~geo_app.errors.InputError` with one line saying what is
wrong and what to do.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyogrio

from geo_app.errors import InputError
from geo_app.io._read_ogr import _OGR_ERRORS, read_ogr
from geo_app.io._read_sniff import (
    BINARY_KINDS,
    EXTENSIONS,
    HEAD_BYTES,
    LABELS,
    Kind,
    looks_like_boundary_txt,
    sniff,
)
from geo_app.io.archive import extracted_zip
from geo_app.io.base import FileFormat, ReadResult

__all__ = ["DATASET_SUFFIXES", "SUPPORTED_FORMATS", "read_any"]

#: What the user is told geo_app reads.
SUPPORTED_FORMATS = (
    "Shapefile (.shp, a folder or a .zip), GeoPackage (.gpkg), GeoJSON (.geojson, .json), "
    "FlatGeobuf (.fgb), CSV (.csv), KML/KMZ, DXF (.dxf), 部标 boundary TXT (.txt)"
)
#: Files inside a zip or folder that can be the dataset (main ones first).
DATASET_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".fgb", ".kml", ".kmz", ".dxf",
                    ".txt", ".csv")
_MAIN_SUFFIXES = frozenset(DATASET_SUFFIXES) - {".txt", ".csv"}
_OGR_FORMATS = {
    Kind.GEOPACKAGE: FileFormat.GEOPACKAGE,
    Kind.GEOJSON: FileFormat.GEOJSON,
    Kind.FLATGEOBUF: FileFormat.FLATGEOBUF,
}


def read_any(
    path: Path | str,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    source: str | None = None,
) -> ReadResult:
    """Read any file geo_app supports into a :class:`~geo_app.io.base.ReadResult`.

    Parameters
    ----------
    path
        A file, a folder holding a shapefile (or one other dataset), or a ``.zip``.
    layer
        ``--layer``: the layer of a multi-layer file (GeoPackage), or the member of a zip
        or folder holding several datasets (its file name, stem or path inside).
    encoding
        ``--encoding``: the text encoding, overriding what the file says (shapefile, CSV,
        DXF, boundary TXT; ignored by formats that fix it, with a note).
    source
        The name the user knows the file by (for an upload, its original name, not the
        temporary path); shown in messages and kept as ``ReadResult.source``.

    Returns
    -------
    ReadResult
        ``gdf.crs`` is what the file declares (None if nothing; the analysis infers it),
        ``crs_reason`` where it came from, ``encoding``/``encoding_reason`` how text was
        decoded, ``notes`` what the user must see (a wrong extension, a GeoJSON in metres,
        a GCJ-02 hint…).

    Raises
    ------
    InputError
        One line saying what is wrong and what to do.
    """
    path = Path(path)
    name = source or path.name or str(path)
    if not path.exists():
        raise InputError(f"No file at {source or path}. Check the path.")
    if path.is_dir():
        return _read_folder(path, name, layer=layer, encoding=encoding, zipped=False)
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError as exc:
        raise InputError(f"{name} cannot be opened ({exc.strerror or exc}).") from None
    if size == 0:
        raise InputError(f"{name} is empty (0 bytes): copy or export the file again.")
    kind, notes = _decide_kind(path, name, head)
    # NaN coordinates in a file are reported per feature by the geometry checks, not as a
    # numpy RuntimeWarning on the terminal
    with np.errstate(invalid="ignore"):
        result = _dispatch(path, kind, name, layer=layer, encoding=encoding)
    result.notes[:0] = notes
    return result


def _decide_kind(path: Path, name: str, head: bytes) -> tuple[Kind | None, list[str]]:
    """What to read the file as, from content and extension; a note when they disagree."""
    suffix = path.suffix.lower()
    expected = EXTENSIONS.get(suffix)
    found = sniff(head)
    if expected is Kind.KMZ and found is Kind.ZIP:
        return Kind.KMZ, []
    if found is Kind.OFFICE or (expected is Kind.OFFICE and found in (None, Kind.ZIP)):
        raise InputError(
            f"{name} is an Office document (Excel/Word), not a map layer. Save a table of "
            "coordinates or WKT as CSV, or give one of: " + SUPPORTED_FORMATS + "."
        )
    if found is None:
        if expected in BINARY_KINDS:
            raise InputError(
                f"{name} is not a valid {_plain(LABELS[expected])}: its first bytes are not "
                f"those of {LABELS[expected]}, so it is damaged, truncated or another kind "
                "of file. Export it again."
            )
        if expected is Kind.GEOJSON:
            raise InputError(
                f"{name} is not GeoJSON (it does not start with '{{'): it is damaged or "
                "another kind of file. Export it again as GeoJSON."
            )
        if expected is Kind.KML:
            raise InputError(
                f"{name} is not KML (no <kml> element at its start): it is damaged or "
                "another kind of file. Export it again as KML."
            )
        if expected is Kind.BOUNDARY_TXT:  # a .txt that is not a 部标 file: a table
            return Kind.CSV, []
        return expected, []
    if found is Kind.XML and expected is Kind.KML:
        return Kind.KML, []  # a <kml> element further down: the KML reader decides
    if expected is None or found == expected or (expected, found) in _COMPATIBLE:
        return found, []
    note = (f"{name} has the extension {path.suffix} but holds {LABELS[found]}: read as "
            f"{LABELS[found]}")
    return found, [note]


#: (extension says, content says) pairs that agree.
_COMPATIBLE = {(Kind.CSV, Kind.BOUNDARY_TXT)}


def _plain(label: str) -> str:
    for article in ("a ", "an "):
        if label.startswith(article):
            return label[len(article):]
    return label


def _dispatch(path: Path, kind: Kind | None, name: str, *, layer: str | None,
              encoding: str | None) -> ReadResult:
    if kind is None or kind is Kind.XML:
        return _read_other(path, name, layer=layer, encoding=encoding)
    if kind is Kind.DWG:
        raise InputError(
            f"{name} is a DWG drawing, which geo_app cannot read: save it as DXF in the CAD "
            "program (File > Save As > DXF) and give the .dxf."
        )
    if kind is Kind.ZIP:
        with extracted_zip(path, source=name) as folder:
            return _read_folder(folder, name, layer=layer, encoding=encoding, zipped=True)
    if kind is Kind.SHAPEFILE:
        from geo_app.io.shapefile import read_shapefile

        return read_shapefile(path, encoding=encoding, source=name)
    if kind in _OGR_FORMATS:
        fmt = _OGR_FORMATS[kind]
        result = read_ogr(path, fmt, name=name, label=LABELS[kind], layer=layer)
        if encoding:
            result.notes.append(f"--encoding {encoding} is ignored: {LABELS[kind]} "
                                "fixes its own text encoding (UTF-8)")
        return result
    return _read_text_format(path, kind, name, encoding=encoding)


def _read_text_format(path: Path, kind: Kind, name: str, *, encoding: str | None
                      ) -> ReadResult:
    """The formats other modules read: KML/KMZ, DXF, boundary TXT, CSV."""
    if kind in (Kind.KML, Kind.KMZ):
        from geo_app.io.kml import read_kml

        return read_kml(path, source=name)
    if kind is Kind.DXF:
        from geo_app.io.dxf import read_dxf

        return read_dxf(path, encoding=encoding, source=name)
    if kind is Kind.BOUNDARY_TXT:
        from geo_app.io.boundary_txt import read_boundary_txt

        return read_boundary_txt(path, encoding=encoding, source=name)
    try:
        from geo_app.io.csv import read_csv
    except ImportError:
        raise InputError(f"{name}: this version of geo_app cannot read CSV files yet.") from None
    return read_csv(path, encoding=encoding, source=name)


def _read_other(path: Path, name: str, *, layer: str | None, encoding: str | None
                ) -> ReadResult:
    """Anything else GDAL reads (GML, MapInfo TAB, a FileGDB folder…), as OTHER."""
    try:
        pyogrio.list_layers(path)
    except _OGR_ERRORS:
        raise InputError(
            f"{name} is not a file geo_app can read ({SUPPORTED_FORMATS}). Export the data "
            "in one of these formats."
        ) from None
    return read_ogr(path, FileFormat.OTHER, name=name, label="a GDAL vector file",
                    layer=layer, encoding=encoding)


def _datasets(folder: Path) -> list[Path]:
    """Files in ``folder`` (any depth) that may be the dataset, main formats first."""
    found = [
        p for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in DATASET_SUFFIXES
        and not any(part.startswith(".") or part == "__MACOSX"
                    for part in p.relative_to(folder).parts)
    ]
    main = [p for p in found if p.suffix.lower() in _MAIN_SUFFIXES]
    tables = [p for p in found if p.suffix.lower() not in _MAIN_SUFFIXES]
    boundary = [p for p in tables if p.suffix.lower() == ".txt" and _is_boundary(p)]
    chosen = main + boundary if main or boundary else tables
    return sorted(chosen, key=lambda p: p.relative_to(folder).as_posix())


def _is_boundary(path: Path) -> bool:
    with path.open("rb") as f:
        return looks_like_boundary_txt(f.read(4096))


def _matches(folder: Path, path: Path, layer: str) -> bool:
    wanted = layer.strip().replace("\\", "/").lower()
    rel = path.relative_to(folder).as_posix().lower()
    return wanted in (rel, path.name.lower(), path.stem.lower())


def _read_folder(folder: Path, name: str, *, layer: str | None, encoding: str | None,
                 zipped: bool) -> ReadResult:
    """The one dataset of a folder (an unpacked zip, or a folder of shapefile parts)."""
    if not zipped and folder.suffix.lower() == ".gdb":
        return _read_other(folder, name, layer=layer, encoding=encoding)
    where = "the zip" if zipped else "the folder"
    candidates = _datasets(folder)
    if not candidates:
        raise InputError(_nothing_inside(folder, name, where))
    chosen = candidates[0]
    member_layer = layer
    if len(candidates) > 1 or (layer is not None and any(
            _matches(folder, p, layer) for p in candidates)):
        picked = [p for p in candidates if layer is not None and _matches(folder, p, layer)]
        if len(picked) != 1:
            listed = ", ".join(p.relative_to(folder).as_posix() for p in candidates[:20])
            more = f" and {len(candidates) - 20} more" if len(candidates) > 20 else ""
            given = f"none is named '{layer}'" if layer else "pick one"
            raise InputError(
                f"{name} holds {len(candidates)} datasets ({listed}{more}); {given}: give "
                "its name with --layer (e.g. --layer "
                f"{candidates[0].relative_to(folder).as_posix()})."
            )
        chosen, member_layer = picked[0], None
    rel = chosen.relative_to(folder).as_posix()
    result = read_any(chosen, layer=member_layer, encoding=encoding, source=f"{name}/{rel}")
    result.source = name
    if len(candidates) > 1:
        result.notes.insert(0, f"read {rel} from {where} {name}")
    return result


def _nothing_inside(folder: Path, name: str, where: str) -> str:
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    nested = [f for f in files if f.lower().endswith((".zip", ".rar", ".7z"))]
    if nested:
        return (f"{name} holds another archive ({', '.join(nested[:5])}) instead of the data "
                "files: geo_app does not open archives inside archives. Unpack it and give "
                "the inner archive or its files.")
    shown = ", ".join(files[:10]) + (f" and {len(files) - 10} more" if len(files) > 10 else "")
    return (f"{name}: {where} holds no file geo_app can read"
            f"{f' ({shown})' if files else ' (it is empty)'}. Give one of: {SUPPORTED_FORMATS}.")

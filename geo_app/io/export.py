"""Write a layer as a file a land office exchanges: GeoPackage, GeoJSON, zipped Shapefile,
KML, Excel or the 部标 boundary coordinate TXT.

Public API
----------
:class:`ExportFormat` and :func:`format_from_path` / :func:`parse_format` name the format;
:func:`render_layer` makes the file's bytes (with its name, MIME type and notes) for a
download button, and :func:`write_layer` writes them to a path, whole or not at all.
These depend on :mod:`geo_app.domain` only: areas for the Excel sheet are computed by the
caller (:mod:`geo_app.transfer.export` does it) and passed as ``area_columns``.

Encodings: ``encoding=None`` means the format's own default, UTF-8, except GBK for the
boundary TXT (what land-use approval systems expect). Only the Shapefile and the boundary
TXT can be written in GBK; the other formats are UTF-8 by definition (a note says so when
another encoding was asked for).
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import geopandas as gpd
import pyogrio

from geo_app.domain.layers import LayerSpec
from geo_app.errors import CRSError, InputError
from geo_app.io._export_frame import file_stem, gdal_frame, id_column, name_column
from geo_app.io.kml_write import kml_bytes
from geo_app.io.shp_write import shapefile_zip
from geo_app.io.xlsx_layer import layer_xlsx_bytes

__all__ = [
    "ExportFormat",
    "LayerFile",
    "WrittenFile",
    "format_from_path",
    "parse_format",
    "render_layer",
    "write_layer",
]

#: Longitude/latitude CRS of GeoJSON (RFC 7946) and KML. CGCS2000 (EPSG:4490) coordinates
#: are the same numbers to well under a metre.
LONLAT_EPSG = 4326


class ExportFormat(StrEnum):
    """Formats a layer is exported to (values are the CLI's ``--format`` choices)."""

    GPKG = "gpkg"
    GEOJSON = "geojson"
    SHP = "shp"
    KML = "kml"
    XLSX = "xlsx"
    BOUNDARY_TXT = "boundary-txt"

    @property
    def suffix(self) -> str:
        """The suffix of the file written (a Shapefile is a ``.zip``)."""
        return _SUFFIX[self]

    @property
    def mime(self) -> str:
        return _MIME[self]

    @property
    def label(self) -> str:
        return _LABEL[self]


_SUFFIX = {
    ExportFormat.GPKG: ".gpkg",
    ExportFormat.GEOJSON: ".geojson",
    ExportFormat.SHP: ".zip",
    ExportFormat.KML: ".kml",
    ExportFormat.XLSX: ".xlsx",
    ExportFormat.BOUNDARY_TXT: ".txt",
}
_MIME = {
    ExportFormat.GPKG: "application/geopackage+sqlite3",
    ExportFormat.GEOJSON: "application/geo+json",
    ExportFormat.SHP: "application/zip",
    ExportFormat.KML: "application/vnd.google-earth.kml+xml",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.BOUNDARY_TXT: "text/plain",
}
_LABEL = {
    ExportFormat.GPKG: "GeoPackage",
    ExportFormat.GEOJSON: "GeoJSON",
    ExportFormat.SHP: "Shapefile",
    ExportFormat.KML: "KML",
    ExportFormat.XLSX: "Excel",
    ExportFormat.BOUNDARY_TXT: "boundary TXT",
}
#: File suffixes → format, for :func:`format_from_path`.
_BY_SUFFIX = {
    ".gpkg": ExportFormat.GPKG,
    ".geojson": ExportFormat.GEOJSON,
    ".json": ExportFormat.GEOJSON,
    ".zip": ExportFormat.SHP,
    ".shp": ExportFormat.SHP,
    ".kml": ExportFormat.KML,
    ".xlsx": ExportFormat.XLSX,
    ".txt": ExportFormat.BOUNDARY_TXT,
}
_ALIASES = {
    "geopackage": ExportFormat.GPKG,
    "json": ExportFormat.GEOJSON,
    "shapefile": ExportFormat.SHP,
    "zip": ExportFormat.SHP,
    "excel": ExportFormat.XLSX,
    "txt": ExportFormat.BOUNDARY_TXT,
    "boundary_txt": ExportFormat.BOUNDARY_TXT,
}
_ENCODED = frozenset({ExportFormat.SHP, ExportFormat.BOUNDARY_TXT})
_UTF8 = frozenset({"utf-8", "utf8"})
_NEW_FILE_MODE = 0o644
_CHOICES = "gpkg, geojson, shp, kml, xlsx or boundary-txt"


def _suffix_list() -> str:
    return ", ".join(_BY_SUFFIX)


def format_from_path(path: Path | str) -> ExportFormat:
    """The export format a file name asks for, from its extension.

    Raises
    ------
    InputError
        The extension names no export format.
    """
    name = Path(path).name
    suffix = Path(path).suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    what = f"'{suffix}'" if suffix else "no extension"
    raise InputError(
        f"Cannot tell the export format of '{name}' ({what}). Name the file with one of "
        f"{_suffix_list()} (.zip is a zipped Shapefile, .txt the boundary coordinate TXT), "
        f"or give --format {_CHOICES}."
    )


def parse_format(text: str) -> ExportFormat:
    """The format a user typed (``--format``): a value of :class:`ExportFormat` or an alias."""
    key = text.strip().lower()
    try:
        return ExportFormat(key)
    except ValueError:
        pass
    if key in _ALIASES:
        return _ALIASES[key]
    raise InputError(f"Unknown export format {text!r}. Use one of {_CHOICES}.")


@dataclass
class LayerFile:
    """A layer rendered as a file: its bytes, name, MIME type and what the user must know."""

    data: bytes
    file_name: str
    mime: str
    format: ExportFormat
    features: int
    notes: list[str] = field(default_factory=list)


@dataclass
class WrittenFile:
    """A layer written to disk: where, in which format, how many features, and notes."""

    path: Path
    format: ExportFormat
    features: int
    notes: list[str] = field(default_factory=list)


def _encoding_for(fmt: ExportFormat, encoding: str | None, notes: list[str]) -> str:
    if fmt is ExportFormat.BOUNDARY_TXT:
        return encoding or "gbk"
    if fmt is ExportFormat.SHP:
        return encoding or "utf-8"
    if encoding and encoding.strip().lower().replace("_", "-") not in _UTF8:
        notes.append(
            f"{fmt.label} is always UTF-8; the encoding {encoding!r} applies only to "
            "Shapefile and boundary TXT and was not used."
        )
    return "utf-8"


def _lonlat(gdf: gpd.GeoDataFrame, fmt: ExportFormat) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise CRSError(
            f"The layer has no CRS, so it cannot be written as {fmt.label} (longitude/"
            "latitude). Set the layer's CRS first (the store keeps EPSG:4490)."
        )
    return gdf.to_crs(LONLAT_EPSG)


def _gdal_bytes(frame: gpd.GeoDataFrame, suffix: str, **options: object) -> bytes:
    with tempfile.TemporaryDirectory(prefix="geo_app_export_") as folder:
        path = Path(folder) / f"layer{suffix}"
        pyogrio.write_dataframe(gdal_frame(frame), path, use_arrow=True, **options)
        return path.read_bytes()


def _boundary_txt_bytes(gdf: gpd.GeoDataFrame, spec: LayerSpec | None, encoding: str,
                        notes: list[str]) -> bytes:
    from geo_app.io.boundary_txt import write_boundary_txt

    buffer = io.BytesIO()
    result = write_boundary_txt(
        gdf, buffer, encoding=encoding,
        id_column=id_column(gdf, spec) or "id",
        name_column=name_column(gdf, spec) or "name",
        land_use_column="land_use",
    )
    notes.append(
        f"Boundary TXT: {result.parcels} parcel(s) in CGCS2000 3-degree zone {result.zone} "
        f"(EPSG:{result.epsg}, eastings with the zone prefix), {result.encoding.upper()}, CRLF; "
        "hectares computed from the geometry in that plane."
    )
    notes.extend(result.notes)
    return buffer.getvalue()


def render_layer(
    gdf: gpd.GeoDataFrame,
    *,
    fmt: ExportFormat,
    layer_name: str,
    encoding: str | None = None,
    spec: LayerSpec | None = None,
    area_columns: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> LayerFile:
    """The layer as a file in ``fmt``: bytes, file name (``<layer>.<suffix>``), MIME, notes.

    Parameters
    ----------
    gdf
        The features, in any CRS (GeoJSON and KML are written in lon/lat, the boundary TXT
        in its Gauss-Krüger zone).
    fmt
        The format.
    layer_name
        The layer's name: GeoPackage layer, file name, KML document and sheet title.
    encoding
        ``gbk`` or ``utf-8`` for Shapefile and boundary TXT; ``None`` for the format's
        default (UTF-8; GBK for the boundary TXT).
    spec
        The layer's specification (name and id columns, Chinese headers and labels).
    area_columns
        Columns holding areas, for the Excel sheet (formatted and summed).
    notes
        The caller's remarks (which plane the areas use…): written where the format has
        room for them (the Excel "说明 About" sheet) and returned first in ``notes``.

    Raises
    ------
    InputError
        A value the encoding cannot hold, mixed geometry kinds in a Shapefile, points or
        lines in a boundary TXT, an unsupported encoding.
    CRSError
        No CRS where lon/lat or a Gauss-Krüger zone is needed.
    """
    fmt = ExportFormat(fmt)
    notes = list(notes)
    codec = _encoding_for(fmt, encoding, notes)
    stem = file_stem(layer_name)
    if fmt is ExportFormat.GPKG:
        data = _gdal_bytes(gdf, ".gpkg", driver="GPKG", layer=layer_name)
    elif fmt is ExportFormat.GEOJSON:
        data = _gdal_bytes(_lonlat(gdf, fmt), ".geojson", driver="GeoJSON", layer=layer_name,
                           layer_options={"RFC7946": "YES"})
    elif fmt is ExportFormat.SHP:
        shp = shapefile_zip(gdf, layer_name=layer_name, encoding=codec, spec=spec)
        data = shp.data
        notes.extend(shp.notes)
    elif fmt is ExportFormat.KML:
        data = kml_bytes(_lonlat(gdf, fmt), layer_name=layer_name,
                         name_column=name_column(gdf, spec))
    elif fmt is ExportFormat.XLSX:
        data = layer_xlsx_bytes(gdf.drop(columns=gdf.geometry.name), layer_name=layer_name,
                                spec=spec, area_columns=area_columns, notes=notes)
    else:
        data = _boundary_txt_bytes(gdf, spec, codec, notes)
    return LayerFile(data=data, file_name=f"{stem}{fmt.suffix}", mime=fmt.mime, format=fmt,
                     features=len(gdf), notes=notes)


def check_target(target: Path | str, fmt: ExportFormat) -> tuple[Path, list[str]]:
    """The path to write ``fmt`` to, or an :class:`InputError` saying what is wrong.

    A Shapefile asked for as ``x.shp`` is written as ``x.zip`` beside it (with a note).
    """
    path = Path(target).expanduser()
    notes: list[str] = []
    if path.is_dir():
        raise InputError(
            f"{path} is a folder. Give a file name, e.g. {path / ('layer' + fmt.suffix)}."
        )
    parent = path.parent
    if not parent.exists():
        raise InputError(f"Folder {parent} does not exist. Create it or choose another folder.")
    if not parent.is_dir():
        raise InputError(f"{parent} is a file, not a folder. Choose a folder to write into.")
    suffix = path.suffix.lower()
    if fmt is ExportFormat.SHP and suffix == ".shp":
        path = path.with_suffix(".zip")
        notes.append(f"A Shapefile is several files: they were zipped into {path.name}.")
    elif _BY_SUFFIX.get(suffix) is not fmt:
        wanted = ", ".join(s for s, f in _BY_SUFFIX.items() if f is fmt)
        raise InputError(
            f"'{path.name}' does not end in {wanted}, the extension of a {fmt.label} file. "
            "Rename the file, or choose the format that matches its extension."
        )
    return path, notes


def _atomic_write(path: Path, data: bytes) -> None:
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".part")
    except OSError as exc:
        raise InputError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        # mkstemp creates 0600; give the file the mode of the one it replaces, else 0644
        mode = path.stat().st_mode & 0o777 if path.is_file() else _NEW_FILE_MODE
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_layer(
    gdf: gpd.GeoDataFrame,
    target: Path | str,
    *,
    fmt: ExportFormat | None = None,
    layer_name: str,
    encoding: str | None = None,
    spec: LayerSpec | None = None,
    area_columns: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> WrittenFile:
    """Write the layer to ``target`` (format from its extension unless ``fmt``), atomically.

    The target is checked before any work; the file is written whole or not at all (a
    temporary file in the same folder, then renamed), replacing an existing file.

    Raises
    ------
    InputError
        Unknown extension, extension not matching ``fmt``, missing folder, a folder as
        target, a target that cannot be written; and everything :func:`render_layer` raises.
    """
    chosen = ExportFormat(fmt) if fmt is not None else format_from_path(target)
    path, target_notes = check_target(target, chosen)
    out = render_layer(gdf, fmt=chosen, layer_name=layer_name, encoding=encoding, spec=spec,
                       area_columns=area_columns, notes=notes)
    _atomic_write(path, out.data)
    return WrittenFile(path=path, format=chosen, features=out.features,
                       notes=[*target_notes, *out.notes])

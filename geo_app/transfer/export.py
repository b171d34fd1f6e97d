"""Export a layer of the store as a file: one function per user action.

:func:`export_layer` is ``geo-app export LAYER FILE [--format …] [--encoding gbk|utf-8]``:
it reads the layer, adds the areas for the Excel sheet (mu and ha, plane and ellipsoidal,
via :func:`geo_app.analysis.area.add_areas`) and writes the file whole or not at all.
:func:`export_layer_bytes` (and :func:`prepare_layer_file`, which also returns the notes)
make the same file in memory for the app's download button. The boundary TXT's hectares are
computed by its writer in its own Gauss-Krüger plane.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np

from geo_app.analysis.area import PLANE_COLUMN, POLYGON_TYPES, add_areas
from geo_app.domain.layers import get_spec
from geo_app.io.export import (
    ExportFormat,
    LayerFile,
    check_target,
    format_from_path,
    render_layer,
    write_layer,
)
from geo_app.storage import LayerStore

__all__ = [
    "XLSX_AREA_COLUMNS",
    "ExportResult",
    "export_layer",
    "export_layer_bytes",
    "layer_with_areas",
    "prepare_layer_file",
]

#: Area columns of the Excel export, in order (mu both ways, then ha and m² in the plane,
#: then the plane each feature was measured in).
XLSX_AREA_COLUMNS = ("area_mu_plane", "area_mu_ellipsoidal", "area_ha_plane", "area_m2_plane",
                     PLANE_COLUMN)


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_layer` wrote.

    Attributes
    ----------
    path
        The file written (a Shapefile asked for as ``x.shp`` is ``x.zip``).
    format
        The format written.
    features
        How many features the file holds.
    notes
        What the user must know: field names shortened for the DBF, the plane used for the
        areas, the boundary TXT's zone, an encoding that does not apply…
    """

    path: Path
    format: ExportFormat
    features: int
    notes: tuple[str, ...] = ()


def layer_with_areas(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str], list[str]]:
    """A copy with :data:`XLSX_AREA_COLUMNS` for its polygons, the columns added, and notes.

    Features that are not polygons (points, lines, null or empty geometries) get no area
    (an empty cell, never 0); a layer without polygons gets no area columns.
    """
    geoms = gdf.geometry
    polygons = (geoms.notna() & ~geoms.is_empty & geoms.geom_type.isin(POLYGON_TYPES)).to_numpy()
    if not polygons.any():
        notes = ["The layer holds no polygons, so the sheet has no area columns."] if len(
            gdf) else []
        return gdf, [], notes
    measured, plane = add_areas(gdf[polygons])
    out = gdf.copy()
    for column in XLSX_AREA_COLUMNS:
        text = column == PLANE_COLUMN
        values = np.full(len(out), None if text else np.nan, dtype=object if text else float)
        values[polygons] = measured[column].to_numpy()
        out[column] = values
    notes = [
        f"Plane areas (CGCS2000 Gauss-Krüger): {plane.reason}; the last column names the "
        "plane of each feature. Ellipsoidal areas on the CGCS2000 (GRS80) ellipsoid. "
        "1 mu = 666.67 m², 1 ha = 15 mu."
    ]
    skipped = int((~polygons).sum())
    if skipped:
        notes.append(f"{skipped} feature(s) are not polygons (or have no geometry): their area "
                     "cells are empty and they are not in the totals.")
    unmeasured = int((polygons & ~np.isfinite(out["area_m2_plane"].to_numpy())).sum())
    if unmeasured:
        notes.append(f"{unmeasured} polygon(s) have coordinates that cannot be measured "
                     "(NaN or infinite): their area cells are empty and not in the totals.")
    return out, list(XLSX_AREA_COLUMNS), notes


def _layer_and_extras(store: LayerStore, layer: str, fmt: ExportFormat
                      ) -> tuple[gpd.GeoDataFrame, list[str], list[str]]:
    gdf = store.read_layer(layer)
    if fmt is ExportFormat.XLSX:
        return layer_with_areas(gdf)
    return gdf, [], []


def export_layer(
    store: LayerStore,
    layer: str,
    target: Path | str,
    *,
    fmt: ExportFormat | None = None,
    encoding: str | None = None,
) -> ExportResult:
    """Write ``layer`` of ``store`` to ``target``; the format from ``fmt`` or the extension.

    The CLI calls this for ``geo-app export LAYER FILE [--format F] [--encoding E]`` (``F``
    through :func:`geo_app.io.export.parse_format`), prints ``result.path``, the feature
    count and every note, and turns :class:`~geo_app.errors.GeoAppError` into one
    ``error:`` line with exit 2.

    Parameters
    ----------
    store
        An open store; it is only read.
    layer
        The layer's name in the store.
    target
        The file to write (replaced if it exists). Its folder must exist.
    fmt
        The format; ``None`` infers it from ``target``'s extension (.gpkg, .geojson/.json,
        .zip/.shp, .kml, .xlsx, .txt).
    encoding
        ``gbk`` or ``utf-8`` for Shapefile and boundary TXT; ``None`` for the format's
        default (UTF-8, but GBK for the boundary TXT).

    Raises
    ------
    InputError
        Unknown extension, a target that cannot be written (checked before the layer is
        read), no such layer, or a layer the format cannot hold (messages say what to do).
    CRSError
        The layer has no CRS and the format needs one.
    """
    chosen = ExportFormat(fmt) if fmt is not None else format_from_path(target)
    check_target(target, chosen)
    gdf, area_columns, notes = _layer_and_extras(store, layer, chosen)
    written = write_layer(gdf, target, fmt=chosen, layer_name=layer, encoding=encoding,
                          spec=get_spec(layer), area_columns=area_columns, notes=notes)
    return ExportResult(path=written.path, format=written.format, features=written.features,
                        notes=tuple(written.notes))


def prepare_layer_file(
    store: LayerStore, layer: str, *, fmt: ExportFormat, encoding: str | None = None
) -> LayerFile:
    """``layer`` as a file in memory (bytes, file name, MIME, feature count, notes)."""
    chosen = ExportFormat(fmt)
    gdf, area_columns, notes = _layer_and_extras(store, layer, chosen)
    return render_layer(gdf, fmt=chosen, layer_name=layer, encoding=encoding,
                        spec=get_spec(layer), area_columns=area_columns, notes=notes)


def export_layer_bytes(
    store: LayerStore, layer: str, *, fmt: ExportFormat, encoding: str | None = None
) -> tuple[bytes, str, str]:
    """``(bytes, file name, MIME type)`` of ``layer`` in ``fmt``, for the app's download button.

    The app's export widget calls this (cached per store version, layer, format and
    encoding); :func:`prepare_layer_file` returns the same with the notes to show.
    """
    out = prepare_layer_file(store, layer, fmt=fmt, encoding=encoding)
    return out.data, out.file_name, out.mime

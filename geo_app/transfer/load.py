"""Read a user's file the one way every caller does: read, map fields, resolve the CRS, check.

``geo-app area FILE`` and the import pipeline (CLI and app) both start here, so a file is
read, named and placed identically whether it is measured or imported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from geo_app.analysis.crs import CRSSource, resolve_source_crs
from geo_app.analysis.geometry_checks import GeometryCheck, check_geometries, check_validity
from geo_app.errors import InputError
from geo_app.io.base import ReadResult
from geo_app.io.fields import FieldMapping, map_fields
from geo_app.io.read import read_any

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class LoadedFile:
    """A file as read and checked.

    ``gdf`` has the project's field names, its CRS resolved (GCJ-02 converted when asked)
    and invalid geometries repaired (unless strict); ``check.issues`` say what was found per
    feature, positions in file order.
    """

    read: ReadResult
    gdf: gpd.GeoDataFrame
    fields: list[FieldMapping]
    crs_source: CRSSource
    check: GeometryCheck

    @property
    def source_columns(self) -> list[str]:
        """The file's own attribute columns, in file order, before any mapping."""
        gdf = self.read.gdf
        return [str(c) for c in gdf.columns if c != gdf.geometry.name]


def _noop(_step: str, _fraction: float) -> None:
    return None


def load_file(
    path: Path | str,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    source_name: str | None = None,
    field_map: Mapping[str, str] | None = None,
    targets: Sequence[str] | None = None,
    crs: str | None = None,
    gcj02: bool = False,
    strict: bool = False,
    id_column: str = "id",
    crs_flag: str = "--crs",
    relations: bool = True,
    progress: Progress | None = None,
) -> LoadedFile:
    """Read ``path`` (any format :func:`~geo_app.io.read.read_any` reads) and check it.

    ``field_map`` are the user's ``SRC=TARGET`` overrides, ``targets`` the layer's column
    names the aliases may map to; ``crs`` overrides the file's CRS (``crs_flag`` names the
    option in messages); ``strict`` refuses repairs (they become errors in ``check``).
    ``relations=False`` leaves out the checks between features (duplicates, overlaps:
    :func:`~geo_app.analysis.geometry_checks.relation_issues`, warnings only) for the
    caller to run. Progress goes to ``progress(step, share)`` from 0.0 to 0.5 of the whole
    import.
    """
    step = progress or _noop
    path = Path(path)
    step("reading the file", 0.0)
    result = read_any(path, layer=layer, encoding=encoding, source=source_name)
    if len(result.gdf) == 0:
        raise InputError(f"{result.source} holds no features.")
    step("mapping fields", 0.15)
    gdf, fields = map_fields(result.gdf, overrides=dict(field_map or {}), targets=targets)
    step("working out the coordinate system", 0.25)
    gdf, crs_source = resolve_source_crs(gdf, declared_reason=result.crs_reason, override=crs,
                                         gcj02=gcj02, flag=crs_flag)
    step("checking geometries", 0.35)
    checker = check_geometries if relations else check_validity
    check = checker(gdf, strict=strict, id_column=id_column if id_column in gdf.columns else None)
    return LoadedFile(result, check.gdf, fields, crs_source, check)

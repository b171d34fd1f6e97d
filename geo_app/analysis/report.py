"""Plain-data (JSON-ready) reports built from the analysis functions."""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from geo_app.analysis.area import (
    AREA_KEYS,
    PLANE_COLUMN,
    POLYGON_TYPES,
    add_areas,
    area_totals,
    present_types,
    require_polygons,
)
from geo_app.analysis.crs import CRSSource, PlaneCRS, crs_label
from geo_app.analysis.geometry_checks import GeometryCheck, check_geometries
from geo_app.analysis.progress import PhaseProgress
from geo_app.errors import InputError


def _num(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _pick(frame: pd.DataFrame, column: str | None, fallback: pd.Index) -> list[Any]:
    if column and column in frame.columns:
        return [_num(v) if v is not None and not pd.isna(v) else None for v in frame[column]]
    return [_num(v) for v in fallback]


def area_report(
    gdf: gpd.GeoDataFrame, *, by: str | None = None, plane: PlaneCRS | None = None,
    id_column: str = "id", name_column: str = "name", what: str = "The data",
    crs_source: CRSSource | None = None, check: GeometryCheck | None = None,
    strict: bool = False,
) -> dict[str, Any]:
    """Areas of every feature, the total and (with ``by``) per-group totals.

    Each feature is measured in its own 3° Gauss-Krüger zone (``crs_plane`` per feature);
    ``plane`` (the user's ``--crs``) measures all in one plane. The top-level ``crs_plane``
    names the zone of most features, ``crs_reason`` says so (or that the plane was given).

    Geometries are checked first (:func:`check_geometries`, or ``check`` when the caller
    already ran it on ``gdf``; its repaired copy is what gets measured): invalid ones are
    repaired and reported (refused with ``strict``), and features that cannot be measured
    (null, empty, NaN/inf, collapsed, points or lines among polygons) get null areas and
    their issues, never 0 and never an exception. ``total.count`` is the number of features
    measured, ``total.not_measured`` the others. ``crs_source`` (from
    :func:`geo_app.analysis.crs.resolve_source_crs`) says what the file was read as; without
    it the layer's own CRS is reported.

    ``what`` names the data in error messages (e.g. ``"Layer 'roads'"``).

    Raises
    ------
    InputError
        ``by`` is not a field (or is the geometry), or the layer holds no polygon at all.
    """
    fields = ", ".join(c for c in gdf.columns if c != gdf.geometry.name)
    if by is not None and by not in gdf.columns:
        raise InputError(f"No field '{by}' in {what[0].lower()}{what[1:]}. Fields: {fields}.")
    if by is not None and by == gdf.geometry.name:
        raise InputError(f"'{by}' is the geometry column; total by an attribute: {fields}.")
    _require_some_polygons(gdf, what=what)
    if check is None:
        check = check_geometries(
            gdf, strict=strict, id_column=id_column if id_column in gdf.columns else None)
    elif len(check.gdf) != len(gdf):
        raise ValueError("check must be check_geometries(gdf) of this very gdf")
    to_measure = check.gdf.copy()
    measurable = np.asarray(check.measurable, dtype=bool)
    if not measurable.all():
        geoms = np.asarray(to_measure.geometry.array, dtype=object).copy()
        geoms[~measurable] = None
        to_measure[to_measure.geometry.name] = gpd.GeoSeries(
            geoms, index=to_measure.index, crs=to_measure.crs)
    measured, used = add_areas(to_measure, plane=plane)
    ids = _pick(measured, id_column, measured.index)
    names = _pick(measured, name_column, pd.Index([None] * len(measured)))
    issues: list[list[dict[str, Any]]] = [[] for _ in range(len(measured))]
    for issue in check.issues:
        issues[issue.position].append(issue.to_dict())
    columns = {k: [_area(v) for v in measured[k].to_numpy(dtype=float)] for k in AREA_KEYS}
    planes = measured[PLANE_COLUMN].tolist()
    features = []
    for pos in range(len(measured)):
        row = {"id": ids[pos], "name": names[pos]}
        row.update({k: columns[k][pos] for k in AREA_KEYS})
        row["crs_plane"] = planes[pos]
        row["issues"] = issues[pos]
        features.append(row)
    total = area_totals(measured).iloc[0]
    nothing = not measurable.any()
    report: dict[str, Any] = {
        "crs_source": _source_dict(gdf, crs_source),
        "crs_plane": None if nothing and plane is None else used.name,
        "crs_reason": ("no feature could be measured" if nothing and plane is None
                       else used.reason),
        "features": features,
        "total": {k: _area(total[k]) for k in AREA_KEYS}
        | {"count": int(total["count"]), "not_measured": int(total["not_measured"])},
    }
    if by is not None:
        groups = area_totals(measured, by=by)
        report["groups"] = [
            {"by": by, "value": _num(key), "count": int(row["count"]),
             "not_measured": int(row["not_measured"])}
            | {k: _area(row[k]) for k in AREA_KEYS}
            for key, row in groups.iterrows()
        ]
    return report


def _area(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _source_dict(gdf: gpd.GeoDataFrame, source: CRSSource | None) -> dict[str, Any]:
    if source is not None:
        return source.to_dict()
    if gdf.crs is None:
        return {"crs": None, "reason": "the data has no CRS", "inferred": False, "notes": []}
    crs = CRS.from_user_input(gdf.crs)
    return {"crs": crs_label(crs), "reason": f"the layer's own CRS ({crs.name})",
            "inferred": False, "notes": []}


def _require_some_polygons(gdf: gpd.GeoDataFrame, *, what: str) -> None:
    """Refuse a layer of points or lines (no area at all); mixed layers are reported per
    feature by the checks instead."""
    types = present_types(gdf)
    if len(types) and not types.isin([*POLYGON_TYPES, "GeometryCollection"]).any():
        require_polygons(gdf, what=what)


def progress_report(phases: list[PhaseProgress], *, as_of: str | None) -> dict[str, Any]:
    return {"as_of": as_of, "phases": [p.to_dict() for p in phases]}

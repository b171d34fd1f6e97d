"""Plain-data (JSON-ready) reports built from the analysis functions."""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import pandas as pd

from geo_app.analysis.area import AREA_KEYS, add_areas, area_totals, require_polygons
from geo_app.analysis.crs import PlaneCRS
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
) -> dict[str, Any]:
    """Areas of every feature, the total and (with ``by``) per-group totals.

    ``what`` names the data in error messages (e.g. ``"Layer 'roads'"``).
    """
    fields = ", ".join(c for c in gdf.columns if c != gdf.geometry.name)
    if by is not None and by not in gdf.columns:
        raise InputError(f"No field '{by}' in {what[0].lower()}{what[1:]}. Fields: {fields}.")
    if by is not None and by == gdf.geometry.name:
        raise InputError(f"'{by}' is the geometry column; total by an attribute: {fields}.")
    require_polygons(gdf, what=what)
    measured, plane = add_areas(gdf, plane=plane)
    ids = _pick(measured, id_column, measured.index)
    names = _pick(measured, name_column, pd.Index([None] * len(measured)))
    features = []
    for pos in range(len(measured)):
        row = {"id": ids[pos], "name": names[pos]}
        row.update({k: float(measured[k].iloc[pos]) for k in AREA_KEYS})
        features.append(row)
    total = area_totals(measured).iloc[0]
    report: dict[str, Any] = {
        "crs_plane": plane.name,
        "crs_reason": plane.reason,
        "features": features,
        "total": {k: float(total[k]) for k in AREA_KEYS} | {"count": int(total["count"])},
    }
    if by is not None:
        groups = area_totals(measured, by=by)
        report["groups"] = [
            {"by": by, "value": _num(key), "count": int(row["count"])}
            | {k: float(row[k]) for k in AREA_KEYS}
            for key, row in groups.iterrows()
        ]
    return report


def progress_report(phases: list[PhaseProgress], *, as_of: str | None) -> dict[str, Any]:
    return {"as_of": as_of, "phases": [p.to_dict() for p in phases]}

"""Validate a GeoDataFrame against its :class:`LayerSpec`, coercing column types."""

from __future__ import annotations

import warnings
from enum import StrEnum

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_app.domain.layers import ColumnSpec, LayerSpec
from geo_app.errors import SchemaError


def _where(spec: LayerSpec, gdf: gpd.GeoDataFrame, pos: int) -> str:
    row_id = ""
    if spec.id_column in gdf.columns:
        row_id = f" (id {gdf[spec.id_column].iloc[pos]!r})"
    return f"layer '{spec.name}', row {pos + 1}{row_id}"


def _coerce(series: pd.Series, col: ColumnSpec) -> pd.Series:
    kind = col.kind
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return series.astype("object").where(series.notna(), None)
    if kind == "str":
        return series.astype("object").where(series.notna(), None)
    if kind == "int":
        return pd.to_numeric(series, errors="coerce").astype("Int64")
    if kind == "float":
        return pd.to_numeric(series, errors="coerce").astype("float64")
    if kind == "date":
        with warnings.catch_warnings():  # "could not infer format": said per value below
            warnings.simplefilter("ignore", UserWarning)
            return pd.to_datetime(series, errors="coerce").dt.date
    raise ValueError(f"unknown column kind {kind!r}")


def _column_problems(raw: pd.Series, col: ColumnSpec
                     ) -> tuple[pd.Series, list[tuple[int, str]]]:
    """(the typed column, every row's unusable value as (row position, sentence))."""
    coerced = _coerce(raw, col)
    bad_conv = coerced.isna().to_numpy() & raw.notna().to_numpy()
    problems = [(int(pos), f"column '{col.name}': value {raw.iloc[pos]!r} is not a valid "
                           f"{col.kind}. Correct the value.")
                for pos in np.flatnonzero(bad_conv)]
    if not col.nullable:
        problems += [(int(pos), f"column '{col.name}' ({col.zh}) is empty. Fill in a value.")
                     for pos in np.flatnonzero(coerced.isna().to_numpy() & ~bad_conv)]
    kind = col.kind
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        allowed = {m.value for m in kind}
        bad = (~coerced.isna() & ~coerced.isin(allowed)).to_numpy()
        problems += [(int(pos), f"column '{col.name}': {coerced.iloc[pos]!r} is not one of "
                                f"{', '.join(sorted(allowed))}.")
                     for pos in np.flatnonzero(bad)]
    return coerced, problems


def value_problems(gdf: gpd.GeoDataFrame, spec: LayerSpec) -> list[tuple[int, str]]:
    """Every unusable value of the spec's columns present in ``gdf``, column by column in
    the spec's order: (row position, what is wrong and what to do)."""
    found: list[tuple[int, str]] = []
    for col in spec.columns:
        if col.name in gdf.columns:
            found += sorted(_column_problems(gdf[col.name], col)[1])
    return found


def validate_layer(gdf: gpd.GeoDataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Check columns, values and geometry; return a copy with typed columns.

    Raises
    ------
    SchemaError
        Naming the layer, the row and the column, and what to do (the first problem; see
        :func:`value_problems` for all of them).
    """
    missing = [c.name for c in spec.columns if c.name not in gdf.columns]
    if missing:
        raise SchemaError(
            f"Layer '{spec.name}' lacks column(s) {', '.join(missing)}. "
            f"Add them (expected: {', '.join(spec.column_names)})."
        )
    out = gdf.copy()
    for col in spec.columns:
        coerced, problems = _column_problems(out[col.name], col)
        if problems:
            pos, what = min(problems)
            raise SchemaError(f"{_where(spec, out, pos)}, {what}")
        out[col.name] = coerced
    ids = out[spec.id_column]
    dup = ids.duplicated()
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        raise SchemaError(
            f"{_where(spec, out, pos)}: id {ids.iloc[pos]!r} appears twice. Ids must be unique."
        )
    geoms = out.geometry.array
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        pos = int(np.flatnonzero(empty)[0])
        raise SchemaError(f"{_where(spec, out, pos)}: geometry is empty. Draw or import it.")
    types = shapely.get_type_id(geoms)
    names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                      "MultiLineString", "MultiPolygon", "GeometryCollection"])[types]
    wrong = ~np.isin(names, spec.geometry_types)
    if wrong.any():
        pos = int(np.flatnonzero(wrong)[0])
        raise SchemaError(
            f"{_where(spec, out, pos)}: geometry is a {names[pos]}, expected "
            f"{' or '.join(spec.geometry_types)}."
        )
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        pos = int(np.flatnonzero(invalid)[0])
        reason = shapely.is_valid_reason(geoms[pos])
        raise SchemaError(
            f"{_where(spec, out, pos)}: geometry is invalid ({reason}). Repair it before loading."
        )
    return out

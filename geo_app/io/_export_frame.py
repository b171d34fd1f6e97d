"""Helpers shared by the layer writers: text cleaning, name and date columns, file names."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from geo_app.domain.layers import LayerSpec

#: Characters XML 1.0 and openpyxl refuse (C0 controls except tab, LF, CR; non-characters;
#: lone surrogates). They are replaced by U+FFFD so a hostile value cannot break a file.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
REPLACEMENT = "\ufffd"

#: Column names read as a feature's name when the spec names none (case-insensitive).
NAME_ALIASES = ("name", "名称", "地块名称", "fcname", "mc")

_UNSAFE_FILE_CHARS = re.compile(r"[^\w.-]+")


def clean_text(text: str) -> str:
    """``text`` with characters no XML or XLSX file may hold replaced by U+FFFD."""
    return _FORBIDDEN.sub(REPLACEMENT, text)


def has_forbidden(text: str) -> bool:
    return _FORBIDDEN.search(text) is not None


def file_stem(layer_name: str) -> str:
    """A safe file name stem for ``layer_name`` (letters, digits, CJK, ``_ . -``)."""
    stem = _UNSAFE_FILE_CHARS.sub("_", layer_name).strip("._")
    return stem or "layer"


def attribute_columns(gdf: gpd.GeoDataFrame | pd.DataFrame) -> list[str]:
    """The non-geometry columns, in order."""
    geometry = gdf.geometry.name if isinstance(gdf, gpd.GeoDataFrame) else None
    return [str(c) for c in gdf.columns if c != geometry]


def name_column(gdf: gpd.GeoDataFrame | pd.DataFrame, spec: LayerSpec | None) -> str | None:
    """The column holding each feature's name: the spec's, else a usual alias, else ``None``."""
    columns = attribute_columns(gdf)
    if spec is not None and spec.name_column in columns:
        return spec.name_column
    folded = {c.casefold(): c for c in reversed(columns)}
    for alias in NAME_ALIASES:
        if alias in folded:
            return folded[alias]
    return None


def id_column(gdf: gpd.GeoDataFrame | pd.DataFrame, spec: LayerSpec | None) -> str | None:
    columns = attribute_columns(gdf)
    wanted = spec.id_column if spec is not None else "id"
    return wanted if wanted in columns else None


def row_label(gdf: gpd.GeoDataFrame | pd.DataFrame, spec: LayerSpec | None, pos: int) -> str:
    """``row 3 (id 'QC1-03')``: how messages point at a feature."""
    ident = id_column(gdf, spec)
    if ident is not None:
        value = gdf[ident].iloc[pos]
        if value is not None and not (isinstance(value, float) and np.isnan(value)):
            return f"row {pos + 1} (id {value!r})"
    return f"row {pos + 1}"


def enum_columns(spec: LayerSpec | None) -> dict[str, type[StrEnum]]:
    """Columns whose values are codes of an enumeration (stage, kind…), by column name."""
    if spec is None:
        return {}
    return {
        c.name: c.kind
        for c in spec.columns
        if isinstance(c.kind, type) and issubclass(c.kind, StrEnum)
    }


def label_zh(kind: type[StrEnum], value: object) -> object:
    """The Chinese label of an enumeration code (unknown codes are kept as they are)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    try:
        member = kind(str(value))
    except ValueError:
        return value
    label = getattr(member, "label_zh", None)
    return label if isinstance(label, str) else value


def is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def is_text_column(series: pd.Series) -> bool:
    """True for columns that may hold text (object or string dtype)."""
    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)


def _is_date_only(values: pd.Series) -> bool:
    present = [v for v in values if not is_missing(v)]
    return bool(present) and all(
        isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in present
    )


def gdal_frame(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy GDAL writes faithfully with ``use_arrow=True``.

    Columns of ``datetime.date`` become Arrow ``date32`` (a DATE field, a DBF date); object
    columns mixing types become text; everything else is kept.
    """
    out = gdf.copy()
    for column in attribute_columns(out):
        series = out[column]
        if series.dtype != object:
            continue
        if _is_date_only(series):
            out[column] = pd.array(
                [None if is_missing(v) else v for v in series], dtype=pd.ArrowDtype(pa.date32())
            )
        elif not all(isinstance(v, str) or is_missing(v) for v in series):
            out[column] = [None if is_missing(v) else str(v) for v in series]
        else:
            out[column] = series.where(series.notna(), None)
    return out

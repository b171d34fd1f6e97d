"""Attribute tables for people: labelled values, translated headers, CSV and Excel bytes."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from enum import StrEnum

import geopandas as gpd
import pandas as pd

from geo_app.analysis.area import AREA_KEYS
from geo_app.domain.layers import LayerSpec, get_spec
from geo_app.ui.i18n import Lang, t


def layer_label(name: str, lang: str = Lang.ZH) -> str:
    """A layer's display name from its spec (``征地地块`` / ``Acquisition parcels``)."""
    spec = get_spec(name)
    if spec is None:
        return name
    return spec.zh if lang == Lang.ZH else spec.en


def _enum_of(spec: LayerSpec | None, column: str) -> type[StrEnum] | None:
    if spec is None or column not in spec.column_names:
        return None
    kind = spec.column(column).kind
    return kind if isinstance(kind, type) and issubclass(kind, StrEnum) else None


def label_value(spec: LayerSpec | None, column: str, value: object, lang: str) -> object:
    """An enum code as its label in ``lang``; other values unchanged."""
    enum = _enum_of(spec, column)
    if enum is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return value
    try:
        return enum(value).label(lang)  # type: ignore[attr-defined]
    except ValueError:
        return value


def column_header(spec: LayerSpec | None, column: str, lang: str) -> str:
    if column in AREA_KEYS:
        return t(f"col.{column}", lang)
    if spec is not None and column in spec.column_names:
        col = spec.column(column)
        return col.zh if lang == Lang.ZH else col.en
    return column


def layer_table(gdf: gpd.GeoDataFrame, layer: str, *, lang: str = Lang.ZH) -> pd.DataFrame:
    """The attribute table without geometry: spec columns, extra columns, then areas.

    Enum codes become labels and headers follow ``lang``; numbers stay numbers so the
    table sorts by value.
    """
    spec = get_spec(layer)
    geometry = gdf.geometry.name
    spec_cols = [c for c in (spec.column_names if spec else ()) if c in gdf.columns]
    extra = [c for c in gdf.columns if c not in spec_cols and c != geometry
             and c not in AREA_KEYS]
    areas = [c for c in AREA_KEYS if c in gdf.columns]
    frame = pd.DataFrame(gdf[[*spec_cols, *extra, *areas]])
    for col in spec_cols:
        enum = _enum_of(spec, col)
        if enum is not None:
            labels = {m.value: m.label(lang) for m in enum}  # type: ignore[attr-defined]
            frame[col] = frame[col].map(lambda v, labels=labels: labels.get(v, v))
        elif frame[col].map(lambda v: isinstance(v, dt.date)).any():
            frame[col] = frame[col].map(lambda v: v.isoformat() if isinstance(v, dt.date) else v)
    frame.columns = [column_header(spec, c, lang) for c in frame.columns]
    return frame.reset_index(drop=True)


def csv_bytes(table: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so Excel shows Chinese correctly."""
    return table.to_csv(index=False).encode("utf-8-sig")


def excel_sheet_name(text: str) -> str:
    """A valid Excel sheet name: no ``[]:*?/\\``, at most 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", "-", text)[:31] or "Sheet1"


def excel_bytes(table: pd.DataFrame, *, sheet: str) -> bytes:
    """An .xlsx workbook (openpyxl) holding ``table`` on one sheet."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table.to_excel(writer, index=False, sheet_name=excel_sheet_name(sheet))
    return buffer.getvalue()

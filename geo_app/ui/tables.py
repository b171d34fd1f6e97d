"""Attribute tables for people: labelled values, translated headers, CSV and Excel bytes."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Callable
from enum import StrEnum

import geopandas as gpd
import pandas as pd

from geo_app.analysis.area import AREA_KEYS
from geo_app.domain.layers import LayerSpec, get_spec
from geo_app.domain.phases import phase_label
from geo_app.ui.i18n import Lang, t

#: Area columns in the order a planner reads them: mu first, then m², then ha.
TABLE_AREA_KEYS: tuple[str, ...] = (
    "area_mu_plane", "area_mu_ellipsoidal",
    "area_m2_plane", "area_m2_ellipsoidal",
    "area_ha_plane", "area_ha_ellipsoidal",
)
#: Decimals shown per area unit (the data keep full precision, as do the downloads).
AREA_DECIMALS: dict[str, int] = {"m2": 1, "mu": 2, "ha": 2}
#: Coded columns that are not enums but read better as words (期次 1 → 一期).
VALUE_LABELS: dict[str, Callable[[object, str], str]] = {"phase": phase_label}


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


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _value_labeller(spec: LayerSpec | None, column: str
                    ) -> Callable[[object, str], str] | None:
    if spec is None or column not in spec.column_names:
        return None
    return VALUE_LABELS.get(column)


def label_value(spec: LayerSpec | None, column: str, value: object, lang: str) -> object:
    """An enum code (or a phase number) as its label in ``lang``; other values unchanged."""
    if _missing(value):
        return value
    labeller = _value_labeller(spec, column)
    if labeller is not None:
        return labeller(value, lang)
    enum = _enum_of(spec, column)
    if enum is None:
        return value
    try:
        return enum(value).label(lang)  # type: ignore[attr-defined]
    except ValueError:
        return value


def area_decimals(column: str) -> int | None:
    """Decimals to show for an area column (``area_mu_plane`` → 2), ``None`` for others."""
    if column not in AREA_KEYS:
        return None
    return AREA_DECIMALS[column.split("_")[1]]


def column_header(spec: LayerSpec | None, column: str, lang: str) -> str:
    if column in AREA_KEYS:
        return t(f"col.{column}", lang)
    if spec is not None and column in spec.column_names:
        col = spec.column(column)
        return col.zh if lang == Lang.ZH else col.en
    return column


def layer_table(gdf: gpd.GeoDataFrame, layer: str, *, lang: str = Lang.ZH) -> pd.DataFrame:
    """The attribute table without geometry: spec columns, extra columns, then areas.

    Enum codes and phases become labels and headers follow ``lang``; numbers stay
    numbers so the table sorts by value. Areas come mu first (:data:`TABLE_AREA_KEYS`).
    """
    spec = get_spec(layer)
    geometry = gdf.geometry.name
    spec_cols = [c for c in (spec.column_names if spec else ()) if c in gdf.columns]
    extra = [c for c in gdf.columns if c not in spec_cols and c != geometry
             and c not in AREA_KEYS]
    areas = [c for c in TABLE_AREA_KEYS if c in gdf.columns]
    frame = pd.DataFrame(gdf[[*spec_cols, *extra, *areas]])
    for col in spec_cols:
        enum = _enum_of(spec, col)
        if enum is not None:
            labels = {m.value: m.label(lang) for m in enum}  # type: ignore[attr-defined]
            frame[col] = frame[col].map(lambda v, labels=labels: labels.get(v, v))
        elif _value_labeller(spec, col) is not None:
            frame[col] = frame[col].map(lambda v, c=col: label_value(spec, c, v, lang))
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

"""Tables for people: labelled values, translated headers, CSV and Excel bytes; the
attribute tables of the layers and the figures of the acquisition page."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterable
from enum import StrEnum

import geopandas as gpd
import pandas as pd

from geo_app.analysis.area import AREA_KEYS
from geo_app.analysis.dashboard import stage_label, stage_mu_table
from geo_app.analysis.progress import PhaseProgress
from geo_app.analysis.timeline import DateComparison
from geo_app.domain.layers import LayerSpec, get_spec
from geo_app.domain.phases import phase_label
from geo_app.io.excel import FORMULA_TRIGGERS, safe_text, set_text
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
    """Decimals to show for an area column, by the unit in its name (``area_mu_plane``,
    ``declared_area_mu`` → 2, ``area_m2_plane`` → 1); ``None`` for other columns."""
    if column in AREA_KEYS:
        return AREA_DECIMALS[column.split("_")[1]]
    if column.startswith("area_") or "_area_" in column:
        return AREA_DECIMALS.get(column.rsplit("_", 1)[-1])
    return None


def area_formats(layer: str, columns: Iterable[str], lang: str) -> dict[str, str]:
    """printf formats (thousands separators, decimals by unit) of the area columns among
    ``columns`` of ``layer``, keyed by their headers in :func:`layer_table`."""
    spec = get_spec(layer)
    return {column_header(spec, c, lang): f"%,.{decimals}f" for c in columns
            if (decimals := area_decimals(c)) is not None}


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
    """CSV in UTF-8 with a byte-order mark, so Excel shows Chinese correctly.

    Text cells starting with ``= + - @``, a tab or a line break get a leading ``'`` (the
    OWASP rule against CSV formula injection): a spreadsheet shows them as text. Numbers
    (negative ones too) are left alone.
    """
    safe = _text_cells(table)
    safe = safe.map(_csv_text) if len(safe.columns) else safe
    safe.columns = [_csv_text(c) for c in safe.columns]
    return safe.to_csv(index=False).encode("utf-8-sig")


def _csv_text(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return f"'{value}"
    return value


def _text_cells(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its text (headers too) as a workbook or CSV can hold it (safe_text:
    control characters, which openpyxl refuses and a terminal would run, replaced)."""
    safe = table.copy()
    safe.columns = [safe_text(c) if isinstance(c, str) else c for c in safe.columns]
    for i in range(len(safe.columns)):
        series = safe.iloc[:, i]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            safe.isetitem(i, series.map(lambda v: safe_text(v) if isinstance(v, str) else v))
    return safe


def excel_sheet_name(text: str) -> str:
    """A valid Excel sheet name: no ``[]:*?/\\``, at most 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", "-", text)[:31] or "Sheet1"


def excel_bytes(table: pd.DataFrame, *, sheet: str) -> bytes:
    """An .xlsx workbook (openpyxl) holding ``table`` on one sheet."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        name = excel_sheet_name(sheet)
        _text_cells(table).to_excel(writer, index=False, sheet_name=name)
        for row in writer.sheets[name].iter_rows():
            for cell in row:  # text stays text: never a formula (hostile-text standard)
                if isinstance(cell.value, str):
                    set_text(cell, cell.value)
    return buffer.getvalue()


# --- the acquisition page ------------------------------------------------------------------


def history_table(timeline: pd.DataFrame, lang: str,
                  unknown: pd.DataFrame | None = None) -> pd.DataFrame:
    """A parcel's events (:func:`~geo_app.analysis.timeline.parcel_timeline`), newest first.

    Effective date (a date), stage label, officer, note, evidence, correction (是 / yes or
    empty), its reason, recording time (``YYYY-MM-DD HH:MM``) and whether it is in effect.
    ``unknown``: the parcel's stored events whose stage is not a known code (another
    tool's rows), listed as ``未知阶段（code）`` / ``unknown stage (code)``, never in effect.
    """
    label_col = "to_label_zh" if lang == Lang.ZH else "to_label_en"
    frames = []
    if len(timeline):
        frames.append(pd.DataFrame({
            "day": pd.to_datetime(timeline["effective_date"]),
            "stage": timeline[label_col],
            "officer": timeline["officer"],
            "note": timeline["note"],
            "evidence": timeline["evidence"],
            "correction": timeline["is_correction"].astype(bool),
            "reason": timeline["correction_reason"],
            "recorded": pd.to_datetime(timeline["recorded_at"]),
            "in_effect": timeline["in_effect"].astype(bool),
        }).iloc[::-1])
    if unknown is not None and len(unknown):
        frames.append(pd.DataFrame({
            "day": pd.to_datetime(unknown["effective_date"].astype("string").str.slice(0, 10),
                                  errors="coerce"),
            "stage": [t("gap.unknown_stage", lang, code=c) for c in unknown["to_stage"]],
            "officer": unknown.get("officer"),
            "note": unknown.get("note"),
            "evidence": unknown.get("evidence"),
            "correction": unknown.get("is_correction", pd.Series(False, index=unknown.index))
            .fillna(False).astype(bool),
            "reason": unknown.get("correction_reason"),
            "recorded": pd.to_datetime(unknown["recorded_at"].astype("string"),
                                       errors="coerce"),
            "in_effect": False,
        }))
    rows = (pd.concat(frames, ignore_index=True) if frames else
            pd.DataFrame(columns=["day", "stage", "officer", "note", "evidence", "correction",
                                  "reason", "recorded", "in_effect"]))
    if len(frames) > 1:  # newest first, as the timeline's own order
        rows = rows.sort_values(["day", "recorded"], ascending=False, kind="stable")
    day, recorded = pd.to_datetime(rows["day"]), pd.to_datetime(rows["recorded"])
    return pd.DataFrame({
        t("acq.col.date", lang): day.dt.date,
        t("acq.col.stage", lang): rows["stage"],
        t("acq.col.officer", lang): rows["officer"],
        t("acq.col.note", lang): rows["note"].fillna(""),
        t("acq.col.evidence", lang): rows["evidence"].fillna(""),
        t("acq.col.correction", lang): [t("acq.yes", lang) if c else "" for c in
                                        rows["correction"]],
        t("acq.col.reason", lang): rows["reason"].fillna(""),
        t("acq.col.recorded", lang): recorded.dt.strftime("%Y-%m-%d %H:%M"),
        t("acq.col.in_effect", lang): rows["in_effect"].astype(bool),
    }).reset_index(drop=True)


def stage_area_table(phases: list[PhaseProgress], lang: str) -> pd.DataFrame:
    """Mu per stage (rows in workflow order, ``not started`` first) and phase (a column
    each, named by its label), the stage label first; empty without phases."""
    long = stage_mu_table(phases, lang=lang)
    if long.empty:
        return pd.DataFrame()
    wide = long.pivot_table(index=["stage_order", "stage_label"], columns="phase",
                            values="area_mu", aggfunc="sum", fill_value=0.0)
    wide.columns = [phase_label(int(p), lang) for p in wide.columns]
    wide = wide.reset_index(level="stage_order", drop=True)
    wide.index.name = t("acq.col.stage", lang)
    return wide.reset_index()


def comparison_stage_table(cmp: DateComparison, lang: str) -> pd.DataFrame:
    """Mu per phase and stage on the two dates and the change, the stages held on either."""
    shown = cmp.stages[(cmp.stages["mu_a"] > 0) | (cmp.stages["mu_b"] > 0)]
    return pd.DataFrame({
        t("acq.phase", lang): [phase_label(int(p), lang) for p in shown["phase"]],
        t("acq.col.stage", lang): [stage_label(s, lang) for s in shown["stage"]],
        t("acq.col.mu_a", lang): shown["mu_a"],
        t("acq.col.mu_b", lang): shown["mu_b"],
        t("acq.col.change_mu", lang): shown["diff_mu"],
    })


def changed_parcels_table(cmp: DateComparison, lang: str) -> pd.DataFrame:
    """The parcels whose stage differs between the two dates: id, name, mu, both stages."""
    changed = cmp.changed
    return pd.DataFrame({
        t("acq.col.parcel", lang): changed["parcel_id"],
        t("acq.col.name", lang): changed["name"],
        t("acq.col.area_mu", lang): changed["area_mu"],
        t("acq.col.stage_on", lang, date=cmp.day_a.isoformat()):
            [stage_label(s, lang) for s in changed["stage_a"]],
        t("acq.col.stage_on", lang, date=cmp.day_b.isoformat()):
            [stage_label(s, lang) for s in changed["stage_b"]],
    })


def trend_table(monthly: pd.DataFrame, lang: str, *, month_as_date: bool = True
                ) -> pd.DataFrame:
    """Net land per phase at each month end (:func:`~geo_app.analysis.timeline.
    net_land_by_month`): month end, phase label, mu, share of the target (0–1, NaN
    without one). The month end is a date, or a timestamp (for a chart) if not
    ``month_as_date``.
    """
    month = pd.to_datetime(monthly["month_end"])  # an empty table's column is untyped
    return pd.DataFrame({
        t("acq.trend.month", lang): month.dt.date if month_as_date else month,
        t("acq.phase", lang): [phase_label(int(p), lang) for p in monthly["phase"]],
        t("acq.trend.net", lang): monthly["net_land_mu"],
        t("acq.trend.share", lang): monthly["share_of_target"],
    })

"""Excel export of acquisition progress and the stage-event log (openpyxl).

Two sheets: ``进度 Progress`` (per phase: mu per stage, net land against the target, a
totals row) and ``事件 Events`` (the event log). Headers are Chinese with English below,
mu figures use the number format ``0.00``.

Every text a user typed goes through :func:`set_text`: it is stored as text, never as a
formula (a note starting with ``=`` stays a note), and characters a workbook cannot hold are
replaced instead of crashing the export.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from geo_app.domain.stages import ParcelStage, stage_label_or_unknown
from geo_app.errors import InputError
from geo_app.io._export_frame import clean_text

PROGRESS_SHEET = "进度 Progress"
EVENTS_SHEET = "事件 Events"
MU_FORMAT = "0.00"
SHARE_FORMAT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
NOT_STARTED = "not_started"  # same code as geo_app.analysis.progress.NOT_STARTED

#: Row numbers of the progress sheet: title, header, first phase.
TITLE_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 3, 4

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")


class PhaseFigures(Protocol):
    """What the export reads of a phase (:class:`geo_app.analysis.progress.PhaseProgress`)."""

    phase: int
    target_mu: float | None
    parcel_count: int
    total_mu: float
    net_land_mu: float
    by_stage_mu: dict[str, float]


#: First characters that make a spreadsheet program read a typed text as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(text: str) -> str:
    """``text`` as a workbook can hold it: line breaks as LF (XML keeps no lone CR) and
    characters XLSX refuses (C0 controls…) replaced by U+FFFD."""
    return clean_text(text.replace("\r\n", "\n").replace("\r", "\n"))


def set_text(cell: Cell, text: str) -> Cell:
    """Store ``text`` in ``cell`` as text, never as a formula (the hostile-text standard).

    openpyxl turns a string starting with ``=`` into a formula; here the cell type is forced
    to text and, for texts starting with ``= + - @`` or a tab/line break, the cell gets
    Excel's "quote prefix" so editing it later keeps it text too. The value is unchanged
    except for :func:`safe_text`.
    """
    value = safe_text(text)
    cell.value = value
    cell.data_type = "s"
    if value.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True
    return cell


def _stage_columns() -> list[tuple[str, str]]:
    return [
        (NOT_STARTED, "未启动\nNot started"),
        *((s.value, f"{s.label_zh}\n{s.label_en}") for s in ParcelStage),
    ]


def _width(value: object) -> int:
    lines = str(value).splitlines() or [""]
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines
    )


def _fit_columns(ws: Worksheet, *, minimum: int = 8, maximum: int = 50) -> None:
    widths: dict[int, int] = {}
    for row in ws.iter_rows(min_row=HEADER_ROW if ws.title == PROGRESS_SHEET else 1):
        for cell in row:
            if cell.value is not None:
                text = cell.value
                if isinstance(text, float):
                    text = f"{text:,.2f}"
                elif isinstance(text, dt.datetime):
                    text = "2021-12-31 23:59:59"
                elif isinstance(text, dt.date):
                    text = "2021-12-31"
                widths[cell.column] = max(widths.get(cell.column, 0), _width(text))
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(max(width + 2, minimum), maximum)


def _header(ws: Worksheet, row: int, labels: Sequence[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=col, value=label)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    ws.row_dimensions[row].height = 32


def _progress_sheet(ws: Worksheet, phases: Sequence[PhaseFigures], as_of: dt.date | None) -> None:
    stages = _stage_columns()
    labels = [
        "期次\nPhase",
        "地块数\nParcels",
        "总面积(亩)\nTotal (mu)",
        *(label for _, label in stages),
        "净地及以后(亩)\nNet land (mu)",
        "目标(亩)\nTarget (mu)",
        "完成率\nShare of target",
        "距目标(亩)\nRemaining (mu)",
    ]
    when = as_of.isoformat() if as_of else dt.date.today().isoformat()
    ws.cell(
        row=TITLE_ROW, column=1, value=f"征地进度 Acquisition progress — 截至 as of {when}"
    ).font = Font(bold=True, size=13)
    _header(ws, HEADER_ROW, labels)
    mu_cols = [3, *range(4, 4 + len(stages)), 4 + len(stages), 5 + len(stages), 7 + len(stages)]
    r = FIRST_DATA_ROW
    for p in phases:
        remaining = max(p.target_mu - p.net_land_mu, 0.0) if p.target_mu else None
        share = p.net_land_mu / p.target_mu if p.target_mu else None
        values = [
            f"{p.phase}期 Phase {p.phase}",
            p.parcel_count,
            p.total_mu,
            *(float(p.by_stage_mu.get(code, 0.0)) for code, _ in stages),
            p.net_land_mu,
            p.target_mu,
            share,
            remaining,
        ]
        for col, value in enumerate(values, start=1):
            ws.cell(row=r, column=col, value=value)
        r += 1
    # totals as values, not formulas: openpyxl stores no computed results, and viewers
    # that do not recalculate would show empty cells
    ws.cell(row=r, column=1, value="合计 Total")
    for col in [2, *mu_cols]:
        cells = [ws.cell(row=i, column=col).value for i in range(FIRST_DATA_ROW, r)]
        ws.cell(row=r, column=col, value=sum(float(v) for v in cells if v is not None))
    net_total = sum(p.net_land_mu for p in phases)
    target_total = sum(p.target_mu for p in phases if p.target_mu)
    ws.cell(row=r, column=2).value = int(ws.cell(row=r, column=2).value)
    ws.cell(row=r, column=6 + len(stages), value=net_total / target_total if target_total else None)
    for col in range(1, len(labels) + 1):
        ws.cell(row=r, column=col).font = _BOLD
        ws.cell(row=r, column=col).fill = _TOTAL_FILL
    for row in ws.iter_rows(min_row=FIRST_DATA_ROW, max_row=r):
        for cell in row:
            if cell.column in mu_cols:
                cell.number_format = MU_FORMAT
            elif cell.column == 6 + len(stages):
                cell.number_format = SHARE_FORMAT
    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=2)


_EVENT_HEADERS = (
    ("event_id", "编号\nEvent ID"),
    ("parcel_id", "地块\nParcel"),
    ("from_stage", "原阶段\nFrom stage"),
    ("to_stage", "新阶段\nTo stage"),
    ("to_stage_label", "新阶段名称\nTo stage (name)"),
    ("effective_date", "生效日期\nEffective date"),
    ("officer", "经办人\nOfficer"),
    ("note", "备注\nNote"),
    ("evidence", "依据文件\nEvidence"),
    ("recorded_at", "记录时间\nRecorded at"),
    ("is_correction", "更正\nCorrection"),
    ("correction_reason", "更正原因\nCorrection reason"),
)


def _cell_value(key: str, value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if key in ("effective_date", "recorded_at"):
        # another tool may have written any text here: a date it cannot be stays text
        try:
            if key == "effective_date":
                return dt.date.fromisoformat(str(value)[:10])
            return dt.datetime.fromisoformat(str(value)[:19])
        except ValueError:
            return str(value)
    if key == "is_correction":
        return "是 yes" if bool(value) else ""
    if key == "event_id":
        return int(value)
    return str(value)


def _events_sheet(ws: Worksheet, events: pd.DataFrame) -> None:
    _header(ws, 1, [label for _, label in _EVENT_HEADERS])
    ordered = events.sort_values("event_id", kind="stable") if len(events) else events
    for r, row in enumerate(ordered.to_dict(orient="records"), start=2):
        row["to_stage_label"] = stage_label_or_unknown(row["to_stage"], "zh")
        for col, (key, _) in enumerate(_EVENT_HEADERS, start=1):
            value = _cell_value(key, row.get(key))
            if isinstance(value, str):
                cell = set_text(ws.cell(row=r, column=col), value)
            else:
                cell = ws.cell(row=r, column=col, value=value)
            if key == "effective_date":
                cell.number_format = DATE_FORMAT
            elif key == "recorded_at":
                cell.number_format = DATETIME_FORMAT
    ws.freeze_panes = "C2"
    if len(ordered):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(_EVENT_HEADERS))}{len(ordered) + 1}"


def progress_workbook(
    phases: Sequence[PhaseFigures], events: pd.DataFrame, *, as_of: dt.date | None = None
) -> Workbook:
    """The workbook: progress per phase (as of ``as_of``, else now) and the event log."""
    wb = Workbook()
    progress_ws = wb.active
    progress_ws.title = PROGRESS_SHEET
    _progress_sheet(progress_ws, phases, as_of)
    events_ws = wb.create_sheet(EVENTS_SHEET)
    _events_sheet(events_ws, events)
    _fit_columns(progress_ws)
    _fit_columns(events_ws)
    progress_ws.column_dimensions["A"].width = 16
    return wb


def progress_excel_bytes(
    phases: Sequence[PhaseFigures], events: pd.DataFrame, *, as_of: dt.date | None = None
) -> bytes:
    """The workbook as ``.xlsx`` bytes (for a download button)."""
    buffer = io.BytesIO()
    progress_workbook(phases, events, as_of=as_of).save(buffer)
    return buffer.getvalue()


def write_progress_excel(
    path: Path | str,
    phases: Sequence[PhaseFigures],
    events: pd.DataFrame,
    *,
    as_of: dt.date | None = None,
) -> Path:
    """Write the workbook to ``path`` (``.xlsx``); return the path."""
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise InputError(f"'{target}' must end in .xlsx (an Excel workbook).")
    if not target.parent.is_dir():
        raise InputError(f"Folder {target.parent} does not exist. Create it or choose another.")
    try:
        target.write_bytes(progress_excel_bytes(phases, events, as_of=as_of))
    except OSError as exc:
        raise InputError(f"Cannot write {target}: {exc.strerror}.") from None
    return target

"""A layer as an Excel workbook: attributes, areas given by the caller, and a totals row.

Sheet one holds one row per feature: a running number, the attributes (enumeration codes
shown with their Chinese label: 净地, not ``net_land``), then the area columns the caller
computed (``area_mu_plane``…), with Chinese and English headers like the progress workbook,
the number format ``0.00``, a frozen header and an autofilter. The last row holds the
totals as values (the feature count and the sum of every area and ``*_mu`` column). Sheet
two (``说明 About``) says what was exported, when, and any notes (the plane used for areas).

Every text goes through :func:`geo_app.io.excel.set_text`, so no cell becomes a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from geo_app.domain.layers import LayerSpec
from geo_app.io._export_frame import (
    attribute_columns,
    enum_columns,
    is_missing,
    label_zh,
)
from geo_app.io.excel import (
    _BOLD,
    _HEADER_FILL,
    _TOTAL_FILL,
    DATE_FORMAT,
    DATETIME_FORMAT,
    MU_FORMAT,
    _width,
    set_text,
)

ABOUT_SHEET = "说明 About"
NUMBER_HEADER = "序号\nNo."
#: Display of the totals row's first cell (its value is the feature count).
COUNT_FORMAT = '"合计 Total: "0'
HEADER_ROW, FIRST_DATA_ROW = 1, 2

#: Headers of the area columns :func:`geo_app.analysis.area.add_areas` adds.
AREA_HEADERS: dict[str, str] = {
    "area_m2_plane": "平面面积(平方米)\nPlane area (m²)",
    "area_m2_ellipsoidal": "椭球面积(平方米)\nEllipsoidal area (m²)",
    "area_mu_plane": "平面面积(亩)\nPlane area (mu)",
    "area_mu_ellipsoidal": "椭球面积(亩)\nEllipsoidal area (mu)",
    "area_ha_plane": "平面面积(公顷)\nPlane area (ha)",
    "area_ha_ellipsoidal": "椭球面积(公顷)\nEllipsoidal area (ha)",
    "crs_plane": "面积平面坐标系\nPlane of the area",
}
_SHEET_TITLE_UNSAFE = re.compile(r"[\[\]:*?/\\]")
_WIDTH_SAMPLE_ROWS = 500


def _sheet_title(layer_name: str, spec: LayerSpec | None) -> str:
    title = f"{spec.zh} {spec.en}" if spec is not None else layer_name
    title = _SHEET_TITLE_UNSAFE.sub("_", title).strip("'") or "layer"
    return title[:31]


def _header_label(column: str, spec: LayerSpec | None) -> str:
    if column in AREA_HEADERS:
        return AREA_HEADERS[column]
    if spec is not None and column in spec.column_names:
        col = spec.column(column)
        return f"{col.zh}\n{col.en}"
    return column


def _python_value(value: object) -> object:
    """A value openpyxl stores: numbers, dates, text (``None`` for missing)."""
    if is_missing(value):
        return None
    if isinstance(value, np.bool_ | bool):
        return "是 yes" if bool(value) else "否 no"
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, int | dt.date | str):
        return value
    return str(value)


def _summed(column: str, area_columns: Sequence[str], frame: pd.DataFrame) -> bool:
    numeric = pd.api.types.is_numeric_dtype(frame[column])
    return numeric and (column in area_columns or column.endswith("_mu"))


def _put(ws: Worksheet, row: int, col: int, value: object) -> None:
    if isinstance(value, str):
        set_text(ws.cell(row=row, column=col), value)
        return
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, dt.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT


def _layer_sheet(
    ws: Worksheet, frame: pd.DataFrame, spec: LayerSpec | None, area_columns: Sequence[str]
) -> None:
    attributes = [c for c in attribute_columns(frame) if c not in area_columns]
    columns = [*attributes, *(c for c in area_columns if c in frame.columns)]
    labels = [NUMBER_HEADER, *(_header_label(c, spec) for c in columns)]
    for col, label in enumerate(labels, start=1):
        cell = set_text(ws.cell(row=HEADER_ROW, column=col), label)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    ws.row_dimensions[HEADER_ROW].height = 32

    enums = enum_columns(spec)
    summed = {c for c in columns if _summed(c, area_columns, frame)}
    data = {c: frame[c].tolist() for c in columns}
    n = len(frame)
    for i in range(n):
        r = FIRST_DATA_ROW + i
        ws.cell(row=r, column=1, value=i + 1)
        for j, column in enumerate(columns, start=2):
            raw = data[column][i]
            value = label_zh(enums[column], raw) if column in enums else raw
            _put(ws, r, j, _python_value(value))
            if column in summed:
                ws.cell(row=r, column=j).number_format = MU_FORMAT

    total_row = FIRST_DATA_ROW + n
    count = ws.cell(row=total_row, column=1, value=n)
    count.number_format = COUNT_FORMAT
    for j, column in enumerate(columns, start=2):
        if column in summed:
            values = pd.to_numeric(frame[column], errors="coerce")
            total = float(values[np.isfinite(values)].sum())
            cell = ws.cell(row=total_row, column=j, value=total)
            cell.number_format = MU_FORMAT
    for col in range(1, len(labels) + 1):
        ws.cell(row=total_row, column=col).font = _BOLD
        ws.cell(row=total_row, column=col).fill = _TOTAL_FILL

    ws.freeze_panes = ws.cell(row=FIRST_DATA_ROW, column=min(3, len(labels)))
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(labels))}{total_row - 1}"
    _fit(ws, len(labels), total_row)


def _fit(ws: Worksheet, n_columns: int, last_row: int) -> None:
    for col in range(1, n_columns + 1):
        widest = 6
        for row in range(HEADER_ROW, min(last_row, HEADER_ROW + _WIDTH_SAMPLE_ROWS) + 1):
            value = ws.cell(row=row, column=col).value
            if value is None:
                continue
            if isinstance(value, float):
                value = f"{value:,.2f}"
            elif isinstance(value, dt.date):
                value = "2021-12-31 23:59:59" if isinstance(value, dt.datetime) else "2021-12-31"
            widest = max(widest, _width(value))
        ws.column_dimensions[get_column_letter(col)].width = min(widest + 2, 50)


def _about_sheet(
    ws: Worksheet, layer_name: str, spec: LayerSpec | None, features: int, notes: Sequence[str]
) -> None:
    rows: list[tuple[str, object]] = [
        ("图层 Layer", f"{layer_name} ({spec.zh} {spec.en})" if spec else layer_name),
        ("要素数 Features", features),
        ("导出时间 Exported at", dt.datetime.now().replace(microsecond=0)),
    ]
    rows.extend(("说明 Note", note) for note in notes)
    for r, (key, value) in enumerate(rows, start=1):
        set_text(ws.cell(row=r, column=1), key).font = _BOLD
        _put(ws, r, 2, value)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 100


def layer_workbook(
    frame: pd.DataFrame,
    *,
    layer_name: str,
    spec: LayerSpec | None = None,
    area_columns: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> Workbook:
    """The workbook of a layer's features (see the module docstring).

    Parameters
    ----------
    frame
        The features; a geometry column, if any, is left out.
    layer_name
        The layer's name (sheet title and the About sheet).
    spec
        The layer's specification: Chinese/English headers and which columns are
        enumerations shown by their Chinese label.
    area_columns
        Columns of ``frame`` holding areas (``area_mu_plane``…), written last; the numeric
        ones are formatted ``0.00`` and summed in the totals row (a text one such as
        ``crs_plane`` is written as it is).
    notes
        Lines for the About sheet (which plane the areas use…).
    """
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(layer_name, spec)
    _layer_sheet(ws, frame, spec, tuple(area_columns))
    _about_sheet(wb.create_sheet(ABOUT_SHEET), layer_name, spec, len(frame), notes)
    return wb


def layer_xlsx_bytes(
    frame: pd.DataFrame,
    *,
    layer_name: str,
    spec: LayerSpec | None = None,
    area_columns: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> bytes:
    """:func:`layer_workbook` as ``.xlsx`` bytes."""
    buffer = io.BytesIO()
    layer_workbook(
        frame, layer_name=layer_name, spec=spec, area_columns=area_columns, notes=notes
    ).save(buffer)
    return buffer.getvalue()

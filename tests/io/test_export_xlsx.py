"""Excel layer sheet: Chinese labels, totals as values, formats, and hostile text kept as text."""

from __future__ import annotations

import datetime as dt
import io

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from shapely.geometry import box

from geo_app.domain.layers import get_spec
from geo_app.domain.stages import ParcelStage
from geo_app.io.excel import progress_excel_bytes
from geo_app.io.export import ExportFormat, render_layer
from geo_app.io.xlsx_layer import ABOUT_SHEET, layer_xlsx_bytes

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)", "\t=1+1", "=1+1\r\n"]


def _parcels(names: list[str], stages: list[str]) -> pd.DataFrame:
    n = len(names)
    return pd.DataFrame({
        "id": [f"P-{i}" for i in range(1, n + 1)],
        "name": names,
        "park": ["青春化工园"] * n,
        "phase": pd.array([1] * n, dtype="Int64"),
        "stage": stages,
        "stage_date": [dt.date(2021, 5, 15)] * n,
        "declared_area_mu": [10.0 * (i + 1) for i in range(n)],
        "land_use": ["工业用地"] * n,
        "area_mu_plane": [1.25 * (i + 1) for i in range(n)],
        "area_m2_plane": [1.25 * (i + 1) * 10000 / 15 for i in range(n)],
    })


def _sheet(data: bytes) -> Worksheet:
    return load_workbook(io.BytesIO(data)).worksheets[0]


def _column(ws: Worksheet, header_start: str) -> int:
    for cell in ws[1]:
        if str(cell.value).startswith(header_start):
            return cell.column
    raise AssertionError(f"no column {header_start!r}: {[c.value for c in ws[1]]}")


def test_formula_injection_strings_stay_text():
    frame = _parcels(HOSTILE, ["net_land"] * len(HOSTILE))
    frame["备注 =cmd"] = HOSTILE  # a user's column: header and values are hostile too
    ws = _sheet(layer_xlsx_bytes(frame, layer_name="parcels", spec=get_spec("parcels"),
                                 area_columns=["area_mu_plane", "area_m2_plane"]))
    name_col, note_col = _column(ws, "名称"), _column(ws, "备注")
    assert ws.cell(row=1, column=note_col).data_type == "s"
    for row, text in enumerate(HOSTILE, start=2):
        expected = text.replace("\r\n", "\n")  # XML keeps no CR: line ends become LF
        for col in (name_col, note_col):
            cell = ws.cell(row=row, column=col)
            assert cell.data_type == "s", (text, cell.data_type)
            assert cell.value == expected
            assert cell.quotePrefix  # stays text when edited in Excel


def test_control_characters_are_replaced_not_crashing():
    frame = _parcels(["a\x01b\x0bc", "ok\x00"], ["net_land", "net_land"])
    ws = _sheet(layer_xlsx_bytes(frame, layer_name="parcels", spec=get_spec("parcels")))
    col = _column(ws, "名称")
    assert ws.cell(row=2, column=col).value == "a\ufffdb\ufffdc"
    assert ws.cell(row=3, column=col).value == "ok\ufffd"


def test_stage_codes_are_shown_as_chinese_labels():
    stages = [s.value for s in ParcelStage]
    frame = _parcels([f"地块{i}" for i in range(len(stages))], stages)
    ws = _sheet(layer_xlsx_bytes(frame, layer_name="parcels", spec=get_spec("parcels")))
    col = _column(ws, "征地阶段")
    shown = [ws.cell(row=r, column=col).value for r in range(2, 2 + len(stages))]
    assert shown == [s.label_zh for s in ParcelStage]
    assert "净地" in shown and "net_land" not in shown


def test_totals_row_holds_the_count_and_sums_as_values_formatted_0_00():
    frame = _parcels(["甲", "乙", "丙"], ["net_land", "approved", "supplied"])
    areas = ["area_mu_plane", "area_m2_plane"]
    ws = _sheet(layer_xlsx_bytes(frame, layer_name="parcels", spec=get_spec("parcels"),
                                 area_columns=areas))
    total_row = 5  # header, three features, totals
    assert ws.cell(row=total_row, column=1).value == 3
    assert ws.cell(row=total_row, column=1).number_format == '"合计 Total: "0'
    headers = [c.value for c in ws[1]]
    assert headers[-2:] == ["平面面积(亩)\nPlane area (mu)", "平面面积(平方米)\nPlane area (m²)"]
    mu_col = _column(ws, "平面面积(亩)")
    total = ws.cell(row=total_row, column=mu_col)
    assert total.data_type == "n" and total.value == pytest.approx(1.25 + 2.5 + 3.75)
    assert total.number_format == "0.00"
    assert ws.cell(row=2, column=mu_col).number_format == "0.00"
    declared = ws.cell(row=total_row, column=_column(ws, "登记面积(亩)"))
    assert declared.value == pytest.approx(60.0)  # *_mu columns are summed too
    assert ws.cell(row=total_row, column=_column(ws, "期次")).value is None  # not a sum of phases
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(row=1, column=ws.max_column).column_letter}4"
    date = ws.cell(row=2, column=_column(ws, "阶段日期"))
    assert date.value == dt.datetime(2021, 5, 15) and date.number_format == "yyyy-mm-dd"


def test_missing_values_are_empty_cells_not_zero_and_not_in_totals():
    frame = _parcels(["甲", "乙"], ["net_land", "net_land"])
    frame.loc[1, "area_mu_plane"] = float("nan")
    frame["stage"] = ["net_land", None]
    ws = _sheet(layer_xlsx_bytes(frame, layer_name="parcels", spec=get_spec("parcels"),
                                 area_columns=["area_mu_plane"]))
    col = _column(ws, "平面面积(亩)")
    assert ws.cell(row=3, column=col).value is None
    assert ws.cell(row=4, column=col).value == pytest.approx(1.25)
    assert ws.cell(row=3, column=_column(ws, "征地阶段")).value is None


def test_about_sheet_holds_the_notes_as_text():
    frame = _parcels(["甲"], ["net_land"])
    data = layer_xlsx_bytes(frame, layer_name="parcels", spec=get_spec("parcels"),
                            notes=["Plane areas in EPSG:4547.", "=not a formula"])
    about = load_workbook(io.BytesIO(data))[ABOUT_SHEET]
    values = [about.cell(row=r, column=2) for r in range(1, about.max_row + 1)]
    assert values[0].value == "parcels (征地地块 Acquisition parcels)"
    assert values[1].value == 1
    assert [c.value for c in values[3:]] == ["Plane areas in EPSG:4547.", "=not a formula"]
    assert values[4].data_type == "s"


def test_layer_without_spec_uses_column_names_and_sheet_title():
    gdf = gpd.GeoDataFrame({"名称": ["=1+2"], "kind": ["x"]},
                           geometry=[box(113.4, 31.6, 113.41, 31.61)], crs=4490)
    out = render_layer(gdf, fmt=ExportFormat.XLSX, layer_name="my_plots")
    assert out.file_name == "my_plots.xlsx"
    ws = _sheet(out.data)
    assert ws.title == "my_plots"
    assert [c.value for c in ws[1]] == ["序号\nNo.", "名称", "kind"]
    assert ws.cell(row=2, column=2).value == "=1+2" and ws.cell(row=2, column=2).data_type == "s"


def test_progress_workbook_event_notes_are_never_formulas():
    events = pd.DataFrame([{
        "event_id": 1, "parcel_id": "=cmd|' /C calc'!A0", "from_stage": None,
        "to_stage": "pre_notice", "effective_date": "2021-01-05", "officer": "@SUM(1+1)",
        "note": '=HYPERLINK("http://x","y")', "evidence": "+1", "recorded_at":
        "2021-01-05T10:00:00", "is_correction": False, "correction_reason": None,
    }])
    book = load_workbook(io.BytesIO(progress_excel_bytes([], events)))
    ws = book.worksheets[1]
    cells = {c.value: c for c in ws[2] if isinstance(c.value, str)}
    for text in ("=cmd|' /C calc'!A0", "@SUM(1+1)", '=HYPERLINK("http://x","y")', "+1"):
        assert cells[text].data_type == "s"

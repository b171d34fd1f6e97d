"""Table downloads (layer table, terrain table) of attributes another tool wrote: control
characters never break the workbook, and a hostile column name is no formula either."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from geo_app.ui.tables import csv_bytes, excel_bytes

HOSTILE_HEADER = '=HYPERLINK("http://127.0.0.1:9/x","y")'


def _table() -> pd.DataFrame:
    return pd.DataFrame({HOSTILE_HEADER: ["a"], "名称\x1b": ["x\x1b[2Jy\x00z"], "面积": [-1.5]})


def test_excel_download_holds_text_with_control_characters():
    ws = openpyxl.load_workbook(io.BytesIO(excel_bytes(_table(), sheet="t"))).active
    header = [c.value for c in ws[1]]
    row = [c.value for c in ws[2]]
    assert header[0] == HOSTILE_HEADER and ws["A1"].data_type == "s"
    assert row[1] == "x\ufffd[2Jy\ufffdz" and row[2] == -1.5


def test_csv_download_quotes_a_formula_header_and_drops_control_characters():
    text = csv_bytes(_table()).decode("utf-8-sig")
    assert "\x1b" not in text and "\x00" not in text
    back = pd.read_csv(io.StringIO(text))
    assert back.columns[0] == f"'{HOSTILE_HEADER}"
    assert back.iloc[0, 1] == "x\ufffd[2Jy\ufffdz" and back.iloc[0, 2] == -1.5

"""Attribute tables: labels, translated headers, CSV with BOM, Excel."""

from __future__ import annotations

import io

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from geo_app.analysis.area import add_areas
from geo_app.storage import GeoPackageStore
from geo_app.ui.tables import (
    area_decimals,
    area_formats,
    csv_bytes,
    excel_bytes,
    excel_sheet_name,
    layer_table,
)


@pytest.fixture(scope="module")
def parcels(bundled_store: GeoPackageStore) -> gpd.GeoDataFrame:
    return add_areas(bundled_store.read_layer("parcels"))[0]


def test_table_has_labels_headers_and_areas_in_chinese(parcels):
    table = layer_table(parcels, "parcels", lang="zh")
    assert list(table.columns[:3]) == ["编号", "名称", "所属园区"]
    assert "面积（亩，平面）" in table.columns
    assert "geometry" not in table.columns
    assert set(table["征地阶段"]) <= {s for s in (
        "拟征收公告", "现状调查", "社会稳定风险评估", "补偿安置方案公告", "签订协议", "报批获批",
        "征收公告", "补偿到位", "净地", "供地")}
    assert table["面积（亩，平面）"].sum() == pytest.approx(3120.0, rel=1e-6)
    assert pd.api.types.is_float_dtype(table["面积（亩，平面）"])


def test_table_in_english(parcels):
    table = layer_table(parcels, "parcels", lang="en")
    assert "Stage" in table.columns and "Area mu (ellipsoidal)" in table.columns
    assert "Net land" in set(table["Stage"])
    assert set(table["Phase"]) == {"Phase 1", "Phase 2"}


def test_phases_read_as_words_and_mu_comes_before_square_metres(parcels):
    table = layer_table(parcels, "parcels", lang="zh")
    expected = parcels["phase"].map({1: "一期", 2: "二期"})
    assert list(table["期次"]) == list(expected)
    areas = [c for c in table.columns if c.startswith("面积（")]
    assert areas == ["面积（亩，平面）", "面积（亩，椭球）", "面积（平方米，平面）",
                     "面积（平方米，椭球）", "面积（公顷，平面）", "面积（公顷，椭球）"]


def test_area_columns_show_m2_to_a_tenth_and_mu_and_ha_to_a_hundredth():
    assert area_decimals("area_m2_plane") == 1
    assert area_decimals("area_mu_ellipsoidal") == 2
    assert area_decimals("area_ha_plane") == 2
    assert area_decimals("declared_area_mu") == 2
    assert area_decimals("name") is None and area_decimals("phase") is None


def test_area_formats_are_keyed_by_the_shown_headers(parcels):
    formats = area_formats("parcels", parcels.columns, "zh")
    table = layer_table(parcels, "parcels", lang="zh")
    assert set(formats) <= set(table.columns)
    assert formats["面积（平方米，平面）"] == "%,.1f"
    assert formats["面积（亩，椭球）"] == "%,.2f"
    assert formats["登记面积(亩)"] == "%,.2f"
    assert "期次" not in formats


def test_csv_has_a_bom_and_round_trips_chinese(parcels):
    table = layer_table(parcels, "parcels", lang="zh")
    data = csv_bytes(table)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(back.columns) == list(table.columns)
    assert back["名称"].iloc[0] == table["名称"].iloc[0]


def test_excel_holds_the_table(parcels):
    table = layer_table(parcels, "parcels", lang="zh")
    book = openpyxl.load_workbook(io.BytesIO(excel_bytes(table, sheet="片区/园区")))
    sheet = book["片区-园区"]
    assert [c.value for c in sheet[1]] == list(table.columns)
    assert sheet.max_row == len(table) + 1


def test_sheet_names_are_made_valid():
    assert excel_sheet_name("a/b:c") == "a-b-c"
    assert len(excel_sheet_name("x" * 40)) == 31


def test_downloads_never_turn_hostile_text_into_formulas():
    import io as _io

    import openpyxl
    import pandas as pd

    from geo_app.ui.tables import csv_bytes, excel_bytes

    payloads = ['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)", "\t=1"]
    table = pd.DataFrame({"名称": payloads, "面积": [-1.5, 2.0, 3.0, 4.0, 5.0]})
    back = pd.read_csv(_io.BytesIO(csv_bytes(table)), encoding="utf-8-sig")
    assert back["名称"].tolist() == [f"'{p}" for p in payloads]  # shown as text
    assert back["面积"].tolist() == [-1.5, 2.0, 3.0, 4.0, 5.0]  # numbers stay numbers
    ws = openpyxl.load_workbook(_io.BytesIO(excel_bytes(table, sheet="t"))).active
    cells = [ws.cell(row=r, column=1) for r in range(2, 2 + len(payloads))]
    assert [c.value for c in cells] == payloads
    assert {c.data_type for c in cells} == {"s"}

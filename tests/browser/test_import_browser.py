"""The Import page in a real browser: upload a generated file through the real file input,
check it, see the report and the preview map (problem feature outlined), confirm."""

from __future__ import annotations

import re

import geopandas as gpd
import pyogrio
import pytest
from _browser import BUNDLED_GPKG, AppSession
from playwright.sync_api import expect
from shapely.geometry import Polygon, box

pytestmark = pytest.mark.browser

X0, Y0 = 451_600.0, 3_503_100.0  # EPSG:4547 (CM 114°E): about 113.49°E 31.65°N, in the zone
LAYER = "browser_survey"


def _fixture(path) -> None:
    bow_tie = Polygon([(X0 + 400, Y0), (X0 + 500, Y0 + 100), (X0 + 500, Y0),
                       (X0 + 400, Y0 + 100)])
    frame = gpd.GeoDataFrame(
        {"id": ["B1", "B2", "B3"], "name": ["东地块", "西地块", "蝴蝶地块"]},
        geometry=[box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 200, Y0, X0 + 300, Y0 + 100),
                  bow_tie], crs=4547).to_crs(4490)
    pyogrio.write_dataframe(frame, path, driver="GeoJSON")


def test_upload_check_preview_and_confirm(app: AppSession, tmp_path):
    source = tmp_path / "测绘成果.geojson"
    _fixture(source)
    app.open("import")
    main = app.page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name="导入")).to_be_visible()
    main.locator('input[type="file"]').set_input_files(str(source))
    app.wait_idle()
    main.get_by_role("combobox", name="导入到图层").click()
    app.page.get_by_role("option", name="＋ 新建图层…").click()
    app.wait_idle()
    main.get_by_role("textbox", name="新图层名").fill(LAYER)
    main.get_by_role("textbox", name="新图层名").press("Enter")
    app.wait_idle()
    main.get_by_role("button", name="检查", exact=True).click()
    app.wait_idle()
    expect(main.get_by_role("heading", name=re.compile("检查报告"))).to_be_visible()
    expect(main.locator('[data-testid="stMetricValue"]').first).to_have_text("3")
    # the preview: three features, the bow-tie outlined in red on top
    expect(app.map_locator().locator("path.geo-layer-import_preview")).to_have_count(3)
    expect(app.map_locator().locator("path.geo-import-problem")).to_have_count(1)
    confirm = main.get_by_role("button", name="确认导入")
    expect(confirm).to_be_disabled()
    main.get_by_role("textbox", name="经办人").fill("王建国")
    main.get_by_role("textbox", name="经办人").press("Enter")
    app.wait_idle()
    app.screenshot("browser-import-report", full_page=True)
    expect(confirm).to_be_enabled()
    confirm.click()
    app.wait_idle()
    expect(main.locator('[data-testid="stAlert"]').first).to_contain_text("已导入 3 个要素")
    expect(main.get_by_role("button", name="确认导入")).to_have_count(0)  # not twice
    app.wait_idle()
    app.screenshot("browser-import-done")
    assert app.blocked == [] and app.errors() == []


def test_export_a_layer_from_the_layer_table(app: AppSession, tmp_path):
    n_parcels = len(gpd.read_file(BUNDLED_GPKG, layer="parcels"))
    app.open("layers")
    main = app.page.locator('[data-testid="stMain"]')
    expect(main.locator('[data-testid="stDataFrame"]')).to_be_visible()
    main.get_by_role("button", name="导出图层").click()
    popover = app.page.locator('[data-testid="stPopoverBody"]')
    popover.get_by_role("combobox", name="格式").click()
    app.page.get_by_role("option", name="Shapefile（.zip）").click()
    app.wait_idle()
    expect(popover.get_by_role("combobox", name="字符编码")).to_be_visible()
    popover.get_by_role("button", name="生成文件").click()
    app.wait_idle()
    button = popover.get_by_role("button", name=re.compile(r"下载 .*\.zip"))
    expect(button).to_be_visible()
    app.screenshot("browser-export-popover")
    with app.page.expect_download() as info:
        button.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    back = pyogrio.read_dataframe(saved)
    assert len(back) == n_parcels
    assert app.blocked == [] and app.errors() == []

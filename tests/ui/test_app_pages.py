"""The app through streamlit's AppTest: pages, numbers, filters, language, search, errors."""

from __future__ import annotations

import json
import re

import pyogrio
import pytest

from geo_app.settings import BUNDLED_LAYERS
from geo_app.ui.i18n import Lang
from geo_app.ui.models import Selection
from geo_app.ui.state import Key


def _texts(at) -> str:
    """Everything written as markdown, captions, titles and headers, as one string."""
    parts = [e.value for e in (*at.markdown, *at.caption, *at.title, *at.header,
                                *at.subheader, *at.info, *at.error, *at.warning)]
    return "\n".join(str(p) for p in parts)


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _map_args(at) -> dict:
    (component,) = [c for c in at.get("component_instance")
                    if "streamlit_folium" in c.proto.component_name]
    return json.loads(component.proto.json_args)


def _layers_on_map(script: str) -> set[str]:
    """Layers whose group the map script adds to the map (unticked ones are only listed)."""
    groups = re.findall(r'geoApp\.register\(map_div, (\w+),\s*"(\w+)"', script)
    return {layer for var, layer in groups if f"{var}.addTo(map_div)" in script}


@pytest.mark.parametrize("page", ["map", "dashboard", "layers"])
def test_every_page_runs_without_exception(app_page, page):
    at = app_page(page).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    titles = {"map": "地图", "dashboard": "统计看板", "layers": "图层与属性表"}
    if page != "map":
        assert at.title[0].value == titles[page]


def test_dashboard_shows_the_article_figures(app_page):
    at = app_page("dashboard").run()
    metrics = _metrics(at)
    assert metrics["启动规划编制的村"] == "44"
    assert metrics["示范村"] == "5"
    assert metrics["整治村"] == "15"
    assert metrics["规划编制中"] == "24"
    assert metrics["二期示范工程"] == "3"
    assert metrics["巩固提升"] == "7"
    assert metrics["在库项目"] == "77"
    assert metrics["基础设施项目"] == "28"
    assert metrics["2021年新开工 ≥5,000万元"] == "25"
    assert metrics["距道路 2 公里以内的村"] == "16"
    progress = [p.proto.text for p in at.get("progress")]
    assert any("一期：净地 1,420 亩 / 目标 1,420 亩（100%）" in p for p in progress)
    assert any("目标 1,700 亩" in p for p in progress)
    assert "已启动征地 1,700 亩，20 块地" in _texts(at)


def test_language_switch_changes_labels(app_page):
    at = app_page("dashboard").run()
    at.sidebar.radio(key=Key.LANG).set_value(Lang.EN).run()
    assert not at.exception
    assert at.title[0].value == "Dashboard"
    metrics = _metrics(at)
    assert metrics["Villages with plans started"] == "44"
    assert metrics["Infrastructure projects"] == "28"
    assert "Beautiful-village plans" in _texts(at)
    progress = [p.proto.text for p in at.get("progress")]
    assert any("Phase 1: net land 1,420 of 1,420 mu target (100%)" in p for p in progress)


def test_layers_page_shows_areas_and_downloads(app_page):
    at = app_page("layers").run()
    at.selectbox(key=Key.TABLE_LAYER).set_value("parcels").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 32
    assert table["面积（亩，平面）"].sum() == pytest.approx(3120.0, rel=1e-6)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["下载 CSV", "下载 Excel"]
    at.sidebar.radio(key=Key.LANG).set_value(Lang.EN).run()
    assert "Area mu (plane)" in at.dataframe[0].value.columns


def test_stage_filter_reduces_the_parcels_drawn(app_page):
    at = app_page("map").run()
    assert not at.exception
    assert "显示地块 32 块" in _texts(at)
    before = _map_args(at)["script"]
    at.sidebar.multiselect(key=Key.FILTER_STAGES).set_value(["net_land"]).run()
    assert not at.exception
    assert "显示地块 12 块" in _texts(at)
    after = _map_args(at)["script"]
    assert "QC2-01" in before and "QC2-01" not in after
    assert "QC1-01" in after


def test_map_script_is_the_same_on_every_rerun(app_page):
    """The cached map is never re-rendered in place (streamlit-folium renames elements)."""
    at = app_page("map").run()
    first = _map_args(at)["script"]
    at.run()
    second = _map_args(at)["script"]
    assert first == second
    assert not re.search(r"\w+_[0-9a-f]{32}\b", second)


def test_layer_toggle_removes_a_layer_from_the_map(app_page):
    at = app_page("map").run()
    names = at.sidebar.button_group(key=Key.VISIBLE_LAYERS).value
    assert "villages" in names
    assert _layers_on_map(_map_args(at)["script"]) == set(names)
    at.sidebar.button_group(key=Key.VISIBLE_LAYERS).set_value(
        [n for n in names if n != "villages"]).run()
    assert not at.exception
    assert _layers_on_map(_map_args(at)["script"]) == set(names) - {"villages"}
    assert "村庄 0 个" in _texts(at)


@pytest.mark.parametrize("query", ["挑水村", "Tiaoshui"])
def test_search_zooms_to_the_village_and_shows_it(app_page, query):
    at = app_page("map").run()
    at.text_input(key=Key.SEARCH).input(query).run()
    assert not at.exception
    assert at.session_state[Key.SELECTION] == Selection("villages", "V-01")
    view = at.session_state[Key.MAP_VIEW]
    args = _map_args(at)
    assert args["zoom"] == view.zoom >= 14
    assert args["center"] == pytest.approx(list(view.center))
    assert 31.6 < view.center[0] < 31.8 and 113.4 < view.center[1] < 113.7
    assert "挑水村" in _texts(at)


def test_search_without_match_says_so(app_page):
    at = app_page("map").run()
    at.text_input(key=Key.SEARCH).input("没有这个村").run()
    assert "没有名称含“没有这个村”的要素。" in _texts(at)


def test_bad_store_shows_an_error_not_a_traceback(app_page, monkeypatch, tmp_path):
    monkeypatch.setenv("GEO_APP_STORE", str(tmp_path / "missing.gpkg"))
    for page in ("map", "dashboard", "layers"):
        at = app_page(page).run()
        assert not at.exception
        assert "No GeoPackage at" in at.error[0].value


def test_missing_layer_is_reported_per_section(app_page, monkeypatch, tmp_path):
    store = tmp_path / "no_parcels.gpkg"
    for name, _ in pyogrio.list_layers(BUNDLED_LAYERS):
        if name != "parcels":
            frame = pyogrio.read_dataframe(BUNDLED_LAYERS, layer=name)
            pyogrio.write_dataframe(frame, store, layer=name, driver="GPKG")
    monkeypatch.setenv("GEO_APP_STORE", str(store))
    at = app_page("dashboard").run()
    assert not at.exception
    assert not at.error  # a missing layer is said, not shown as an error
    assert any("本数据库没有“征地地块”图层" in i.value for i in at.info)
    assert _metrics(at)["在库项目"] == "77"  # the other sections still show

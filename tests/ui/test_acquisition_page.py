"""The Acquisition page through streamlit's AppTest, on a private copy of the bundled store.

Known answers are computed here from the event log and shapely areas in EPSG:4547, not
with the functions the page calls.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pandas as pd
import pyarrow as pa
import pytest
from _parcel_box import parcel_box
from known_cases import net_land_mu_on
from openpyxl import load_workbook
from streamlit.testing.v1.element_tree import Block

from geo_app.domain.stages import ParcelStage
from geo_app.io.excel import EVENTS_SHEET, HEADER_ROW, PROGRESS_SHEET
from geo_app.maps.style import layer_style, swatch_css
from geo_app.storage import GeoPackageStore
from geo_app.storage.events import record_stage_change
from geo_app.ui import loaders
from geo_app.ui.i18n import Lang
from geo_app.ui.pages.acquisition import _cached
from geo_app.ui.state import Key

D = dt.date.fromisoformat


@pytest.fixture
def store_path(sample_gpkg, monkeypatch):
    monkeypatch.setenv("GEO_APP_STORE", str(sample_gpkg))
    return sample_gpkg


@pytest.fixture
def page(app_page, store_path):
    at = app_page("acquisition").run()
    assert not at.exception, at.exception
    return at


def _texts(at) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.title, *at.header,
                                *at.subheader, *at.info, *at.error, *at.warning, *at.success)]
    return "\n".join(str(p) for p in parts)


def _plain(markdown: object) -> str:
    """Markdown source as a reader sees it: backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", str(markdown))


def _under_button(at) -> list[tuple[str, str]]:
    """The messages the record form shows right under its button: (kind, text as read)."""
    (form,) = [b for b in _blocks(at.main) if b.type == "form"
               and b.proto.form.form_id == Key.ACQ_FORM]
    children = list(form.children.values())
    (button,) = [i for i, c in enumerate(children) if getattr(c, "key", None) == Key.ACQ_SUBMIT]
    after = children[button + 1:]
    return [(c.type, _plain(c.value)) for c in after
            if c.type in ("error", "success", "warning", "info")]


def _blocks(node):
    if isinstance(node, Block):
        yield node
        for child in node.children.values():
            yield from _blocks(child)


def _progress_texts(at) -> list[str]:
    return [p.proto.text for p in at.get("progress")]


def _events(path) -> pd.DataFrame:
    return GeoPackageStore(path).read_events()


def _pick(at, parcel_id: str):
    parcel_box(at).set_value(parcel_id).run()
    assert not at.exception, at.exception
    return at


def _fill(at, *, to_stage: ParcelStage | None = None, day: dt.date | None = None,
          officer: str = "王建国", note: str = "", evidence: str = "", reason: str | None = None):
    if to_stage is not None:
        at.selectbox(key=Key.ACQ_TO_STAGE).set_value(to_stage)
    if day is not None:
        at.date_input(key=Key.ACQ_DATE).set_value(day)
    at.text_input(key=Key.ACQ_OFFICER).input(officer)
    if note:
        at.text_area(key=Key.ACQ_NOTE).input(note)
    if evidence:
        at.text_input(key=Key.ACQ_EVIDENCE).input(evidence)
    if reason is not None:
        at.text_input(key=Key.ACQ_REASON).input(reason)
    at.button(key=Key.ACQ_SUBMIT).click().run()
    assert not at.exception, at.exception
    return at


def _map_classes(at) -> dict[str, str]:
    """Parcel id → the class (stage) it is drawn in, read from the (one) map's script."""
    (component,) = [c for c in at.get("component_instance")
                    if "streamlit_folium" in c.proto.component_name]
    script = json.loads(component.proto.json_args)["script"]
    decoder, classes = json.JSONDecoder(), {}
    for match in re.finditer(r"geoApp\.features\(\s*", script):
        packed, end = decoder.raw_decode(script, match.end())
        rest = re.match(r'\s*,\s*"(\w+)"\s*,\s*', script[end:])
        options, _ = decoder.raw_decode(script, end + rest.end())
        klass = re.search(r"geo-class-(\S+)", options["className"])
        if rest.group(1) != "parcels" or klass is None:  # other layers, the outline
            continue
        klass = klass.group(1)
        for values in packed["v"]:
            classes[values[packed["k"].index("id")]] = klass
    return classes


# --- the page runs -----------------------------------------------------------------------


@pytest.mark.parametrize("view", ["record", "as_of", "compare", "trend"])
def test_every_view_runs_without_exception(page, view):
    page.button_group(key=Key.ACQ_VIEW).set_value(view).run()
    assert not page.exception, page.exception
    assert not page.error, [e.value for e in page.error]
    assert page.title[0].value == "征地进度"


def test_a_parcel_shows_its_stage_version_and_history(page):
    _pick(page, "QC1-01")
    text = _texts(page)
    assert "**当前阶段**：净地（2021-05-15 起）" in text
    assert "**版本**：9（已登记 9 条记录）" in text
    history = page.dataframe[0].value
    assert len(history) == 9
    assert history["阶段"].iloc[0] == "净地"  # newest first
    assert history["阶段"].iloc[-1] == "拟征收公告"
    assert set(history.columns) >= {"生效日期", "经办人", "备注", "依据文件", "更正"}
    assert page.selectbox(key=Key.ACQ_TO_STAGE).value == ParcelStage.SUPPLIED  # the next one


# --- recording a stage change ------------------------------------------------------------


def test_recording_the_next_stage_appends_one_event_and_updates_the_page(page, store_path):
    before = _events(store_path)
    _pick(page, "QC2-20")
    assert "**当前阶段**：拟征收公告（2021-10-12 起）" in _texts(page)
    assert page.selectbox(key=Key.ACQ_TO_STAGE).value == ParcelStage.STATUS_SURVEY
    assert _map_classes(page)["QC2-20"] == "pre_notice"
    _fill(page, day=D("2021-12-10"), officer="王建国", note="入户调查完成",
          evidence="随高新征〔2021〕300号")
    after = _events(store_path)
    assert len(after) == len(before) + 1
    new = after.iloc[-1]
    assert (new["parcel_id"], new["from_stage"], new["to_stage"]) == (
        "QC2-20", "pre_notice", "status_survey")
    assert (new["effective_date"], new["officer"], new["note"], new["evidence"]) == (
        "2021-12-10", "王建国", "入户调查完成", "随高新征〔2021〕300号")
    assert not new["is_correction"]
    assert _under_button(page) == [
        ("success", "QC2-20：已登记“现状调查”（生效 2021-12-10），现为版本 2。")]
    text = _texts(page)
    assert "**当前阶段**：现状调查（2021-12-10 起）" in text
    assert "**版本**：2（已登记 2 条记录）" in text
    # the map shows the new stage at once, the parcel stays picked, the form moves on
    assert _map_classes(page)["QC2-20"] == "status_survey"
    assert parcel_box(page).value == "QC2-20"
    assert page.selectbox(key=Key.ACQ_TO_STAGE).value == ParcelStage.RISK_ASSESSMENT
    assert page.text_input(key=Key.ACQ_EVIDENCE).value == ""
    assert page.text_input(key=Key.ACQ_OFFICER).value == "王建国"  # kept for the next one


def test_a_press_of_the_button_is_handled_before_the_map_is_drawn(page, store_path,
                                                                 monkeypatch):
    """The map asks for a rerun after each redraw, and a rerun stops the run under way: a
    press of 登记 must be handled before the map is drawn, or it can be lost (seen in CI:
    the form still filled, nothing recorded)."""
    from geo_app.ui.pages.acquisition import record

    draws: list[int] = []  # the events in the ledger each time the map is drawn
    real = record.parcel_map_widget

    def counting(*args, **kwargs):
        draws.append(len(_events(store_path)))
        return real(*args, **kwargs)

    monkeypatch.setattr(record, "parcel_map_widget", counting)
    _pick(page, "QC2-20")
    before = len(_events(store_path))
    draws.clear()
    _fill(page, officer="王建国", evidence="随高新征〔2021〕300号")
    assert len(_events(store_path)) == before + 1
    assert draws and set(draws) == {before + 1}  # no map drawn while the press was pending


def test_the_stage_list_offers_the_next_stage_and_others_only_as_a_correction(page):
    _pick(page, "QC2-01")  # at compensation_paid
    assert page.selectbox(key=Key.ACQ_TO_STAGE).options == ["净地"]
    page.checkbox(key=Key.ACQ_CORRECTION).check().run()
    assert page.selectbox(key=Key.ACQ_TO_STAGE).options == [
        s.label_zh for s in ParcelStage if s is not ParcelStage.COMPENSATION_PAID]
    page.selectbox(key=Key.ACQ_TO_STAGE).set_value(ParcelStage.PRE_NOTICE).run()
    page.checkbox(key=Key.ACQ_CORRECTION).uncheck().run()  # back to the next stage only
    assert page.selectbox(key=Key.ACQ_TO_STAGE).options == ["净地"]
    assert page.selectbox(key=Key.ACQ_TO_STAGE).value == ParcelStage.NET_LAND


def test_a_refusal_is_in_chinese_under_the_button_and_nothing_is_written(page, store_path):
    before = _events(store_path)
    _pick(page, "QC2-20")
    _fill(page, day=D("2021-12-10"), officer="   ")
    assert _under_button(page) == [
        ("error", "未登记，原因：\n\n地块 QC2-20：请填写本次阶段变更的经办人。")]
    assert len(page.error) == 1  # nowhere else on the page
    assert len(_events(store_path)) == len(before)
    assert "**当前阶段**：拟征收公告" in _texts(page)
    assert not page.success
    page.run()  # a rerun without a press (the map reporting its view) keeps the answer
    assert _under_button(page) == [
        ("error", "未登记，原因：\n\n地块 QC2-20：请填写本次阶段变更的经办人。")]


def test_a_refusal_in_english_after_the_language_switch(page, store_path):
    page.sidebar.radio(key=Key.LANG).set_value(Lang.EN).run()
    _pick(page, "QC2-20")
    _fill(page, day=D("2021-12-10"), officer="王\x1b[2J建国")
    ((kind, text),) = _under_button(page)
    assert kind == "error"
    assert text.startswith("Not recorded:\n\nThe officer's name contains a control character")
    assert "pre_notice" not in text and "status_survey" not in text  # no codes


def test_the_success_message_stays_until_the_next_attempt(page, store_path):
    _pick(page, "QC2-20")
    _fill(page, day=D("2021-12-10"))
    page.run()  # the redrawn map reruns the page by itself: the message stays
    assert _under_button(page) == [
        ("success", "QC2-20：已登记“现状调查”（生效 2021-12-10），现为版本 2。")]
    _fill(page, day=D("2021-12-10"), officer="")
    assert not page.success
    assert _under_button(page) == [
        ("error", "未登记，原因：\n\n地块 QC2-20：请填写本次阶段变更的经办人。")]


def test_a_missing_officer_is_refused(page, store_path):
    before = len(_events(store_path))
    _pick(page, "QC2-20")
    _fill(page, day=D("2021-12-10"), officer="   ")
    assert "请填写本次阶段变更的经办人" in _under_button(page)[0][1]
    assert len(_events(store_path)) == before


def test_a_correction_needs_a_reason_then_goes_back(page, store_path):
    before = len(_events(store_path))
    _pick(page, "QC1-01")
    page.checkbox(key=Key.ACQ_CORRECTION).check().run()
    assert page.selectbox(key=Key.ACQ_TO_STAGE).options == [
        s.label_zh for s in ParcelStage if s is not ParcelStage.NET_LAND]
    _fill(page, to_stage=ParcelStage.COMPENSATION_PAID, day=D("2021-05-15"), reason="")
    assert _under_button(page) == [
        ("error", "未登记，原因：\n\n地块 QC1-01：更正须填写更正原因，说明原记录哪里有误。")]
    assert len(_events(store_path)) == before
    _fill(page, to_stage=ParcelStage.COMPENSATION_PAID, day=D("2021-05-15"),
          reason="场地未清理完毕，误报净地")
    after = _events(store_path)
    assert len(after) == before + 1
    new = after.iloc[-1]
    assert new["is_correction"] and new["correction_reason"] == "场地未清理完毕，误报净地"
    assert (new["from_stage"], new["to_stage"]) == ("net_land", "compensation_paid")
    assert "**当前阶段**：补偿到位（2021-05-15 起）" in _texts(page)
    history = page.dataframe[0].value
    assert history["更正"].iloc[0] == "是"
    assert not history["生效"].iloc[1]  # the same-day net-land event no longer counts
    assert page.checkbox(key=Key.ACQ_CORRECTION).value is False


def test_a_concurrent_change_is_a_conflict_naming_the_other_officer(page, store_path):
    _pick(page, "QC2-20")  # the officer sees version 1
    record_stage_change(GeoPackageStore(store_path), "QC2-20", ParcelStage.STATUS_SURVEY,
                        effective_date=D("2021-12-05"), officer="李敏", expected_version=1)
    before = len(_events(store_path))
    _fill(page, to_stage=ParcelStage.STATUS_SURVEY, day=D("2021-12-10"), officer="王建国")
    ((kind, error),) = _under_button(page)
    assert kind == "error"
    assert "您读取地块 QC2-20 之后，李敏 于" in error
    assert "（“拟征收公告” → “现状调查”，生效日期 2021-12-05）" in error
    assert "您看到的是版本 1，现在是版本 2" in error
    assert len(_events(store_path)) == before
    # the page now shows the other officer's change, and the next try is based on it
    assert "**当前阶段**：现状调查（2021-12-05 起）" in _texts(page)
    assert "基于版本 2" in _texts(page)


def test_a_supplied_parcel_offers_only_a_correction(page, store_path):
    store = GeoPackageStore(store_path)
    record_stage_change(store, "QC1-02", ParcelStage.SUPPLIED, effective_date=D("2021-12-20"),
                        officer="张伟")
    _pick(page, "QC1-02")
    assert "该地块已供地" in _texts(page)
    assert not [b for b in page.button if b.key == Key.ACQ_SUBMIT]


# --- as of a date, two dates, over time --------------------------------------------------


@pytest.mark.parametrize("day", ["2021-03-31", "2021-06-30", "2021-12-31"])
def test_as_of_a_date_shows_that_dates_progress(page, store_path, day):
    page.button_group(key=Key.ACQ_VIEW).set_value("as_of").run()
    page.select_slider(key=Key.ACQ_AS_OF).set_value(D(day)).run()
    assert not page.exception, page.exception
    expected = net_land_mu_on(store_path, D(day))
    bars = _progress_texts(page)
    assert bars[0] == (f"一期：净地 {expected[1]:,.0f} 亩 / 目标 1,420 亩"
                       f"（{expected[1] / 1420:.0%}）")
    assert bars[1] == (f"二期：净地 {expected[2]:,.0f} 亩 / 目标 1,700 亩"
                       f"（{expected[2] / 1700:.0%}）")
    if day == "2021-12-31":
        assert bars[0] == "一期：净地 1,420 亩 / 目标 1,420 亩（100%）"
    if day == "2021-06-30":
        assert 0 < expected[1] < 1420
    classes = _map_classes(page)
    if day == "2021-03-31":  # phase 2 had not started: drawn as not started (grey)
        assert {classes[f"QC2-{i:02d}"] for i in range(1, 21)} == {"__other__"}
    assert [b.proto.label for b in page.get("download_button")] == [
        "下载进度表和事件记录（Excel）"]


def test_compare_two_dates_shows_both_and_the_changed_parcels(page, store_path):
    page.button_group(key=Key.ACQ_VIEW).set_value("compare").run()
    page.date_input(key=Key.ACQ_DAY_A).set_value(D("2021-06-30"))
    page.date_input(key=Key.ACQ_DAY_B).set_value(D("2021-12-31")).run()
    assert not page.exception, page.exception
    a = net_land_mu_on(store_path, D("2021-06-30"))
    metrics = {m.label: (m.value, m.proto.delta) for m in page.metric}
    assert metrics["一期 净地 · 2021-06-30"][0] == f"{a[1]:,.1f} 亩"
    assert metrics["一期 净地 · 2021-12-31"] == ("1,420.0 亩", f"{1420 - a[1]:+,.1f} 亩")
    assert metrics["二期 已启动 · 2021-12-31"] == ("1,700.0 亩", "+1,700.0 亩")
    (changed,) = [d.value for d in page.dataframe if "地块" in d.value.columns]
    events = _events(store_path)
    later = set(events.loc[(events["to_stage"] == "net_land")
                           & (events["effective_date"] > "2021-06-30"), "parcel_id"])
    expected = later | {f"QC2-{i:02d}" for i in range(1, 21)}
    assert set(changed["地块"]) == expected
    assert f"**阶段有变化的地块（{len(expected)} 块）**" in _texts(page)


def test_progress_over_time_has_monthly_values_and_target_lines(page, store_path):
    page.button_group(key=Key.ACQ_VIEW).set_value("trend").run()
    assert not page.exception, page.exception
    table = page.dataframe[0].value
    phase1 = table[table["期次"] == "一期"].set_index("月末")["净地及以后（亩）"]
    for day in ("2021-06-30", "2021-09-30"):
        assert phase1[D(day)] == pytest.approx(net_land_mu_on(store_path, D(day))[1], abs=1e-6)
    assert phase1.is_monotonic_increasing
    (chart,) = page.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    frames = {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas()
              for d in chart.proto.datasets}
    (rule,) = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    goals = frames[rule["data"]["name"]]
    assert rule["encoding"]["y"]["field"] == "target_mu"
    assert sorted(goals["target_mu"]) == [1420.0, 1700.0]
    assert sorted(goals["label"]) == ["一期目标 1,420 亩", "二期目标 1,700 亩"]


# --- language ----------------------------------------------------------------------------


def test_english_labels_after_the_language_switch(page):
    page.sidebar.radio(key=Key.LANG).set_value(Lang.EN).run()
    assert not page.exception, page.exception
    assert page.title[0].value == "Land acquisition"
    assert parcel_box(page).label == "Parcel (or click it on the map)"
    _pick(page, "QC1-01")
    text = _texts(page)
    assert "**Current stage**: Net land (since 2021-05-15)" in text
    assert "**Version**: 9 (9 events recorded)" in text
    assert page.text_input(key=Key.ACQ_OFFICER).label == "Officer"
    assert page.dataframe[0].value.columns[0] == "Effective date"
    page.button_group(key=Key.ACQ_VIEW).set_value("as_of").run()
    page.select_slider(key=Key.ACQ_AS_OF).set_value(D("2021-12-31")).run()
    assert _progress_texts(page)[0] == "Phase 1: net land 1,420 of 1,420 mu target (100%)"


def test_the_excel_download_holds_the_progress_and_events_of_the_chosen_date(page, store_path):
    day = D("2021-06-30")
    data = _cached.progress_excel(str(store_path), loaders.store_token(str(store_path)), day)
    book = load_workbook(io.BytesIO(data))
    sheet = book[PROGRESS_SHEET]
    headers = [c.value for c in sheet[HEADER_ROW]]
    net_col = next(i for i, h in enumerate(headers) if h and h.startswith("净地及以后"))
    rows = {r[0]: r for r in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)}
    expected = net_land_mu_on(store_path, day)
    assert rows["1期 Phase 1"][net_col] == pytest.approx(expected[1], abs=1e-6)
    assert rows["2期 Phase 2"][net_col] == pytest.approx(0.0, abs=1e-9)
    events = _events(store_path)
    assert book[EVENTS_SHEET].max_row - 1 == int((events["effective_date"] <= "2021-06-30").sum())


def test_the_stage_key_under_the_map_is_drawn_like_the_map(page):
    style = layer_style("parcels")
    markdown = "\n".join(str(m.value) for m in page.markdown)
    for stage in ("net_land", "compensation_paid"):
        assert swatch_css(style.classes[stage], style.symbol) in markdown
    assert swatch_css(style.other, style.symbol) in markdown  # not started yet

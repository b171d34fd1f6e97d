"""Refusals in the user's language: every code, raised by the real rules, in zh and en."""

from __future__ import annotations

import datetime as dt
import pickle
import re
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from brief_message_triggers import brief_triggers

from geo_app.domain.messages import (
    CATALOGUE,
    FIELD_LABELS,
    lang_from_locale,
    placeholders,
    render,
)
from geo_app.domain.stages import ParcelStage, parse_stage
from geo_app.domain.workflow import ParcelState, StageChange, check_change
from geo_app.errors import GeoAppError, InputError, TransitionError
from geo_app.secrets import malformed_url_error
from geo_app.settings import Settings
from geo_app.storage._gpkg_sql import environment_error
from geo_app.storage.base import Capability
from geo_app.storage.events import check_events_batch
from geo_app.storage.roles import role_refusal
from geo_app.storage.workspace import ensure_workspace

S = ParcelStage
TODAY = dt.date(2022, 1, 31)
DAY = dt.date(2021, 12, 2)
AT_SURVEY = ParcelState("QC2-19", S.STATUS_SURVEY, dt.date(2021, 11, 25), 2)
AT_APPROVED = ParcelState("QC2-10", S.APPROVED, dt.date(2021, 11, 1), 6)
NEW = ParcelState("QC9-01")


def _check(change: StageChange, state: ParcelState) -> None:
    check_change(change, state, today=TODAY)


def _at_survey(to: ParcelStage, **kw: object) -> None:
    kw.setdefault("officer", "李敏")
    _check(StageChange("QC2-19", kw.pop("frm", S.STATUS_SURVEY), to, kw.pop("day", DAY),
                       **kw), AT_SURVEY)


def _ledger(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["event_id", "parcel_id", "from_stage", "to_stage",
                                       "effective_date", "officer", "recorded_at"])


LEDGER = _ledger(
    (1, "a", None, "pre_notice", "2021-01-01", "王建国", "2021-01-01T09:00:00"),
    (2, "a", "pre_notice", "status_survey", "2021-02-01", "陈涛", "2021-02-01T09:00:00"),
    (3, "a", "status_survey", "risk_assessment", "2021-03-01", "张伟", "2021-03-01T09:00:00"),
)
TO_A = [StageChange("a", S.RISK_ASSESSMENT, S.COMPENSATION_PLAN, DAY, "李敏")]


def _batch(expected: dict[str, int], *, changes=TO_A, known=("a",), events=LEDGER) -> None:
    check_events_batch(changes, events, set(known), expected, today=TODAY)


#: code -> a call of the real rules that is refused with it
TRIGGERS: dict[str, Callable[[], None]] = {
    "text.control_character": lambda: _at_survey(S.RISK_ASSESSMENT, officer="王\x1b[2J"),
    "text.too_long": lambda: _at_survey(S.RISK_ASSESSMENT, note="很" * 2001),
    "change.parcel_missing": lambda: _check(
        StageChange(" ", None, S.PRE_NOTICE, DAY, "李敏"), NEW),
    "change.officer_missing": lambda: _at_survey(S.RISK_ASSESSMENT, officer=" \u3000"),
    "change.reason_missing": lambda: _at_survey(S.PRE_NOTICE, is_correction=True,
                                                correction_reason=" "),
    "change.date_in_future": lambda: _at_survey(S.RISK_ASSESSMENT, day=dt.date(2022, 2, 1)),
    "transition.stale_stage": lambda: _at_survey(S.STATUS_SURVEY, frm=None),
    "transition.date_before_current": lambda: _at_survey(S.RISK_ASSESSMENT,
                                                         day=dt.date(2021, 11, 24)),
    "transition.already_at": lambda: _at_survey(S.STATUS_SURVEY, is_correction=True,
                                                correction_reason="录入错误"),
    "transition.first_stage": lambda: _check(
        StageChange("QC9-01", None, S.RISK_ASSESSMENT, DAY, "王建国"), NEW),
    "transition.backwards": lambda: _at_survey(S.PRE_NOTICE),
    "transition.skipped": lambda: _check(
        StageChange("QC2-10", S.APPROVED, S.NET_LAND, DAY, "李敏"), AT_APPROVED),
    "batch.empty": lambda: _batch({"a": 3}, changes=[]),
    "parcel.unknown": lambda: _batch({"a": 3}, known=()),
    "version.missing": lambda: _batch({}),
    "conflict.changed": lambda: _batch({"a": 2}),
    "conflict.changed_more": lambda: _batch({"a": 1}),
    "conflict.version": lambda: _batch({"a": 7}),
    "stage.unknown": lambda: parse_stage("done"),
    "env.busy": lambda: _raise(_env_error(sqlite3.SQLITE_BUSY)),
    "env.read_only": lambda: _raise(_env_error(sqlite3.SQLITE_READONLY)),
    "env.disk_full": lambda: _raise(_env_error(sqlite3.SQLITE_FULL)),
    "env.home_is_file": lambda: _home_is_file(),
    "url.malformed": lambda: _raise(malformed_url_error("postgresql://u:pw@h:notaport/x")),
    "role.refused": lambda: _raise(role_refusal(Capability.RECORD_STAGE, "clerk",
                                                frozenset({"read"}))),
}
TRIGGERS.update(brief_triggers())  # the brief codes, raised by geo_app.briefs


def _raise(err: GeoAppError | None) -> None:
    assert err is not None
    raise err


def _env_error(code: int) -> GeoAppError | None:
    exc = sqlite3.OperationalError("simulated")
    exc.sqlite_errorcode = code
    return environment_error(Path("/data/zone.gpkg"), exc)


def _home_is_file() -> None:
    with tempfile.NamedTemporaryFile() as home:
        ensure_workspace(Settings(home=Path(home.name)))


def _raised(code: str) -> GeoAppError:
    with pytest.raises(GeoAppError) as err:
        TRIGGERS[code]()
    return err.value


def test_every_catalogued_code_is_raised_by_a_real_rule():
    assert set(TRIGGERS) == set(CATALOGUE)


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_chinese_and_english_templates_use_the_same_parameters(code):
    message = CATALOGUE[code]
    assert placeholders(message.zh) == placeholders(message.en)


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_each_refusal_renders_in_chinese_and_english_with_labels_never_codes(code):
    err = _raised(code)
    assert err.code == code
    zh, en = render(err, "zh"), render(err, "en")
    assert set(placeholders(CATALOGUE[code].zh)) <= set(err.params)
    for text in (zh, en):
        assert "{" not in text and "}" not in text, text
        for stage in ParcelStage:
            assert not re.search(rf"\b{stage.value}\b", text), (stage.value, text)
        for field in FIELD_LABELS:  # "note" is an English word; "correction_reason" is not
            if "_" in field or text is zh:
                assert not re.search(rf"\b{field}\b", text), (field, text)
    assert re.search(r"[\u4e00-\u9fff]", zh), zh
    assert not re.search(r"\b(Parcel|stage|the|change)\b", zh), zh
    stages = [v for k, v in err.params.items() if isinstance(v, ParcelStage)]
    for stage in stages:
        assert stage.label_zh in zh and stage.label_en in en
    # str() stays the English text that logs and scripts read
    assert str(err) != zh


def test_the_issue_example_reads_as_chinese_with_labels():
    err = _raised("transition.skipped")
    assert render(err, "zh") == (
        "地块 QC2-10 不能从“报批获批”直接变为“净地”：这会跳过必经阶段：征收公告、补偿到位。"
        "请按顺序逐个阶段登记（每个阶段一条记录），或作为更正登记并说明原因。")
    assert render(err, "en") == (
        "Parcel QC2-10 cannot go from Approved to Net land: that skips the required stage(s) "
        "Acquisition notice, Compensation paid. Record each stage in turn (one event per "
        "stage), or record it as a correction with a reason.")
    assert str(err).startswith(
        "Parcel QC2-10 cannot go from approved (报批获批) to net_land (净地): that skips the "
        "required stage(s) acquisition_notice (征收公告), compensation_paid (补偿到位).")


def test_no_stage_and_field_names_are_rendered_in_words():
    assert render(_raised("transition.stale_stage"), "zh") == (
        "地块 QC2-19 当前为“现状调查”，而不是“无阶段”。请重新加载该地块，从其当前阶段开始变更。")
    assert "is at Land status survey, not no stage." in render(
        _raised("transition.stale_stage"), "en")
    zh = render(_raised("text.control_character"), "zh")
    assert zh.startswith("“经办人”一栏含有控制字符（U+001B ESC），位于第 2 个字符。")
    assert render(_raised("text.too_long"), "zh").startswith(
        "“备注”一栏过长：2001 个字符，最多 2000 个。")


def test_a_conflict_names_who_when_and_the_stages_in_both_languages():
    err = _raised("conflict.changed_more")
    assert err.params["officer"] == "陈涛" and err.params["more"] == 1
    assert render(err, "zh") == (
        "您读取地块 a 之后，陈涛 于 2021-02-01T09:00:00 修改了它（“拟征收公告” → “现状调查”，"
        "生效日期 2021-02-01），此后又有 1 次修改：您看到的是版本 1，现在是版本 3，"
        "阶段为“社会稳定风险评估”。请重新加载该地块；如仍需变更，请再次登记。")
    assert "(Pre-acquisition notice → Land status survey, effective 2021-02-01)" in render(
        err, "en")
    assert "version 1" in str(err) and "version 3" in str(err)


def test_a_stage_code_written_by_another_tool_is_shown_as_unknown():
    events = _ledger(
        (1, "a", None, "pre_notice", "2021-01-01", "王建国", "2021-01-01T09:00:00"),
        (2, "a", "pre_notice", "done", "2021-02-01", "other tool", "2021-02-01T09:00:00"),
    )
    with pytest.raises(GeoAppError) as err:
        _batch({"a": 1}, events=events, changes=[
            StageChange("a", S.PRE_NOTICE, S.STATUS_SURVEY, DAY, "李敏")])
    assert err.value.code == "conflict.changed"
    assert "阶段为未知阶段“done”。" in render(err.value, "zh")
    assert "unknown stage 'done'" in render(err.value, "en")


def test_lists_of_parcels_are_joined_per_language():
    err = _raised("parcel.unknown")
    changes = [StageChange(p, None, S.PRE_NOTICE, DAY, "李敏") for p in ("x1", "x2")]
    with pytest.raises(InputError) as two:
        check_events_batch(changes, LEDGER, set(), {"x1": 0, "x2": 0}, today=TODAY)
    assert render(two.value, "zh") == "地块图层中没有地块 x1、x2。请核对地块编号。"
    assert render(two.value, "en") == "No parcel x1, x2 in the parcels layer. Check the parcel id."
    assert str(err).startswith("No parcel a in the parcels layer")


def test_stage_lists_render_as_labels_in_the_unknown_stage_message():
    zh = render(_raised("stage.unknown"), "zh")
    assert zh.startswith("未知的征地阶段“done”。请使用以下之一：拟征收公告、现状调查、")
    assert "pre_notice (拟征收公告), status_survey (现状调查)" in str(_raised("stage.unknown"))


def test_an_error_without_a_code_renders_as_its_text_and_an_unknown_language_as_english():
    plain = TransitionError("something else")
    assert plain.code is None and plain.params == {}
    assert render(plain, "zh") == "something else"
    assert render(ValueError("x"), "zh") == "x"
    err = _raised("transition.backwards")
    assert render(err, "fr") == render(err, "en")


def test_missing_parameters_fall_back_to_the_english_text():
    err = TransitionError("plain text", code="transition.backwards", params={"parcel": "a"})
    assert render(err, "zh") == "plain text"


def test_code_and_params_survive_pickling_as_between_processes():
    err = _raised("transition.skipped")
    back = pickle.loads(pickle.dumps(err))
    assert (type(back), str(back), back.code, back.params) == (
        TransitionError, str(err), err.code, err.params)
    assert render(back, "zh") == render(err, "zh")


@pytest.mark.parametrize(("environ", "lang"), [
    ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "zh_TW.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"), ({"LANG": "C.UTF-8"}, "en"), ({}, "en"),
    ({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LC_ALL": "", "LC_MESSAGES": "zh_CN", "LANG": "en_US"}, "zh"),
])
def test_the_cli_language_follows_the_posix_locale(environ, lang):
    assert lang_from_locale(environ) == lang

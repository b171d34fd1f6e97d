"""Free text at the ledger's door and rows another tool wrote: the same on both backends."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import pytest

from geo_app.domain.messages import render
from geo_app.domain.stages import ParcelStage
from geo_app.domain.workflow import StageChange
from geo_app.errors import InputError
from geo_app.storage.events import record_stage_change
from geo_app.storage.testing import StoreCase

S = ParcelStage
TODAY = dt.date(2022, 6, 30)
DAY = dt.date(2021, 12, 6)


def _snapshot(store) -> tuple[pd.DataFrame, pd.DataFrame]:
    parcels = store.read_layer("parcels")[["id", "stage", "stage_date"]]
    return store.read_events(), parcels.sort_values("id").reset_index(drop=True)


def _assert_unchanged(store, before) -> None:
    after = _snapshot(store)
    pd.testing.assert_frame_equal(after[0], before[0])
    pd.testing.assert_frame_equal(after[1], before[1])


BAD_TEXT = {
    "escape sequence": (dict(officer="\x1b[2J张伟"), "officer", "text.control_character",
                        "U+001B ESC"),
    "NUL": (dict(officer="张\x00伟"), "officer", "text.control_character", "U+0000 NUL"),
    "NUL in a note": (dict(note="完成\x00"), "note", "text.control_character", "U+0000 NUL"),
    "bidi override": (dict(evidence="\u202e号103"), "evidence", "text.control_character",
                      "U+202E RIGHT-TO-LEFT OVERRIDE"),
    "10,000 characters": (dict(officer="张" * 10_000), "officer", "text.too_long", None),
    "long note": (dict(note="备" * 10_000), "note", "text.too_long", None),
}


@pytest.mark.parametrize("case", list(BAD_TEXT), ids=list(BAD_TEXT))
def test_bad_free_text_is_refused_with_a_message_and_nothing_is_written(store, case):
    fields, field, code, char = BAD_TEXT[case]
    before = _snapshot(store)
    kwargs = {"officer": "张伟", **fields}
    with pytest.raises(InputError) as err:
        record_stage_change(store, "QC2-19", S.RISK_ASSESSMENT, effective_date=DAY,
                            today=TODAY, **kwargs)
    assert err.value.code == code and err.value.params["field"] == field
    if char:
        assert err.value.params["char"] == char
        assert f"contains a control character ({char})" in str(err.value)
    else:
        assert "10000 characters long" in str(err.value)
    assert "一栏" in render(err.value, "zh")
    _assert_unchanged(store, before)


@pytest.mark.parametrize("case", list(BAD_TEXT), ids=list(BAD_TEXT))
def test_the_store_itself_refuses_bad_text_inside_its_transaction(store, case):
    """A caller that bypasses record_stage_change meets the same rule in record_events."""
    fields, field, code, _ = BAD_TEXT[case]
    before = _snapshot(store)
    change = StageChange(**{"parcel_id": "QC2-19", "from_stage": S.STATUS_SURVEY,
                            "to_stage": S.RISK_ASSESSMENT, "effective_date": DAY,
                            "officer": "张伟", **fields})
    with pytest.raises(InputError) as err:
        store.record_events([change], expected_versions={"QC2-19": 2}, today=TODAY)
    assert (err.value.code, err.value.params["field"]) == (code, field)
    _assert_unchanged(store, before)


def test_chinese_names_and_ordinary_punctuation_are_stored_as_typed(store):
    recorded = record_stage_change(
        store, "QC2-19", S.RISK_ASSESSMENT, effective_date=DAY, today=TODAY,
        officer="  欧阳·娜娜（代）\u3000", note="第一行：评估完成；\r\n第二行\t“附件”见档案。\n",
        evidence="随高新征〔2021〕301号《补偿安置方案》— O'Brien & Co. <v2> 100%")
    last = store.read_events("QC2-19").iloc[-1]
    assert recorded.iloc[0].to_dict() == last.to_dict()
    assert last["officer"] == "欧阳·娜娜（代）"
    assert last["note"] == "第一行：评估完成；\n第二行\t“附件”见档案。"
    assert last["evidence"] == "随高新征〔2021〕301号《补偿安置方案》— O'Brien & Co. <v2> 100%"


def test_text_is_stored_nfc_normalised_and_blank_evidence_as_none(store):
    record_stage_change(store, "QC2-19", S.RISK_ASSESSMENT, effective_date=DAY, today=TODAY,
                        officer="Ame\u0301lie", evidence="   ", note=" ")
    last = store.read_events("QC2-19").iloc[-1]
    assert last["officer"] == "Am\u00e9lie"
    assert last["evidence"] is None and last["note"] is None


def _insert_foreign_row(case: StoreCase, parcel_id: str, to_stage: str) -> None:
    """Append a row as another tool would: a stage code this app does not know."""
    values = (parcel_id, "status_survey", to_stage, "2021-12-01", "other tool",
              "2021-12-01T10:00:00")
    if case.backend == "gpkg":
        with sqlite3.connect(case.location) as conn:
            conn.execute(
                "INSERT INTO stage_events (event_id, parcel_id, from_stage, to_stage, "
                "effective_date, officer, recorded_at, is_correction) SELECT "
                "max(event_id) + 1, ?, ?, ?, ?, ?, ?, 0 FROM stage_events", values)
        conn.close()
        return
    import psycopg2

    conn = psycopg2.connect(case.location)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                "INSERT INTO stage_events (parcel_id, from_stage, to_stage, effective_date, "
                "officer, recorded_at) VALUES (%s, %s, %s, %s, %s, %s)", values)
    finally:
        conn.close()


def test_a_row_with_an_unknown_stage_is_skipped_not_a_crash(store_case):
    store = store_case.store
    _insert_foreign_row(store_case, "QC2-19", "demolition")
    events = store.read_events("QC2-19")
    assert list(events["to_stage"]) == ["pre_notice", "status_survey", "demolition"]
    current = store.current_stages().set_index("parcel_id")
    # the stage stays the last known one; the version counts every row, as the store does
    assert current.loc["QC2-19", "stage"] == "status_survey"
    assert current.loc["QC2-19", "version"] == 3 == store.parcel_version("QC2-19")
    # the workflow continues from the last known stage
    record_stage_change(store, "QC2-19", S.RISK_ASSESSMENT, effective_date=DAY,
                        officer="张伟", today=TODAY)
    last = store.read_events("QC2-19").iloc[-1]
    assert (last["from_stage"], last["to_stage"]) == ("status_survey", "risk_assessment")
    assert store.parcel_version("QC2-19") == 4
    assert store.read_layer("parcels").set_index("id").loc["QC2-19", "stage"] == (
        "risk_assessment")

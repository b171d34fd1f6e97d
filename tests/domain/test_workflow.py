from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import pyogrio
import pytest

from geo_app.domain.stages import STAGE_ORDER, ParcelStage
from geo_app.domain.workflow import (
    ParcelState,
    StageChange,
    check_batch,
    check_change,
    derive_states,
    replay,
    steps_between,
    unknown_stage_events,
)
from geo_app.errors import InputError, TransitionError
from geo_app.settings import BUNDLED_LAYERS
from geo_app.storage.base import EVENTS_TABLE

S = ParcelStage
TODAY = dt.date(2022, 1, 31)
AT_SURVEY = ParcelState("QC2-19", S.STATUS_SURVEY, dt.date(2021, 11, 25), 2)


def _change(to: ParcelStage, *, frm: ParcelStage | None = S.STATUS_SURVEY,
            day: dt.date = dt.date(2021, 12, 2), **kw) -> StageChange:
    return StageChange("QC2-19", frm, to, day, kw.pop("officer", "李敏"), **kw)


def test_one_step_forward_is_allowed():
    check_change(_change(S.RISK_ASSESSMENT), AT_SURVEY, today=TODAY)


def test_skipping_stages_is_refused_naming_parcel_stages_and_what_is_missing():
    with pytest.raises(TransitionError) as err:
        check_change(_change(S.AGREEMENTS_SIGNED), AT_SURVEY, today=TODAY)
    msg = str(err.value)
    assert "QC2-19" in msg
    assert "status_survey" in msg and "agreements_signed" in msg
    assert "risk_assessment" in msg and "compensation_plan" in msg
    assert "approved" not in msg
    assert "record it as a correction with a reason" in msg


def test_going_backwards_is_refused():
    with pytest.raises(TransitionError, match="cannot go back from status_survey.*pre_notice"):
        check_change(_change(S.PRE_NOTICE), AT_SURVEY, today=TODAY)


def test_first_event_must_be_pre_notice():
    new = ParcelState("QC9-01")
    check_change(StageChange("QC9-01", None, S.PRE_NOTICE, TODAY, "王建国"), new, today=TODAY)
    with pytest.raises(TransitionError, match="first stage must be pre_notice.*status_survey"):
        check_change(StageChange("QC9-01", None, S.RISK_ASSESSMENT, TODAY, "王建国"), new,
                     today=TODAY)


@pytest.mark.parametrize("target", [S.PRE_NOTICE, S.APPROVED, S.SUPPLIED])
def test_a_correction_with_a_reason_may_go_anywhere(target):
    change = _change(target, is_correction=True, correction_reason="录入错误")
    check_change(change, AT_SURVEY, today=TODAY)


def test_a_correction_needs_a_reason():
    with pytest.raises(InputError, match="correction needs a reason"):
        check_change(_change(S.PRE_NOTICE, is_correction=True, correction_reason="  "),
                     AT_SURVEY, today=TODAY)


def test_officer_is_required():
    with pytest.raises(InputError, match="officer"):
        check_change(_change(S.RISK_ASSESSMENT, officer=" "), AT_SURVEY, today=TODAY)


def test_effective_date_in_the_future_is_refused():
    with pytest.raises(InputError, match="2022-02-01 is in the future"):
        check_change(_change(S.RISK_ASSESSMENT, day=dt.date(2022, 2, 1)), AT_SURVEY, today=TODAY)


@pytest.mark.parametrize("correction", [False, True])
def test_effective_date_before_the_current_stage_is_refused(correction):
    change = _change(S.RISK_ASSESSMENT, day=dt.date(2021, 11, 24), is_correction=correction,
                     correction_reason="x" if correction else None)
    with pytest.raises(TransitionError, match="before its current stage.*2021-11-25"):
        check_change(change, AT_SURVEY, today=TODAY)


def test_same_day_as_the_current_stage_is_allowed():
    check_change(_change(S.RISK_ASSESSMENT, day=dt.date(2021, 11, 25)), AT_SURVEY, today=TODAY)


def test_change_must_start_from_the_current_stage():
    with pytest.raises(TransitionError, match="is at status_survey.*not pre_notice"):
        check_change(_change(S.STATUS_SURVEY, frm=S.PRE_NOTICE), AT_SURVEY, today=TODAY)


def test_recording_the_current_stage_again_is_refused():
    with pytest.raises(TransitionError, match="already at status_survey"):
        check_change(_change(S.STATUS_SURVEY, is_correction=True, correction_reason="x"),
                     AT_SURVEY, today=TODAY)


def test_several_steps_are_one_event_each_in_a_batch():
    chain = [
        _change(to, frm=frm)
        for frm, to in itertools.pairwise(STAGE_ORDER[1:5])
    ]
    final = check_batch(chain, {"QC2-19": AT_SURVEY}, today=TODAY)
    assert final["QC2-19"] == ParcelState("QC2-19", S.AGREEMENTS_SIGNED, dt.date(2021, 12, 2), 5)
    assert steps_between(S.STATUS_SURVEY, S.AGREEMENTS_SIGNED) == [
        S.RISK_ASSESSMENT, S.COMPENSATION_PLAN, S.AGREEMENTS_SIGNED]
    assert steps_between(None, S.PRE_NOTICE) == [S.PRE_NOTICE]


def test_a_batch_is_checked_in_order():
    bad = [_change(S.RISK_ASSESSMENT), _change(S.APPROVED, frm=S.RISK_ASSESSMENT)]
    with pytest.raises(TransitionError, match="risk_assessment.*approved"):
        check_batch(bad, {"QC2-19": AT_SURVEY}, today=TODAY)


def test_derived_state_is_the_last_event_by_effective_date_then_recording_time():
    events = pd.DataFrame([
        (1, "a", "pre_notice", "2021-01-01", "2021-01-01T09:00:00"),
        (2, "a", "status_survey", "2021-02-01", "2021-02-01T09:00:00"),
        # a correction recorded later with the same effective date overrides event 2
        (3, "a", "pre_notice", "2021-02-01", "2021-02-03T09:00:00"),
        (4, "b", "pre_notice", "2021-03-01", "2021-03-01T09:00:00"),
    ], columns=["event_id", "parcel_id", "to_stage", "effective_date", "recorded_at"])
    states = derive_states(events)
    assert states["a"] == ParcelState("a", S.PRE_NOTICE, dt.date(2021, 2, 1), 3)
    assert states["b"] == ParcelState("b", S.PRE_NOTICE, dt.date(2021, 3, 1), 1)


def test_bundled_history_obeys_the_workflow_and_matches_the_parcels_layer():
    events = pyogrio.read_dataframe(BUNDLED_LAYERS, layer=EVENTS_TABLE, read_geometry=False)
    final = replay(events)
    parcels = pyogrio.read_dataframe(BUNDLED_LAYERS, layer="parcels")
    assert set(final) == set(parcels["id"])
    for row in parcels.itertuples():
        assert final[row.id].stage == ParcelStage(row.stage), row.id
        assert final[row.id].stage_date.isoformat() == row.stage_date, row.id
    assert sum(s.version for s in final.values()) == len(events) == 207
    # one event per step: a parcel at stage k has exactly k + 1 events
    assert all(s.version == s.stage.order + 1 for s in final.values())


def test_replay_reports_a_skipped_stage():
    events = pd.DataFrame([
        (1, "a", None, "pre_notice", "2021-01-01", "x", None, None, "2021-01-01T09:00:00", 0),
        (2, "a", "pre_notice", "approved", "2021-02-01", "x", None, None,
         "2021-02-01T09:00:00", 0),
    ], columns=["event_id", "parcel_id", "from_stage", "to_stage", "effective_date", "officer",
                "note", "evidence", "recorded_at", "is_correction"])
    with pytest.raises(TransitionError, match="Parcel a cannot go from pre_notice"):
        replay(events)


def _ledger(rows):
    return pd.DataFrame(rows, columns=["event_id", "parcel_id", "from_stage", "to_stage",
                                       "effective_date", "officer", "note", "evidence",
                                       "recorded_at", "is_correction"])


# event 3 was written by another tool with a stage this app does not know
WITH_UNKNOWN = _ledger([
    (1, "a", None, "pre_notice", "2021-01-01", "x", None, None, "2021-01-01T09:00:00", 0),
    (2, "a", "pre_notice", "status_survey", "2021-02-01", "x", None, None,
     "2021-02-01T09:00:00", 0),
    (3, "a", "status_survey", "demolition", "2021-03-01", "tool", None, None,
     "2021-03-01T09:00:00", 0),
    (4, "b", None, "??", "2021-03-01", "tool", None, None, "2021-03-01T09:00:00", 0),
    (5, "c", None, "pre_notice", "2021-01-01", "x", None, None, "2021-01-01T09:00:00", 0),
])


def test_derive_states_skips_unknown_stages_and_counts_them():
    states = derive_states(WITH_UNKNOWN)
    # the current stage is the last *known* one; the version counts every row
    assert states["a"] == ParcelState("a", S.STATUS_SURVEY, dt.date(2021, 2, 1), 3, 1)
    assert states["b"] == ParcelState("b", None, None, 1, 1)
    assert states["c"] == ParcelState("c", S.PRE_NOTICE, dt.date(2021, 1, 1), 1, 0)


def test_replay_skips_unknown_stages_and_the_next_known_event_is_checked():
    later = _ledger([
        (6, "a", "demolition", "risk_assessment", "2021-04-01", "x", None, None,
         "2021-04-01T09:00:00", 0),
    ])
    final = replay(pd.concat([WITH_UNKNOWN, later], ignore_index=True))
    assert final["a"] == ParcelState("a", S.RISK_ASSESSMENT, dt.date(2021, 4, 1), 4, 1)
    assert final["b"] == ParcelState("b", None, None, 1, 1)
    skipping = _ledger([
        (6, "a", "status_survey", "approved", "2021-04-01", "x", None, None,
         "2021-04-01T09:00:00", 0),
    ])
    with pytest.raises(TransitionError, match="Parcel a cannot go from status_survey"):
        replay(pd.concat([WITH_UNKNOWN, skipping], ignore_index=True))


def test_unknown_stage_events_lists_the_rows_another_tool_wrote():
    odd = unknown_stage_events(WITH_UNKNOWN)
    assert list(odd["event_id"]) == [3, 4]
    bad_from = WITH_UNKNOWN.assign(from_stage=[None, "pre_notice", "status_survey", None, "x"])
    assert list(unknown_stage_events(bad_from)["event_id"]) == [3, 4, 5]
    assert len(unknown_stage_events(WITH_UNKNOWN.iloc[0:0])) == 0

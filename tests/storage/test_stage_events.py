"""The event log, derived stages, optimistic versions and progress: same on both backends."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from _storage_known import month_of_updates, net_land_mu_by_phase, stages_on

from geo_app.analysis.progress import progress
from geo_app.domain.stages import ParcelStage
from geo_app.domain.workflow import StageChange
from geo_app.errors import ConflictError, InputError, TransitionError
from geo_app.settings import BUNDLED_LAYERS
from geo_app.storage import GeoPackageStore
from geo_app.storage.base import EVENT_COLUMNS
from geo_app.storage.events import record_stage_change

S = ParcelStage
TODAY = dt.date(2022, 6, 30)


def _state(store) -> tuple[pd.DataFrame, pd.DataFrame]:
    parcels = store.read_layer("parcels")[["id", "stage", "stage_date"]]
    return store.read_events(), parcels.sort_values("id").reset_index(drop=True)


def _assert_parcels_agree_with_log(store) -> None:
    current = store.current_stages().set_index("parcel_id")
    parcels = store.read_layer("parcels").set_index("id")
    assert list(current.index) == sorted(parcels.index)
    for pid, row in parcels.iterrows():
        assert row["stage"] == current.loc[pid, "stage"], pid
        assert row["stage_date"].isoformat() == current.loc[pid, "stage_date"], pid


def test_read_events_has_the_same_columns_and_types_on_every_backend(store):
    events = store.read_events()
    reference = GeoPackageStore(BUNDLED_LAYERS).read_events()
    assert list(events.columns) == list(EVENT_COLUMNS)
    pd.testing.assert_frame_equal(events, reference)
    assert events["event_id"].dtype == "int64" and events["is_correction"].dtype == "bool"
    assert events["effective_date"].map(type).eq(str).all()
    assert events["effective_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert events["recorded_at"].str.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}").all()
    one = store.read_events("QC2-18")
    assert list(one["to_stage"]) == ["pre_notice", "status_survey"]


def test_current_stage_and_version_are_derived_from_the_log(store):
    current = store.current_stages()
    assert len(current) == 32
    row = current[current["parcel_id"] == "QC2-13"].iloc[0]
    assert (row["stage"], row["version"]) == ("compensation_plan", 4)
    assert store.parcel_version("QC2-13") == 4
    assert store.parcel_version("QC1-01") == 9
    assert store.parcel_version("nobody") == 0
    _assert_parcels_agree_with_log(store)


def test_recording_a_change_appends_an_event_and_updates_the_parcel(store):
    before = store.read_events()
    recorded = record_stage_change(
        store, "QC2-19", S.RISK_ASSESSMENT, effective_date=dt.date(2021, 12, 6),
        officer="张伟", note="风险评估完成", evidence="随高新征〔2021〕301号", today=TODAY)
    after = store.read_events()
    assert len(after) == len(before) + 1
    new = after.iloc[-1]
    assert new["event_id"] == before["event_id"].max() + 1
    assert recorded.iloc[0].to_dict() == new.to_dict()
    assert (new["parcel_id"], new["from_stage"], new["to_stage"]) == (
        "QC2-19", "status_survey", "risk_assessment")
    assert (new["effective_date"], new["officer"], new["evidence"]) == (
        "2021-12-06", "张伟", "随高新征〔2021〕301号")
    assert not new["is_correction"] and new["correction_reason"] is None
    assert store.parcel_version("QC2-19") == 3
    parcels = store.read_layer("parcels").set_index("id")
    assert parcels.loc["QC2-19", "stage"] == "risk_assessment"
    assert parcels.loc["QC2-19", "stage_date"] == dt.date(2021, 12, 6)
    pd.testing.assert_frame_equal(after.iloc[:-1], before)  # nothing else touched


def test_a_refused_transition_says_why_and_changes_nothing(store):
    before = _state(store)
    with pytest.raises(TransitionError) as err:
        record_stage_change(store, "QC2-19", S.AGREEMENTS_SIGNED, officer="张伟",
                            effective_date=dt.date(2021, 12, 6), today=TODAY)
    msg = str(err.value)
    assert "QC2-19" in msg and "status_survey" in msg and "agreements_signed" in msg
    assert "risk_assessment" in msg and "compensation_plan" in msg
    assert "record it as a correction with a reason" in msg
    with pytest.raises(TransitionError, match="cannot go back"):
        record_stage_change(store, "QC2-19", S.PRE_NOTICE, officer="张伟",
                            effective_date=dt.date(2021, 12, 6), today=TODAY)
    with pytest.raises(InputError, match="No parcel QC9-99"):
        record_stage_change(store, "QC9-99", S.PRE_NOTICE, officer="张伟",
                            effective_date=dt.date(2021, 12, 6), today=TODAY)
    after = _state(store)
    pd.testing.assert_frame_equal(after[0], before[0])
    pd.testing.assert_frame_equal(after[1], before[1])


def test_a_batch_is_all_or_nothing(store):
    before = _state(store)
    good = StageChange("QC2-20", S.PRE_NOTICE, S.STATUS_SURVEY, dt.date(2021, 12, 6), "刘芳")
    bad = StageChange("QC2-18", S.STATUS_SURVEY, S.APPROVED, dt.date(2021, 12, 6), "刘芳")
    with pytest.raises(TransitionError, match="QC2-18"):
        store.record_events([good, bad], expected_versions={"QC2-20": 1, "QC2-18": 2},
                            today=TODAY)
    after = _state(store)
    pd.testing.assert_frame_equal(after[0], before[0])
    pd.testing.assert_frame_equal(after[1], before[1])


def test_several_steps_of_one_parcel_in_one_batch(store):
    chain = [StageChange("QC2-20", a, b, dt.date(2021, 12, 6), "刘芳", evidence=f"doc {i}")
             for i, (a, b) in enumerate([(S.PRE_NOTICE, S.STATUS_SURVEY),
                                         (S.STATUS_SURVEY, S.RISK_ASSESSMENT),
                                         (S.RISK_ASSESSMENT, S.COMPENSATION_PLAN)])]
    recorded = store.record_events(chain, expected_versions={"QC2-20": 1}, today=TODAY)
    assert list(recorded["to_stage"]) == ["status_survey", "risk_assessment",
                                          "compensation_plan"]
    assert recorded["event_id"].is_monotonic_increasing
    assert store.parcel_version("QC2-20") == 4
    row = store.current_stages().set_index("parcel_id").loc["QC2-20"]
    assert row["stage"] == "compensation_plan"
    _assert_parcels_agree_with_log(store)


def test_a_stale_version_is_a_conflict_naming_who_changed_the_parcel(store):
    record_stage_change(store, "QC2-16", S.COMPENSATION_PLAN, effective_date=dt.date(2021, 12, 3),
                        officer="陈涛", expected_version=3, today=TODAY)
    before = _state(store)
    with pytest.raises(ConflictError) as err:
        record_stage_change(store, "QC2-16", S.AGREEMENTS_SIGNED, officer="李敏",
                            effective_date=dt.date(2021, 12, 4), expected_version=3, today=TODAY)
    msg = str(err.value)
    assert "QC2-16" in msg and "陈涛" in msg
    recorded_at = before[0].iloc[-1]["recorded_at"]
    assert recorded_at in msg  # when
    assert "version 3" in msg and "version 4" in msg
    after = _state(store)
    pd.testing.assert_frame_equal(after[0], before[0])


def test_a_correction_goes_back_with_its_reason(store):
    # QC2-05 was recorded at acquisition_notice on 2021-11-26; the notice was withdrawn
    record_stage_change(store, "QC2-05", S.APPROVED, effective_date=dt.date(2021, 12, 10),
                        officer="王建国", correction_reason="征收公告撤回重发", today=TODAY)
    last = store.read_events("QC2-05").iloc[-1]
    assert bool(last["is_correction"]) and last["correction_reason"] == "征收公告撤回重发"
    assert (last["from_stage"], last["to_stage"]) == ("acquisition_notice", "approved")
    assert store.current_stages().set_index("parcel_id").loc["QC2-05", "stage"] == "approved"
    _assert_parcels_agree_with_log(store)
    events = store.read_events()
    assert stages_on(events.to_dict("records"), dt.date(2021, 12, 9))["QC2-05"] == (
        "acquisition_notice")
    assert stages_on(events.to_dict("records"), dt.date(2021, 12, 10))["QC2-05"] == "approved"
    # after the correction the normal path continues from approved
    record_stage_change(store, "QC2-05", S.ACQUISITION_NOTICE, officer="王建国",
                        effective_date=dt.date(2021, 12, 20), today=TODAY)
    assert store.parcel_version("QC2-05") == 9


def test_a_month_of_updates_then_progress_as_of_any_date(store):
    current = {r.parcel_id: (r.stage, dt.date.fromisoformat(r.stage_date))
               for r in store.current_stages().itertuples()}
    batches = month_of_updates(current, officers=("王建国", "李敏", "张伟"))
    n = sum(len(b) for b in batches)
    assert n > 40
    for batch in batches:
        versions = {c.parcel_id: store.parcel_version(c.parcel_id) for c in batch}
        store.record_events(batch, expected_versions=versions, today=TODAY)
    events = store.read_events()
    assert len(events) == 207 + n
    assert events["event_id"].is_unique
    expected_stage = {pid: s for pid, (s, _) in current.items()}
    for batch in batches:
        for c in batch:
            expected_stage[c.parcel_id] = c.to_stage.value
    got = store.current_stages().set_index("parcel_id")["stage"].to_dict()
    assert got == expected_stage
    _assert_parcels_agree_with_log(store)
    parcels = store.read_layer("parcels")
    records = events.to_dict("records")
    for day in (dt.date(2019, 12, 31), dt.date(2021, 6, 30), dt.date(2021, 12, 1),
                dt.date(2021, 12, 15), dt.date(2021, 12, 31)):
        known = net_land_mu_by_phase(parcels, records, day)
        phases = {p.phase: p for p in progress(parcels, as_of=day, events=events)}
        for phase in (1, 2):
            assert phases[phase].net_land_mu == pytest.approx(known[phase], abs=1e-6), (day, phase)
    # the article: phase 1 reached its 1420 mu of net land during 2021
    assert net_land_mu_by_phase(parcels, records, dt.date(2021, 12, 31))[1] == pytest.approx(
        1420.0, abs=0.01)
    assert net_land_mu_by_phase(parcels, records, dt.date(2019, 12, 31))[1] == 0.0
    phase2_end = net_land_mu_by_phase(parcels, records, dt.date(2021, 12, 31))[2]
    assert 0.0 < phase2_end < 1700.0  # the month moved some phase-2 parcels to net land

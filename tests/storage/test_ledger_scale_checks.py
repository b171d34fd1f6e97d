"""The vectorised batch check refuses exactly what the change-by-change check refuses.

The stores check every change's free text first, then the workflow change by change
(:func:`geo_app.storage.events.check_events_batch`); the reference here does the same.

:func:`check_changes_frame` (whole table at once) against :func:`check_batch` (one change
after the other, the rule every single change goes through) on random parcels and random
batches: valid runs, skipped and backward steps, corrections with and without a reason,
stale from-stages, dates in the future or before the current one, missing officers.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo_app.domain.stages import STAGE_ORDER, ParcelStage
from geo_app.domain.workflow import (
    ParcelState,
    StageChange,
    changes_frame,
    check_batch,
    check_changes_frame,
    clean_change,
    clean_changes_frame,
)
from geo_app.errors import GeoAppError

TODAY = dt.date(2024, 6, 30)
PARCELS = ("A", "B", "C", "D")

_stage = st.sampled_from(STAGE_ORDER)
_day = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2024, 7, 5))


@st.composite
def _states(draw: st.DrawFn) -> dict[str, ParcelState]:
    states = {}
    for pid in PARCELS:
        if draw(st.booleans()):
            stage = draw(st.none() | _stage)
            states[pid] = ParcelState(pid, stage, None if stage is None else draw(_day),
                                      draw(st.integers(1, 9)))
    return states


@st.composite
def _batch(draw: st.DrawFn, states: dict[str, ParcelState]) -> list[StageChange]:
    """Mostly valid next steps, with random mistakes mixed in."""
    current = {p: (s.stage, s.stage_date) for p, s in states.items()}
    changes = []
    for _ in range(draw(st.integers(1, 12))):
        pid = draw(st.sampled_from(PARCELS))
        stage, day = current.get(pid, (None, None))
        nxt = STAGE_ORDER[0] if stage is None else STAGE_ORDER[min(stage.order + 1, 9)]
        kind = draw(st.sampled_from(["next"] * 6 + ["any", "correction", "stale", "text"]))
        to = nxt if kind == "next" else draw(_stage)
        start = day or dt.date(2023, 1, 1)
        eff = draw(st.dates(min_value=start - dt.timedelta(days=3),
                            max_value=max(start, TODAY) + dt.timedelta(days=2)))
        change = StageChange(
            parcel_id=pid,
            from_stage=draw(_stage) if kind == "stale" else stage,
            to_stage=to,
            effective_date=eff,
            officer=draw(st.sampled_from(["王伟", " 李娜 ", ""])) if kind == "text" else "王伟",
            note=draw(st.sampled_from(["", "ok", "bad\x1b"])) if kind == "text" else "",
            is_correction=kind == "correction",
            correction_reason=draw(st.sampled_from(["wrong date", None]))
            if kind == "correction" else None,
        )
        changes.append(change)
        current[pid] = (to, eff)
    return changes


def _outcome(fn):
    try:
        return "ok", fn()
    except GeoAppError as exc:
        return type(exc).__name__, (exc.code, exc.params, str(exc))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_vectorised_check_refuses_exactly_as_one_change_at_a_time(data):
    states = data.draw(_states())
    changes = data.draw(_batch(states))
    def one_at_a_time():  # as the stores check a batch: every text first, then in order
        for change in changes:
            clean_change(change)
        return check_batch(changes, states, today=TODAY)

    kind_a, sequential = _outcome(one_at_a_time)
    state_rows = pd.DataFrame(
        [(s.parcel_id, s.stage.value if s.stage else None, s.stage_date, s.version)
         for s in states.values()], columns=["parcel_id", "stage", "stage_date", "version"])

    def vectorised():
        frame = clean_changes_frame(changes_frame(changes))
        return check_changes_frame(frame, state_rows, today=TODAY)

    kind_b, bulk = _outcome(vectorised)
    assert kind_a == kind_b, (sequential, bulk)
    if kind_a != "ok":
        assert bulk == sequential
        return
    ids = list(dict.fromkeys(c.parcel_id for c in changes))
    expected = [(p, sequential[p].stage.value, sequential[p].stage_date, sequential[p].version)
                for p in ids]
    assert list(bulk.itertuples(index=False, name=None)) == expected


def test_a_batch_without_from_stages_starts_each_change_from_the_one_before():
    frame = clean_changes_frame(pd.DataFrame({
        "parcel_id": ["A", "A", "B"],
        "to_stage": ["status_survey", "risk_assessment", "pre_notice"],
        "effective_date": ["2024-01-02", "2024-01-03", "2024-01-05"],
        "officer": ["王伟"] * 3,
    }))
    states = pd.DataFrame([("A", "pre_notice", dt.date(2024, 1, 1), 1)],
                          columns=["parcel_id", "stage", "stage_date", "version"])
    final = check_changes_frame(frame, states, today=TODAY)
    assert list(frame["from_stage"]) == ["pre_notice", "status_survey", None]
    assert list(final.itertuples(index=False, name=None)) == [
        ("A", "risk_assessment", dt.date(2024, 1, 3), 3),
        ("B", "pre_notice", dt.date(2024, 1, 5), 1)]
    assert ParcelStage(final["stage"].iloc[0]) is ParcelStage.RISK_ASSESSMENT

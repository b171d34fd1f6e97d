"""The land-acquisition workflow: which stage changes are allowed, as pure rules.

A stage change is an *event* appended to the parcel's history; the current stage is
derived from the history, never stored on its own (the ``stage`` attribute of the
parcels layer is a copy kept in sync by the stores).

Rules
-----
- A parcel's first event goes from no stage (``None``) to ``pre_notice`` (拟征收公告).
- Every later event moves **one step forward** in :data:`~geo_app.domain.stages.STAGE_ORDER`.
  Several steps are never folded into one event: each stage gets its own event, with its
  own date and evidence. :func:`steps_between` lists the steps to record in turn, and a
  store accepts them as one batch (one transaction).
- Skipping stages or going backwards is refused unless the change is a **correction**
  with a non-empty reason. A correction may go to any other stage (also as a first event,
  e.g. for a parcel whose earlier history is only on paper).
- The effective date is not in the future and not before the effective date of the
  parcel's current event. This holds for corrections too: the current stage is the last
  event by effective date (then by recording time), so a correction dated before the
  current event would never take effect. A correction dated on the same day as a wrong
  event overrides it, because it is recorded later.
- An officer name is required.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import pandas as pd

from geo_app.domain.stages import STAGE_ORDER, ParcelStage
from geo_app.errors import InputError, TransitionError

_CORRECTION_HINT = "record it as a correction with a reason"


@dataclass(frozen=True)
class StageChange:
    """One requested stage change of one parcel (an event before it is recorded)."""

    parcel_id: str
    from_stage: ParcelStage | None
    to_stage: ParcelStage
    effective_date: dt.date
    officer: str
    note: str = ""
    evidence: str | None = None
    is_correction: bool = False
    correction_reason: str | None = None


@dataclass(frozen=True)
class ParcelState:
    """A parcel's state derived from its events: current stage, its date, event count."""

    parcel_id: str
    stage: ParcelStage | None = None
    stage_date: dt.date | None = None
    version: int = 0


def _name(stage: ParcelStage | None) -> str:
    return "no stage" if stage is None else f"{stage.value} ({stage.label_zh})"


def steps_between(current: ParcelStage | None, target: ParcelStage) -> list[ParcelStage]:
    """The forward steps from ``current`` up to and including ``target`` (empty if none)."""
    start = 0 if current is None else current.order + 1
    return list(STAGE_ORDER[start : target.order + 1])


def check_change(
    change: StageChange, state: ParcelState, *, today: dt.date | None = None
) -> None:
    """Refuse ``change`` if the workflow does not allow it from ``state``.

    Raises
    ------
    InputError
        A required field is missing or the date is in the future.
    TransitionError
        The change skips stages, goes backwards, starts elsewhere than ``pre_notice``,
        does not start from the parcel's current stage, or is dated before it.
    """
    today = today or dt.date.today()
    pid = change.parcel_id
    if not str(pid).strip():
        raise InputError("A stage change needs a parcel id.")
    if not (change.officer or "").strip():
        raise InputError(f"Parcel {pid}: give the officer's name for this stage change.")
    if change.is_correction and not (change.correction_reason or "").strip():
        raise InputError(
            f"Parcel {pid}: a correction needs a reason (--reason); say what was wrong."
        )
    if change.effective_date > today:
        raise InputError(
            f"Parcel {pid}: effective date {change.effective_date.isoformat()} is in the "
            f"future (today is {today.isoformat()}). Record a stage when it has happened."
        )
    if change.from_stage != state.stage:
        raise TransitionError(
            f"Parcel {pid} is at {_name(state.stage)}, not {_name(change.from_stage)}. "
            "Reload the parcel and start the change from its current stage."
        )
    if state.stage_date is not None and change.effective_date < state.stage_date:
        raise TransitionError(
            f"Parcel {pid}: effective date {change.effective_date.isoformat()} is before "
            f"its current stage {_name(state.stage)} of {state.stage_date.isoformat()}. "
            f"Date the change {state.stage_date.isoformat()} or later (a correction on the "
            "same day overrides the earlier event)."
        )
    if change.to_stage == state.stage:
        raise TransitionError(
            f"Parcel {pid} is already at {_name(change.to_stage)}; nothing to record."
        )
    if change.is_correction:
        return
    _check_forward_step(pid, state.stage, change.to_stage)


def _check_forward_step(pid: str, current: ParcelStage | None, target: ParcelStage) -> None:
    if current is None and target is not ParcelStage.PRE_NOTICE:
        missing = steps_between(None, target)[:-1]
        raise TransitionError(
            f"Parcel {pid} has no history yet: its first stage must be "
            f"{_name(ParcelStage.PRE_NOTICE)}, not {_name(target)}. Missing stage(s): "
            f"{', '.join(s.value for s in missing)}. Record them in order, one event per "
            f"stage, or {_CORRECTION_HINT}."
        )
    if current is not None and target.order < current.order:
        raise TransitionError(
            f"Parcel {pid} cannot go back from {_name(current)} to {_name(target)}: stages "
            f"only move forward. If the earlier record was wrong, {_CORRECTION_HINT}."
        )
    if current is not None and target.order > current.order + 1:
        missing = steps_between(current, target)[:-1]
        raise TransitionError(
            f"Parcel {pid} cannot go from {_name(current)} to {_name(target)}: that skips "
            f"the required stage(s) {', '.join(_name(s) for s in missing)}. Record each "
            f"stage in turn (one event per stage: {', '.join(s.value for s in missing)}, "
            f"then {target.value}), or {_CORRECTION_HINT}."
        )


def apply_change(state: ParcelState, change: StageChange) -> ParcelState:
    """The state after an allowed ``change`` (the new event is the parcel's last)."""
    return replace(
        state, stage=change.to_stage, stage_date=change.effective_date, version=state.version + 1
    )


def check_batch(
    changes: Iterable[StageChange],
    states: Mapping[str, ParcelState],
    *,
    today: dt.date | None = None,
) -> dict[str, ParcelState]:
    """Check changes in order (several may concern one parcel); return the final states."""
    current = dict(states)
    for change in changes:
        state = current.get(change.parcel_id, ParcelState(change.parcel_id))
        check_change(change, state, today=today)
        current[change.parcel_id] = apply_change(state, change)
    return current


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def derive_states(events: pd.DataFrame) -> dict[str, ParcelState]:
    """Each parcel's state from its events.

    The current event is the last by effective date, then recording time, then event id
    (the rule of :func:`geo_app.analysis.progress.stages_as_of`); the version is the
    number of events.
    """
    if len(events) == 0:
        return {}
    ordered = events.sort_values(["effective_date", "recorded_at", "event_id"], kind="stable")
    last = ordered.groupby("parcel_id", sort=False).tail(1)
    counts = events.groupby("parcel_id").size()
    return {
        str(row.parcel_id): ParcelState(
            parcel_id=str(row.parcel_id),
            stage=ParcelStage(row.to_stage),
            stage_date=_as_date(row.effective_date),
            version=int(counts[row.parcel_id]),
        )
        for row in last.itertuples(index=False)
    }


def replay(events: pd.DataFrame) -> dict[str, ParcelState]:
    """Check a whole history against the rules, in recording order; return final states.

    Raises the first rule violation, so a store's history (or the bundled sample's)
    can be verified.
    """
    ordered = events.sort_values(["recorded_at", "event_id"], kind="stable")
    states: dict[str, ParcelState] = {}
    for row in ordered.itertuples(index=False):
        change = StageChange(
            parcel_id=str(row.parcel_id),
            from_stage=None if _missing(row.from_stage) else ParcelStage(row.from_stage),
            to_stage=ParcelStage(row.to_stage),
            effective_date=_as_date(row.effective_date),
            officer=str(row.officer),
            note="" if _missing(row.note) else str(row.note),
            evidence=None if _missing(row.evidence) else str(row.evidence),
            is_correction=bool(row.is_correction),
            correction_reason=_optional(getattr(row, "correction_reason", None)),
        )
        state = states.get(change.parcel_id, ParcelState(change.parcel_id))
        check_change(change, state, today=_as_date(str(row.recorded_at)[:10]))
        states[change.parcel_id] = apply_change(state, change)
    return states


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA


def _optional(value: object) -> str | None:
    return None if _missing(value) else str(value)

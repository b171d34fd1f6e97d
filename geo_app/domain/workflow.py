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
- An officer name is required. Officer, note, evidence and correction reason pass
  :func:`~geo_app.domain.ledger_text.clean_ledger_text` (no control characters, length
  limits, NFC); :func:`clean_change` returns the change as it is stored.
- Every refusal carries a message code and parameters
  (:func:`geo_app.domain.messages.render` shows it in Chinese or English).

Events another tool wrote
-------------------------
A stored event whose ``to_stage`` is not a known stage code is an *unknown event*: it
counts in the parcel's version (the number of events, as the stores count them for the
optimistic check) and in :attr:`ParcelState.unknown_events`, but it never becomes the
current stage or date, and :func:`replay` does not check it. The current stage is the last
event with a known stage. An unknown ``from_stage`` on an otherwise known event is ignored
(the ``to_stage`` decides). :func:`unknown_stage_events` lists such rows for display.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import pandas as pd

from geo_app.domain.ledger_text import LEDGER_TEXT_MAX_CHARS, clean_ledger_text
from geo_app.domain.messages import refusal
from geo_app.domain.stages import STAGE_ORDER, ParcelStage, stage_or_none
from geo_app.errors import InputError, TransitionError


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
    """A parcel's state derived from its events.

    ``stage`` and ``stage_date`` come from the last event with a known stage; ``version``
    counts every event; ``unknown_events`` counts events whose stage is not a known code
    (written by another tool; skipped for the stage).
    """

    parcel_id: str
    stage: ParcelStage | None = None
    stage_date: dt.date | None = None
    version: int = 0
    unknown_events: int = 0


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
        A required field is missing, a free text is refused (control characters, too
        long) or the date is in the future.
    TransitionError
        The change skips stages, goes backwards, starts elsewhere than ``pre_notice``,
        does not start from the parcel's current stage, or is dated before it.
    """
    today = today or dt.date.today()
    change = clean_change(change)
    pid = change.parcel_id
    if not change.officer:
        raise refusal(InputError, "change.officer_missing", {"parcel": pid})
    if change.is_correction and not change.correction_reason:
        raise refusal(InputError, "change.reason_missing", {"parcel": pid})
    if change.effective_date > today:
        raise refusal(InputError, "change.date_in_future",
                      {"parcel": pid, "date": change.effective_date, "today": today})
    if change.from_stage != state.stage:
        raise refusal(TransitionError, "transition.stale_stage",
                      {"parcel": pid, "current": state.stage, "from_stage": change.from_stage})
    if state.stage_date is not None and change.effective_date < state.stage_date:
        raise refusal(TransitionError, "transition.date_before_current",
                      {"parcel": pid, "date": change.effective_date, "current": state.stage,
                       "current_date": state.stage_date})
    if change.to_stage == state.stage:
        raise refusal(TransitionError, "transition.already_at",
                      {"parcel": pid, "stage": change.to_stage})
    if change.is_correction:
        return
    _check_forward_step(pid, state.stage, change.to_stage)


def clean_change(change: StageChange) -> StageChange:
    """``change`` with its free text cleaned as it is stored (see :mod:`.ledger_text`).

    Officer, note, evidence and correction reason are stripped, checked for control
    characters and length, and NFC-normalised; an empty evidence or reason becomes
    ``None``. The parcel id is checked the same way but kept as given.

    Raises
    ------
    InputError
        No parcel id (``change.parcel_missing``), or a text refused by
        :func:`~geo_app.domain.ledger_text.clean_ledger_text`.
    """
    limits = LEDGER_TEXT_MAX_CHARS
    if not clean_ledger_text("parcel_id", str(change.parcel_id),
                             max_chars=limits["parcel_id"]):
        raise refusal(InputError, "change.parcel_missing", {})
    reason = clean_ledger_text("correction_reason", change.correction_reason,
                               max_chars=limits["correction_reason"])
    evidence = clean_ledger_text("evidence", change.evidence, max_chars=limits["evidence"])
    return replace(
        change,
        officer=clean_ledger_text("officer", change.officer, max_chars=limits["officer"]),
        note=clean_ledger_text("note", change.note, max_chars=limits["note"]),
        evidence=evidence or None,
        correction_reason=reason or None,
    )


def _check_forward_step(pid: str, current: ParcelStage | None, target: ParcelStage) -> None:
    if current is None and target is not ParcelStage.PRE_NOTICE:
        raise refusal(TransitionError, "transition.first_stage",
                      {"parcel": pid, "first": ParcelStage.PRE_NOTICE, "target": target,
                       "missing": steps_between(None, target)[:-1]})
    if current is not None and target.order < current.order:
        raise refusal(TransitionError, "transition.backwards",
                      {"parcel": pid, "current": current, "target": target})
    if current is not None and target.order > current.order + 1:
        raise refusal(TransitionError, "transition.skipped",
                      {"parcel": pid, "current": current, "target": target,
                       "missing": steps_between(current, target)[:-1]})


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

    The current event is the last event with a known stage by effective date, then
    recording time, then event id (the rule of
    :func:`geo_app.analysis.progress.stages_as_of`); the version is the number of events,
    known or not; events with an unknown ``to_stage`` are counted in
    ``unknown_events`` and otherwise skipped.
    """
    if len(events) == 0:
        return {}
    stages = [stage_or_none(code) for code in events["to_stage"]]
    known = pd.Series([s is not None for s in stages], index=events.index)
    counts = events.groupby("parcel_id", sort=False).size()
    unknown = (~known).groupby(events["parcel_id"], sort=False).sum()
    ordered = events[known].sort_values(
        ["effective_date", "recorded_at", "event_id"], kind="stable")
    last = {str(row.parcel_id): row
            for row in ordered.groupby("parcel_id", sort=False).tail(1).itertuples(index=False)}
    states = {}
    for pid, count in counts.items():
        row = last.get(str(pid))
        states[str(pid)] = ParcelState(
            parcel_id=str(pid),
            stage=None if row is None else ParcelStage(row.to_stage),
            stage_date=None if row is None else _as_date(row.effective_date),
            version=int(count),
            unknown_events=int(unknown[pid]),
        )
    return states


def unknown_stage_events(events: pd.DataFrame) -> pd.DataFrame:
    """The events whose ``to_stage`` or ``from_stage`` is not a known stage code.

    Such rows come from another tool; pages and the CLI show them as "unknown stage"
    (for instance with :func:`geo_app.domain.messages.render`-style labels) and
    :func:`derive_states` skips them for the current stage.
    """
    if len(events) == 0:
        return events.iloc[0:0]

    def bad(code: object, *, optional: bool) -> bool:
        if optional and _missing(code):
            return False
        return stage_or_none(code) is None

    to_bad = [bad(v, optional=False) for v in events["to_stage"]]
    from_col = events["from_stage"] if "from_stage" in events.columns else [None] * len(events)
    from_bad = [bad(v, optional=True) for v in from_col]
    mask = [a or b for a, b in zip(to_bad, from_bad, strict=True)]
    return events[pd.Series(mask, index=events.index, dtype=bool)]


def replay(events: pd.DataFrame) -> dict[str, ParcelState]:
    """Check a whole history against the rules, in recording order; return final states.

    Raises the first rule violation, so a store's history (or the bundled sample's)
    can be verified. Events with an unknown ``to_stage`` are not checked: they count in
    the version and ``unknown_events`` only (see the module's rules).
    """
    ordered = events.sort_values(["recorded_at", "event_id"], kind="stable")
    states: dict[str, ParcelState] = {}
    for row in ordered.itertuples(index=False):
        pid = str(row.parcel_id)
        state = states.get(pid, ParcelState(pid))
        to_stage = stage_or_none(row.to_stage)
        if to_stage is None:
            states[pid] = replace(state, version=state.version + 1,
                                  unknown_events=state.unknown_events + 1)
            continue
        from_stage = None if _missing(row.from_stage) else stage_or_none(row.from_stage)
        if from_stage is None and not _missing(row.from_stage):
            from_stage = state.stage  # an unknown from_stage: the to_stage decides
        change = StageChange(
            parcel_id=pid,
            from_stage=from_stage,
            to_stage=to_stage,
            effective_date=_as_date(row.effective_date),
            officer=str(row.officer),
            note="" if _missing(row.note) else str(row.note),
            evidence=None if _missing(row.evidence) else str(row.evidence),
            is_correction=bool(row.is_correction),
            correction_reason=_optional(getattr(row, "correction_reason", None)),
        )
        check_change(change, state, today=_as_date(str(row.recorded_at)[:10]))
        states[pid] = apply_change(state, change)
    return states


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA


def _optional(value: object) -> str | None:
    return None if _missing(value) else str(value)

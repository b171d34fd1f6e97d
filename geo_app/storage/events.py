"""Stage-event logic shared by every store, and the one call that records a stage change.

The stores read a parcel's events inside their write transaction and hand them to
:func:`check_events_batch`, so the version check and the workflow rules are the same
code on every backend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace

import pandas as pd

from geo_app.domain.messages import refusal
from geo_app.domain.stages import ParcelStage, stage_or_none
from geo_app.domain.workflow import (
    ParcelState,
    StageChange,
    check_batch,
    clean_change,
    derive_states,
)
from geo_app.errors import ConflictError, InputError
from geo_app.storage.base import LayerStore


def check_events_batch(
    changes: Sequence[StageChange],
    events: pd.DataFrame,
    known_parcels: set[str],
    expected_versions: Mapping[str, int],
    *,
    today: dt.date | None = None,
) -> dict[str, ParcelState]:
    """Check a batch against the stored events of its parcels; return their final states.

    Parameters
    ----------
    changes
        The batch, in the order it is to be recorded.
    events
        The stored events of (at least) the batch's parcels, read in the transaction.
    known_parcels
        Ids of the batch's parcels that exist in the parcels layer.
    expected_versions
        Parcel id → the version the caller read (its number of events).

    Raises
    ------
    InputError, ConflictError, TransitionError
        Each with a message code and parameters (:mod:`geo_app.domain.messages`). The free
        text of every change is checked first, before any parcel or version.
    """
    if not changes:
        raise refusal(InputError, "batch.empty", {})
    for change in changes:
        clean_change(change)
    batch_ids = list(dict.fromkeys(c.parcel_id for c in changes))
    unknown = [p for p in batch_ids if p not in known_parcels]
    if unknown:
        raise refusal(InputError, "parcel.unknown", {"parcels": unknown})
    states = derive_states(events)
    for pid in batch_ids:
        if pid not in expected_versions:
            raise refusal(InputError, "version.missing", {"parcel": pid})
        stored = states[pid].version if pid in states else 0
        expected = int(expected_versions[pid])
        if expected != stored:
            raise _conflict(pid, expected, stored, events)
    return check_batch(changes, states, today=today)


def _conflict(pid: str, expected: int, stored: int, events: pd.DataFrame) -> ConflictError:
    mine = events[events["parcel_id"] == pid].sort_values("event_id", kind="stable")
    if 0 <= expected < stored:
        first = mine.iloc[expected]
        newest = mine.iloc[-1]
        more = stored - expected - 1
        params: dict[str, object] = {
            "parcel": pid,
            "officer": first["officer"],
            "recorded_at": first["recorded_at"],
            "from_stage": _stored_stage(first["from_stage"]),
            "to_stage": _stored_stage(first["to_stage"]),
            "effective_date": first["effective_date"],
            "expected": expected,
            "stored": stored,
            "newest": _stored_stage(newest["to_stage"]),
        }
        if more:
            return refusal(ConflictError, "conflict.changed_more", {**params, "more": more})
        return refusal(ConflictError, "conflict.changed", params)
    return refusal(ConflictError, "conflict.version",
                   {"parcel": pid, "expected": expected, "stored": stored})


def _stored_stage(code: object) -> ParcelStage | str | None:
    """A stage read from the ledger: the stage, ``None`` for none, or the unknown code."""
    if code is None or (isinstance(code, float) and pd.isna(code)) or code is pd.NA:
        return None
    return stage_or_none(code) or str(code)


def event_row(event_id: int, change: StageChange, recorded_at: str) -> dict[str, object]:
    """The stored row of ``change`` as event ``event_id`` (free text as cleaned)."""
    change = clean_change(change)
    return {
        "event_id": event_id,
        "parcel_id": change.parcel_id,
        "from_stage": change.from_stage.value if change.from_stage else None,
        "to_stage": change.to_stage.value,
        "effective_date": change.effective_date.isoformat(),
        "officer": change.officer,
        "note": change.note or None,
        "evidence": change.evidence or None,
        "recorded_at": recorded_at,
        "is_correction": bool(change.is_correction),
        "correction_reason": change.correction_reason if change.is_correction else None,
        "recorded_by": None,  # PostGIS: set by the database (session_user)
    }


def record_stage_change(
    store: LayerStore,
    parcel_id: str,
    to_stage: ParcelStage,
    *,
    effective_date: dt.date,
    officer: str,
    note: str = "",
    evidence: str | None = None,
    correction_reason: str | None = None,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Record one stage change of one parcel from its current stage; return the event.

    ``correction_reason`` makes the change a correction (any stage, with that reason).
    ``expected_version`` is the version the officer saw; when ``None`` the current
    version is read now (the store still refuses a change based on a stale stage).

    The free text (officer, note, evidence, reason) is checked before the store is read
    (:func:`~geo_app.domain.workflow.clean_change`); every refusal is a
    :class:`~geo_app.errors.GeoAppError` with a code, so a caller shows it with
    ``geo_app.domain.messages.render(error, lang)``.
    """
    draft = clean_change(StageChange(
        parcel_id=parcel_id,
        from_stage=None,
        to_stage=to_stage,
        effective_date=effective_date,
        officer=officer,
        note=note,
        evidence=evidence,
        is_correction=correction_reason is not None,
        correction_reason=correction_reason,
    ))
    history = store.read_events(parcel_id)
    state = derive_states(history).get(parcel_id, ParcelState(parcel_id))
    version = state.version if expected_version is None else expected_version
    change = replace(draft, from_stage=state.stage)
    return store.record_events([change], expected_versions={parcel_id: version}, today=today)

"""Stage-event logic shared by every store, and the one call that records a stage change.

The stores read a parcel's events inside their write transaction and hand them to
:func:`check_events_batch`, so the version check and the workflow rules are the same
code on every backend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import pandas as pd

from geo_app.domain.stages import ParcelStage
from geo_app.domain.workflow import ParcelState, StageChange, check_batch, derive_states
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
    """
    if not changes:
        raise InputError("No stage changes to record.")
    batch_ids = list(dict.fromkeys(c.parcel_id for c in changes))
    unknown = [p for p in batch_ids if p not in known_parcels]
    if unknown:
        raise InputError(
            f"No parcel {', '.join(unknown)} in the parcels layer. Check the parcel id "
            "(`geo-app area parcels` lists them)."
        )
    states = derive_states(events)
    for pid in batch_ids:
        if pid not in expected_versions:
            raise InputError(
                f"Parcel {pid}: say which version of the parcel the change is based on "
                "(the number of events you saw), so a concurrent change is detected."
            )
        stored = states[pid].version if pid in states else 0
        expected = int(expected_versions[pid])
        if expected != stored:
            raise ConflictError(_conflict_message(pid, expected, stored, events))
    return check_batch(changes, states, today=today)


def _conflict_message(pid: str, expected: int, stored: int, events: pd.DataFrame) -> str:
    mine = events[events["parcel_id"] == pid].sort_values("event_id", kind="stable")
    if 0 <= expected < stored:
        first = mine.iloc[expected]
        newest = mine.iloc[-1]
        more = stored - expected - 1
        also = f", then {more} more change{'s' if more > 1 else ''}," if more else ""
        return (
            f"Parcel {pid} was changed by {first['officer']} at {first['recorded_at']} "
            f"({first['from_stage'] or 'no stage'} → {first['to_stage']}, effective "
            f"{first['effective_date']}){also} after you read it: you had version "
            f"{expected}, it is now version {stored} at stage {newest['to_stage']}. "
            "Reload the parcel and record your change again if it still applies."
        )
    return (
        f"Parcel {pid} has version {stored} ({stored} events), not {expected}. "
        "Reload the parcel and record your change again if it still applies."
    )


def event_row(event_id: int, change: StageChange, recorded_at: str) -> dict[str, object]:
    """The stored row of ``change`` as event ``event_id``."""
    return {
        "event_id": event_id,
        "parcel_id": change.parcel_id,
        "from_stage": change.from_stage.value if change.from_stage else None,
        "to_stage": change.to_stage.value,
        "effective_date": change.effective_date.isoformat(),
        "officer": change.officer.strip(),
        "note": change.note or None,
        "evidence": change.evidence or None,
        "recorded_at": recorded_at,
        "is_correction": bool(change.is_correction),
        "correction_reason": change.correction_reason if change.is_correction else None,
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
    """
    history = store.read_events(parcel_id)
    state = derive_states(history).get(parcel_id, ParcelState(parcel_id))
    version = state.version if expected_version is None else expected_version
    change = StageChange(
        parcel_id=parcel_id,
        from_stage=state.stage,
        to_stage=to_stage,
        effective_date=effective_date,
        officer=officer.strip(),
        note=note.strip(),
        evidence=(evidence or "").strip() or None,
        is_correction=correction_reason is not None,
        correction_reason=(correction_reason or "").strip() or None,
    )
    return store.record_events([change], expected_versions={parcel_id: version}, today=today)

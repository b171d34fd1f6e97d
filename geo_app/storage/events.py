"""Stage-event logic shared by every store, and the one call that records a stage change.

The stores read a parcel's events inside their write transaction and hand them to
:func:`check_events_batch`, so the version check and the workflow rules are the same
code on every backend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from geo_app.domain.messages import refusal
from geo_app.domain.stages import ParcelStage, stage_or_none
from geo_app.domain.workflow import (
    ParcelState,
    StageChange,
    changes_frame,
    check_batch,
    check_changes_frame,
    clean_change,
    clean_changes_frame,
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


# --- batches as tables ---------------------------------------------------------------------


@dataclass(frozen=True)
class BulkOutcome:
    """What :func:`record_stage_changes` wrote, in one transaction."""

    #: Events appended.
    events: int
    #: Parcels whose stage changed.
    parcels: int
    #: When, as stored in ``recorded_at`` (``YYYY-MM-DDTHH:MM:SS``).
    recorded_at: str
    #: Each parcel's state after the batch: ``parcel_id``, ``stage``, ``stage_date``,
    #: ``version`` (in the order the parcels first appear in the batch).
    states: pd.DataFrame


def check_changes_bulk(
    changes: pd.DataFrame,
    states: pd.DataFrame,
    known_parcels: set[str],
    expected_versions: Mapping[str, int] | None,
    events_of: Callable[[list[str]], pd.DataFrame],
    *,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """:func:`check_events_batch` for a cleaned batch table, vectorised; the final states.

    The same refusals in the same order: an empty batch, unknown parcels (all named), a
    parcel without an expected version, a conflict (the first conflicting parcel's message
    as for one change, every conflicting parcel in its ``parcels`` parameter), then the
    workflow (:func:`geo_app.domain.workflow.check_changes_frame`). ``expected_versions``
    ``None`` takes the stored versions (no conflict possible: the stages are still
    checked). ``events_of(ids)`` reads those parcels' events (for a conflict's message).
    """
    if len(changes) == 0:
        raise refusal(InputError, "batch.empty", {})
    ids = pd.unique(changes["parcel_id"].to_numpy(dtype=object))
    unknown = [p for p in ids if p not in known_parcels]
    if unknown:
        raise refusal(InputError, "parcel.unknown", {"parcels": unknown})
    stored = pd.Series(ids).map(states.set_index("parcel_id")["version"]).fillna(0)
    stored = stored.astype("int64").to_numpy()
    if expected_versions is not None:
        expected = pd.Series(ids).map(dict(expected_versions))
        missing = expected.isna().to_numpy()
        bad = missing | (expected.fillna(-1).astype("int64").to_numpy() != stored)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            if missing[first]:
                raise refusal(InputError, "version.missing", {"parcel": ids[first]})
            conflicting = [str(p) for p in ids[bad & ~missing]]
            events = events_of([conflicting[0]])
            error = _conflict(conflicting[0], int(expected.iloc[first]), int(stored[first]),
                              events)
            if len(conflicting) > 1:
                error.params["parcels"] = conflicting
                error.args = (f"{error.args[0]} Changed too since you read them: "
                              f"{', '.join(conflicting[1:])}. Nothing was recorded.",)
            raise error
    return check_changes_frame(changes, states, today=today)


def bulk_event_columns(changes: pd.DataFrame, first_id: int | None,
                       recorded_at: str) -> dict[str, list[object]]:
    """The stored columns of a checked batch table, each built whole (no per-row objects).

    ``event_id`` counts from ``first_id`` (``None``: left to the database); text as cleaned,
    dates as ISO text, ``is_correction`` as 0/1, the reason kept only on corrections.
    """
    n = len(changes)
    correction = changes["is_correction"].to_numpy(dtype=bool)
    dates = changes["effective_date"]
    codes, uniques = pd.factorize(dates.astype("object"))
    iso = np.array([d.isoformat() for d in uniques], dtype=object)[codes]

    def nullable(col: str) -> list[object]:
        values = changes[col].astype("object")
        return values.where(values.notna() & (values != ""), None).tolist()

    reason = changes["correction_reason"].astype("object").where(correction, None)
    columns: dict[str, list[object]] = {
        "parcel_id": changes["parcel_id"].astype("object").tolist(),
        "from_stage": changes["from_stage"].astype("object").tolist(),
        "to_stage": changes["to_stage"].astype("object").tolist(),
        "effective_date": iso.tolist(),
        "officer": changes["officer"].astype("object").tolist(),
        "note": nullable("note"),
        "evidence": nullable("evidence"),
        "recorded_at": [recorded_at] * n,
        "is_correction": correction.astype("int64").tolist(),
        "correction_reason": reason.where(reason.notna(), None).tolist(),
    }
    if first_id is not None:
        columns = {"event_id": list(range(first_id, first_id + n)), **columns}
    return columns


def record_stage_changes(
    store: LayerStore,
    changes: Sequence[StageChange] | pd.DataFrame,
    *,
    expected_versions: Mapping[str, int] | None = None,
    today: dt.date | None = None,
) -> BulkOutcome:
    """Record a whole batch of stage changes (an import, a spreadsheet, a generator) at once.

    ``changes`` is a sequence of :class:`StageChange` or a table with the columns of
    :data:`geo_app.domain.workflow.CHANGE_COLUMNS` (``from_stage`` optional: then each
    change starts from the stage before it), in the order to record. Several changes may
    concern one parcel. The batch is checked as :meth:`LayerStore.record_events` checks it
    (same refusals, same optimistic versions; ``expected_versions`` ``None`` reads them in
    the transaction) but vectorised, and written in one transaction with one bulk insert
    (``executemany`` on a GeoPackage, ``COPY`` on PostGIS): all of it, or nothing.
    """
    frame = clean_changes_frame(changes_frame(changes))
    return store.record_changes_frame(frame, expected_versions=expected_versions, today=today)

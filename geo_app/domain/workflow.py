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

import numpy as np
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


# --- batches as tables (imports, spreadsheets, generators) ---------------------------------

#: Columns of a batch of changes as a table (:func:`changes_frame`); ``from_stage`` may be
#: left out, then each change starts from the stage before it (see :func:`check_changes_frame`).
CHANGE_COLUMNS = ("parcel_id", "from_stage", "to_stage", "effective_date", "officer", "note",
                  "evidence", "is_correction", "correction_reason")
#: Columns of the parcel states a store hands to :func:`check_changes_frame`.
STATE_COLUMNS = ("parcel_id", "stage", "stage_date", "version")

_TEXT_FIELDS = ("parcel_id", "correction_reason", "evidence", "officer", "note")
_ORDER = {s.value: s.order for s in STAGE_ORDER}
_NO_STAGE = -1
_DAY0 = dt.date(1, 1, 1).toordinal()


def changes_frame(changes: Iterable[StageChange] | pd.DataFrame) -> pd.DataFrame:
    """A batch as a table with :data:`CHANGE_COLUMNS` (``from_stage`` kept only if given).

    A DataFrame is taken as it is (missing optional columns filled: note ``""``, evidence
    and reason ``None``, ``is_correction`` from a non-empty reason); a sequence of
    :class:`StageChange` becomes one row each, in order.
    """
    if isinstance(changes, pd.DataFrame):
        frame = changes.reset_index(drop=True).copy()
        if "parcel_id" not in frame.columns or "to_stage" not in frame.columns:
            raise InputError("A batch of stage changes needs the columns parcel_id, to_stage, "
                             "effective_date and officer.")
        n = len(frame)
        for col, default in (("note", ""), ("evidence", None), ("correction_reason", None),
                             ("officer", None), ("effective_date", None)):
            if col not in frame.columns:
                frame[col] = pd.Series([default] * n, dtype="object")
        if "is_correction" not in frame.columns:
            reason = frame["correction_reason"]
            frame["is_correction"] = reason.notna() & (reason.astype("string").str.strip()
                                                       != "").fillna(False)
        cols = [c for c in CHANGE_COLUMNS if c in frame.columns]
        return frame[cols]
    rows = [(c.parcel_id, c.from_stage, c.to_stage, c.effective_date, c.officer, c.note,
             c.evidence, c.is_correction, c.correction_reason) for c in changes]
    return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS), dtype="object")


def _row_change(row: Mapping[str, object], from_stage: ParcelStage | None) -> StageChange:
    return StageChange(
        parcel_id=str(row["parcel_id"]),
        from_stage=from_stage,
        to_stage=ParcelStage(str(row["to_stage"])),
        effective_date=row["effective_date"],  # type: ignore[arg-type]
        officer=_optional(row["officer"]) or "",
        note=_optional(row["note"]) or "",
        evidence=_optional(row["evidence"]),
        is_correction=bool(row["is_correction"]),
        correction_reason=_optional(row["correction_reason"]),
    )


def _clean_column(field: str, values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(cleaned values, refused mask): :func:`clean_ledger_text` once per distinct value."""
    limit = LEDGER_TEXT_MAX_CHARS[field]
    codes, uniques = pd.factorize(values.astype("object"), use_na_sentinel=True)
    cleaned: list[object] = []
    bad = np.zeros(len(uniques), dtype=bool)
    # printable ASCII without surrounding spaces, within the limit: cleaning keeps it as is
    plain = pd.Series(uniques, dtype="object").str.fullmatch(
        r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?").fillna(False).to_numpy(dtype=bool, copy=True)
    plain &= np.fromiter((len(str(u)) <= limit for u in uniques), bool, len(uniques))
    for i, value in enumerate(uniques):
        if plain[i]:
            cleaned.append(str(value))
            continue
        try:
            text = clean_ledger_text(field, None if _missing(value) else str(value),
                                     max_chars=limit)
        except InputError:
            bad[i], text = True, ""
        if field == "parcel_id":
            bad[i] |= not text
            text = str(value)
        cleaned.append(text)
    table = np.array([*cleaned, ""], dtype=object)  # code -1 (missing) → ""
    refused = np.append(bad, field == "parcel_id")[codes]
    return pd.Series(table[codes], index=values.index, dtype="object"), refused


def clean_changes_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`clean_change` applied to every row of a batch table, vectorised.

    Each distinct text is cleaned once. The first row (in order) with a refused text raises
    the error :func:`clean_change` raises for it; stage codes (or labels) become codes and
    dates ``datetime.date``.

    Raises
    ------
    InputError
        As :func:`clean_change`; an unknown stage (``stage.unknown``); a date that is not
        a date.
    """
    frame = changes_frame(frame)
    out = frame.copy()
    refused = np.zeros(len(frame), dtype=bool)
    for field in _TEXT_FIELDS:
        out[field], bad = _clean_column(field, frame[field])
        refused |= bad
    if refused.any():
        first = int(np.flatnonzero(refused)[0])
        clean_change(_row_change(frame.iloc[first].to_dict() | {
            "to_stage": _stage_code(frame["to_stage"].iloc[first]) or ParcelStage.PRE_NOTICE,
            "effective_date": None}, None))
        raise AssertionError("unreachable: clean_change accepted a refused text")
    for col in ("evidence", "correction_reason"):
        out[col] = out[col].where(out[col] != "", None)
    out["is_correction"] = frame["is_correction"].fillna(False).astype(bool).to_numpy()
    out["to_stage"] = _stage_codes(frame["to_stage"], optional=False)
    if "from_stage" in frame.columns:
        out["from_stage"] = _stage_codes(frame["from_stage"], optional=True)
    out["effective_date"] = _dates(frame["effective_date"])
    return out


def _stage_code(value: object) -> str | None:
    if _missing(value):
        return None
    if isinstance(value, ParcelStage):
        return value.value
    from geo_app.domain.stages import parse_stage

    return parse_stage(str(value)).value


def _stage_codes(values: pd.Series, *, optional: bool) -> pd.Series:
    codes, uniques = pd.factorize(values.astype("object"), use_na_sentinel=True)
    if not optional and (codes < 0).any():
        raise refusal(InputError, "stage.unknown", {"value": "", "known": ", ".join(_ORDER)})
    table = np.array([*(_stage_code(u) for u in uniques), None], dtype=object)
    return pd.Series(table[codes], index=values.index, dtype="object")


def _dates(values: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(values.astype("object"), use_na_sentinel=True)
    parsed: list[dt.date] = []
    for value in uniques:
        try:
            parsed.append(_as_date(value))
        except (TypeError, ValueError):
            raise InputError(f"The effective date {value!r} is not a date; write it as "
                             "YYYY-MM-DD.") from None
    if (codes < 0).any():
        row = int(np.flatnonzero(codes < 0)[0])
        raise InputError(f"Change {row + 1} of the batch has no effective date; give it as "
                         "YYYY-MM-DD.")
    table = np.array(parsed, dtype=object)
    return pd.Series(table[codes], index=values.index, dtype="object")


def check_changes_frame(
    changes: pd.DataFrame,
    states: pd.DataFrame,
    *,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """:func:`check_batch` for a whole table at once: the same refusals, vectorised.

    Parameters
    ----------
    changes
        The batch cleaned by :func:`clean_changes_frame`, in the order it is to be
        recorded (several rows may concern one parcel). Without a ``from_stage`` column,
        each change starts from the stage before it (the stored stage for a parcel's first
        change in the batch) and that column is added.
    states
        :data:`STATE_COLUMNS` of (at least) the batch's parcels as stored: ``stage`` a
        code or ``None``, ``stage_date`` a date or ``None``, ``version``; a parcel not in
        it has no event yet.

    Returns
    -------
    DataFrame
        The final state of each parcel of the batch (:data:`STATE_COLUMNS`, ``stage`` as
        a code), in the order the parcels first appear; ``changes`` gains ``from_stage``
        when it had none.

    Raises
    ------
    InputError, TransitionError
        For the first change (in order) the workflow refuses, the very error
        :func:`check_change` raises for it: every row is checked at once, and only the
        first refused one is replayed by :func:`check_change` to build the message.
    """
    today = today or dt.date.today()
    n = len(changes)
    pid = changes["parcel_id"].astype("object").to_numpy()
    st = states.drop_duplicates("parcel_id").set_index("parcel_id")
    stored_ord = pd.Series([_ORDER.get(s, _NO_STAGE) if s is not None else _NO_STAGE
                            for s in st["stage"]], index=st.index, dtype="int64")
    stored_day = pd.Series(_day_numbers(st["stage_date"]), index=st.index, dtype="int64")
    to_ord = changes["to_stage"].map(_ORDER).to_numpy(dtype="int64")
    day = _day_numbers(changes["effective_date"])
    grouped = pd.Series(to_ord).groupby(pid, sort=False)
    first = ~pd.Series(pid).duplicated().to_numpy()
    prev_ord = grouped.shift(1).to_numpy()
    prev_day = pd.Series(day).groupby(pid, sort=False).shift(1).to_numpy()
    start_ord = pd.Series(pid).map(stored_ord).fillna(_NO_STAGE).to_numpy(dtype="int64")
    start_day = pd.Series(pid).map(stored_day).fillna(-1).to_numpy(dtype="int64")
    prev_ord = np.where(first, start_ord, np.nan_to_num(prev_ord, nan=0)).astype("int64")
    prev_day = np.where(first, start_day, np.nan_to_num(prev_day, nan=0)).astype("int64")
    if "from_stage" not in changes.columns:
        codes = np.array([*(s.value for s in STAGE_ORDER), None], dtype=object)
        changes["from_stage"] = pd.Series(codes[prev_ord], index=changes.index,
                                          dtype="object")  # -1 → None (last entry)
    from_ord = np.array([_NO_STAGE if _missing(s) else _ORDER[s]
                         for s in changes["from_stage"]], dtype="int64") if n else np.zeros(
        0, dtype="int64")
    correction = changes["is_correction"].to_numpy(dtype=bool)
    today_day = today.toordinal() - _DAY0
    refused = (
        (changes["officer"].to_numpy(dtype=object) == "")
        | (correction & changes["correction_reason"].isna().to_numpy())
        | (day > today_day)
        | (from_ord != prev_ord)
        | ((prev_day >= 0) & (day < prev_day))
        | (to_ord == prev_ord)
        | (~correction & (to_ord != prev_ord + 1))
    )
    if refused.any():
        row = int(np.flatnonzero(refused)[0])
        stage = None if prev_ord[row] == _NO_STAGE else STAGE_ORDER[prev_ord[row]]
        stage_date = None if prev_day[row] < 0 else dt.date.fromordinal(
            int(prev_day[row]) + _DAY0)
        record = changes.iloc[row].to_dict()
        check_change(_row_change(record, None if _missing(record["from_stage"])
                                 else ParcelStage(record["from_stage"])),
                     ParcelState(str(pid[row]), stage, stage_date), today=today)
        raise AssertionError("unreachable: check_change accepted a refused change")
    last = ~pd.Series(pid).duplicated(keep="last").to_numpy()
    counts = pd.Series(pid).value_counts(sort=False)
    ids = pid[last]
    base = pd.Series(ids).map(st["version"]).fillna(0).astype("int64").to_numpy()
    final = pd.DataFrame({
        "parcel_id": ids,
        "stage": changes["to_stage"].to_numpy(dtype=object)[last],
        "stage_date": changes["effective_date"].to_numpy(dtype=object)[last],
        "version": base + pd.Series(ids).map(counts).to_numpy(dtype="int64"),
    })
    order = pd.Series(pid[first]).reset_index(drop=True)
    return final.set_index("parcel_id").loc[order].reset_index()


def _day_numbers(values: pd.Series) -> np.ndarray:
    """Days since 0001-01-01 of each date (``-1`` for none), whole column at once."""
    if len(values) == 0:
        return np.zeros(0, dtype="int64")
    codes, uniques = pd.factorize(values.astype("object"), use_na_sentinel=True)
    table = np.array([*(_as_date(u).toordinal() - _DAY0 for u in uniques), -1],
                     dtype="int64")
    return table[codes]

"""Acquisition progress over time, a parcel's history, and two dates compared.

Everything is replayed from the stage-event log with the rule of
:func:`geo_app.analysis.progress.stages_as_of`: on a date, a parcel is at the stage of
its last event in effect (by effective date, then recording time, then event id).

:func:`net_land_by_month` does not replay the log once per month. Each parcel's stage is
a step function of the date, so its net-land area (净地 and later) changes only on the
dates of its events: the log is reduced once to those changes (+area when a parcel
reaches net land, −area when a correction takes it back), summed per phase and date,
and the monthly values are cumulative sums read at each month end. 10,000 parcels with
thousands of events take milliseconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_app.analysis.area import plane_area_m2
from geo_app.analysis.crs import PlaneCRS, choose_plane_crs
from geo_app.analysis.progress import (
    NET_LAND_OR_LATER,
    NOT_STARTED,
    PhaseProgress,
    progress,
    stages_as_of,
)
from geo_app.analysis.units import M2_PER_MU
from geo_app.domain.stages import STAGE_ORDER, stage_label_or_unknown, stage_or_none
from geo_app.domain.targets import PHASE_TARGETS_MU
from geo_app.errors import InputError

#: Stage codes in workflow order, ``not_started`` first.
STAGE_CODES: tuple[str, ...] = (NOT_STARTED, *(s.value for s in STAGE_ORDER))

MONTH_COLUMNS = ("month_end", "phase", "net_land_mu", "target_mu", "share_of_target")
TIMELINE_COLUMNS = (
    "event_id", "effective_date", "from_stage", "to_stage", "stage_order",
    "from_label_zh", "from_label_en", "to_label_zh", "to_label_en", "officer", "note",
    "evidence", "recorded_at", "is_correction", "correction_reason", "in_effect",
)
_EFFECT_ORDER = ["effective_date", "recorded_at", "event_id"]


# --- shared helpers ------------------------------------------------------------------------


def _require(parcels: gpd.GeoDataFrame, events: pd.DataFrame) -> None:
    missing = [c for c in ("id", "phase") if c not in parcels.columns]
    if missing:
        raise InputError(
            f"The parcels layer lacks column(s) {', '.join(missing)}; re-import it with the "
            "columns of the parcels specification."
        )
    missing = [c for c in ("event_id", "parcel_id", "to_stage", "effective_date",
                           "recorded_at") if c not in events.columns]
    if missing:
        raise InputError(
            f"The stage-event log lacks column(s) {', '.join(missing)}; read it with the "
            "store's read_events()."
        )
    ids = parcels["id"].astype("string")
    if ids.duplicated().any():
        dupes = ", ".join(sorted(ids[ids.duplicated()].unique())[:5])
        raise InputError(f"Parcel id(s) {dupes} occur more than once; make parcel ids unique.")


def parcel_area_mu(parcels: gpd.GeoDataFrame, *, plane: PlaneCRS | None = None) -> np.ndarray:
    """Plane (GK) area of each parcel in mu: the ``area_mu_plane`` column if present."""
    if "area_mu_plane" in parcels.columns:
        return parcels["area_mu_plane"].to_numpy(dtype="float64")
    if len(parcels) == 0:
        return np.zeros(0)
    plane = plane or choose_plane_crs(parcels)
    return plane_area_m2(parcels, plane) / M2_PER_MU


def _to_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InputError(f"{value!r} is not a date; write it as YYYY-MM-DD.") from None


def _effect_ordered(events: pd.DataFrame) -> pd.DataFrame:
    """Events with ``day`` (datetime64) in the order they take effect."""
    ordered = events.assign(day=pd.to_datetime(events["effective_date"].astype("string")
                                               .str.slice(0, 10)))
    return ordered.sort_values(["day", "recorded_at", "event_id"], kind="stable")


# --- net land by month ---------------------------------------------------------------------


def net_land_changes(
    parcels: gpd.GeoDataFrame, events: pd.DataFrame, *, plane: PlaneCRS | None = None
) -> pd.DataFrame:
    """The dates on which each phase's net land (净地 and later) changes, and by how much.

    Columns ``day`` (datetime64), ``phase``, ``delta_mu``; one row per phase and date with
    a non-zero change, ordered by phase and date. Events of parcels not in ``parcels``
    are ignored.
    """
    _require(parcels, events)
    ids = parcels["id"].astype("string").to_numpy(dtype=object)
    known = events[events["parcel_id"].astype("string").isin(ids)]
    if len(known) == 0:
        return _deltas(parcels, _NO_STEPS, plane)
    ordered = _effect_ordered(known)
    # the stage in effect at the end of each event day: the day's last event
    days = ordered.groupby(["parcel_id", "day"], sort=False).tail(1)
    days = days.sort_values(["parcel_id", "day"], kind="stable")
    is_net = days["to_stage"].isin(NET_LAND_OR_LATER).astype("int64")
    before = is_net.groupby(days["parcel_id"]).shift(1, fill_value=0)
    step = (is_net - before).to_numpy()
    changed = days.loc[step != 0, ["parcel_id", "day"]].assign(step=step[step != 0])
    return _deltas(parcels, changed, plane)


_NO_STEPS = pd.DataFrame({"parcel_id": pd.Series(dtype="object"),
                          "day": pd.Series(dtype="datetime64[ns]"),
                          "step": pd.Series(dtype="int64")})


def _deltas(parcels: gpd.GeoDataFrame, changed: pd.DataFrame,
            plane: PlaneCRS | None) -> pd.DataFrame:
    """``day``, ``phase``, ``delta_mu`` from the steps ``parcel_id``, ``day``, ``step``
    (ordered by parcel id, then day) of the parcels in ``parcels``."""
    ids = parcels["id"].astype("string").to_numpy(dtype=object)
    empty = pd.DataFrame({"day": pd.Series(dtype="datetime64[ns]"),
                          "phase": pd.Series(dtype="int64"),
                          "delta_mu": pd.Series(dtype="float64")})
    changed = changed[changed["parcel_id"].astype("string").isin(ids)]
    if len(changed) == 0:
        return empty
    area = pd.Series(parcel_area_mu(parcels, plane=plane), index=ids)
    phase = pd.Series(parcels["phase"].astype("int64").to_numpy(), index=ids)
    pid = changed["parcel_id"].astype("string").to_numpy(dtype=object)
    step = changed["step"].to_numpy(dtype="int64")
    frame = pd.DataFrame({
        "day": changed["day"].to_numpy(),
        "phase": phase.loc[pid].to_numpy(),
        "delta_mu": step * area.loc[pid].to_numpy(),
    })
    out = frame.groupby(["phase", "day"], as_index=False, sort=True)["delta_mu"].sum()
    return out[out["delta_mu"] != 0].reset_index(drop=True)


def steps_frame(steps: pd.DataFrame) -> pd.DataFrame:
    """A store's :meth:`~geo_app.storage.base.LayerStore.net_land_steps` as
    :func:`net_land_changes` orders them: by parcel id, then day (``day`` datetime64)."""
    out = pd.DataFrame({
        "parcel_id": steps["parcel_id"].astype("object").to_numpy(),
        "day": pd.to_datetime(steps["day"].astype("string").str.slice(0, 10)),
        "step": steps["step"].astype("int64").to_numpy(),
    })
    return out.sort_values(["parcel_id", "day"], kind="stable").reset_index(drop=True)


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """The last day of each month from ``start``'s month to ``end``'s; the last is ``end``.

    ``end`` itself closes the series when it is not a month end, so a series up to today
    ends today.
    """
    if end < start:
        raise InputError(
            f"The period starts {start.isoformat()} after it ends {end.isoformat()}; "
            "swap the dates."
        )
    ends = pd.date_range(pd.Timestamp(start).to_period("M").to_timestamp(how="end"),
                         pd.Timestamp(end).to_period("M").to_timestamp(how="end"),
                         freq="ME")
    days = [ts.date() for ts in ends]
    days[-1] = min(days[-1], end)
    return days


def event_span(events: pd.DataFrame) -> tuple[dt.date, dt.date] | None:
    """The first and last effective date in the stage-event log; ``None`` when it is empty."""
    if len(events) == 0:
        return None
    days = events["effective_date"]
    return _to_date(min(days)), _to_date(max(days))


def as_of_choices(events: pd.DataFrame, *, today: dt.date) -> list[dt.date]:
    """The dates progress can be looked at on: month ends from the first event's month to
    today (or to the last event, if later), the last one today; just today without events.
    """
    return as_of_choices_in_span(event_span(events), today=today)


def as_of_choices_in_span(span: tuple[dt.date, dt.date] | None, *,
                          today: dt.date) -> list[dt.date]:
    """:func:`as_of_choices` from the ledger's first and last effective date (a store's
    ``event_span()``), without reading the log."""
    if span is None:
        return [today]
    return month_ends(span[0], max(today, span[1]))


def default_comparison_days(
    events: pd.DataFrame, *, today: dt.date, months: int = 6
) -> tuple[dt.date, dt.date]:
    """Two dates to compare first: B the last event day (today without events), A
    ``months`` earlier but not before the first event.
    """
    return comparison_days_in_span(event_span(events), today=today, months=months)


def comparison_days_in_span(span: tuple[dt.date, dt.date] | None, *, today: dt.date,
                            months: int = 6) -> tuple[dt.date, dt.date]:
    """:func:`default_comparison_days` from a store's ``event_span()``."""
    day_b = span[1] if span else today
    day_a = (pd.Timestamp(day_b) - pd.DateOffset(months=months)).date()
    return (max(day_a, span[0]) if span else day_a), day_b


def net_land_by_month(
    parcels: gpd.GeoDataFrame,
    events: pd.DataFrame,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    plane: PlaneCRS | None = None,
    targets_mu: dict[int, float] | None = None,
) -> pd.DataFrame:
    """Mu of net land (净地 and later) per phase at each month end, with the targets.

    Parameters
    ----------
    parcels
        The parcels layer (``id``, ``phase``, geometry; ``area_mu_plane`` is used if present).
    events
        The stage-event log (:meth:`~geo_app.storage.base.LayerStore.read_events`).
    start, end
        The period; by default from the first to the last effective date in the log.
        One row per phase for the end of every month in it, the last row at ``end``.
    targets_mu
        Phase → target in mu; by default the article's 1420 / 1700 mu.

    Returns
    -------
    DataFrame
        :data:`MONTH_COLUMNS`: ``month_end`` (datetime64), ``phase``, ``net_land_mu``,
        ``target_mu`` (NaN without a target), ``share_of_target`` (0–1, NaN without one);
        ordered by phase, then date.
    """
    _require(parcels, events)
    targets = PHASE_TARGETS_MU if targets_mu is None else targets_mu
    if len(events) == 0 and (start is None or end is None):
        raise InputError(
            "There is no stage history in this store, so there is no progress over time "
            "to show. Record stage changes first."
        )
    known_days = pd.to_datetime(events["effective_date"].astype("string").str.slice(0, 10))
    first = _to_date(start) if start is not None else known_days.min().date()
    last = _to_date(end) if end is not None else known_days.max().date()
    return _monthly(parcels, net_land_changes(parcels, events, plane=plane), first, last,
                    targets)


def net_land_by_month_from_steps(
    parcels: gpd.GeoDataFrame,
    steps: pd.DataFrame,
    span: tuple[dt.date, dt.date] | None,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    plane: PlaneCRS | None = None,
    targets_mu: dict[int, float] | None = None,
) -> pd.DataFrame:
    """:func:`net_land_by_month` from what a store computed in SQL, the same figures.

    ``steps`` is the store's ``net_land_steps(NET_LAND_OR_LATER)`` and ``span`` its
    ``event_span()`` (both with the same ``known_only``): the log is never read whole.
    """
    _require(parcels, _STEP_COLUMNS_ONLY)
    targets = PHASE_TARGETS_MU if targets_mu is None else targets_mu
    if span is None and (start is None or end is None):
        raise InputError(
            "There is no stage history in this store, so there is no progress over time "
            "to show. Record stage changes first."
        )
    first = _to_date(start) if start is not None else span[0]  # type: ignore[index]
    last = _to_date(end) if end is not None else span[1]  # type: ignore[index]
    changes = _deltas(parcels, steps_frame(steps), plane)
    return _monthly(parcels, changes, first, last, targets)


_STEP_COLUMNS_ONLY = pd.DataFrame(columns=["event_id", "parcel_id", "to_stage",
                                           "effective_date", "recorded_at"])


def _monthly(parcels: gpd.GeoDataFrame, changes: pd.DataFrame, first: dt.date,
             last: dt.date, targets: dict[int, float]) -> pd.DataFrame:
    points = pd.to_datetime(pd.Series(month_ends(first, last))).to_numpy()
    phases = sorted(int(p) for p in pd.unique(parcels["phase"].astype("int64")))
    frames = []
    for phase in phases:
        mine = changes[changes["phase"] == phase]
        cumulative = np.concatenate([[0.0], np.cumsum(mine["delta_mu"].to_numpy())])
        pos = np.searchsorted(mine["day"].to_numpy(), points, side="right")
        net = np.clip(cumulative[pos], 0.0, None)  # no negative rounding residue
        target = targets.get(phase)
        frames.append(pd.DataFrame({
            "month_end": points,
            "phase": phase,
            "net_land_mu": net,
            "target_mu": np.nan if target is None else float(target),
            "share_of_target": np.nan if not target else net / float(target),
        }))
    if not frames:
        return pd.DataFrame(columns=list(MONTH_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(MONTH_COLUMNS)]


def latest_by_phase(monthly: pd.DataFrame) -> pd.DataFrame:
    """The last row of each phase in a :func:`net_land_by_month` table (the newest figures)."""
    return monthly.sort_values("month_end").groupby("phase").tail(1)


def stages_on(parcel_ids: pd.Series | np.ndarray, stages: pd.DataFrame) -> np.ndarray:
    """Each parcel's stage from a store's ``stages_as_of(day)`` (``parcel_id``, ``stage``):
    ``not_started`` for a parcel it does not list, as :func:`stages_as_of` gives it."""
    listed = stages.drop_duplicates("parcel_id", keep="last")
    index = pd.Index(listed["parcel_id"].to_numpy(dtype=object))
    values = listed["stage"].to_numpy(dtype=object)
    values = np.append(np.where(pd.isna(values), NOT_STARTED, values), NOT_STARTED)
    return values[index.get_indexer(np.asarray(parcel_ids, dtype=object))]  # -1: not listed


def progress_from_stages(
    parcels: gpd.GeoDataFrame,
    stages: pd.DataFrame,
    *,
    plane: PlaneCRS | None = None,
    targets_mu: dict[int, float] | None = None,
    area_mu: np.ndarray | None = None,
) -> list[PhaseProgress]:
    """:func:`~geo_app.analysis.progress.progress` as of a date, from the stages a store
    computed in SQL (``stages_as_of(day)``) instead of the whole log: the same figures.

    Without ``area_mu`` it is :func:`~geo_app.analysis.progress.progress` itself on the
    parcels with the stages of the day. ``area_mu`` (each parcel's plane area in mu, as
    ``progress`` measures it: :func:`parcel_plane_area_mu`) skips measuring the parcels
    again on every date: the same sums in the same order, so the same figures (tested).
    """
    if area_mu is None:
        then = parcels.assign(stage=stages_on(parcels["id"], stages))
        return progress(then, plane=plane, targets_mu=targets_mu)
    targets = PHASE_TARGETS_MU if targets_mu is None else targets_mu
    if len(parcels) == 0:
        return []
    frame = pd.DataFrame({"phase": parcels["phase"].astype("int64").to_numpy(),
                          "stage": stages_on(parcels["id"], stages),
                          "mu": np.asarray(area_mu, dtype="float64")})
    order = [NOT_STARTED, *STAGE_CODES[1:]]
    result = []
    for phase, rows in frame.groupby("phase", sort=True):  # exactly as progress() sums
        by_stage = rows.groupby("stage")["mu"].sum()
        result.append(PhaseProgress(
            phase=int(phase),
            target_mu=targets.get(int(phase)),
            parcel_count=len(rows),
            total_mu=float(rows["mu"].sum()),
            net_land_mu=float(rows.loc[rows["stage"].isin(NET_LAND_OR_LATER), "mu"].sum()),
            by_stage_mu={s: float(by_stage[s]) for s in order if s in by_stage.index},
        ))
    return result


def parcel_plane_area_mu(parcels: gpd.GeoDataFrame, plane: PlaneCRS | None = None
                         ) -> np.ndarray:
    """Each parcel's area in mu in ``plane`` (by default the parcels' own), measured as
    :func:`~geo_app.analysis.progress.progress` measures it; for
    :func:`progress_from_stages` on many dates."""
    if len(parcels) == 0:
        return np.zeros(0)
    return plane_area_m2(parcels, plane or choose_plane_crs(parcels)) / M2_PER_MU


# --- one parcel's history ------------------------------------------------------------------


def _label(code: object, lang: str) -> str | None:
    if code is None or (isinstance(code, float) and np.isnan(code)) or code is pd.NA:
        return None
    return stage_label_or_unknown(code, lang)


def _order(code: object) -> int:
    """A stage's place in the workflow; -1 for a code no stage has (written by another tool)."""
    stage = stage_or_none(code)
    return -1 if stage is None else stage.order


def parcel_timeline(events: pd.DataFrame, parcel_id: str) -> pd.DataFrame:
    """One parcel's events in the order they take effect, with stage labels.

    Columns :data:`TIMELINE_COLUMNS`: ``effective_date`` and ``recorded_at`` as
    datetime64, ``stage_order`` the to-stage's place in the workflow (0 = 拟征收公告),
    labels in Chinese and English, and ``in_effect``: False for an event overridden by
    a later record of the same effective date (a same-day correction). The last row is
    the parcel's current stage. Empty for a parcel with no events.
    """
    mine = events[events["parcel_id"].astype("string") == str(parcel_id)]
    if len(mine) == 0:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in TIMELINE_COLUMNS})
    ordered = _effect_ordered(mine)
    last_of_day = ~ordered["day"].duplicated(keep="last").to_numpy()
    out = pd.DataFrame({
        "event_id": ordered["event_id"].astype("int64").to_numpy(),
        "effective_date": ordered["day"].to_numpy(),
        "from_stage": ordered["from_stage"].to_numpy(dtype=object),
        "to_stage": ordered["to_stage"].to_numpy(dtype=object),
        "stage_order": [_order(s) for s in ordered["to_stage"]],
        "from_label_zh": [_label(s, "zh") for s in ordered["from_stage"]],
        "from_label_en": [_label(s, "en") for s in ordered["from_stage"]],
        "to_label_zh": [_label(s, "zh") for s in ordered["to_stage"]],
        "to_label_en": [_label(s, "en") for s in ordered["to_stage"]],
        "officer": ordered["officer"].to_numpy(dtype=object),
        "note": ordered.get("note", pd.Series(None, index=ordered.index)).to_numpy(dtype=object),
        "evidence": ordered.get("evidence",
                                pd.Series(None, index=ordered.index)).to_numpy(dtype=object),
        "recorded_at": pd.to_datetime(ordered["recorded_at"].astype("string")).to_numpy(),
        "is_correction": ordered.get("is_correction", pd.Series(False, index=ordered.index))
        .astype("bool").to_numpy(),
        "correction_reason": ordered.get("correction_reason",
                                         pd.Series(None, index=ordered.index))
        .to_numpy(dtype=object),
        "in_effect": last_of_day,
    })
    return out[list(TIMELINE_COLUMNS)].reset_index(drop=True)


# --- two dates compared --------------------------------------------------------------------


@dataclass(frozen=True)
class DateComparison:
    """Progress on two dates and what changed between them.

    ``phases``: per phase ``phase``, ``target_mu``, ``net_land_mu_a``, ``net_land_mu_b``,
    ``net_land_diff_mu`` (b − a), ``started_mu_a``, ``started_mu_b`` (any stage).
    ``stages``: per phase and stage (``not_started`` first, workflow order) ``mu_a``,
    ``mu_b``, ``diff_mu``, all stages listed, zeros included.
    ``changed``: the parcels whose stage differs, ``parcel_id``, ``name``, ``phase``,
    ``area_mu``, ``stage_a``, ``stage_b``, ordered by phase and id.
    """

    day_a: dt.date
    day_b: dt.date
    phases: pd.DataFrame
    stages: pd.DataFrame
    changed: pd.DataFrame


def compare_dates(
    parcels: gpd.GeoDataFrame,
    events: pd.DataFrame,
    day_a: dt.date | str,
    day_b: dt.date | str,
    *,
    plane: PlaneCRS | None = None,
    targets_mu: dict[int, float] | None = None,
) -> DateComparison:
    """Mu per phase and stage on ``day_a`` and ``day_b``, the difference, the changed parcels."""
    _require(parcels, events)
    a, b = _to_date(day_a), _to_date(day_b)
    ids = parcels["id"].astype("string").to_numpy(dtype=object)
    stage_a = stages_as_of(ids, events, a).to_numpy(dtype=object)
    stage_b = stages_as_of(ids, events, b).to_numpy(dtype=object)
    return _compare(parcels, a, b, stage_a, stage_b, plane=plane, targets_mu=targets_mu)


def compare_stages(
    parcels: gpd.GeoDataFrame,
    day_a: dt.date,
    day_b: dt.date,
    stages_a: pd.DataFrame,
    stages_b: pd.DataFrame,
    *,
    plane: PlaneCRS | None = None,
    targets_mu: dict[int, float] | None = None,
) -> DateComparison:
    """:func:`compare_dates` from a store's ``stages_as_of(day_a)`` and
    ``stages_as_of(day_b)`` (computed in SQL): the same tables."""
    _require(parcels, _STEP_COLUMNS_ONLY)
    ids = parcels["id"].astype("string").to_numpy(dtype=object)
    return _compare(parcels, day_a, day_b, stages_on(ids, stages_a), stages_on(ids, stages_b),
                    plane=plane, targets_mu=targets_mu)


def _compare(parcels: gpd.GeoDataFrame, a: dt.date, b: dt.date, stage_a: np.ndarray,
             stage_b: np.ndarray, *, plane: PlaneCRS | None,
             targets_mu: dict[int, float] | None) -> DateComparison:
    targets = PHASE_TARGETS_MU if targets_mu is None else targets_mu
    ids = parcels["id"].astype("string").to_numpy(dtype=object)
    frame = pd.DataFrame({
        "parcel_id": ids,
        "name": (parcels["name"].to_numpy(dtype=object) if "name" in parcels.columns
                 else ids),
        "phase": parcels["phase"].astype("int64").to_numpy(),
        "area_mu": parcel_area_mu(parcels, plane=plane),
        "stage_a": stage_a,
        "stage_b": stage_b,
    })
    phases = sorted(int(p) for p in frame["phase"].unique())
    index = pd.MultiIndex.from_product([phases, STAGE_CODES], names=["phase", "stage"])
    mu_a = frame.groupby(["phase", "stage_a"])["area_mu"].sum()
    mu_b = frame.groupby(["phase", "stage_b"])["area_mu"].sum()
    mu_a.index.names = mu_b.index.names = ["phase", "stage"]
    stages = pd.DataFrame({"mu_a": mu_a.reindex(index, fill_value=0.0),
                           "mu_b": mu_b.reindex(index, fill_value=0.0)}).reset_index()
    stages.insert(2, "stage_order", [STAGE_CODES.index(s) for s in stages["stage"]])
    stages["diff_mu"] = stages["mu_b"] - stages["mu_a"]

    net_a = frame["stage_a"].isin(NET_LAND_OR_LATER)
    net_b = frame["stage_b"].isin(NET_LAND_OR_LATER)
    rows = []
    for phase in phases:
        mine = frame["phase"] == phase
        rows.append({
            "phase": phase,
            "target_mu": float(targets[phase]) if phase in targets else np.nan,
            "net_land_mu_a": float(frame.loc[mine & net_a, "area_mu"].sum()),
            "net_land_mu_b": float(frame.loc[mine & net_b, "area_mu"].sum()),
            "started_mu_a": float(frame.loc[mine & (frame["stage_a"] != NOT_STARTED),
                                            "area_mu"].sum()),
            "started_mu_b": float(frame.loc[mine & (frame["stage_b"] != NOT_STARTED),
                                            "area_mu"].sum()),
        })
    by_phase = pd.DataFrame(rows, columns=["phase", "target_mu", "net_land_mu_a",
                                           "net_land_mu_b", "started_mu_a", "started_mu_b"])
    by_phase.insert(4, "net_land_diff_mu", by_phase["net_land_mu_b"] - by_phase["net_land_mu_a"])
    changed = frame[frame["stage_a"] != frame["stage_b"]]
    changed = changed.sort_values(["phase", "parcel_id"], kind="stable").reset_index(drop=True)
    return DateComparison(a, b, by_phase, stages, changed)

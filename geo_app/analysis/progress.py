"""Acquisition progress per phase: mu by stage, net land (净地) and later, share of target."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_app.analysis.area import plane_area_m2
from geo_app.analysis.crs import PlaneCRS, choose_plane_crs
from geo_app.analysis.units import M2_PER_MU
from geo_app.domain.stages import STAGE_ORDER, ParcelStage, parse_stage
from geo_app.domain.targets import PHASE_TARGETS_MU
from geo_app.errors import InputError

#: Parcels with no stage yet at the date asked about.
NOT_STARTED = "not_started"

NET_LAND_OR_LATER = tuple(s.value for s in STAGE_ORDER if s.is_net_land_or_later)


@dataclass(frozen=True)
class PhaseProgress:
    phase: int
    target_mu: float | None
    parcel_count: int
    total_mu: float
    net_land_mu: float
    by_stage_mu: dict[str, float] = field(default_factory=dict)

    @property
    def share_net_land(self) -> float | None:
        """Net land (and later) as a share of the target, 0–1 (None without a target)."""
        return self.net_land_mu / self.target_mu if self.target_mu else None

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["share_net_land"] = self.share_net_land
        return data


def at_stages(
    parcels: gpd.GeoDataFrame, stages: list[str], *, layer: str = "parcels"
) -> gpd.GeoDataFrame:
    """The parcels whose current stage is one of ``stages`` (codes, 中文 or English labels)."""
    if "stage" not in parcels.columns:
        raise InputError(f"Layer '{layer}' has no stage column to filter by stage.")
    wanted = {parse_stage(s).value for s in stages}
    return parcels[parcels["stage"].isin(wanted)]


def stages_as_of(
    parcel_ids: pd.Series | np.ndarray, events: pd.DataFrame, as_of: dt.date
) -> pd.Series:
    """Each parcel's stage on ``as_of`` from the event log (``not_started`` if none yet).

    The latest event in effect wins: by effective date, then by when it was recorded, so
    a correction recorded later overrides an event with the same effective date.
    """
    ev = events[pd.to_datetime(events["effective_date"]).dt.date <= as_of]
    ev = ev.sort_values(["effective_date", "recorded_at", "event_id"], kind="stable")
    last = ev.groupby("parcel_id", sort=False)["to_stage"].last()
    ids = pd.Series(np.asarray(parcel_ids), dtype="object")
    mapped = ids.map(last.astype("object")).astype("object")
    return mapped.where(mapped.notna(), NOT_STARTED)


def progress(
    parcels: gpd.GeoDataFrame,
    *,
    as_of: dt.date | None = None,
    events: pd.DataFrame | None = None,
    targets_mu: dict[int, float] | None = None,
    plane: PlaneCRS | None = None,
) -> list[PhaseProgress]:
    """Progress per phase, now (the parcels' ``stage``) or as of a date (from ``events``)."""
    targets = PHASE_TARGETS_MU if targets_mu is None else targets_mu
    if as_of is not None:
        if events is None or len(events) == 0:
            raise InputError(
                "There is no stage history in this store, so progress can only be shown "
                "for today. Record stage changes first, or drop --as-of."
            )
        stage = stages_as_of(parcels["id"], events, as_of).to_numpy()
    else:
        stage = parcels["stage"].astype("object").to_numpy()
    if len(parcels) == 0:
        return []
    plane = plane or choose_plane_crs(parcels)
    area_mu = plane_area_m2(parcels, plane) / M2_PER_MU
    frame = pd.DataFrame(
        {"phase": parcels["phase"].astype("int64").to_numpy(), "stage": stage, "mu": area_mu}
    )
    order = [NOT_STARTED, *(s.value for s in ParcelStage)]
    result = []
    for phase, rows in frame.groupby("phase", sort=True):
        by_stage = rows.groupby("stage")["mu"].sum()
        by_stage_mu = {s: float(by_stage[s]) for s in order if s in by_stage.index}
        net = float(rows.loc[rows["stage"].isin(NET_LAND_OR_LATER), "mu"].sum())
        result.append(
            PhaseProgress(
                phase=int(phase),
                target_mu=targets.get(int(phase)),
                parcel_count=len(rows),
                total_mu=float(rows["mu"].sum()),
                net_land_mu=net,
                by_stage_mu=by_stage_mu,
            )
        )
    return result

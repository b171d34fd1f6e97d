"""Known answers computed independently of geo_app.analysis: pyproj + shapely, plain loops."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

from geo_app.domain.stages import STAGE_ORDER, ParcelStage
from geo_app.domain.workflow import StageChange

M2_PER_MU = 10_000 / 15
NET_LAND_OR_LATER = {"net_land", "supplied"}


def stages_on(events: Iterable[Mapping[str, object]], day: dt.date) -> dict[str, str]:
    """Each parcel's stage on ``day``: its last event by (effective date, recorded at, id)."""
    stage: dict[str, str] = {}
    key = lambda e: (str(e["effective_date"]), str(e["recorded_at"]), int(e["event_id"]))  # noqa: E731
    for e in sorted(events, key=key):
        if str(e["effective_date"]) <= day.isoformat():
            stage[str(e["parcel_id"])] = str(e["to_stage"])
    return stage


def net_land_mu_by_phase(parcels: gpd.GeoDataFrame, events: Iterable[Mapping[str, object]],
                         day: dt.date) -> dict[int, float]:
    """Mu of net land (or later) per phase on ``day``: GK plane EPSG:4547 areas."""
    assert parcels.crs.to_epsg() == 4490
    to_plane = Transformer.from_crs(4490, 4547, always_xy=True)
    stage = stages_on(events, day)
    result: dict[int, float] = {}
    for row in parcels.itertuples():
        area_m2 = shapely.transform(
            row.geometry, lambda xy: np.column_stack(to_plane.transform(xy[:, 0], xy[:, 1]))
        ).area
        if stage.get(row.id) in NET_LAND_OR_LATER:
            result[int(row.phase)] = result.get(int(row.phase), 0.0) + area_m2 / M2_PER_MU
        else:
            result.setdefault(int(row.phase), 0.0)
    return result


def month_of_updates(current: Mapping[str, tuple[str, dt.date]], *, officers: tuple[str, ...]
                     ) -> list[list[StageChange]]:
    """December 2021, every third day: half the phase-2 parcels move one step (daily batches)."""
    state = {pid: (ParcelStage(s), d) for pid, (s, d) in current.items() if pid.startswith("QC2")}
    days = [dt.date(2021, 12, d) for d in range(3, 32, 3)]
    batches = []
    for k, day in enumerate(days):
        batch = []
        for i, pid in enumerate(sorted(state)):
            stage, since = state[pid]
            if (i + k) % 2 or stage is ParcelStage.SUPPLIED or day < since:
                continue
            nxt = STAGE_ORDER[stage.order + 1]
            batch.append(StageChange(pid, stage, nxt, day, officers[(i + k) % len(officers)],
                                     note=f"{nxt.label_zh}", evidence=f"随高新征〔2021〕{k}-{i}号"))
            state[pid] = (nxt, day)
        batches.append(batch)
    return batches

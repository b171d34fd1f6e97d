"""Hand-built parcels and event logs with areas known by hand, shared by several test files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box

from geo_app.storage import GeoPackageStore

X0, Y0 = 440_000, 3_505_000  # EPSG:4547 (GK, CM 114°E), near Suizhou

EVENT_ROW = ["event_id", "parcel_id", "from_stage", "to_stage", "effective_date", "recorded_at",
             "is_correction"]


def four_parcels() -> gpd.GeoDataFrame:
    """a: 300×200 m = 90 mu, b: 100×100 m = 15 mu (phase 1); c: 200×100 m = 30 mu and
    d: 100×50 m = 7.5 mu (phase 2). Returned in EPSG:4490."""
    geoms = [box(X0, Y0, X0 + 300, Y0 + 200), box(X0 + 400, Y0, X0 + 500, Y0 + 100),
             box(X0 + 600, Y0, X0 + 800, Y0 + 100), box(X0 + 900, Y0, X0 + 1000, Y0 + 50)]
    return gpd.GeoDataFrame(
        {"id": ["a", "b", "c", "d"], "name": ["A地块", "B地块", "C地块", "D地块"],
         "phase": [1, 1, 2, 2]},
        geometry=geoms, crs=4547,
    ).to_crs(4490)


def event_frame(rows: list[tuple]) -> pd.DataFrame:
    """An event log from ``EVENT_ROW`` tuples, with the other columns filled in plainly."""
    frame = pd.DataFrame(rows, columns=EVENT_ROW)
    frame["officer"] = "张伟"
    frame["note"] = None
    frame["evidence"] = "随高新征〔2021〕1号"
    frame["correction_reason"] = np.where(frame["is_correction"], "补录", None)
    return frame


def net_land_mu_on(path: Path | str, day: dt.date) -> dict[int, float]:
    """Known answer for a GeoPackage: each parcel's last event by ``day`` (plain Python),
    shapely areas in EPSG:4547, summed per phase over net-land and supplied parcels."""
    last: dict[str, tuple] = {}
    for ev in GeoPackageStore(path).read_events().to_dict(orient="records"):
        if ev["effective_date"] <= day.isoformat():
            key = (ev["effective_date"], ev["recorded_at"], ev["event_id"], ev["to_stage"])
            last[ev["parcel_id"]] = max(last.get(ev["parcel_id"], key), key)
    parcels = gpd.read_file(path, layer="parcels").to_crs(4547)
    totals: dict[int, float] = {}
    for pid, phase, geom in zip(parcels["id"], parcels["phase"], parcels.geometry, strict=True):
        totals.setdefault(int(phase), 0.0)
        if pid in last and last[pid][3] in ("net_land", "supplied"):
            totals[int(phase)] += shapely.area(geom) / (10000 / 15)
    return totals

"""Opening the dashboard on a big ledger: the app's cached load against one hand-written query.

    python benchmarks/dashboard_load.py [N ...]     (default: 100000 parcels, 8 events each)

Data: ``N`` synthetic parcels and their 8·N stage changes (``ledger_bulk.change_table``)
recorded with ``record_stage_changes`` into a fresh GeoPackage and a fresh PostGIS database
(when the test URL answers).

geo_app, a cold open of the Dashboard's acquisition section as the page does it (caches
cleared each time): ``loaders.load_store`` (every layer read, areas added) then
``loaders.progress_figures`` (mu per phase and stage, the stacked-bar table). The events
the store used to read on every load (``read_events`` + the unknown-stage split) are timed
once for reference: what the old load added.

The floor, the fastest correct method anyone could write for the same figures: one
hand-written query of ``phase, stage, geometry`` (GeoPackage: the blobs' WKB decoded by
shapely, the lon/lat vertices projected to the Gauss-Krüger plane in one pyproj call and
summed with ``np.bincount``; PostGIS: one ``GROUP BY phase, stage`` of
``ST_Area(ST_Transform(geom, …))`` in the database). The same mu per phase and stage
asserted to 1e-9 relative before any ratio is printed. Goal: the dashboard opens in ≤ 2 s.
"""

from __future__ import annotations

import gc
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyproj
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ledger_bulk import TODAY, change_table, parcels_layer

from geo_app.analysis.crs import gk3_epsg, gk3_zone
from geo_app.analysis.units import M2_PER_MU
from geo_app.domain.stages import STAGE_ORDER
from geo_app.storage import ImportMode, Provenance, init_store, open_store
from geo_app.storage.events import record_stage_changes
from geo_app.ui import loaders
from geo_app.ui.gaps import split_unknown_stages

STAGES = [s.value for s in STAGE_ORDER]


def _best(fn, repeat: int = 3, before=None) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        if before is not None:
            before()
        gc.collect()
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def _clear() -> None:
    loaders.load_store.clear()
    loaders.progress_figures.clear()


def geo_app_dashboard(location: str) -> dict[tuple[int, str], float]:
    token = loaders.store_token(location)
    loaders.load_store(location, token)
    phases, _table = loaders.progress_figures(location, token, "zh")
    return {(p.phase, s): mu for p in phases for s, mu in p.by_stage_mu.items()}


def old_events_part(location: str) -> int:
    store = open_store(location)
    try:
        return len(split_unknown_stages(store.read_events())[0])
    finally:
        store.close()


# --- the floor ---------------------------------------------------------------------------------

def _wkb(blobs: list[bytes]) -> np.ndarray:
    """GeoPackage geometry blobs → shapely geometries (header and envelope skipped)."""
    env = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
    return shapely.from_wkb([b[8 + env[(b[3] >> 1) & 7]:] for b in blobs])


def _plane(lon_centre: float) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(4490, gk3_epsg(gk3_zone(lon_centre)), always_xy=True)


def _sum(phase: np.ndarray, stage: list[str], area_m2: np.ndarray) -> dict:
    code = {s: i for i, s in enumerate(STAGES)}
    key = (phase - 1) * len(STAGES) + np.fromiter((code[s] for s in stage), "int64",
                                                  len(stage))
    mu = np.bincount(key, weights=area_m2 / M2_PER_MU, minlength=2 * len(STAGES))
    used = np.bincount(key, minlength=2 * len(STAGES)) > 0
    return {(k // len(STAGES) + 1, STAGES[k % len(STAGES)]): float(mu[k])
            for k in np.flatnonzero(used)}


def gpkg_floor(path: str) -> dict:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT phase, stage, geom FROM parcels").fetchall()
    finally:
        conn.close()
    phase = np.fromiter((r[0] for r in rows), "int64", len(rows))
    geoms = _wkb([r[2] for r in rows])
    lon = shapely.bounds(geoms)[:, [0, 2]]
    planar = shapely.transform(geoms, lambda xy: np.column_stack(
        _plane((lon.min() + lon.max()) / 2).transform(xy[:, 0], xy[:, 1])))
    return _sum(phase, [r[1] for r in rows], shapely.area(planar))


def pg_floor(url: str, epsg: int) -> dict:
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT phase, stage, sum(ST_Area(ST_Transform(geom, %s))) FROM parcels "
                        "GROUP BY phase, stage", (epsg,))
            rows = cur.fetchall()
    finally:
        conn.close()
    return {(int(p), s): float(a) / M2_PER_MU for p, s, a in rows}


def _same(mine: dict, floor: dict, name: str) -> None:
    assert mine.keys() == floor.keys(), f"{name}: stages differ"
    for key, mu in floor.items():
        assert abs(mine[key] - mu) <= 1e-9 * max(abs(mu), 1.0), f"{name}: {key} differs"


# --- one store ---------------------------------------------------------------------------------

def _fill(location: str, parcels, table) -> None:
    store = init_store(location)
    try:
        store.import_features("parcels", parcels, mode=ImportMode.REPLACE,
                              provenance=Provenance("bench.gpkg", "bench"))
        record_stage_changes(store, table, expected_versions=dict.fromkeys(parcels["id"], 0),
                             today=TODAY)
    finally:
        store.close()


def measure(name: str, location: str, floor) -> None:
    t_app, mine = _best(lambda: geo_app_dashboard(location), before=_clear)
    t_floor, expected = _best(floor)
    _same(mine, expected, name)
    t_events, count = _best(lambda: old_events_part(location), repeat=1)
    print(f"  {name:10s} dashboard {t_app:6.2f} s   floor (one query) {t_floor:6.2f} s   "
          f"ratio {t_app / t_floor:5.2f}x   goal <= 2 s: {'met' if t_app <= 2 else 'NOT met'}"
          f"   (reading the {count:,} events, as every load did before: +{t_events:.2f} s)",
          flush=True)


def run(n: int) -> None:
    parcels = parcels_layer(n)
    table = change_table(parcels["id"].to_numpy(dtype=object))
    print(f"{n:,} parcels, {len(table):,} events")
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "dash.gpkg")
        _fill(path, parcels, table)
        measure("GeoPackage", path, lambda: gpkg_floor(path))
    from geo_app.storage.testing import postgis_unreachable_reason, temporary_postgis_database

    if postgis_unreachable_reason() is not None:
        print("  PostGIS: skipped (server unreachable)")
        return
    bounds = parcels.total_bounds
    epsg = gk3_epsg(gk3_zone((bounds[0] + bounds[2]) / 2))
    with temporary_postgis_database(with_layers=False) as url:
        _fill(url, parcels, table)
        measure("PostGIS", url, lambda: pg_floor(url, epsg))


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["100000"]:
        run(int(arg))

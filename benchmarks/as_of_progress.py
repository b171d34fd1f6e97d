"""As-of progress and the month series on 800k events: the store's SQL against one
hand-written query, on a GeoPackage and on PostGIS.

    python benchmarks/as_of_progress.py [N ...]        (default: 100000 parcels, 8 events each)

Data: ``N`` synthetic parcels and their 8·N stage changes (``ledger_bulk.change_table``:
corrections back and forward included) recorded with ``record_stage_changes`` into a fresh
GeoPackage and a fresh PostGIS database (when the test URL answers).

Timed, each the best of 3 (warm caches):

- **stages on a day**: ``store.stages_as_of(day)`` against the fastest hand-written query
  (per parcel one backward descent of the (parcel_id, effective_date, …) index, fetched
  with the raw driver), same rows asserted;
- **progress on a day** (one step of the Acquisition page's month slider):
  ``progress_from_stages(parcels, store.stages_as_of(day), area_mu=…)`` (areas measured
  once per store, as the page caches them) against that query plus a NumPy aggregation of
  the same precomputed plane areas (``np.bincount``); the same mu per phase
  and stage asserted to 1e-9 relative. The old path (``read_events`` + ``progress(as_of=)``)
  is timed once for reference;
- **`geo-app progress --as-of`** (the CLI, one shot, nothing cached):
  ``progress_of_store(store, as_of=day)`` against the fastest one-shot method: on PostGIS
  one hand-written query (as-of stage per parcel by one index descent, joined to the plane
  areas, grouped by phase and stage, raw driver, the plane known in advance); on a
  GeoPackage the hand-written as-of query plus the parcels' id, phase and geometry read
  with pyogrio, the plane areas by one pyproj call on all coordinates and ``np.bincount``.
  Every event counts (``known_only=False``, as the CLI); the same mu asserted to 1e-9;
- **month series**: ``net_land_by_month_from_steps(parcels, store.net_land_steps(…),
  store.event_span())`` against one hand-written window query of the net-land steps plus a
  NumPy cumulative sum, same series asserted to 1e-9;
- **a single stage change** on the 800k-event store (``record_stage_change``), median of 20.

Goals: ≤ 1.5× the single query; a slider step ≤ 1 s; a single change ≤ 100 ms.
"""

from __future__ import annotations

import datetime as dt
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ledger_bulk import TODAY, change_table, parcels_layer

from geo_app.analysis.area import plane_area_m2
from geo_app.analysis.crs import choose_plane_crs
from geo_app.analysis.progress import NET_LAND_OR_LATER, progress
from geo_app.analysis.timeline import (
    STAGE_CODES,
    net_land_by_month_from_steps,
    parcel_plane_area_mu,
    progress_from_stages,
)
from geo_app.analysis.units import M2_PER_MU
from geo_app.domain.stages import STAGE_ORDER
from geo_app.storage import ImportMode, Provenance, init_store
from geo_app.storage.events import record_stage_change, record_stage_changes
from geo_app.usecases.store_analysis import progress_of_store

DAY = dt.date(2021, 6, 30)
_KNOWN = "(" + ", ".join(f"'{s.value}'" for s in STAGE_ORDER) + ")"
_NET = "(" + ", ".join(f"'{s}'" for s in NET_LAND_OR_LATER) + ")"


def _best(fn, repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


# --- the floor: hand-written SQL, raw driver, NumPy ----------------------------------------

def floor_stages_sql(day_param: str) -> str:
    return (f"SELECT p.id, (SELECT e.to_stage FROM stage_events e WHERE e.parcel_id = p.id "
            f"AND e.effective_date <= {day_param} AND e.to_stage IN {_KNOWN} ORDER BY "
            "e.effective_date DESC, e.recorded_at DESC, e.event_id DESC LIMIT 1) FROM parcels p")


def floor_cli_stages_sql(day_param: str) -> str:
    """Every event counts, as ``geo-app progress --as-of`` counts them."""
    return floor_stages_sql(day_param).replace(f" AND e.to_stage IN {_KNOWN}", "")


def floor_cli_pg_sql(epsg: int) -> str:
    """The CLI's whole question as one PostgreSQL query."""
    return (f"SELECT p.phase, s.to_stage, sum(ST_Area(ST_Transform(p.geom, {epsg}))) FROM "
            "parcels p LEFT JOIN LATERAL (SELECT e.to_stage FROM stage_events e WHERE "
            "e.parcel_id = p.id AND e.effective_date <= %(day)s::date ORDER BY "
            "e.effective_date DESC, e.recorded_at DESC, e.event_id DESC LIMIT 1) s ON true "
            "GROUP BY 1, 2")


def grouped_array(rows: list[tuple]) -> np.ndarray:
    """``(phase, stage, m²)`` rows as mu per (phase, stage code)."""
    out = np.zeros((2, len(STAGE_CODES)))
    for phase, stage, m2 in rows:
        out[phase - 1, STAGE_CODES.index(stage or STAGE_CODES[0])] += m2 / M2_PER_MU
    return out


def gpkg_cli_floor(path: Path, epsg: int, day: str) -> np.ndarray:
    """The as-of query, the parcels' id, phase and geometry, plane areas, a bincount."""
    import sqlite3

    import pyogrio
    import shapely
    from pyproj import Transformer

    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(floor_cli_stages_sql("?"), [day]).fetchall()
    finally:
        conn.close()
    gdf = pyogrio.read_dataframe(path, layer="parcels", columns=["id", "phase"])
    geoms = gdf.geometry.to_numpy()
    xy = shapely.get_coordinates(geoms)
    x, y = Transformer.from_crs(gdf.crs, epsg, always_xy=True).transform(xy[:, 0], xy[:, 1])
    area_mu = shapely.area(shapely.set_coordinates(geoms.copy(), np.column_stack([x, y]))
                           ) / M2_PER_MU
    code = {c: i for i, c in enumerate(STAGE_CODES)}
    index = pd.Index(gdf["id"].to_numpy(dtype=object))
    stage = np.zeros(len(gdf), dtype="int64")
    listed = [r for r in rows if r[1] is not None]
    stage[index.get_indexer([r[0] for r in listed])] = [code[r[1]] for r in listed]
    key = (gdf["phase"].to_numpy(dtype="int64") - 1) * len(STAGE_CODES) + stage
    return np.bincount(key, weights=area_mu, minlength=2 * len(STAGE_CODES)).reshape(2, -1)


def floor_steps_sql() -> str:
    return (
        "SELECT parcel_id, day, step FROM (SELECT parcel_id, day, net - coalesce(lag(net) "
        "OVER (PARTITION BY parcel_id ORDER BY day), 0) AS step FROM (SELECT parcel_id, "
        f"effective_date AS day, CASE WHEN to_stage IN {_NET} THEN 1 ELSE 0 END AS net, "
        "row_number() OVER (PARTITION BY parcel_id, effective_date ORDER BY recorded_at DESC,"
        f" event_id DESC) AS rn FROM stage_events WHERE to_stage IN {_KNOWN}) AS d "
        "WHERE rn = 1) AS s WHERE step <> 0")


class Floor:
    """Precomputed once (not timed): parcel index, phase, plane area in mu."""

    def __init__(self, parcels) -> None:
        self.ids = parcels["id"].to_numpy(dtype=object)
        self.index = pd.Index(self.ids)
        self.phase = parcels["phase"].to_numpy(dtype="int64")
        self.area_mu = plane_area_m2(parcels, choose_plane_crs(parcels)) / M2_PER_MU
        self.code = {c: i for i, c in enumerate(STAGE_CODES)}

    def progress(self, rows: list[tuple]) -> np.ndarray:
        """mu per (phase, stage code) as a (phases, stages) array."""
        stage = np.zeros(len(self.ids), dtype="int64")  # not_started
        ids = [r[0] for r in rows if r[1] is not None]
        codes = [self.code[r[1]] for r in rows if r[1] is not None]
        stage[self.index.get_indexer(ids)] = codes
        key = (self.phase - 1) * len(STAGE_CODES) + stage
        return np.bincount(key, weights=self.area_mu,
                           minlength=2 * len(STAGE_CODES)).reshape(2, -1)

    def monthly(self, rows: list[tuple], points: np.ndarray) -> np.ndarray:
        pid = np.array([r[0] for r in rows], dtype=object)
        day = np.array([str(r[1])[:10] for r in rows], dtype="datetime64[D]")
        step = np.array([r[2] for r in rows], dtype="float64")
        at = self.index.get_indexer(pid)
        out = []
        for phase in (1, 2):
            mine = self.phase[at] == phase
            order = np.argsort(day[mine], kind="stable")
            cum = np.concatenate([[0.0], np.cumsum((step * self.area_mu[at])[mine][order])])
            out.append(np.clip(cum[np.searchsorted(day[mine][order], points, "right")], 0,
                               None))
        return np.concatenate(out)


def as_array(phases) -> np.ndarray:
    out = np.zeros((2, len(STAGE_CODES)))
    for p in phases:
        for code, mu in p.by_stage_mu.items():
            out[p.phase - 1, STAGE_CODES.index(code)] = mu
    return out


# --- one store ---------------------------------------------------------------------------------

def measure(name: str, store, parcels, floor: Floor, raw_rows, single_pid: str,
            cli_floor) -> dict:
    res: dict[str, float] = {}
    plane = choose_plane_crs(parcels)
    t, phases = _best(lambda: progress_of_store(store, as_of=DAY))
    tf, mu = _best(lambda: cli_floor(plane.epsg))
    np.testing.assert_allclose(as_array(phases), mu, rtol=1e-9, atol=1e-9)
    res["cli"], res["cli_floor"] = t, tf
    t, stages = _best(lambda: store.stages_as_of(DAY))
    tf, rows = _best(lambda: raw_rows(floor_stages_sql("{day}"), {"day": DAY.isoformat()}))
    got = dict(zip(stages["parcel_id"], stages["stage"], strict=True))
    assert got == {r[0]: r[1] for r in rows if r[1] is not None}, f"{name}: stages differ"
    res["stages"], res["stages_floor"] = t, tf
    area_mu = parcel_plane_area_mu(parcels, plane)  # once per store, as the page does
    t, phases = _best(lambda: progress_from_stages(parcels, store.stages_as_of(DAY),
                                                   area_mu=area_mu))
    tf, mu = _best(lambda: floor.progress(raw_rows(floor_stages_sql("{day}"),
                                                   {"day": DAY.isoformat()})))
    np.testing.assert_allclose(as_array(phases), mu, rtol=1e-9, atol=1e-9)
    res["progress"], res["progress_floor"] = t, tf
    t, monthly = _best(lambda: net_land_by_month_from_steps(
        parcels, store.net_land_steps(NET_LAND_OR_LATER), store.event_span(), plane=plane))
    points = monthly[monthly["phase"] == 1]["month_end"].to_numpy(dtype="datetime64[D]")
    tf, series = _best(lambda: floor.monthly(raw_rows(floor_steps_sql(), {}), points))
    np.testing.assert_allclose(monthly.sort_values(["phase", "month_end"])[
        "net_land_mu"].to_numpy(), series, rtol=1e-9, atol=1e-6)
    res["monthly"], res["monthly_floor"] = t, tf
    gc.collect()
    start = time.perf_counter()
    old = progress(parcels, as_of=DAY, events=store.read_events(), plane=plane)
    res["old_progress"] = time.perf_counter() - start
    np.testing.assert_allclose(as_array(old), mu, rtol=1e-9, atol=1e-9)
    times = []
    for i in range(20):  # corrections back and forth on one parcel
        state = store.current_stages().set_index("parcel_id").loc[single_pid]
        target = STAGE_ORDER[1] if i % 2 == 0 else STAGE_ORDER[0]
        start = time.perf_counter()
        record_stage_change(store, single_pid, target, officer="王伟", effective_date=TODAY,
                            correction_reason="基准测试", expected_version=int(state["version"]),
                            today=TODAY)
        times.append(time.perf_counter() - start)
    res["single"] = statistics.median(times)
    return res


def report(name: str, res: dict) -> None:
    print(f"  {name}")
    for key, label, goal in (("cli", "geo-app progress --as-of", 1.5),
                             ("stages", "stages on a day", 1.5),
                             ("progress", "progress on a day (slider step)", 1.5),
                             ("monthly", "month series", 1.5)):
        mine, floor = res[key], res[f"{key}_floor"]
        print(f"    {label:34s} geo_app {mine:6.3f} s  single query {floor:6.3f} s  "
              f"ratio {mine / floor:4.2f}x  (goal <= {goal}x: "
              f"{'met' if mine / floor <= goal else 'NOT met'})")
    print(f"    {'old path: read_events + progress':34s} {res['old_progress']:6.2f} s  "
          f"({res['old_progress'] / res['progress']:.0f}x the new)")
    print(f"    {'slider step':34s} {res['progress']:6.3f} s  (goal <= 1 s: "
          f"{'met' if res['progress'] <= 1 else 'NOT met'})")
    print(f"    {'one stage change (median of 20)':34s} {res['single'] * 1000:6.1f} ms  "
          f"(goal <= 100 ms: {'met' if res['single'] <= 0.1 else 'NOT met'})")


def _load(location: str, parcels, table) -> None:
    store = init_store(location)
    store.import_features("parcels", parcels, mode=ImportMode.REPLACE,
                          provenance=Provenance("bench.gpkg", "bench"))
    record_stage_changes(store, table, expected_versions=dict.fromkeys(parcels["id"], 0),
                         today=TODAY)
    store.close()


def run(n: int) -> None:
    parcels = parcels_layer(n)
    table = change_table(parcels["id"].to_numpy(dtype=object))
    print(f"{n:,} parcels, {len(table):,} events, as of {DAY}")
    floor = Floor(parcels)
    single = str(parcels["id"].iloc[n // 2])
    with tempfile.TemporaryDirectory() as tmp:
        import sqlite3

        from geo_app.storage import GeoPackageStore

        path = Path(tmp) / "ledger.gpkg"
        _load(str(path), parcels, table)
        store = GeoPackageStore(path)
        layer = store.read_layer("parcels")

        def sqlite_rows(sql: str, params: dict) -> list[tuple]:
            conn = sqlite3.connect(path)
            try:
                return conn.execute(sql.format(day="?"), [params["day"]] if params else []
                                    ).fetchall()
            finally:
                conn.close()

        report("GeoPackage", measure(
            "GeoPackage", store, layer, floor, sqlite_rows, single,
            lambda epsg: gpkg_cli_floor(path, epsg, DAY.isoformat())))
    from geo_app.storage.testing import postgis_unreachable_reason, temporary_postgis_database

    if postgis_unreachable_reason() is not None:
        print("  PostGIS: skipped (server unreachable)")
        return
    with temporary_postgis_database(with_layers=False) as url:
        import psycopg2

        from geo_app.storage.postgis import PostGISStore

        _load(url, parcels, table)
        store = PostGISStore(url)
        layer = store.read_layer("parcels")

        def pg_rows(sql: str, params: dict) -> list[tuple]:
            conn = psycopg2.connect(url)
            try:
                with conn.cursor() as cur:
                    cur.execute(sql.format(day="%(day)s::date"), params)
                    return cur.fetchall()
            finally:
                conn.close()

        def pg_cli(epsg: int) -> np.ndarray:
            conn = psycopg2.connect(url)
            try:
                with conn.cursor() as cur:
                    cur.execute("SET jit = off")
                    cur.execute(floor_cli_pg_sql(epsg), {"day": DAY.isoformat()})
                    return grouped_array(cur.fetchall())
            finally:
                conn.close()

        report("PostGIS", measure("PostGIS", store, layer, floor, pg_rows, single, pg_cli))
        store.close()


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["100000"]:
        run(int(arg))

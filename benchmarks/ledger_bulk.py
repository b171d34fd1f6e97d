"""Bulk ledger writes: ``record_stage_changes`` against one raw bulk insert of the same rows.

    python benchmarks/ledger_bulk.py [N ...]        (default: 100000 parcels, 8 events each)

Data: ``N`` synthetic parcels (``synthetic.py``) imported into a fresh store, then a batch
of 8 stage changes per parcel (pre-notice onwards, days to weeks apart; every 50th
parcel's 8th change is a same-day correction back one stage, every third other parcel's
a correction forward to net land, with reasons) as one table.

geo_app: ``record_stage_changes(store, table, expected_versions=…)``: text cleaned, every
parcel's existence, version and stage read in SQL, the workflow checked vectorised, the
events written in one transaction (``executemany`` on a GeoPackage, ``COPY`` on PostGIS),
the parcels' stage copy updated.

The floor, the fastest correct method anyone could write: the same rows, already known
to be valid, written with one raw ``executemany`` (SQLite) / ``COPY`` (PostgreSQL: the ids
taken for the whole batch at once, the rows in the as-of index's order, ``recorded_by``
given so that its trigger does nothing, the CSV written by Arrow; see :func:`pg_floor`)
plus the same stage update, in one transaction, into an identical store (same indexes and
triggers). It checks nothing and locks nothing: geo_app also locks the batch's parcels,
reads their states and checks the workflow. Both ledgers (ids, rows and ``recorded_by``)
and parcel stages are asserted equal before any ratio is printed. Goal: ≥ 50,000 events/s
on both stores.
PostGIS runs when ``GEO_APP_TEST_POSTGIS_URL`` (or the default test URL) answers.
"""

from __future__ import annotations

import datetime as dt
import gc
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_parcels

from geo_app.domain.stages import STAGE_ORDER
from geo_app.storage import GeoPackageStore, ImportMode, Provenance, init_store
from geo_app.storage._gpkg_sql import connect, write_transaction
from geo_app.storage.events import record_stage_changes
from geo_app.storage.gpkg import ensure_ledger_indexes

EVENTS_PER_PARCEL = 8
TODAY = dt.date(2026, 1, 1)
_COMPARED = ("parcel_id", "from_stage", "to_stage", "effective_date", "officer", "note",
             "evidence", "is_correction", "correction_reason")


def parcels_layer(n: int):
    """``n`` parcels with every column of the parcels layer, no event recorded yet (the
    layer's stage column needs a value: the ledger decides once events exist)."""
    gdf = synthetic_parcels(n)
    gdf["name"] = np.char.add("地块", np.arange(n).astype(str)).astype(object)
    gdf["park"] = "园区"
    gdf["stage"] = "pre_notice"
    gdf["stage_date"] = dt.date(2019, 1, 1)
    gdf["declared_area_mu"] = 1.0
    gdf["land_use"] = "工业"
    return gdf[["id", "name", "park", "phase", "stage", "stage_date", "declared_area_mu",
                "land_use", "geometry"]]


def change_table(ids: np.ndarray, *, seed: int = 7) -> pd.DataFrame:
    """8 changes per parcel, in order, as a batch table (``from_stage`` given)."""
    rng = np.random.default_rng(seed)
    n, k = len(ids), EVENTS_PER_PARCEL
    codes = np.array([s.value for s in STAGE_ORDER], dtype=object)
    step = np.tile(np.arange(k), n)
    corrected = (np.arange(n) % 50 == 0).repeat(k) & (step == k - 1)
    forward = (np.arange(n) % 3 == 1).repeat(k) & (step == k - 1) & ~corrected
    to = codes[step]
    to[corrected] = codes[k - 3]  # back one stage from the 7th change's stage
    to[forward] = "net_land"  # paper records of the last steps entered as a correction
    corrected |= forward
    frm = np.concatenate([[None], codes[:-1]])[step].astype(object)
    start = np.datetime64("2019-01-01") + rng.integers(0, 1500, n).repeat(k)
    gap = rng.integers(5, 40, n * k)
    gap[step == 0] = 0
    days = start + pd.Series(gap).groupby(np.arange(n).repeat(k)).cumsum().to_numpy()
    days[corrected] = days[np.flatnonzero(corrected) - 1]  # same day as the change it fixes
    officers = np.array(["王伟", "李娜", "张敏", "刘洋"], dtype=object)
    table = pd.DataFrame({
        "parcel_id": ids.repeat(k),
        "from_stage": frm,
        "to_stage": to,
        "effective_date": pd.to_datetime(days).date,
        "officer": officers[rng.integers(0, 4, n * k)],
        "note": np.where(step == 0, "拟征收公告已张贴", ""),
        "evidence": np.where(step % 2 == 1, "随自然资规〔2024〕12号", None),
        "is_correction": corrected,
        "correction_reason": np.select([forward, corrected], ["补录纸质档案", "登记阶段有误"],
                                       None),
    })
    for col in ("parcel_id", "from_stage", "to_stage", "officer", "note", "evidence",
                "correction_reason"):  # text as Python objects, None for none
        table[col] = pd.Series(table[col].to_numpy(dtype=object), dtype="object").where(
            table[col].notna().to_numpy(), None)
    return table


def stored_rows(table: pd.DataFrame, recorded_at: str) -> pd.DataFrame:
    """The rows as stored (what the floor is handed, already valid)."""
    rows = table.copy()
    rows["effective_date"] = [d.isoformat() for d in rows["effective_date"]]
    for col in ("note", "evidence", "correction_reason"):
        rows[col] = rows[col].where(rows[col].notna() & (rows[col] != ""), None)
    rows["recorded_at"] = recorded_at
    return rows


def final_stages(table: pd.DataFrame) -> pd.DataFrame:
    last = table.groupby("parcel_id", sort=False).tail(1)
    return pd.DataFrame({"id": last["parcel_id"].to_numpy(),
                         "stage": last["to_stage"].to_numpy(),
                         "day": [d.isoformat() for d in last["effective_date"]]})


def _timed(fn) -> tuple[float, object]:
    gc.collect()
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


# --- GeoPackage ------------------------------------------------------------------------------

def gpkg_floor(path: Path, rows: pd.DataFrame, stages: pd.DataFrame) -> None:
    cols = ["event_id", *_COMPARED, "recorded_at"]
    rows = rows.assign(event_id=np.arange(1, len(rows) + 1),
                       is_correction=rows["is_correction"].astype("int64"))
    with write_transaction(path) as conn:
        conn.executemany(f"INSERT INTO stage_events ({', '.join(cols)}) VALUES "
                         f"({', '.join('?' * len(cols))})",
                         zip(*(rows[c].astype(object).tolist() for c in cols), strict=True))
        conn.executemany("UPDATE parcels SET stage = ?, stage_date = ? WHERE id = ?",
                         zip(stages["stage"], stages["day"], stages["id"], strict=True))


def gpkg_ledger(path: Path) -> tuple[list, list]:
    with connect(path) as conn:
        events = conn.execute(f"SELECT event_id, {', '.join(_COMPARED)} FROM stage_events "
                              "ORDER BY event_id").fetchall()
        parcels = conn.execute("SELECT id, stage, stage_date FROM parcels ORDER BY id"
                               ).fetchall()
    return events, parcels


def run_gpkg(n: int, folder: Path, parcels, table: pd.DataFrame) -> tuple[float, float]:
    base = folder / "base.gpkg"
    store = init_store(str(base))
    store.import_features("parcels", parcels, mode=ImportMode.REPLACE,
                          provenance=Provenance("bench.gpkg", "bench"))
    with write_transaction(base) as conn:  # the ledger table and its indexes, both files
        GeoPackageStore(base)._ensure_events_table(conn)
        ensure_ledger_indexes(conn)
    mine, floor = folder / "mine.gpkg", folder / "floor.gpkg"
    shutil.copyfile(base, mine)
    shutil.copyfile(base, floor)
    versions = dict.fromkeys(parcels["id"], 0)
    t_mine, outcome = _timed(lambda: record_stage_changes(
        GeoPackageStore(mine), table, expected_versions=versions, today=TODAY))
    rows = stored_rows(table, outcome.recorded_at)
    stages = final_stages(table)
    t_floor, _ = _timed(lambda: gpkg_floor(floor, rows, stages))
    assert gpkg_ledger(mine) == gpkg_ledger(floor), "GeoPackage ledgers differ"
    return t_mine, t_floor


# --- PostGIS ---------------------------------------------------------------------------------

def pg_floor(url: str, rows: pd.DataFrame, stages: pd.DataFrame) -> None:
    """The fastest correct write we know of the same rows into the same store: ``n`` event
    ids taken at once (``ALTER SEQUENCE … INCREMENT BY n`` and one ``nextval``, in a
    transaction of its own), the rows COPYed in the as-of index's order (by parcel id) with
    those ids in the batch's order and ``recorded_by`` already the login (so the trigger's
    ``WHEN`` skips its function), the CSV written by Arrow; then the stage update."""
    import psycopg2
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    cols = [*_COMPARED, "recorded_at"]
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT pg_get_serial_sequence('stage_events', 'event_id'), "
                        "session_user")
            seq, login = cur.fetchone()
            cur.execute(f"ALTER SEQUENCE {seq} INCREMENT BY {len(rows)}")
            cur.execute("SELECT nextval(%s)", (seq,))
            first = cur.fetchone()[0] - len(rows) + 1
            cur.execute(f"ALTER SEQUENCE {seq} INCREMENT BY 1")
        table = pa.Table.from_pandas(rows[cols], preserve_index=False).append_column(
            "event_id", pa.array(np.arange(first, first + len(rows)))).append_column(
            "recorded_by", pa.array([login] * len(rows)))
        codes, _ = pd.factorize(rows["parcel_id"].to_numpy(dtype=object), sort=True)
        table = table.take(pa.array(np.argsort(codes, kind="stable")))
        sql = (f"COPY stage_events ({', '.join(table.column_names)}) FROM STDIN "
               "WITH (FORMAT csv)")
        options = pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")
        with conn, conn.cursor() as cur:
            for start in range(0, len(rows), 100_000):
                sink = pa.BufferOutputStream()
                pa_csv.write_csv(table.slice(start, 100_000), sink, options)
                cur.copy_expert(sql, pa.BufferReader(sink.getvalue()), size=1 << 20)
            cur.execute("UPDATE parcels AS p SET stage = v.stage, stage_date = v.day::date "
                        "FROM (SELECT unnest(%s::text[]) AS id, unnest(%s::text[]) AS stage, "
                        "unnest(%s::text[]) AS day) AS v WHERE p.id = v.id",
                        (stages["id"].tolist(), stages["stage"].tolist(),
                         stages["day"].tolist()))
    finally:
        conn.close()


def pg_ledger(url: str) -> tuple[list, list]:
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT event_id, {', '.join(_COMPARED)}, recorded_by "
                        "FROM stage_events ORDER BY event_id")
            events = cur.fetchall()
            cur.execute("SELECT id, stage, stage_date FROM parcels ORDER BY id")
            parcels = cur.fetchall()
    finally:
        conn.close()
    return events, parcels


def run_postgis(parcels, table: pd.DataFrame) -> tuple[float, float] | None:
    from geo_app.storage.testing import postgis_unreachable_reason, temporary_postgis_database

    if postgis_unreachable_reason() is not None:
        return None
    with (temporary_postgis_database(with_layers=False) as mine,
          temporary_postgis_database(with_layers=False) as floor):
        for url in (mine, floor):
            store = init_store(url)
            store.import_features("parcels", parcels, mode=ImportMode.REPLACE,
                                  provenance=Provenance("bench.gpkg", "bench"))
            store.close()
        from geo_app.storage.postgis import PostGISStore

        store = PostGISStore(mine)
        versions = dict.fromkeys(parcels["id"], 0)
        t_mine, outcome = _timed(lambda: record_stage_changes(
            store, table, expected_versions=versions, today=TODAY))
        store.close()
        rows = stored_rows(table, outcome.recorded_at)
        t_floor, _ = _timed(lambda: pg_floor(floor, rows, final_stages(table)))
        assert pg_ledger(mine) == pg_ledger(floor), "PostGIS ledgers differ"
    return t_mine, t_floor


def run(n: int) -> None:
    parcels = parcels_layer(n)
    table = change_table(parcels["id"].to_numpy(dtype=object))
    events = len(table)
    print(f"{n:,} parcels, {events:,} events")
    with tempfile.TemporaryDirectory() as tmp:
        _print("GeoPackage", run_gpkg(n, Path(tmp), parcels, table), events)
    _print("PostGIS", run_postgis(parcels, table), events)


def _print(name: str, res: tuple[float, float] | None, events: int) -> None:
    if res is None:
        print(f"  {name}: skipped (server unreachable)")
        return
    mine, floor = res
    print(f"  {name:10s} geo_app {mine:6.2f} s ({events / mine:9,.0f} events/s)   "
          f"floor {floor:6.2f} s ({events / floor:9,.0f} events/s)   "
          f"ratio {mine / floor:4.2f}x   goal >= 50,000 events/s: "
          f"{'met' if events / mine >= 50_000 else 'NOT met'}", flush=True)


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["100000"]:
        run(int(arg))

"""Write rows straight into a store's ``stage_events``, as another tool would (valid or not)."""

from __future__ import annotations

import sqlite3

import psycopg2
from sqlalchemy import create_engine, text


def append_raw_events(case, values: list[tuple]) -> None:
    """Append ``(parcel_id, to_stage, effective_date, recorded_at, is_correction, officer)``
    rows (dates and times as ISO text) to the ledger of a GeoPackage or PostGIS test store."""
    if case.backend == "gpkg":
        conn = sqlite3.connect(case.location, isolation_level=None)
        try:
            top = conn.execute("SELECT coalesce(max(event_id), 0) FROM stage_events"
                               ).fetchone()[0]
            conn.executemany(
                "INSERT INTO stage_events (event_id, parcel_id, to_stage, effective_date, "
                "recorded_at, is_correction, officer) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(top + i + 1, p, c, d, r, int(k), o)
                 for i, (p, c, d, r, k, o) in enumerate(values)])
        finally:
            conn.close()
        return
    engine = create_engine(case.store.url.replace("postgresql://", "postgresql+psycopg2://", 1))
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO stage_events (parcel_id, to_stage, effective_date, recorded_at, "
                "is_correction, officer) VALUES (:p, :c, CAST(:d AS date), "
                "CAST(:r AS timestamp), :k, :o)"),
                [dict(zip("pcdrko", v, strict=True)) for v in values])
    finally:
        engine.dispose()


def raw_sql(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    """Run one statement on PostgreSQL as ``url``'s user, outside any store; its rows."""
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()

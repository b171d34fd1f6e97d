"""What only the PostGIS backend needs: schema creation and version, indexes, connection errors."""

from __future__ import annotations

import time

import psycopg2
import pytest
from _storage_procs import start

from geo_app.errors import StoreError
from geo_app.storage import open_store
from geo_app.storage.postgis import SCHEMA_VERSION, PostGISStore

LAYERS = ("parks", "parcels", "projects", "villages", "facilities", "roads", "sites")

OPEN_AND_COUNT = """
import sys
from geo_app.storage import open_store
store = open_store(sys.argv[1])
print(len(store.read_events()), len(store.list_layers()))
"""


def _query(url: str, sql: str) -> list[tuple]:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()


def test_the_app_records_its_schema_version(postgis_case):
    assert _query(postgis_case.location, "SELECT version FROM geo_app_schema") == [
        (SCHEMA_VERSION,)]


def test_every_layer_has_a_gist_index(postgis_case):
    rows = _query(postgis_case.location,
                  "SELECT tablename FROM pg_indexes WHERE indexdef ILIKE '%USING gist%'")
    assert set(LAYERS) <= {r[0] for r in rows}


def test_the_event_table_is_append_only(postgis_case):
    conn = psycopg2.connect(postgis_case.location)
    try:
        for sql in ("UPDATE stage_events SET officer = 'x'", "DELETE FROM stage_events",
                    "TRUNCATE stage_events"):
            with pytest.raises(psycopg2.Error, match="append-only"), conn.cursor() as cur:
                cur.execute(sql)
            conn.rollback()
    finally:
        conn.close()
    assert len(postgis_case.store.read_events()) == 207


def test_an_empty_database_is_initialised_once_by_concurrent_first_opens(empty_postgis_url):
    assert _query(empty_postgis_url, "SELECT to_regclass('geo_app_schema')") == [(None,)]
    procs = [start(OPEN_AND_COUNT, [empty_postgis_url]) for _ in range(3)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert [out.split() for out, _ in outputs] == [["207", "7"]] * 3
    assert _query(empty_postgis_url, "SELECT count(*) FROM geo_app_schema") == [(1,)]
    assert _query(empty_postgis_url, "SELECT count(*) FROM parcels") == [(32,)]


def test_a_newer_schema_is_refused(postgis_case):
    conn = psycopg2.connect(postgis_case.location)
    try:
        with conn.cursor() as cur:
            cur.execute("UPDATE geo_app_schema SET version = %s", (SCHEMA_VERSION + 1,))
        conn.commit()
    finally:
        conn.close()
    with pytest.raises(StoreError, match=f"schema version {SCHEMA_VERSION + 1}.*Upgrade geo_app"):
        PostGISStore(postgis_case.location)


def test_server_down_is_a_clear_store_error_without_the_password():
    t0 = time.monotonic()
    with pytest.raises(StoreError) as err:
        open_store("postgresql://officer:s3cret@127.0.0.1:1/geo_app")
    msg = str(err.value)
    assert msg.startswith("Cannot open the database: PostGIS at "
                          "postgresql://officer:***@127.0.0.1:1/geo_app did not accept")
    assert "server is running" in msg and "s3cret" not in msg
    assert time.monotonic() - t0 < 15


def test_a_malformed_url_is_a_store_error():
    with pytest.raises(StoreError, match="not a usable PostgreSQL URL"):
        PostGISStore("postgresql+nosuchdriver://x@y/z")


def test_a_wrong_password_is_a_store_error(postgis_case):
    bad = postgis_case.location.replace("geo_app:geo_app@", "geo_app:wrong@")
    assert bad != postgis_case.location
    with pytest.raises(StoreError, match="password"):
        PostGISStore(bad)

"""What only the PostGIS backend needs: schema creation and version, indexes, connection errors."""

from __future__ import annotations

import time

import psycopg2
import pytest
from _storage_procs import CLI, start

from geo_app.errors import StoreError
from geo_app.settings import BUNDLED_LAYERS
from geo_app.storage import GeoPackageStore, init_store, open_store
from geo_app.storage.postgis import SCHEMA_VERSION, PostGISStore

BUNDLED = GeoPackageStore(BUNDLED_LAYERS)
LAYERS = ("parks", "parcels", "projects", "villages", "facilities", "roads", "sites")

INIT_AND_COUNT = """
import sys
from geo_app.errors import StoreError
from geo_app.storage import init_store
try:
    store = init_store(sys.argv[1], sample=True)
except StoreError as exc:
    print("refused", exc)
else:
    print("initialised", len(store.read_events()), len(store.list_layers()))
"""
NOT_INITIALISED = (
    "The database at {url} has no geo_app tables. Initialise it with `geo-app init --store URL` "
    "(add --sample to load the illustrative sample layers)."
)


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


def _catalogue(url: str) -> list[tuple]:
    """Every table, function and extension of the database: what a write would change."""
    return _query(url, "SELECT 'table', tablename FROM pg_tables WHERE schemaname = 'public' "
                       "UNION ALL SELECT 'function', proname FROM pg_proc WHERE pronamespace = "
                       "'public'::regnamespace AND proname LIKE 'geo%' UNION ALL "
                       "SELECT 'extension', extname FROM pg_extension ORDER BY 1, 2")


def test_opening_an_empty_database_writes_nothing_and_says_how_to_initialise(
        empty_postgis_url):
    before = _catalogue(empty_postgis_url)
    assert ("table", "spatial_ref_sys") in before
    masked = empty_postgis_url.replace("geo_app:geo_app@", "geo_app:***@")
    with pytest.raises(StoreError) as err:
        open_store(empty_postgis_url)
    assert str(err.value) == NOT_INITIALISED.format(url=masked)
    proc = start(CLI, ["layers", "--store", empty_postgis_url])
    out, errtext = proc.communicate(timeout=120)
    assert proc.returncode == 2, (out, errtext)
    assert errtext.strip() == "error: " + NOT_INITIALISED.format(url=masked)
    assert _catalogue(empty_postgis_url) == before


def test_init_creates_an_empty_store_that_takes_imports(empty_postgis_url):
    store = init_store(empty_postgis_url)
    try:
        assert store.list_layers() == []
        assert len(store.read_events()) == 0 and len(store.read_provenance()) == 0
    finally:
        store.close()
    reopened = open_store(empty_postgis_url)
    reopened.close()
    tables = {r[0] for r in _query(empty_postgis_url, "SELECT tablename FROM pg_tables WHERE "
                                                      "schemaname = 'public'")}
    assert {"geo_app_schema", "geo_app_layers", "stage_events", "provenance_events"} <= tables
    assert not set(LAYERS) & tables


def test_init_of_an_initialised_database_is_refused_and_changes_nothing(postgis_case):
    before = _catalogue(postgis_case.location)
    parcels = _query(postgis_case.location, "SELECT count(*) FROM parcels")
    layers = len(BUNDLED.list_layers())
    for sample in (False, True):
        with pytest.raises(StoreError, match=rf"already initialised \(geo_app schema version "
                                             rf"{SCHEMA_VERSION}, {layers} layer\(s\)\); "
                                             r"nothing was changed"):
            init_store(postgis_case.location, sample=sample)
    assert _catalogue(postgis_case.location) == before
    assert _query(postgis_case.location, "SELECT count(*) FROM parcels") == parcels


def test_concurrent_inits_of_an_empty_database_initialise_it_once(empty_postgis_url):
    assert _query(empty_postgis_url, "SELECT to_regclass('geo_app_schema')") == [(None,)]
    procs = [start(INIT_AND_COUNT, [empty_postgis_url]) for _ in range(3)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    results = sorted(out.split(" ", 1)[0] for out, _ in outputs)
    assert results == ["initialised", "refused", "refused"], outputs
    assert [out.split() for out, _ in outputs if out.startswith("initialised")] == [
        ["initialised", "207", str(len(BUNDLED.list_layers()))]]
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

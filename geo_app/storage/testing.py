"""Throwaway stores for tests: a copy of the bundled GeoPackage, or a fresh PostGIS database.

PostGIS: ``GEO_APP_TEST_POSTGIS_URL`` (default :data:`DEFAULT_POSTGIS_URL`) names a
database with the postgis extension whose role may create databases and roles (``CREATEDB
CREATEROLE``, see ``scripts/ci/start_postgres.sh``: init creates the group roles, the role
tests a login per test with :func:`temporary_logins`). The first request builds a
template database from it (initialised with the sample layers by
:func:`geo_app.storage.init_store`); every test then gets its own clone, dropped
afterwards. The test suite skips PostGIS only when the server is unreachable and
``GEO_APP_REQUIRE_POSTGIS`` is unset.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from geo_app.secrets import mask_url
from geo_app.settings import BUNDLED_LAYERS
from geo_app.storage.base import LayerStore

POSTGIS_URL_ENV = "GEO_APP_TEST_POSTGIS_URL"
REQUIRE_POSTGIS_ENV = "GEO_APP_REQUIRE_POSTGIS"
DEFAULT_POSTGIS_URL = "postgresql://geo_app:geo_app@127.0.0.1:5432/geo_app_test"
BACKENDS = ("gpkg", "postgis")
#: The password of the login roles :func:`temporary_logins` creates.
LOGIN_PASSWORD = "geo-app-test"

_TEMPLATES: dict[str, str] = {}


@dataclass(frozen=True)
class StoreCase:
    """A store for one test: the backend name, the open store, what ``--store`` takes."""

    backend: str
    store: LayerStore
    location: str


def postgis_url() -> str:
    return os.environ.get(POSTGIS_URL_ENV, "").strip() or DEFAULT_POSTGIS_URL


def postgis_required() -> bool:
    return os.environ.get(REQUIRE_POSTGIS_ENV, "").strip() not in ("", "0", "false", "no")


def postgis_unreachable_reason(url: str | None = None) -> str | None:
    """Why the test PostGIS server cannot be used, or ``None`` if it can."""
    import psycopg2

    url = url or postgis_url()
    try:
        conn = psycopg2.connect(url, connect_timeout=3)
    except psycopg2.Error as exc:
        return (f"PostGIS test server unreachable at {mask_url(url)}: "
                f"{mask_url(str(exc).strip())}")
    conn.close()
    return None


def _with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _admin(url: str, *statements: str) -> None:
    """Run statements outside a transaction, connected to the ``postgres`` database."""
    import psycopg2

    conn = psycopg2.connect(_with_database(url, "postgres"), connect_timeout=10)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            for sql in statements:
                cur.execute(sql)
    finally:
        conn.close()


def _drop_geo_app_tables(url: str) -> None:
    """Empty a cloned database of anything but PostGIS (in case the source was used)."""
    import psycopg2

    conn = psycopg2.connect(url, connect_timeout=10)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                        "AND tablename <> 'spatial_ref_sys'")
            for (table,) in cur.fetchall():
                cur.execute(f'DROP TABLE "{table}" CASCADE')
            cur.execute("SELECT proname FROM pg_proc WHERE proname LIKE 'geo\\_app\\_%' "
                        "AND pronamespace = 'public'::regnamespace")
            for (function,) in cur.fetchall():
                cur.execute(f'DROP FUNCTION IF EXISTS "{function}"() CASCADE')
    finally:
        conn.close()


def _template(url: str) -> str:
    """A database initialised from the bundled layers, cloned per test (built once)."""
    if url in _TEMPLATES:
        return _TEMPLATES[url]
    from sqlalchemy.engine import make_url

    from geo_app.storage.postgis import PostGISStore

    base = make_url(url).database
    name = f"geo_app_tpl_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _admin(url, f'CREATE DATABASE "{name}" TEMPLATE "{base}"')
    atexit.register(_admin, url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _drop_geo_app_tables(_with_database(url, name))
    PostGISStore.initialise(_with_database(url, name), sample=True).close()
    _TEMPLATES[url] = name
    return name


@contextlib.contextmanager
def temporary_postgis_database(url: str | None = None, *, with_layers: bool = True
                               ) -> Iterator[str]:
    """The URL of a fresh database, dropped on exit.

    With ``with_layers`` it holds the sample layers and history, as ``geo-app init
    --sample`` makes it (cloned from a template built once); without, it is a clone of
    the test database itself: postgis, no geo_app tables (opening it is refused).
    """
    from sqlalchemy.engine import make_url

    url = url or postgis_url()
    template = _template(url) if with_layers else make_url(url).database
    name = f"geo_app_t_{uuid.uuid4().hex[:12]}"
    _admin(url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        if not with_layers:
            _drop_geo_app_tables(_with_database(url, name))
        yield _with_database(url, name)
    finally:
        _drop_database(url, name)


def _drop_database(url: str, name: str, *, attempts: int = 30) -> None:
    """Drop a test database; wait for a server process we may not end (autovacuum on a
    freshly loaded big table) to finish instead of failing."""
    import psycopg2

    for attempt in range(attempts):
        try:
            _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg2.errors.InsufficientPrivilege:
            if attempt == attempts - 1:
                raise
            time.sleep(1.0)


def login_url(url: str, user: str, password: str) -> str:
    """``url`` (same server and database) connecting as ``user``."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(username=user, password=password).render_as_string(
        hide_password=False)


@contextlib.contextmanager
def temporary_logins(*names: str, url: str | None = None) -> Iterator[dict[str, str]]:
    """Login roles with unique names (``names`` are their suffixes), dropped on exit.

    Yields suffix → role name; the password of each is :data:`LOGIN_PASSWORD`. Needs a test
    role with ``CREATEROLE`` (``scripts/ci/start_postgres.sh``). Drop the databases they
    wrote in before leaving (nest this outside :func:`temporary_postgis_database`): a role
    that still owns something is not dropped.
    """
    url = url or postgis_url()
    stem = f"geo_t_{uuid.uuid4().hex[:10]}"
    logins = {n: f"{stem}_{n}" for n in names}
    _admin(url, *(f"CREATE ROLE \"{r}\" LOGIN PASSWORD '{LOGIN_PASSWORD}'"
                  for r in logins.values()))
    try:
        yield logins
    finally:
        _admin(url, *(f'DROP ROLE IF EXISTS "{r}"' for r in logins.values()))


@contextlib.contextmanager
def temporary_store(backend: str, workdir: Path) -> Iterator[StoreCase]:
    """A writable store of ``backend`` ("gpkg" or "postgis") holding the bundled layers."""
    if backend == "gpkg":
        from geo_app.storage.gpkg import GeoPackageStore

        path = workdir / "store.gpkg"
        shutil.copyfile(BUNDLED_LAYERS, path)
        yield StoreCase("gpkg", GeoPackageStore(path), str(path))
    elif backend == "postgis":
        from geo_app.storage.postgis import PostGISStore

        with temporary_postgis_database() as url:
            store = PostGISStore(url)
            try:
                yield StoreCase("postgis", store, url)
            finally:
                store.close()
    else:
        raise ValueError(f"unknown backend {backend!r}; use one of {BACKENDS}")

"""Creating a store on purpose: the only way a PostGIS database gets geo_app tables.

Reading never seeds a store (``geo-app layers --store postgresql://…`` on an empty database
says how to initialise it and writes nothing). The default workspace GeoPackage is the
one exception: it is copied from the bundled layers on first use
(:func:`geo_app.storage.ensure_workspace`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

from geo_app.errors import StoreError
from geo_app.secrets import malformed_url_error
from geo_app.settings import Settings, get_settings
from geo_app.storage._gpkg_write import add_attributes_table, create_geopackage_schema
from geo_app.storage.base import EVENTS_TABLE, LayerStore

POSTGRES_PREFIXES = ("postgresql://", "postgresql+psycopg2://", "postgres://")


#: ``scheme://`` at the start of a location: a URL, never a file path.
_URL_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


def is_database_url(location: str) -> bool:
    """True for a ``postgresql://`` (``postgres://``, ``postgresql+psycopg2://``) URL, any case."""
    return location.strip().lower().startswith(POSTGRES_PREFIXES)


def store_location(location: str) -> str:
    """``location`` stripped, a PostgreSQL URL's scheme in lower case (RFC 3986).

    Raises
    ------
    StoreError
        ``location`` is a URL of another scheme (``pg://``, ``sqlite:///`` …): said without
        quoting it (it may hold a password), never taken for a file path.
    """
    where = location.strip()
    match = _URL_SCHEME_RE.match(where)
    if match is None:
        return where
    if not is_database_url(where):
        raise malformed_url_error(where)
    return match.group(0).lower() + where[match.end():]


def init_store(location: str, *, sample: bool = False,
               settings: Settings | None = None) -> LayerStore:
    """Create a new, initialised store at ``location`` and return it open.

    What ``geo-app init --store LOCATION [--sample]`` calls (print ``display_location``
    of the result and the layer count; a :class:`StoreError` is the one error line).
    On PostGIS, run it with an administrator's URL (a user with ``CREATEROLE``): it owns
    the ledger, and the group roles ``geo_viewer``, ``geo_officer`` and ``geo_admin`` are
    created if missing and granted their privileges (:mod:`geo_app.storage.roles`); the
    returned store's ``role_setup.created`` names the roles it created, for a line such as
    ``roles: created geo_viewer, geo_officer, geo_admin; give users one with geo-app grant
    USER ROLE``. A GeoPackage's ledgers are append-only (triggers) from creation.

    Parameters
    ----------
    location
        A ``postgresql://USER:PASSWORD@HOST:PORT/DATABASE`` URL, or a GeoPackage path.
    sample
        Load the bundled illustrative layers and their stage history (PostGIS), or
        copy the bundled GeoPackage (path). Without: the geo_app tables and no layers.

    Raises
    ------
    StoreError
        The database already has geo_app tables (nothing is changed), lacks the postgis
        extension and the user may not create it, or is unreachable; a group role is
        missing and the user lacks ``CREATEROLE``, or the user cannot join ``geo_admin``
        or grant ``CREATE`` on the schema (each says what to ask the database
        administrator; nothing is changed); the GeoPackage path
        exists already (never overwritten) or its folder is missing or not writable.
    """
    settings = settings or get_settings()
    where = store_location(location or "")
    if not where:
        raise StoreError("Say where to create the store: a postgresql:// URL or a "
                         "GeoPackage path (--store).")
    if is_database_url(where):
        from geo_app.storage.postgis import PostGISStore

        return PostGISStore.initialise(where, sample=sample, settings=settings)
    from geo_app.storage.gpkg import GeoPackageStore

    path = Path(where).expanduser()
    _create_geopackage(path, sample=sample, settings=settings)
    return GeoPackageStore(path)


def _create_geopackage(path: Path, *, sample: bool, settings: Settings) -> None:
    if path.exists():
        raise StoreError(f"{path} exists already; geo_app never overwrites a file. Open it "
                         "with --store, or give a new file name.")
    if path.suffix.lower() != ".gpkg":
        raise StoreError(f"{path} must end in .gpkg (a GeoPackage), or be a postgresql:// "
                         "URL.")
    if not path.parent.is_dir():
        raise StoreError(f"The folder {path.parent} does not exist; create it first.")
    if sample and not settings.bundled_layers.is_file():
        raise StoreError(f"The bundled layers {settings.bundled_layers} are missing. "
                         "Regenerate them with `python scripts/generate_layers.py`.")
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, suffix=".gpkg.part")
    except OSError as exc:
        raise StoreError(f"Cannot create {path}: {exc.strerror}.") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if sample:
            shutil.copyfile(settings.bundled_layers, tmp)
        else:
            tmp.unlink()
            _write_empty_geopackage(tmp)
        try:
            os.link(tmp, path)  # fails if the name appeared meanwhile: never overwrite
        except FileExistsError:
            raise StoreError(f"{path} exists already; geo_app never overwrites a file.") from None
        except OSError as exc:
            raise StoreError(f"Cannot create {path}: {exc.strerror}.") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _write_empty_geopackage(path: Path) -> None:
    from geo_app.storage._gpkg_provenance import create_provenance_schema
    from geo_app.storage.gpkg import EVENTS_SCHEMA

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        create_geopackage_schema(conn)
        add_attributes_table(conn, EVENTS_TABLE, EVENTS_SCHEMA[0])
        for ddl in EVENTS_SCHEMA[1:]:
            conn.execute(ddl)
        create_provenance_schema(conn)
        conn.execute("COMMIT")
    finally:
        conn.close()

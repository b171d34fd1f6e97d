"""Layer stores: a GeoPackage file (default) or a PostGIS database, one interface."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from geo_app.errors import StoreError
from geo_app.settings import Settings, get_settings
from geo_app.storage.base import (
    EVENTS_TABLE,
    PROVENANCE_TABLE,
    ImportMode,
    ImportOutcome,
    LayerInfo,
    LayerStore,
    Provenance,
)
from geo_app.storage.gpkg import GeoPackageStore
from geo_app.storage.init import init_store, is_database_url

__all__ = [
    "EVENTS_TABLE",
    "PROVENANCE_TABLE",
    "GeoPackageStore",
    "ImportMode",
    "ImportOutcome",
    "LayerInfo",
    "LayerStore",
    "Provenance",
    "display_location",
    "ensure_workspace",
    "init_store",
    "open_store",
]


def display_location(location: str) -> str:
    """The store location with any password in a database URL hidden."""
    parts = urlsplit(location)
    if parts.scheme and parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return location


def ensure_workspace(settings: Settings) -> Path:
    """The workspace GeoPackage, copied from the bundled layers on first use."""
    target = settings.workspace_path
    if target.is_file():
        return target
    source = settings.bundled_layers
    if not source.is_file():
        raise StoreError(
            f"The bundled layers {source} are missing. Regenerate them with "
            "`python scripts/generate_layers.py`."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".gpkg.part")
    os.close(fd)
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)  # atomic: a half-copied workspace is never seen
    return target


def open_store(location: str | None = None, *, settings: Settings | None = None) -> LayerStore:
    """Open the store named by ``location``, else ``GEO_APP_STORE``, else the workspace.

    Opening never writes, except that the default workspace GeoPackage is created from
    the bundled layers on first use. A PostGIS database without geo_app tables and a
    GeoPackage path that does not exist are :class:`StoreError` (create them with
    :func:`init_store`).
    """
    settings = settings or get_settings()
    where = (location or settings.store or "").strip()
    if is_database_url(where):
        from geo_app.storage.postgis import PostGISStore

        return PostGISStore(where)
    if not where:
        return GeoPackageStore(ensure_workspace(settings))
    return GeoPackageStore(Path(where).expanduser())

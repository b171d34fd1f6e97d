"""Layer stores: a GeoPackage file (default) or a PostGIS database, one interface."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from geo_app.errors import StoreError
from geo_app.settings import Settings, get_settings
from geo_app.storage.base import EVENTS_TABLE, LayerInfo, LayerStore
from geo_app.storage.gpkg import GeoPackageStore

__all__ = [
    "EVENTS_TABLE",
    "GeoPackageStore",
    "LayerInfo",
    "LayerStore",
    "display_location",
    "ensure_workspace",
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
    """Open the store named by ``location``, else ``GEO_APP_STORE``, else the workspace."""
    settings = settings or get_settings()
    where = (location or settings.store or "").strip()
    if where.startswith(("postgresql://", "postgresql+psycopg2://", "postgres://")):
        from geo_app.storage.postgis import PostGISStore

        return PostGISStore(where)
    if not where:
        return GeoPackageStore(ensure_workspace(settings))
    return GeoPackageStore(Path(where).expanduser())

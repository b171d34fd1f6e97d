"""Layer stores: a GeoPackage file (default) or a PostGIS database, one interface."""

from __future__ import annotations

from pathlib import Path

from geo_app.secrets import mask_url
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
from geo_app.storage.init import init_store, is_database_url, store_location
from geo_app.storage.workspace import ensure_workspace

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
    "mask_url",
    "open_store",
]


def display_location(location: str) -> str:
    """The store location as it may be shown: every credential masked.

    A thin alias of :func:`geo_app.secrets.mask_url` (userinfo password, ``password=``
    query and keyword parameters, secret environment values); new code calls that.
    """
    return mask_url(location)


def open_store(location: str | None = None, *, settings: Settings | None = None) -> LayerStore:
    """Open the store named by ``location``, else ``GEO_APP_STORE``, else the workspace.

    Opening never writes, except that the default workspace GeoPackage is created from
    the bundled layers on first use. A PostGIS database without geo_app tables and a
    GeoPackage path that does not exist are :class:`StoreError` (create them with
    :func:`init_store`).
    """
    settings = settings or get_settings()
    where = store_location(location or settings.store or "")
    if is_database_url(where):
        from geo_app.storage.postgis import PostGISStore

        return PostGISStore(where)
    if not where:
        return GeoPackageStore(ensure_workspace(settings))
    return GeoPackageStore(Path(where).expanduser())

"""Every store test runs against both backends: a GeoPackage copy and a fresh PostGIS database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geo_app.storage import LayerStore
from geo_app.storage.testing import (
    BACKENDS,
    StoreCase,
    postgis_required,
    postgis_unreachable_reason,
    temporary_postgis_database,
    temporary_store,
)

_reason: dict[str, str | None] = {}


def require_backend(backend: str) -> None:
    """Skip a PostGIS test when the server is down, unless GEO_APP_REQUIRE_POSTGIS is set."""
    if backend != "postgis":
        return
    if "postgis" not in _reason:
        _reason["postgis"] = postgis_unreachable_reason()
    reason = _reason["postgis"]
    if reason is None:
        return
    if postgis_required():
        pytest.fail(f"{reason} (GEO_APP_REQUIRE_POSTGIS is set, so this is an error)")
    pytest.skip(reason)


@pytest.fixture(params=BACKENDS)
def store_case(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreCase]:
    """A fresh writable store holding the bundled layers and history, per backend."""
    require_backend(request.param)
    with temporary_store(request.param, tmp_path) as case:
        yield case


@pytest.fixture
def store(store_case: StoreCase) -> LayerStore:
    return store_case.store


@pytest.fixture
def gpkg_case(tmp_path: Path) -> Iterator[StoreCase]:
    with temporary_store("gpkg", tmp_path) as case:
        yield case


@pytest.fixture
def postgis_case(tmp_path: Path) -> Iterator[StoreCase]:
    require_backend("postgis")
    with temporary_store("postgis", tmp_path) as case:
        yield case


@pytest.fixture
def empty_postgis_url() -> Iterator[str]:
    """A database with only the postgis extension (a clone of the test database)."""
    require_backend("postgis")
    with temporary_postgis_database(with_layers=False) as url:
        yield url

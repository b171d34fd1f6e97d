"""Shared fixtures: a private copy of the bundled layers for every test that writes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo_app.settings import BUNDLED_LAYERS
from geo_app.storage import GeoPackageStore
from geo_app.storage.testing import (
    BACKENDS,
    StoreCase,
    postgis_required,
    postgis_unreachable_reason,
    temporary_store,
)

FIXTURES = Path(__file__).parent / "fixtures"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """No test reads the developer's store or home; each gets a fresh workspace home."""
    monkeypatch.delenv("GEO_APP_STORE", raising=False)
    monkeypatch.setenv("GEO_APP_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture
def sample_gpkg(tmp_path: Path) -> Path:
    """A writable copy of the bundled GeoPackage."""
    target = tmp_path / "sample.gpkg"
    shutil.copyfile(BUNDLED_LAYERS, target)
    return target


@pytest.fixture(params=BACKENDS)
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreCase]:
    """The sample layers in a temporary GeoPackage and in a fresh PostGIS database (skipped
    when PostGIS does not answer, failed when CI requires it). A test module may define its
    own ``case`` (more history, other layers)."""
    if request.param == "postgis":
        reason = postgis_unreachable_reason()
        if reason is not None:
            if postgis_required():
                pytest.fail(reason)
            pytest.skip(reason)
    with temporary_store(request.param, tmp_path) as made:
        yield made


@pytest.fixture(scope="session")
def bundled_store() -> GeoPackageStore:
    """The bundled layers, read-only."""
    return GeoPackageStore(BUNDLED_LAYERS)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's headless Chromium (Playwright sync API), one for the whole test session.

    Playwright's sync API cannot run twice in one thread, so every browser test shares
    this one. Missing Chromium skips, or fails when ``GEO_APP_REQUIRE_BROWSER=1`` (CI).
    """
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium (never `playwright install`)"
        if os.environ.get("GEO_APP_REQUIRE_BROWSER") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                     headless=True)
        yield browser
        browser.close()

"""Shared fixtures: a private copy of the bundled layers for every test that writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo_app.settings import BUNDLED_LAYERS
from geo_app.storage import GeoPackageStore

FIXTURES = Path(__file__).parent / "fixtures"


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


@pytest.fixture(scope="session")
def bundled_store() -> GeoPackageStore:
    """The bundled layers, read-only."""
    return GeoPackageStore(BUNDLED_LAYERS)

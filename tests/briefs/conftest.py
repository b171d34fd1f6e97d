"""Fixtures of the brief tests: the bundled layers read once as briefs read them, and the
real ``geo-app`` entry point run in-process."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest

from geo_app.briefs import BriefData, load_brief_data
from geo_app.settings import BUNDLED_LAYERS
from geo_app.storage import GeoPackageStore

ALL_LAYERS = ("boundary", "parks", "parcels", "projects", "villages", "roads", "facilities",
              "sites")


@pytest.fixture(scope="session")
def brief_data() -> BriefData:
    """Every bundled layer, with areas, as :func:`load_brief_data` reads them."""
    store = GeoPackageStore(BUNDLED_LAYERS)
    try:
        return load_brief_data(store, ALL_LAYERS)
    finally:
        store.close()


@dataclass
class BriefCli:
    code: int
    out: str
    err: str


@pytest.fixture
def brief_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run ``geo-app ARGS`` through the real entry point (errors become exit 2)."""
    from geo_app.cli import main

    monkeypatch.setenv("GEO_APP_LANG", "en")

    def run(*args: str) -> BriefCli:
        monkeypatch.setattr(sys, "argv", ["geo-app", *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return BriefCli(code, captured.out, captured.err)

    return run

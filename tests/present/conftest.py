"""Fixtures of the presentation tests: the bundled layers as the app reads them, the
bundled storyboard, and ``geo-app`` run in-process."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

import pytest

from geo_app.present import Storyboard, StoryData, bundled_storyboards, load_story_data
from geo_app.present import load_storyboard as read_board
from geo_app.settings import BUNDLED_LAYERS


@pytest.fixture(scope="session")
def story_data() -> StoryData:
    """The bundled layers (areas added, lon/lat) and their stage-event ledger."""
    return load_story_data(str(BUNDLED_LAYERS))


@pytest.fixture(scope="session")
def zone_board() -> Storyboard:
    return read_board(bundled_storyboards()["zone.toml"])


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run ``geo-app ARGS`` in-process through the real entry point (error handling too)."""
    from geo_app.cli import main

    monkeypatch.setenv("GEO_APP_LANG", "en")

    def run(*args: str) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["geo-app", *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run

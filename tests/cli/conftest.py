from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

import pytest

from geo_app.cli import main


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run ``geo-app ARGS`` in-process through the real entry point (error handling included)."""

    # messages in English unless a test asks for Chinese (the default follows the locale)
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

"""Ledger rows another tool wrote (bad dates, no stage, raw control characters) never crash
``history`` or ``events export``: the rows are shown as they are, terminal-safe, and the
workbook keeps an unreadable date as text."""

from __future__ import annotations

import shutil
import sqlite3

import openpyxl
import pytest

from geo_app.settings import BUNDLED_LAYERS


@pytest.fixture
def odd_ledger(tmp_path):
    path = tmp_path / "odd.gpkg"
    shutil.copyfile(BUNDLED_LAYERS, path)
    with sqlite3.connect(path) as conn:
        (last,) = conn.execute("SELECT max(event_id) FROM stage_events").fetchone()
        conn.executemany(
            "INSERT INTO stage_events (event_id, parcel_id, from_stage, to_stage, "
            "effective_date, officer, note, evidence, recorded_at, is_correction) "
            "VALUES (?, 'QC2-06', ?, ?, ?, ?, NULL, NULL, ?, ?)",
            [(last + 1, "approved", "demolished", "2021/12/31", "x\x1b[2Jy", "garbage", 0),
             (last + 2, None, None, "not-a-date", None, None, 7)])
    return path


def test_events_export_keeps_unreadable_dates_as_text(run_cli, odd_ledger, tmp_path):
    out = tmp_path / "events.xlsx"
    result = run_cli("events", "export", str(out), "--store", str(odd_ledger))
    assert result.code == 0, result.err
    ws = openpyxl.load_workbook(out).worksheets[1]
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    texts = {v for row in values for v in row if isinstance(v, str)}
    assert {"2021/12/31", "garbage", "not-a-date"} <= texts
    assert not any("\x1b" in t for t in texts)


def test_history_shows_odd_rows_without_crashing(run_cli, odd_ledger):
    result = run_cli("history", "QC2-06", "--store", str(odd_ledger))
    assert result.code == 0, result.err
    assert "\x1b" not in result.out and "\\x1b[2J" in result.out
    assert "not-a-date" in result.out

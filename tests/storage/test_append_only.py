"""The GeoPackage ledger is append-only from creation, not from the first stage change."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from _import_data import provenance, survey_rectangles

from geo_app.settings import BUNDLED_LAYERS
from geo_app.storage import GeoPackageStore, ImportMode, init_store, open_store
from geo_app.storage.base import EVENTS_TABLE

TAMPERING = (f"UPDATE {EVENTS_TABLE} SET officer = 'x'",
             f"DELETE FROM {EVENTS_TABLE}",
             f"DELETE FROM {EVENTS_TABLE} WHERE event_id = 1")
APPEND_ONLY_TRIGGERS = {f"{EVENTS_TABLE}_append_only_update",
                        f"{EVENTS_TABLE}_append_only_delete"}


def _event_rows(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT * FROM {EVENTS_TABLE} ORDER BY fid").fetchall()
    finally:
        conn.close()


def _assert_refused(path: Path) -> None:
    before = _event_rows(path)
    assert len(before) == 207
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for sql in TAMPERING:
            with pytest.raises(sqlite3.IntegrityError, match="stage_events is append-only"):
                conn.execute(sql)
    finally:
        conn.close()
    assert _event_rows(path) == before


def _triggers(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
            (EVENTS_TABLE,))}
    finally:
        conn.close()


def _strip_triggers(path: Path) -> None:
    """Make ``path`` look like a file written before the triggers were bundled."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for name in APPEND_ONLY_TRIGGERS:
            conn.execute(f"DROP TRIGGER {name}")
    finally:
        conn.close()


def test_the_bundled_layers_carry_the_append_only_triggers():
    assert _triggers(BUNDLED_LAYERS) >= APPEND_ONLY_TRIGGERS


def test_a_fresh_workspace_refuses_raw_update_and_delete_before_any_stage_change():
    store = open_store()  # the first use copies the bundled layers
    path = Path(store.location)
    assert store.read_events().shape[0] == 207  # nothing recorded through the app yet
    _assert_refused(path)


def test_a_sample_geopackage_made_by_init_refuses_raw_update_and_delete(tmp_path):
    path = tmp_path / "new.gpkg"
    init_store(str(path), sample=True).close()
    _assert_refused(path)


def test_an_empty_geopackage_made_by_init_has_the_triggers(tmp_path):
    path = tmp_path / "empty.gpkg"
    init_store(str(path)).close()
    assert _triggers(path) >= APPEND_ONLY_TRIGGERS


def test_reading_an_older_file_without_triggers_never_writes(tmp_path):
    path = tmp_path / "old.gpkg"
    shutil.copyfile(BUNDLED_LAYERS, path)
    _strip_triggers(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    store = GeoPackageStore(path)
    store.list_layers()
    store.read_events()
    store.current_stages()
    store.read_layer("parcels")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert not APPEND_ONLY_TRIGGERS & _triggers(path)


def test_the_first_import_into_an_older_file_adds_the_triggers(tmp_path):
    path = tmp_path / "old.gpkg"
    shutil.copyfile(BUNDLED_LAYERS, path)
    _strip_triggers(path)
    GeoPackageStore(path).import_features("survey", survey_rectangles(2),
                                          mode=ImportMode.APPEND, provenance=provenance())
    _assert_refused(path)

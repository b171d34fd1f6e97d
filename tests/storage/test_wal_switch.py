"""The first write to a rollback-journal GeoPackage switches it to WAL, even while others write.

SQLite answers the switch with "database is locked" at once (no busy wait) when another
connection holds the write lock at that moment; two officers making the first write to a
new file at once hit it (seen in CI). The writer must wait its turn like any other write.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from geo_app.storage._gpkg_sql import write_transaction


def _rollback_journal_file(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.close()


def test_first_write_waits_for_a_writer_holding_the_lock_then_switches_to_wal(tmp_path):
    path = tmp_path / "store.gpkg"
    _rollback_journal_file(path)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process mid-write, still in rollback mode
    other.execute("INSERT INTO t VALUES (1)")
    hold_s = 0.5
    release = threading.Timer(hold_s, lambda: other.execute("COMMIT"))
    release.start()
    try:
        with write_transaction(path) as conn:
            conn.execute("INSERT INTO t VALUES (2)")
    finally:
        release.join()
        other.close()
    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert [r[0] for r in check.execute("SELECT x FROM t ORDER BY x")] == [1, 2]
    finally:
        check.close()

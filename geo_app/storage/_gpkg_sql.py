"""Direct SQLite access to a GeoPackage for transactions GDAL cannot give us.

Why SQLite directly: a stage change appends to ``stage_events`` and updates the parcels
layer in *one* transaction, and a layer is replaced in one transaction; GDAL (pyogrio)
cannot group these. The GeoPackage is an SQLite file, so :mod:`sqlite3` does it.

Concurrency and durability
--------------------------
- Writers open with ``BEGIN IMMEDIATE`` and a busy timeout (:data:`BUSY_TIMEOUT_MS`):
  writers from several processes queue up; none is lost, the file is never corrupted.
- The file is switched to WAL journal mode on its first write. With the default rollback
  journal a GDAL reader is blocked while a writer commits and fails with "database is
  locked" after GDAL's 10 s; in WAL, readers (the map, pyogrio) never wait for writers
  and see the last committed state. WAL needs a local file system (not a network share)
  and keeps ``-wal``/``-shm`` files beside the GeoPackage while it is open; SQLite folds
  them back when the last connection closes. ``synchronous=FULL`` makes a commit durable.
- GDAL (inside pyogrio) links its own SQLite. Two SQLite libraries in one process do not
  see each other's POSIX locks, and closing one's file handle drops the other's locks, so
  every access from this process (GDAL or sqlite3) holds a per-file lock
  (:func:`file_lock`) and closes its connection before releasing it.
- GDAL's GeoPackage triggers call ``ST_IsEmpty``/``ST_MinX``… (the R-tree index);
  :func:`connect` registers them, implemented on the GeoPackage geometry header.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import shapely

from geo_app.domain.messages import refusal
from geo_app.errors import StoreError

BUSY_TIMEOUT_MS = 30_000
#: Page cache of a writing connection (KiB): big imports touch indexes all over the file.
CACHE_KIB = 128 * 1024

_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()

_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def file_lock(path: Path) -> threading.RLock:
    """The lock every access to ``path`` from this process holds (see module notes)."""
    key = str(Path(path).resolve())
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.RLock())


# --- GeoPackage geometry blobs ----------------------------------------------------------

def _header(blob: bytes) -> tuple[int, bool, tuple[float, ...]]:
    """(WKB offset, is_empty, envelope doubles) of a GeoPackage geometry blob."""
    if len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob")
    flags = blob[3]
    order = "<" if flags & 1 else ">"
    n = _ENVELOPE_DOUBLES[(flags >> 1) & 7]
    envelope = struct.unpack_from(f"{order}{n}d", blob, 8) if n else ()
    return 8 + 8 * n, bool(flags & 0x10), envelope


def _bounds(blob: bytes | None) -> tuple[float, float, float, float] | None:
    if blob is None:
        return None
    offset, empty, env = _header(blob)
    if empty:
        return None
    if env:
        return env[0], env[2], env[1], env[3]  # minx, miny, maxx, maxy
    geom = shapely.from_wkb(bytes(blob[offset:]))
    b = shapely.bounds(geom)
    return None if np.isnan(b).any() else (float(b[0]), float(b[1]), float(b[2]), float(b[3]))


def _is_empty(blob: bytes | None) -> int | None:
    if blob is None:
        return None
    offset, empty, _ = _header(blob)
    return int(empty or bool(shapely.is_empty(shapely.from_wkb(bytes(blob[offset:])))))


def _bound(index: int) -> Callable[[bytes | None], float | None]:
    def fn(blob: bytes | None) -> float | None:
        b = _bounds(blob)
        return None if b is None else b[index]

    return fn


# --- connections --------------------------------------------------------------------------

def _register(conn: sqlite3.Connection) -> None:
    conn.create_function("ST_IsEmpty", 1, _is_empty, deterministic=True)
    for i, name in enumerate(("ST_MinX", "ST_MinY", "ST_MaxX", "ST_MaxY")):
        conn.create_function(name, 1, _bound(i), deterministic=True)


@contextlib.contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection with busy timeout and GeoPackage functions, under the file lock."""
    with file_lock(path):
        try:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise (environment_error(path, exc, nothing="")
                   or StoreError(f"Cannot open {path}: {exc}.")) from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _register(conn)
            yield conn
        finally:
            conn.close()


def _is_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    return primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or (
        "database is locked" in str(exc).lower())


def environment_error(path: Path, exc: sqlite3.Error, *,
                      nothing: str = "Nothing was written.") -> StoreError | None:
    """The sentence for an SQLite failure caused by the environment, else ``None``.

    Each cause has its own message (never the old catch-all "busy or read-only …
    another writer held it"): another writer holding the file longer than
    :data:`BUSY_TIMEOUT_MS`, a read-only file or folder, a full disk, a file or folder
    that cannot be opened, a disk I/O error, a damaged file. Errors of the statements
    themselves (constraints, append-only triggers, SQL) give ``None``: the caller
    reports those.
    """
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    where = Path(path)
    tail = f" {nothing}" if nothing else ""
    said = {"path": str(where), "nothing": "written" if nothing else ""}
    if _is_busy(exc):
        return refusal(StoreError, "env.busy", {**said, "seconds": BUSY_TIMEOUT_MS // 1000})
    if primary == sqlite3.SQLITE_READONLY or "readonly database" in text:
        return refusal(StoreError, "env.read_only", {**said, "reason": str(exc)})
    if primary == sqlite3.SQLITE_FULL or "disk is full" in text:
        return refusal(StoreError, "env.disk_full", said)
    if primary == sqlite3.SQLITE_CANTOPEN or "unable to open" in text:
        return StoreError(f"Cannot open {where} for writing: its folder {where.parent} may "
                          "be read-only or gone (SQLite needs to create -wal/-shm files "
                          f"beside it).{tail} Make the folder writable, or work on a "
                          "copy in a writable folder with --store.")
    if primary in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_PERM) or "disk i/o error" in text:
        return StoreError(f"The disk holding {where} reported an error ({exc}).{tail} "
                          "Check the disk (full, removed, or a network share that "
                          "dropped) and try again.")
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return StoreError(f"{where} is damaged or not a GeoPackage ({exc}).{tail} "
                          "Restore it from a backup.")
    return None


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """Put the file in WAL mode, waiting up to :data:`BUSY_TIMEOUT_MS` for other writers.

    Switching a rollback-journal file to WAL takes a read lock and then upgrades it, and
    SQLite answers such an upgrade with "database is locked" at once, without its busy
    handler, when another process is switching (or writing) at the same moment: two
    officers making the first write to a new file at once. Retry until the deadline.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() == "wal":
                return
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() == "wal":
                return
        except sqlite3.Error as exc:
            if not _is_busy(exc) or time.monotonic() >= deadline:
                raise
        else:
            if time.monotonic() >= deadline:
                raise sqlite3.OperationalError("database is locked")
        time.sleep(0.02)


@contextlib.contextmanager
def write_transaction(path: Path) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on any error), WAL, synchronous FULL.

    Failures of the environment, when opening or at any point of the transaction
    (including ``COMMIT``), become one :class:`StoreError` sentence each (see
    :func:`environment_error`); the transaction is rolled back, nothing is written.
    Other SQLite errors raised by the caller's statements propagate unchanged.
    """
    with connect(path) as conn:
        try:
            _switch_to_wal(conn)
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise (environment_error(path, exc) or StoreError(
                f"Cannot start writing to {path} ({exc}). Nothing was written.")) from None
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back
                    conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                mapped = environment_error(path, exc)
                if mapped is not None:
                    raise mapped from None
            raise


def now_iso() -> str:
    """The local time to the second, as stored in ``recorded_at``."""
    return dt.datetime.now().replace(microsecond=0).isoformat()


def touch_contents(conn: sqlite3.Connection, table: str) -> None:
    """Set ``gpkg_contents.last_change`` of ``table`` (GeoPackage requirement)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + "000Z"
    conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE lower(table_name) = lower(?)",
                 (stamp, table))


def quote(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'

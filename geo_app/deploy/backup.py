"""``geo-app backup``: a consistent copy of the store while the app keeps running.

GeoPackage: SQLite's online backup API copies every page in one step, inside one read
transaction (after rolling back a hot journal a crashed writer may have left), so the copy
is the database as of one instant even while another process writes (in WAL mode writers
are not blocked; in rollback mode the copy waits for the writer). The copy is switched to a
single-file journal, must pass ``PRAGMA integrity_check`` and is then renamed into place
(never a half-written file at ``out``).

PostGIS: ``pg_dump --format=custom`` of the database, run when ``pg_dump`` is installed
(the password goes through ``PGPASSWORD``, never the command line); otherwise the error
gives the exact command to run, password masked.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from geo_app.errors import InputError, StoreError
from geo_app.secrets import mask_url

#: Seconds a busy source (a writer holding a lock in rollback mode) is waited for per try.
BUSY_TIMEOUT_S = 30.0
PG_DUMP_TIMEOUT_S = 3600


@dataclass(frozen=True)
class BackupResult:
    """What was written: where, how big, how checked."""

    out: Path
    size_bytes: int
    method: str
    check: str
    tables: int = 0


def check_target(out: Path) -> Path:
    """``out`` made absolute; refused if it exists or its folder does not."""
    out = out.expanduser().absolute()
    if out.exists():
        raise InputError(f"{out} already exists; choose a new file name (backups are never "
                         "overwritten) or remove it first.")
    if not out.parent.is_dir():
        raise InputError(f"The folder {out.parent} does not exist; create it first.")
    return out


def backup_geopackage(source: Path, out: Path) -> BackupResult:
    """Copy the GeoPackage ``source`` to ``out`` with SQLite's online backup API.

    Raises
    ------
    InputError
        ``out`` exists or its folder does not; ``source`` is missing or not a GeoPackage.
    StoreError
        SQLite refused to read the source, or the copy failed ``integrity_check``.
    """
    out = check_target(out)
    source = source.expanduser()
    if not source.is_file():
        raise InputError(f"{source} is not a file; give the GeoPackage to back up with --store.")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tables = _copy(source, tmp)
        _fsync(tmp)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return BackupResult(out, out.stat().st_size, "sqlite3 online backup", "integrity_check ok",
                        tables)


def _copy(source: Path, tmp: Path) -> int:
    try:
        # read-write (never created): a writer that crashed mid-transaction leaves a hot
        # journal, which only a read-write connection may roll back before reading
        src = sqlite3.connect(f"{source.absolute().as_uri()}?mode=rw", uri=True,
                              timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise StoreError(f"SQLite cannot open {source} ({exc}).") from None
    try:
        try:
            is_gpkg = src.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                  "AND name = 'gpkg_contents'").fetchone()[0] == 1
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc):
                raise InputError(f"{source} is not a GeoPackage ({exc}).") from None
            raise StoreError(f"SQLite cannot read {source} ({exc}); nothing was written. "
                             "Check that this user may write its folder (SQLite needs to "
                             "recover or share its journal there).") from None
        if not is_gpkg:
            raise InputError(f"{source} is not a GeoPackage (no gpkg_contents table).")
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst, pages=-1)  # one step: one read transaction, one instant
            dst.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
            rows = [r[0] for r in dst.execute("PRAGMA integrity_check")]
            tables = dst.execute("SELECT count(*) FROM gpkg_contents").fetchone()[0]
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise StoreError(f"The backup of {source} failed ({exc}); nothing was written.") from None
    finally:
        src.close()
    if rows != ["ok"]:
        raise StoreError(f"The copy of {source} failed PRAGMA integrity_check "
                         f"({'; '.join(rows[:5])}); nothing was written.")
    return int(tables)


def _fsync(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


@dataclass(frozen=True)
class PgDump:
    """A pg_dump run: its arguments, its environment additions, and how to show it."""

    argv: list[str]
    env: dict[str, str]
    shown: str


def pg_dump_plan(url: str, out: Path) -> PgDump:
    """The ``pg_dump`` command for ``url``; the password moves to ``PGPASSWORD``."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(f"{mask_url(url)!r} is not a database URL.") from None
    password = parsed.password
    # URL.set() ignores None, so the password is dropped with _replace (URL is a NamedTuple)
    libpq = parsed._replace(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    if make_url(libpq).password is not None:
        raise InputError("The database URL could not be split from its password; pass "
                         "the password through PGPASSWORD or ~/.pgpass instead.")
    argv = ["pg_dump", "--format=custom", f"--file={out}", f"--dbname={libpq}"]
    env = {"PGPASSWORD": str(password)} if password is not None else {}
    prefix = "PGPASSWORD=*** " if password is not None else ""
    shown = prefix + " ".join(_quote(a) for a in argv)
    return PgDump(argv, env, shown)


def _quote(arg: str) -> str:
    return shlex.quote(arg)


def backup_postgis(url: str, out: Path, environ: Mapping[str, str] | None = None
                   ) -> BackupResult:
    """Run ``pg_dump`` into ``out`` (through a temporary file), or say how to.

    Raises
    ------
    StoreError
        ``pg_dump`` is not installed (the message has the exact command, password masked)
        or it failed (its message, credentials masked).
    """
    out = check_target(out)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    plan = pg_dump_plan(url, tmp)
    shown = pg_dump_plan(url, out).shown
    exe = shutil.which("pg_dump")
    if exe is None:
        tmp.unlink(missing_ok=True)
        raise StoreError(
            "pg_dump is not installed, so nothing was written. Install the PostgreSQL "
            "client of the server's major version (Debian: apt-get install postgresql-client) "
            f"and run: {shown}   (restore with pg_restore --dbname=URL {_quote(str(out))})")
    env = {**(os.environ if environ is None else environ), **plan.env}
    try:
        done = subprocess.run([exe, *plan.argv[1:]], env=env, capture_output=True, text=True,
                              timeout=PG_DUMP_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"pg_dump took over {PG_DUMP_TIMEOUT_S} s; nothing was written. "
                         f"Run it by hand: {shown}") from None
    if done.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"pg_dump failed, nothing was written: "
                         f"{mask_url(done.stderr.strip())[-800:]} (command: {shown})")
    _fsync(tmp)
    os.replace(tmp, out)
    return BackupResult(out, out.stat().st_size, f"pg_dump --format=custom: {shown}",
                        f"restore with pg_restore --dbname=URL {_quote(str(out))}")

"""Failures of the environment are one sentence each, never a traceback, nothing half-written.

Full disks are real where the kernel lets an unprivileged user namespace mount a tiny
tmpfs (``unshare -rm``), and simulated in-process (``ENOSPC`` from the copy) everywhere.
Read-only files and folders are made with ``chmod``, or as root (who ignores
permissions) with ``chattr +i``; a test skips only when neither works here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo_app.domain.stages import ParcelStage
from geo_app.errors import InputError, StoreError
from geo_app.settings import BUNDLED_LAYERS, get_settings
from geo_app.storage import GeoPackageStore, _gpkg_sql, open_store
from geo_app.storage._gpkg_sql import environment_error, write_transaction
from geo_app.storage.events import record_stage_change

HOME_HINT = "Point GEO_APP_HOME at a folder you can write"


def _supply(store: GeoPackageStore, parcel: str = "QC1-01") -> None:
    record_stage_change(store, parcel, ParcelStage.SUPPLIED,
                        effective_date=dt.date(2024, 1, 2), officer="Wang")


# --- read-only files and folders -------------------------------------------------------------

def _writable(path: Path) -> bool:
    try:
        if path.is_dir():
            probe = path / ".probe"
            probe.touch()
            probe.unlink()
        else:
            os.close(os.open(path, os.O_WRONLY))
    except OSError:
        return False
    return True


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` read-only for this process (chmod, or chattr +i as root), then restored."""
    mode = path.stat().st_mode
    os.chmod(path, 0o555 if path.is_dir() else 0o444)
    immutable = False
    if _writable(path) and shutil.which("chattr"):
        immutable = subprocess.run(["chattr", "+i", str(path)], capture_output=True,
                                   check=False).returncode == 0
    try:
        if _writable(path):
            pytest.skip(f"cannot make {path} read-only here (root without chattr +i)")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        os.chmod(path, mode)


def test_a_read_only_geopackage_says_read_only_not_busy(sample_gpkg):
    store = GeoPackageStore(sample_gpkg)
    before = store.read_events()
    with read_only(sample_gpkg), pytest.raises(StoreError) as err:
        _supply(store)
    msg = str(err.value)
    assert msg.startswith(f"{sample_gpkg} is read-only: this user may not write the file")
    assert "Nothing was written." in msg and "work on a copy with --store" in msg
    assert "another writer" not in msg and "busy" not in msg
    assert len(store.read_events()) == len(before)


def test_a_geopackage_in_a_read_only_folder_says_so(sample_gpkg):
    store = GeoPackageStore(sample_gpkg)
    with read_only(sample_gpkg.parent), pytest.raises(StoreError) as err:
        _supply(store)
    msg = str(err.value)
    assert msg.startswith(f"Cannot open {sample_gpkg} for writing: its folder "
                          f"{sample_gpkg.parent} may be read-only")
    assert "another writer" not in msg


def test_a_read_only_workspace_folder_is_a_sentence(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("GEO_APP_HOME", str(home))
    with read_only(home), pytest.raises(StoreError) as err:
        open_store()
    assert str(err.value).startswith(f"Cannot create the workspace in {home}: the folder "
                                     f"{home} is read-only")
    assert HOME_HINT in str(err.value)
    assert list(home.iterdir()) == []


def test_a_workspace_below_a_read_only_folder_names_that_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_APP_HOME", str(tmp_path / "ro" / "geo-app"))
    (tmp_path / "ro").mkdir()
    with read_only(tmp_path / "ro"), pytest.raises(StoreError) as err:
        open_store()
    assert f"the folder {tmp_path / 'ro'} is read-only" in str(err.value)


# --- GEO_APP_HOME and other settings ---------------------------------------------------------

def test_geo_app_home_pointing_at_a_file(tmp_path, monkeypatch):
    home = tmp_path / "notes.txt"
    home.write_text("x")
    monkeypatch.setenv("GEO_APP_HOME", str(home))
    with pytest.raises(StoreError) as err:
        open_store()
    assert str(err.value) == (
        f"GEO_APP_HOME ({home}) is a file, not a folder, so the workspace cannot be created "
        "in it. Point GEO_APP_HOME at a folder you can write (it is created if missing), or "
        "open a store with --store / GEO_APP_STORE.")
    assert home.read_text() == "x"


def test_geo_app_home_below_a_file(tmp_path, monkeypatch):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("x")
    monkeypatch.setenv("GEO_APP_HOME", str(blocker / "geo-app"))
    with pytest.raises(StoreError, match=rf"cannot be a folder: {blocker} is a file\. "):
        open_store()


def test_a_folder_where_the_workspace_should_be(tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_APP_HOME", str(tmp_path))
    (tmp_path / "workspace.gpkg").mkdir()
    with pytest.raises(StoreError, match=r"workspace\.gpkg is not a file \(a folder\?\)"):
        open_store()


def test_geo_app_home_with_a_tilde_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GEO_APP_HOME", "~/geo")
    assert open_store().location == str(tmp_path / "geo" / "workspace.gpkg")
    assert (tmp_path / "geo" / "workspace.gpkg").is_file()


def test_a_bad_setting_is_one_sentence_naming_the_variable(monkeypatch):
    monkeypatch.setenv("GEO_APP_MAX_UPLOAD_MB", "lots")
    with pytest.raises(InputError) as err:
        get_settings()
    assert str(err.value) == (
        "The environment variable GEO_APP_MAX_UPLOAD_MB='lots' is not valid (Input should be "
        "a valid number, unable to parse string as a number). Fix it, or unset it to use the "
        "default.")


# --- full disks ------------------------------------------------------------------------------

def test_disk_full_on_first_use_leaves_nothing_behind(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("GEO_APP_HOME", str(home))

    def copy_until_full(src, dst):
        Path(dst).write_bytes(Path(src).read_bytes()[:4096])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))

    monkeypatch.setattr(shutil, "copyfile", copy_until_full)
    with pytest.raises(StoreError) as err:
        open_store()
    size_mb = BUNDLED_LAYERS.stat().st_size / 1e6
    assert str(err.value) == (
        f"Cannot create the workspace {home / 'workspace.gpkg'} from the bundled layers: the "
        f"disk holding {home} is full (it needs {size_mb:.1f} MB). Nothing was written. Free "
        "some space, or point GEO_APP_HOME at a folder on another disk.")
    assert [p.name for p in home.iterdir()] == [".workspace.gpkg.lock"]  # no .gpkg.part
    monkeypatch.undo()
    monkeypatch.setenv("GEO_APP_HOME", str(home))
    assert open_store().list_layers()  # the next try, with space, works


def _in_tiny_tmpfs(tmp_path: Path, size: str, script: str) -> subprocess.CompletedProcess:
    """Run ``script`` (Python; the mount is sys.argv[1]) with a real ``size`` tmpfs."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if not shutil.which("unshare"):
        pytest.skip("unshare is not installed: the real full disk cannot be made here")
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs "
                            f"'{mount}'"], capture_output=True, text=True, check=False)
    if probe.returncode:
        pytest.skip(f"no tiny tmpfs here (unshare -rm mount: {probe.stderr.strip()})")
    shell = (f"mount -t tmpfs -o size={size} tmpfs '{mount}' && "
             f"exec '{sys.executable}' -c \"$0\" '{mount}'")
    return subprocess.run(["unshare", "-rm", "sh", "-c", shell, textwrap.dedent(script)],
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "GEO_APP_HOME": str(mount)})


def test_a_real_full_disk_on_first_use_is_one_error_line(tmp_path):
    done = _in_tiny_tmpfs(tmp_path, "64k", """
        import os, sys
        from geo_app.cli import main
        mount, sys.argv = sys.argv[1], ["geo-app", "layers"]
        try:
            main()
        finally:
            print(sorted(os.listdir(mount)))
        """)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Cannot create the workspace ")
    assert "is full (it needs" in lines[0] and "Traceback" not in done.stderr
    assert done.stdout.strip() == "['.workspace.gpkg.lock']"


def test_a_real_full_disk_while_writing_a_layer_writes_nothing(tmp_path):
    done = _in_tiny_tmpfs(tmp_path, "1m", f"""
        import shutil, sys
        import geopandas as gpd, shapely
        from geo_app.storage import GeoPackageStore
        target = sys.argv[1] + "/s.gpkg"
        shutil.copyfile({str(BUNDLED_LAYERS)!r}, target)
        store = GeoPackageStore(target)
        before = [(i.name, i.feature_count) for i in store.list_layers()]
        n = 20000
        gdf = gpd.GeoDataFrame({{"name": ["x" * 200] * n}}, crs="EPSG:4490",
                               geometry=[shapely.Point(113.3 + i * 1e-6, 31.7) for i in range(n)])
        try:
            store.write_layer("big", gdf)
        except Exception as exc:
            print(type(exc).__name__, exc)
        assert [(i.name, i.feature_count) for i in store.list_layers()] == before
        print("unchanged")
        """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"StoreError The disk holding {tmp_path / 'disk' / 's.gpkg'} is full. Nothing was "
        "written. Free some space and try again.", "unchanged"]


# --- how SQLite failures are named -----------------------------------------------------------

def test_a_busy_geopackage_is_still_reported_as_busy(sample_gpkg, monkeypatch):
    monkeypatch.setattr(_gpkg_sql, "BUSY_TIMEOUT_MS", 1000)
    holder = sqlite3.connect(sample_gpkg, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError) as err:
            _supply(GeoPackageStore(sample_gpkg))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert str(err.value) == (f"{sample_gpkg} is busy: another writer held it for more than "
                              "1 s. Nothing was written. Try again.")


def test_a_full_database_inside_a_transaction_is_named(tmp_path):
    path = tmp_path / "t.gpkg"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (b BLOB)")
    conn.close()
    with pytest.raises(StoreError) as err, write_transaction(path) as conn:
        conn.execute("PRAGMA max_page_count = 8")  # SQLite's own "database or disk is full"
        conn.execute("INSERT INTO t VALUES (randomblob(100000))")
    assert str(err.value) == (f"The disk holding {path} is full. Nothing was written. Free "
                              "some space and try again.")


def test_statement_errors_are_left_to_the_caller(tmp_path):
    path = tmp_path / "t.gpkg"
    sqlite3.connect(path).close()
    with pytest.raises(sqlite3.OperationalError, match="no such table"), \
            write_transaction(path) as conn:
        conn.execute("INSERT INTO nowhere VALUES (1)")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE") as err, \
            write_transaction(path) as conn:
        conn.execute("CREATE TABLE u (a UNIQUE)")
        conn.execute("INSERT INTO u VALUES (1), (1)")
    assert environment_error(path, err.value) is None


def test_sqlite_readonly_and_cantopen_messages(tmp_path):
    path = tmp_path / "t.gpkg"
    sqlite3.connect(path).close()
    ro = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as readonly:
        ro.execute("CREATE TABLE t (a)")
    ro.close()
    with pytest.raises(sqlite3.OperationalError) as cantopen:
        sqlite3.connect(tmp_path / "missing" / "t.gpkg")
    assert str(environment_error(path, readonly.value)).startswith(
        f"{path} is read-only: this user may not write the file or its folder")
    assert str(environment_error(path, cantopen.value)).startswith(
        f"Cannot open {path} for writing: its folder {tmp_path} may be read-only or gone")


def test_an_import_into_a_read_only_geopackage_changes_nothing(sample_gpkg):
    store = GeoPackageStore(sample_gpkg)
    gdf = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(113.3, 31.7)],
                           crs="EPSG:4490")
    with read_only(sample_gpkg), pytest.raises(StoreError, match=r"is read-only: .*Nothing was "
                                                                  "written"):
        store.write_layer("wells", gdf)
    assert "wells" not in {i.name for i in store.list_layers()}

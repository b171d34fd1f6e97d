"""``geo-app backup``: a consistent GeoPackage copy while another process writes; pg_dump."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyogrio
import pytest

from geo_app.deploy.backup import backup_geopackage, backup_postgis, pg_dump_plan
from geo_app.errors import InputError, StoreError
from geo_app.settings import BUNDLED_LAYERS

GEO_APP = Path(sys.executable).with_name("geo-app")
ROWS_PER_TXN = 40
WRITER = textwrap.dedent("""
    import os, sqlite3, sys, time
    path, mode, rows, ready = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    con = sqlite3.connect(path, timeout=60, isolation_level=None)
    con.execute(f"PRAGMA journal_mode={mode}")
    con.execute("CREATE TABLE IF NOT EXISTS writer_log (txn INTEGER, k INTEGER, payload BLOB)")
    open(ready, "w").close()
    txn = 0
    while True:
        con.execute("BEGIN IMMEDIATE")
        for k in range(rows):
            con.execute("INSERT INTO writer_log VALUES (?, ?, ?)", (txn, k, os.urandom(400)))
        con.execute("COMMIT")
        txn += 1
        time.sleep(0.005)
""")


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEO_APP_")}
    env["GEO_APP_HOME"] = str(home)
    return env


def _backup_cli(store: Path, out: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(GEO_APP), "backup", "--store", str(store), "--out", str(out)],
                          env=_env(home), capture_output=True, text=True, timeout=300,
                          check=False)


def _txns(path: Path) -> int:
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=60)
    try:
        return con.execute("SELECT count(DISTINCT txn) FROM writer_log").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_backup_while_another_process_writes(tmp_path, journal):
    source = tmp_path / "live.gpkg"
    shutil.copyfile(BUNDLED_LAYERS, source)
    parcels = len(pyogrio.read_dataframe(source, layer="parcels", read_geometry=False))
    ready = tmp_path / "ready"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(source), journal,
                               str(ROWS_PER_TXN), str(ready)])
    overlapped = 0
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() or _txns(source) < 20:
            assert writer.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        for i in range(4):
            out = tmp_path / f"copy{i}.gpkg"
            before = _txns(source)
            done = _backup_cli(source, out, tmp_path / "home")
            after = _txns(source)
            assert done.returncode == 0, done.stderr
            assert "integrity_check ok" in done.stdout
            con = sqlite3.connect(out)
            try:
                assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
                assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
                partial = con.execute(
                    "SELECT txn, count(*) FROM writer_log GROUP BY txn HAVING count(*) != ?",
                    (ROWS_PER_TXN,)).fetchall()
                copied = con.execute("SELECT count(DISTINCT txn) FROM writer_log").fetchone()[0]
            finally:
                con.close()
            assert partial == []  # every transaction whole, or absent: one instant
            assert before <= copied <= after
            overlapped += after > before
            assert len(pyogrio.read_dataframe(out, layer="parcels",
                                              read_geometry=False)) == parcels
            assert {n for n, _ in pyogrio.list_layers(out)} >= {"parcels", "parks"}
            assert not list(tmp_path.glob(f".copy{i}.gpkg.*"))  # no temporary left
    finally:
        writer.kill()
        writer.wait(timeout=10)
    assert overlapped >= 1, "the writer never wrote during a backup: the test proved nothing"
    # and once the writer is gone (a WAL file may be left behind)
    done = _backup_cli(source, tmp_path / "quiet.gpkg", tmp_path / "home")
    assert done.returncode == 0, done.stderr
    assert _txns(tmp_path / "quiet.gpkg") == _txns(source)


CRASHING_WRITER = textwrap.dedent("""
    import sqlite3, sys, time
    con = sqlite3.connect(sys.argv[1], isolation_level=None)
    con.execute("PRAGMA journal_mode=delete")
    con.execute("PRAGMA cache_size=1")  # spill to the file: the journal becomes hot
    con.execute("BEGIN IMMEDIATE")
    con.execute("CREATE TABLE uncommitted AS SELECT * FROM gpkg_contents")
    con.execute("UPDATE gpkg_contents SET description = 'half-written'")
    print("in transaction", flush=True)
    time.sleep(120)
""")


def test_a_writer_killed_mid_transaction_leaves_nothing_in_the_copy(tmp_path):
    source = tmp_path / "crashed.gpkg"
    shutil.copyfile(BUNDLED_LAYERS, source)
    writer = subprocess.Popen([sys.executable, "-c", CRASHING_WRITER, str(source)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "in transaction"
    finally:
        writer.kill()
        writer.wait(timeout=10)
        writer.stdout.close()
    assert Path(f"{source}-journal").exists()  # a hot journal, as after a power cut
    out = tmp_path / "copy.gpkg"
    done = _backup_cli(source, out, tmp_path / "home")
    assert done.returncode == 0, done.stderr
    con = sqlite3.connect(out)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        described = {r[0] for r in con.execute("SELECT description FROM gpkg_contents")}
    finally:
        con.close()
    assert "uncommitted" not in names
    assert "half-written" not in described


def test_an_existing_file_is_never_overwritten(tmp_path):
    out = tmp_path / "b.gpkg"
    out.write_bytes(b"keep me")
    done = _backup_cli(BUNDLED_LAYERS, out, tmp_path / "home")
    assert done.returncode == 2
    assert "already exists" in done.stderr
    assert "Traceback" not in done.stderr
    assert out.read_bytes() == b"keep me"


def test_not_a_geopackage_writes_nothing(tmp_path):
    text = tmp_path / "notes.gpkg"
    text.write_text("not sqlite")
    with pytest.raises(InputError, match="not a GeoPackage"):
        backup_geopackage(text, tmp_path / "out.gpkg")
    plain = tmp_path / "plain.sqlite"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(InputError, match="no gpkg_contents"):
        backup_geopackage(plain, tmp_path / "out.gpkg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.gpkg", "plain.sqlite"]


def test_no_workspace_yet_says_so(tmp_path):
    done = subprocess.run([str(GEO_APP), "backup", "--out", str(tmp_path / "b.gpkg")],
                          env=_env(tmp_path / "empty-home"), capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 2
    assert "no workspace yet" in done.stderr


SECRET = "s3cr#t pw"
URL = "postgresql://officer:s3cr%23t%20pw@db.office.lan:5433/geo?sslmode=require"


def test_pg_dump_command_keeps_the_password_off_the_command_line(tmp_path):
    plan = pg_dump_plan(URL, tmp_path / "geo.dump")
    assert plan.env == {"PGPASSWORD": SECRET}
    assert SECRET not in " ".join(plan.argv) and "s3cr" not in plan.shown
    assert plan.argv[:2] == ["pg_dump", "--format=custom"]
    assert "--dbname=postgresql://officer@db.office.lan:5433/geo?sslmode=require" in plan.argv
    assert plan.shown.startswith("PGPASSWORD=*** pg_dump --format=custom")


def test_without_pg_dump_the_exact_command_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    out = tmp_path / "geo.dump"
    with pytest.raises(StoreError) as err:
        backup_postgis(URL, out)
    message = str(err.value)
    assert "pg_dump is not installed" in message
    assert f"PGPASSWORD=*** pg_dump --format=custom --file={out}" in message
    assert "s3cr" not in message
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.postgis
def test_pg_dump_backup_of_a_postgis_store(tmp_path):
    from geo_app.storage.testing import (
        postgis_required,
        postgis_unreachable_reason,
        temporary_postgis_database,
    )

    reason = postgis_unreachable_reason()
    if reason is not None:
        if postgis_required():
            pytest.fail(reason)
        pytest.skip(reason)
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore not installed (apt-get install postgresql-client)")
    with temporary_postgis_database(with_layers=True) as url:
        out = tmp_path / "geo.dump"
        done = subprocess.run([str(GEO_APP), "backup", "--store", url, "--out", str(out)],
                              env=_env(tmp_path / "home"), capture_output=True, text=True,
                              timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert "pg_dump --format=custom" in done.stdout
    password = url.split("@")[0].rsplit(":", 1)[-1]
    assert "PGPASSWORD=*** pg_dump" in done.stdout
    assert f":{password}@" not in done.stdout + done.stderr  # the URL is shown without it
    assert out.read_bytes()[:5] == b"PGDMP"
    listing = subprocess.run(["pg_restore", "--list", str(out)], capture_output=True,
                             text=True, check=True).stdout
    assert "TABLE DATA" in listing
    assert " parcels " in listing

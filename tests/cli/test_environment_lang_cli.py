"""The environment failures an office meets most (a read-only GeoPackage, a full disk, a
busy file, GEO_APP_HOME pointing at a file) read in the user's language."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from geo_app.domain.messages import render
from geo_app.storage._gpkg_sql import environment_error


def _sqlite_error(message: str, code: int) -> sqlite3.Error:
    err = sqlite3.OperationalError(message)
    err.sqlite_errorcode = code
    return err


@pytest.mark.parametrize(("message", "code", "zh", "en"), [
    ("attempt to write a readonly database", sqlite3.SQLITE_READONLY, "只读",
     "is read-only: this user may not write the file or its folder"),
    ("database or disk is full", sqlite3.SQLITE_FULL, "磁盘已满", "is full. Nothing was"),
    ("database is locked", sqlite3.SQLITE_BUSY, "正被另一个程序写入", "is busy: another writer"),
])
def test_sqlite_environment_failures_in_both_languages(message, code, zh, en):
    err = environment_error(Path("/data/zone.gpkg"), _sqlite_error(message, code))
    assert err is not None
    assert zh in render(err, "zh") and "/data/zone.gpkg" in render(err, "zh")
    assert "未写入任何内容" in render(err, "zh")
    assert en in render(err, "en") and render(err, "en") == str(err)


def test_geo_app_home_a_file_in_chinese_through_the_cli(run_cli, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.write_text("not a folder")
    monkeypatch.setenv("GEO_APP_HOME", str(home))
    monkeypatch.delenv("GEO_APP_STORE", raising=False)
    res = run_cli("--lang", "zh", "layers")
    assert res.code == 2
    assert "是一个文件而不是文件夹" in res.err and str(home) in res.err, res.err
    res = run_cli("--lang", "en", "layers")
    assert "is a file, not a folder" in res.err


def test_a_read_only_geopackage_in_chinese_through_the_cli(run_cli, sample_gpkg,
                                                            monkeypatch):
    import geo_app.storage._gpkg_sql as gpkg_sql

    real = gpkg_sql.sqlite3.connect

    def read_only(*args, **kwargs):
        conn = real(*args, **kwargs)
        conn.execute("PRAGMA query_only = ON")
        return conn

    monkeypatch.setattr(gpkg_sql.sqlite3, "connect", read_only)
    res = run_cli("--lang", "zh", "stage", "set", "QC2-05", "compensation_paid", "--date",
                  "2024-05-01", "--officer", "李敏", "--store", str(sample_gpkg))
    assert res.code == 2
    assert "只读" in res.err and "未写入任何内容" in res.err, res.err

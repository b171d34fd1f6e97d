"""`geo-app import | export | init | history` through the real entry point."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo_app.settings import BUNDLED_LAYERS

TXT = (
    "[属性描述]\r\n格式版本号=1.01\r\n坐标系=2000国家大地坐标系\r\n几度分带=3\r\n带号=38\r\n"
    "精度=0.001\r\n[地块坐标]\r\n"
    "10,6.0000,T-01,测试一号,面,,工业用地,,@\r\n"
    "J1,1,3507712.345,38441921.100\r\nJ2,1,3507712.345,38442121.100\r\n"
    "J3,1,3507412.345,38442121.100\r\nJ4,1,3507412.345,38441921.100\r\n"
    "J1,1,3507712.345,38441921.100\r\n"
    "J5,2,3507662.345,38441971.100\r\nJ6,2,3507662.345,38442021.100\r\n"
    "J7,2,3507612.345,38442021.100\r\nJ8,2,3507612.345,38441971.100\r\n"
    "J5,2,3507662.345,38441971.100\r\n"
    "5,1.0000,T-02,测试二号,面,,工业用地,,@\r\n"
    "J1,1,3507712.345,38442221.100\r\nJ2,1,3507712.345,38442321.100\r\n"
    "J3,1,3507612.345,38442321.100\r\nJ4,1,3507612.345,38442221.100\r\n"
    "J1,1,3507712.345,38442221.100\r\n"
)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    target = tmp_path / "store.gpkg"
    shutil.copyfile(BUNDLED_LAYERS, target)
    return target


@pytest.fixture
def txt(tmp_path: Path) -> Path:
    path = tmp_path / "界址点.txt"
    path.write_bytes(TXT.encode("gbk"))
    return path


def _point_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln[:1] == "J"]


def test_dry_run_prints_the_report_and_writes_nothing(run_cli, store_path, txt):
    before = store_path.read_bytes()
    res = run_cli("import", str(txt), "--layer", "survey", "--dry-run", "--store", str(store_path))
    assert res.code == 0, res.err
    assert "file      界址点.txt (boundary-txt)" in res.out
    assert "encoding  gb18030" in res.out and "EPSG:4526" in res.out
    # 6 ha − a 50 m × 50 m hole = 57,500 m² = 86.25 mu, plus 1 ha = 15 mu
    assert "2 read, 2 to write into 'survey' (append), 101.25 mu" in res.out
    assert "warning  #1 T-01: area declared in the file 90.00 mu" in res.out
    assert "dry run: nothing was written" in res.out
    assert store_path.read_bytes() == before


def test_import_then_history_and_export_round_trip(run_cli, store_path, txt, tmp_path):
    res = run_cli("import", str(txt), "--layer", "survey", "--officer", "王建国",
                  "--store", str(store_path))
    assert res.code == 0, res.err
    assert "imported 2 feature(s) into 'survey'" in res.out
    out = tmp_path / "back.txt"
    res = run_cli("export", "survey", str(out), "--store", str(store_path))
    assert res.code == 0, res.err
    text = out.read_bytes().decode("gbk")
    assert "\r\n" in text and "带号=38" in text
    assert _point_lines(text) == _point_lines(TXT)  # every coordinate to 0.001 m, every ring


def test_import_json_with_errors_exits_2_and_writes_nothing(run_cli, store_path, txt):
    assert run_cli("import", str(txt), "--layer", "survey", "--officer", "a",
                   "--store", str(store_path)).code == 0
    before = store_path.read_bytes()
    res = run_cli("import", str(txt), "--layer", "survey", "--officer", "a", "--json",
                  "--store", str(store_path))
    assert res.code == 2
    data = res.json()
    assert data["ok"] is False and data["written"] == 0 and data["counts"]["error"] == 2
    assert {i["kind"] for i in data["issues"] if i["severity"] == "error"} == {"id_exists"}
    assert data["crs_source"]["crs"] == "EPSG:4526"
    assert store_path.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--layer", "survey"), "Give the officer's name with --officer"),
        (("--layer", "survey", "--dry-run", "--mode", "merge"), "--mode must be append or replace"),
        (("--layer", "survey", "--dry-run", "--map", "name"), "is not SRC=TARGET"),
        (("--layer", "survey", "--dry-run", "--crs", "EPSG:99999"), "Cannot read the CRS"),
        (("--layer", "survey", "--dry-run", "--encoding", "klingon"), "not a known text encoding"),
    ],
)
def test_import_mistakes_are_one_error_line(run_cli, store_path, txt, args, message):
    before = store_path.read_bytes()
    res = run_cli("import", str(txt), *args, "--store", str(store_path))
    assert res.code == 2
    assert res.err.startswith("error: ") and message in res.err, res.err
    assert "Traceback" not in res.err
    assert store_path.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.geojson", "empty"),
        (b"PK\x03\x04 truncated", "broken.zip", "zip"),
        (b"\x00\x01\x02 not a shapefile", "x.shp", ""),
    ],
)
def test_corrupt_files_are_one_error_line(run_cli, store_path, tmp_path, content, name,
                                          message):
    path = tmp_path / name
    path.write_bytes(content)
    res = run_cli("import", str(path), "--layer", "survey", "--dry-run",
                  "--store", str(store_path))
    assert res.code == 2 and res.err.startswith("error: "), res.err
    assert message in res.err.lower() and "Traceback" not in res.err
    assert res.err.count("\n") == 1


def test_export_formats_and_mistakes(run_cli, store_path, tmp_path):
    res = run_cli("export", "parcels", str(tmp_path / "p.zip"), "--encoding", "gbk",
                  "--store", str(store_path))
    assert res.code == 0, res.err and "as shp" in res.out
    res = run_cli("export", "parcels", str(tmp_path / "p.dwg"), "--store", str(store_path))
    assert res.code == 2 and "Cannot tell the export format" in res.err
    res = run_cli("export", "lakes", str(tmp_path / "l.gpkg"), "--store", str(store_path))
    assert res.code == 2 and "No layer 'lakes'" in res.err


def test_init_creates_a_new_geopackage_and_refuses_to_overwrite(run_cli, tmp_path):
    target = tmp_path / "office.gpkg"
    res = run_cli("init", "--store", str(target))
    assert res.code == 0, res.err and target.is_file()
    res = run_cli("layers", "--store", str(target), "--json")
    assert res.json()["layers"] == []
    res = run_cli("init", "--store", str(target), "--sample")
    assert res.code == 2 and res.err.startswith("error: ")


def test_file_text_in_notes_reaches_the_terminal_escaped(run_cli, tmp_path):
    import geopandas as gpd
    from shapely.geometry import box

    hostile = "名称\x1b[2J\x07"
    path = tmp_path / "h.geojson"
    gpd.GeoDataFrame({hostile: ["a"]}, geometry=[box(113.40, 31.70, 113.401, 31.701)],
                     crs=4326).to_file(path)
    res = run_cli("area", str(path), "--map", f"{hostile}=name")
    assert res.code == 0, res.err
    assert "\x1b" not in res.err + res.out and "\x07" not in res.err + res.out
    assert "名称\\x1b[2J\\x07 → name" in res.err  # shown, escaped

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
    assert "2 read, 2 to write into new layer 'survey' (append), 101.25 mu" in res.out
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


PARCEL_SETS = ["--set", "park=青春化工园", "--set", "phase=2", "--set", "stage=pre_notice",
               "--set", "stage_date=2021-12-01"]
M2_PER_MU = 10_000 / 15


def test_a_boundary_txt_gives_parcels_their_declared_area_in_mu(run_cli, store_path, txt):
    """地块面积 is in hectares: 6 ha and 1 ha are 90 and 15 mu; T-01 measures 86.25 mu
    (6 ha less a 50 m × 50 m hole), off by more than 1 %: a warning."""
    import json

    import pyogrio

    res = run_cli("import", str(txt), "--layer", "parcels", *PARCEL_SETS, "--officer", "王",
                  "--json", "--store", str(store_path))
    assert res.code == 0, res.err
    report = json.loads(res.out)
    assert {"source": "declared_area_m2", "target": "declared_area_mu"}.items() <= next(
        f for f in report["fields"] if f["target"] == "declared_area_mu").items()
    mismatches = [i for i in report["issues"] if i["kind"] == "area_mismatch"]
    assert [i["id"] for i in mismatches] == ["T-01"]
    assert "90.00 mu" in mismatches[0]["message"] and "86.25 mu" in mismatches[0]["message"]
    parcels = pyogrio.read_dataframe(store_path, layer="parcels")
    stored = parcels.set_index("id").loc[["T-01", "T-02"], "declared_area_mu"].tolist()
    assert stored == pytest.approx([6 * 10_000 / M2_PER_MU, 1 * 10_000 / M2_PER_MU], rel=1e-12)


@pytest.mark.parametrize("args", [
    ["--map", "declared_area_ha=declared_area_mu"],  # hectares stored as mu
    ["--set", "declared_area_mu=86.25"],  # T-01's figure given to both
])
def test_a_declared_area_in_the_wrong_unit_is_caught_on_the_stored_value(run_cli, store_path,
                                                                          txt, args):
    import json

    res = run_cli("import", str(txt), "--layer", "parcels", *PARCEL_SETS, *args, "--dry-run",
                  "--json", "--store", str(store_path))
    assert res.code == 0, res.err
    flagged = {i["id"] for i in json.loads(res.out)["issues"] if i["kind"] == "area_mismatch"}
    # T-02 measures 15 mu: 1 (ha taken for mu) and 86.25 are both far off
    assert "T-02" in flagged


def test_replace_says_what_it_removes(run_cli, store_path, txt):
    import json
    import sqlite3

    import pyogrio

    count = pyogrio.read_info(store_path, layer="parcels")["features"]
    with sqlite3.connect(store_path) as conn:
        with_history = conn.execute("SELECT count(DISTINCT parcel_id) FROM stage_events"
                                    ).fetchone()[0]
    conn.close()
    assert count > 0 and with_history > 0
    res = run_cli("import", str(txt), "--layer", "parcels", *PARCEL_SETS, "--mode", "replace",
                  "--dry-run", "--json", "--store", str(store_path))
    report = json.loads(res.out)
    assert report["replaces"] == count
    [warn] = [i for i in report["issues"] if i["kind"] == "replaces_features"]
    assert warn["severity"] == "warning" and warn["feature"] is None
    assert f"removes the {count} feature(s)" in warn["message"]
    assert f"{with_history} parcel(s) have a stage history" in warn["message"]
    appended = json.loads(run_cli("import", str(txt), "--layer", "parcels", *PARCEL_SETS,
                                  "--dry-run", "--json", "--store", str(store_path)).out)
    assert appended["replaces"] == 0
    assert not [i for i in appended["issues"] if i["kind"] == "replaces_features"]


def test_a_layer_name_close_to_an_existing_one_is_taken_for_a_typo(run_cli, store_path, txt):
    import sqlite3

    def tables() -> list[str]:
        with sqlite3.connect(store_path) as conn:
            names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE "
                                                "type = 'table' ORDER BY name")]
        conn.close()
        return names

    before = tables()
    res = run_cli("import", str(txt), "--layer", "parcles", "--officer", "王",
                  "--store", str(store_path))
    assert res.code == 2
    assert "no layer 'parcles' in the store; did you mean 'parcels'?" in res.out
    assert "--new-layer" in res.out and tables() == before
    ok = run_cli("import", str(txt), "--layer", "parcles", "--new-layer", "--officer", "王",
                 "--store", str(store_path))
    assert ok.code == 0, ok.err + ok.out
    assert "into new layer 'parcles'" in ok.out and "parcles" in tables()
    # a name like no other layer's is simply new
    other = run_cli("import", str(txt), "--layer", "survey_2024", "--officer", "王",
                    "--store", str(store_path))
    assert other.code == 0 and "into new layer 'survey_2024'" in other.out


def test_imported_parcels_start_their_history_with_the_stage_they_come_with(run_cli,
                                                                           store_path, txt):
    """One ledger voice: history, the next stage and progress as of a date all agree with
    the stage the file gave (pre_notice on 2021-12-01)."""
    import json

    without = json.loads(run_cli("import", str(txt), "--layer", "parcels", *PARCEL_SETS,
                                 "--dry-run", "--json", "--store", str(store_path)).out)
    [warn] = [i for i in without["issues"] if i["kind"] == "no_stage_history"]
    assert warn["message"].startswith("2 parcel(s) have a stage in the file but no stage "
                                      "history") and "--record-stages" in warn["message"]
    res = run_cli("import", str(txt), "--layer", "parcels", *PARCEL_SETS, "--record-stages",
                  "--officer", "王", "--json", "--store", str(store_path))
    assert res.code == 0, res.err
    assert json.loads(res.out)["opening_stages"] == 2
    assert not [i for i in json.loads(res.out)["issues"] if i["kind"] == "no_stage_history"]
    history = json.loads(run_cli("history", "T-01", "--json", "--store", str(store_path)).out)
    assert (history["stage"], history["stage_date"], history["version"]) == (
        "pre_notice", "2021-12-01", 1)
    [first] = history["events"]
    assert first["from_stage"] is None and first["officer"] == "王"
    assert first["evidence"] == "界址点.txt"
    step = run_cli("stage", "set", "T-01", "status_survey", "--date", "2022-01-05",
                   "--officer", "李", "--store", str(store_path))
    assert step.code == 0, step.err + step.out

    def phase2(*args: str) -> dict:
        out = json.loads(run_cli("progress", *args, "--json", "--store", str(store_path)).out)
        return next(p for p in out["phases"] if p["phase"] == 2)

    now, today = phase2(), phase2("--as-of", "2030-01-01")
    assert now["by_stage_mu"] == pytest.approx(today["by_stage_mu"], rel=1e-12)
    before = phase2("--as-of", "2021-11-30")
    # the day before the stage date they had not started: 6 ha less the hole, and 1 ha
    assert before["by_stage_mu"]["not_started"] == pytest.approx(86.25 + 15.0, rel=1e-9)
    assert "not_started" not in now["by_stage_mu"]


def test_a_parcel_the_ledger_knows_keeps_its_recorded_stage(run_cli, store_path, tmp_path):
    """Replacing the parcels with a file that says QC1-01 is at pre_notice: the ledger has
    it at net_land; it stays there, and the report says so for that feature."""
    import json

    import pyogrio

    parcels = pyogrio.read_dataframe(store_path, layer="parcels")
    recorded = json.loads(run_cli("history", "QC1-01", "--json", "--store",
                                  str(store_path)).out)
    assert recorded["stage"] == "net_land"
    changed = parcels.copy()
    changed.loc[changed["id"] == "QC1-01", "stage"] = "pre_notice"
    src = tmp_path / "parcels.gpkg"
    changed.to_file(src, layer="parcels", driver="GPKG")
    position = int((changed["id"] == "QC1-01").to_numpy().nonzero()[0][0])
    res = run_cli("import", str(src), "--layer", "parcels", "--mode", "replace",
                  "--record-stages", "--officer", "王", "--json", "--store", str(store_path))
    assert res.code == 0, res.err
    report = json.loads(res.out)
    kept = [i for i in report["issues"] if i["kind"] == "stage_kept"]
    assert [(i["feature"], i["id"]) for i in kept] == [(position + 1, "QC1-01")]
    assert "'net_land'" in kept[0]["message"] and report["opening_stages"] == 0
    after = pyogrio.read_dataframe(store_path, layer="parcels")
    assert after.loc[after["id"] == "QC1-01", "stage"].item() == "net_land"
    again = json.loads(run_cli("history", "QC1-01", "--json", "--store", str(store_path)).out)
    assert again["version"] == recorded["version"]


def test_every_unusable_value_is_reported_on_its_feature(run_cli, store_path, tmp_path):
    """Not only the first: each bad value an error on its own feature; no library warning
    on the terminal; nothing written."""
    import json

    import geopandas as gpd
    import shapely

    x0, y0 = 441_000.0, 3_507_000.0
    frame = gpd.GeoDataFrame({
        "id": ["V-1", "V-2", "V-3", "V-4"],
        "name": ["一", None, "三", None],
        "phase": ["二", "2", "2", "2"],
        "stage": ["pre_notice", "bogus", "pre_notice", "pre_notice"],
        "stage_date": ["2021-12-01", "2021-12-01", "2021-13-45", "2021-12-01"],
    }, geometry=[shapely.box(x0 + 100 * i, y0, x0 + 100 * i + 50, y0 + 50) for i in range(4)],
        crs=4547)
    src = tmp_path / "bad.geojson"
    frame.to_file(src)
    before = store_path.read_bytes()
    res = run_cli("import", str(src), "--layer", "parcels", "--set", "park=青春化工园",
                  "--set", "declared_area_mu=3.75", "--set", "land_use=工业用地",
                  "--officer", "王", "--json", "--store", str(store_path))
    assert res.code == 2
    assert "Warning" not in res.err and "dateutil" not in res.err
    found = sorted((i["feature"], i["message"].split("'")[1]) for i in json.loads(res.out)[
        "issues"] if i["kind"] == "invalid_value")
    assert found == [(1, "phase"), (2, "name"), (2, "stage"), (3, "stage_date"), (4, "name")]
    assert store_path.read_bytes() == before


def test_a_mapping_to_a_field_the_layer_lacks_is_said(run_cli, store_path, txt):
    res = run_cli("import", str(txt), "--layer", "parcels", "--map", "name=nofield",
                  "--dry-run", "--store", str(store_path))
    assert res.code == 2  # 'name' is then missing: an error of its own
    assert "--map name=nofield: layer 'parcels' has no field 'nofield'" in res.out
    assert "declared_area_mu" in res.out  # the fields it has are named


def test_a_duplicated_parcel_id_is_one_error_on_its_feature(run_cli, store_path, tmp_path):
    import json

    import geopandas as gpd
    import shapely

    x0, y0 = 441_000.0, 3_507_000.0
    frame = gpd.GeoDataFrame({"id": ["D-1", "D-1", "D-2"], "name": ["甲", "乙", "丙"]},
                             geometry=[shapely.box(x0 + 100 * i, y0, x0 + 100 * i + 50, y0 + 50)
                                       for i in range(3)], crs=4547)
    src = tmp_path / "dup.geojson"
    frame.to_file(src)
    res = run_cli("import", str(src), "--layer", "parcels", *PARCEL_SETS,
                  "--set", "declared_area_mu=3.75", "--set", "land_use=工业用地",
                  "--dry-run", "--json", "--store", str(store_path))
    assert res.code == 2
    errors = [(i["feature"], i["kind"]) for i in json.loads(res.out)["issues"]
              if i["severity"] == "error"]
    assert errors == [(2, "duplicate_id")]

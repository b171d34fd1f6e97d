from __future__ import annotations

import subprocess
import sys
import warnings

import geopandas as gpd
import pytest
from pyproj import Geod
from shapely.geometry import box

GRS80 = Geod(ellps="GRS80")
MU = 10000 / 15


def _write_without_crs(gdf: gpd.GeoDataFrame, path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "'crs' was not provided" is the point
        gdf.to_file(path)
    path.with_suffix(".prj").unlink(missing_ok=True)


AREA_KEYS = {"area_m2_plane", "area_m2_ellipsoidal", "area_mu_plane", "area_mu_ellipsoidal",
             "area_ha_plane"}


def test_layers_lists_counts_and_crs(run_cli):
    res = run_cli("layers")
    assert res.code == 0
    assert "villages" in res.out and "44" in res.out and "EPSG:4490" in res.out


def test_area_json_has_the_documented_shape_and_known_totals(run_cli, sample_gpkg):
    res = run_cli("area", "parcels", "--by", "phase", "--json", "--store", str(sample_gpkg))
    assert res.code == 0, res.err
    data = res.json()
    assert data["crs_plane"] == "EPSG:4547" and "114°E" in data["crs_reason"]
    assert len(data["features"]) == 32
    assert set(data["features"][0]) >= AREA_KEYS and {"id", "name"} <= set(data["features"][0])
    assert data["total"]["area_mu_plane"] == pytest.approx(3120.0, abs=0.01)
    groups = {g["value"]: g for g in data["groups"]}
    assert groups[1]["area_mu_plane"] == pytest.approx(1420.0, abs=0.01)
    assert groups[2]["area_mu_plane"] == pytest.approx(1700.0, abs=0.01)


def test_area_of_a_file_without_crs_infers_lonlat_and_says_so(run_cli, tmp_path):
    poly = box(113.40, 31.70, 113.41, 31.71)
    path = tmp_path / "noprj.shp"  # GeoJSON is WGS 84 by definition; a bare .shp is not
    _write_without_crs(gpd.GeoDataFrame({"id": [1], "name": ["x"]}, geometry=[poly]), path)
    res = run_cli("area", str(path), "--json")
    assert res.code == 0, res.err
    assert "longitude/latitude" in res.err and "EPSG:4490" in res.err
    ours = res.json()["features"][0]["area_m2_ellipsoidal"]
    assert ours == pytest.approx(abs(GRS80.geometry_area_perimeter(poly)[0]), rel=1e-4)


def test_area_of_prefixed_gk_shapefile_without_prj(run_cli, tmp_path):
    sq = box(38_441_000, 3_507_000, 38_442_000, 3_508_000)  # 1 km² in zone 38 with prefix
    path = tmp_path / "survey.shp"
    _write_without_crs(gpd.GeoDataFrame({"id": [1], "name": ["a"]}, geometry=[sq]), path)
    res = run_cli("area", str(path), "--json")
    assert res.code == 0, res.err
    assert "zone prefix 38" in res.err
    assert res.json()["features"][0]["area_mu_plane"] == pytest.approx(1500.0, abs=1e-3)


@pytest.mark.parametrize("by", ["名称", "乡镇"])
def test_area_by_a_chinese_field_of_a_gbk_shapefile(run_cli, tmp_path, by):
    """--by takes the file's own field name, also when it was mapped (名称 → name)."""
    parcels = [box(38_441_900 + i * 300, 3_507_400, 38_442_100 + i * 300, 3_507_700)
               for i in range(3)]  # 200 m × 300 m = 60,000 m² = 90 mu each
    gdf = gpd.GeoDataFrame({"名称": ["青春一号地", "淅河二号地", "青春一号地"],
                            "乡镇": ["淅河镇", "淅河镇", "何店镇"]}, geometry=parcels, crs=4526)
    path = tmp_path / "地块.shp"
    gdf.to_file(path, encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = bytearray(path.with_suffix(".dbf").read_bytes())
    dbf[29] = 0  # no code page in the DBF either: the bytes decide
    path.with_suffix(".dbf").write_bytes(bytes(dbf))
    res = run_cli("area", str(path), "--by", by, "--json")
    assert res.code == 0, res.err
    groups = {g["value"]: (g["count"], g["area_mu_plane"]) for g in res.json()["groups"]}
    expected = ({"青春一号地": 2, "淅河二号地": 1} if by == "名称"
                else {"淅河镇": 2, "何店镇": 1})
    assert set(groups) == set(expected)
    for value, count in expected.items():
        assert groups[value] == (count, pytest.approx(count * 60_000 / MU, abs=1e-6))


def test_six_digit_gk_without_crs_assumes_suizhou_zone_and_says_so(run_cli, tmp_path):
    path = tmp_path / "six.shp"
    _write_without_crs(
        gpd.GeoDataFrame({"id": [1]}, geometry=[box(441_000, 3_507_000, 442_000, 3_508_000)]),
        path,
    )
    res = run_cli("area", str(path), "--json")
    assert res.code == 0, res.err
    assert "no zone prefix: assumed CM 114°E (EPSG:4547)" in res.err
    assert "--source-crs" in res.err  # how to say otherwise
    # 1 km² = 1500 mu in its own plane (hand-computed)
    assert res.json()["total"]["area_mu_plane"] == pytest.approx(1500.0, abs=1e-3)
    res = run_cli("area", str(path), "--source-crs", "EPSG:4546", "--json")
    assert res.code == 0, res.err
    assert res.json()["crs_source"]["crs"] == "EPSG:4546"
    assert res.json()["crs_source"]["inferred"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("area", "lakes"), "neither a layer in the store"),
        (("area", "parcels", "--by", "colour"), "No field 'colour'"),
        (("area", "parcels", "--crs", "EPSG:3857"), "Web Mercator"),
        (("progress", "--as-of", "2021-02-30"), "YYYY-MM-DD"),
        (("coverage", "--of", "parks", "--by", "parcels", "--status", "done"),
         "Unknown acquisition stage"),
        (("proximity", "--features", "villages", "--of", "roads", "--within", "-5"), "metres"),
        (("layers", "--store", "/nonexistent/x.gpkg"), "No GeoPackage"),
        (("area", "parcels", "--by", "geometry"), "is the geometry column"),
        (("area", "roads"), "'roads' holds LineString geometries, which have no area"),
        (("area", "projects"), "'projects' holds Point geometries"),
        (("coverage", "--of", "projects", "--by", "parcels"), "'projects' holds Point"),
        (("coverage", "--of", "parks", "--by", "roads"), "'roads' holds LineString"),
        (("proximity", "--features", "villages", "--of", "roads", "--within", "nan"), "metres"),
        (("stage", "set", "QC2-05", "net_land", "--date", "2024-01-01"),
         "Missing option '--officer'"),
        (("area",), "Missing argument"),
        (("area", "parcels", "--colour"), "No such option"),
        (("proximity", "--features", "villages", "--of", "roads", "--within", "far"),
         "Invalid value for '--within'"),
    ],
)
def test_user_errors_are_one_clear_line(run_cli, args, message):
    res = run_cli(*args)
    assert res.code == 2
    assert message in res.err
    assert res.err.startswith("error: ") and len(res.err.strip().splitlines()) == 1


def test_unreadable_file_is_refused(run_cli, tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{ not json")
    res = run_cli("area", str(bad))
    assert res.code == 2 and "not a vector file" in res.err


def test_progress_json_now_and_as_of(run_cli):
    now = run_cli("progress", "--json").json()
    p1, p2 = now["phases"]
    assert (p1["phase"], p1["target_mu"], p2["target_mu"]) == (1, 1420, 1700)
    assert p1["net_land_mu"] == pytest.approx(1420.0, abs=0.01)
    assert p1["share_net_land"] == pytest.approx(1.0, abs=1e-5)
    assert p2["total_mu"] == pytest.approx(1700.0, abs=0.01) and p2["net_land_mu"] == 0
    assert sum(p2["by_stage_mu"].values()) == pytest.approx(1700.0, abs=0.01)
    early = run_cli("progress", "--as-of", "2020-12-31", "--json").json()
    assert early["as_of"] == "2020-12-31"
    assert early["phases"][0]["net_land_mu"] == 0
    assert early["phases"][1]["by_stage_mu"] == pytest.approx({"not_started": 1700.0}, abs=0.01)


def test_coverage_json_of_parks_by_net_land(run_cli):
    data = run_cli("coverage", "--of", "parks", "--by", "parcels", "--status", "净地", "--json"
                   ).json()
    rows = {r["name"]: r for r in data["features"]}
    assert rows["青春化工园"]["covered_mu_plane"] == pytest.approx(1420.0, abs=0.01)
    assert rows["城东片区"]["share_covered"] == 0


def test_proximity_json_finds_16_belt_villages(run_cli):
    data = run_cli("proximity", "--features", "villages", "--of", "roads", "--within", "2000",
                   "--json").json()
    assert data["count"] == 16
    assert all(r["distance_m"] <= 2000 for r in data["features"])


def test_console_script_is_installed_and_runs():
    res = subprocess.run([sys.executable, "-m", "geo_app.cli", "--help"], capture_output=True,
                         text=True, timeout=60, check=False)
    assert res.returncode == 0 and "area" in res.stdout


def test_proximity_to_an_empty_layer_is_refused(run_cli, sample_gpkg):
    from geo_app.storage import open_store

    store = open_store(str(sample_gpkg))
    store.write_layer("facilities", store.read_layer("facilities").iloc[:0])
    res = run_cli("proximity", "--features", "villages", "--of", "facilities",
                  "--store", str(sample_gpkg))
    assert res.code == 2 and "'facilities' is empty" in res.err


def test_bare_group_command_shows_help_not_a_traceback(run_cli):
    res = run_cli("stage")
    assert res.code == 2 and "Usage" in res.out + res.err and "Traceback" not in res.err

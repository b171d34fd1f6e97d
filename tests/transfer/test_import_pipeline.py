"""The import pipeline on a real GeoPackage store: report first, nothing written on errors.

Known answers are computed here with shapely in the feature's own GK zone (EPSG:4547 for
Suizhou) and hand-built shapes, never with geo_app's own area code.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from shapely.geometry import Polygon, box

from geo_app.analysis.gcj02 import wgs84_to_gcj02
from geo_app.errors import InputError
from geo_app.storage import GeoPackageStore
from geo_app.storage.base import ImportMode
from geo_app.transfer.importer import ImportOptions, import_file, parse_constants

M2_PER_MU = 10_000 / 15
X0, Y0 = 440_000.0, 3_507_000.0  # EPSG:4547, west of Suizhou city, inside 曾都区


def _gk_frame(geoms, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=list(geoms), crs=4547)


def _write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    gdf.to_crs(4326).to_file(path, driver="GeoJSON")
    return path


def _state(path: Path) -> dict[str, int]:
    """Every table's row count in a GeoPackage (what 'nothing written' means)."""
    import sqlite3

    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'rtree%' "
            "AND name NOT LIKE 'sqlite%'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


@pytest.fixture
def store(sample_gpkg: Path) -> GeoPackageStore:
    return GeoPackageStore(sample_gpkg)


def _options(layer: str = "survey", **kw) -> ImportOptions:
    return ImportOptions(layer=layer, officer=kw.pop("officer", "王建国"), **kw)


def test_dry_run_reports_and_writes_nothing(store, sample_gpkg, tmp_path):
    src = _write_geojson(_gk_frame([box(X0, Y0, X0 + 200, Y0 + 300)], id=["S-1"],
                                   地块名称=["一号地"]), tmp_path / "survey.geojson")
    before = _state(sample_gpkg)
    steps: list[tuple[str, float]] = []
    report = import_file(src, store, _options(), dry_run=True,
                         progress=lambda step, share: steps.append((step, share)))
    assert report.ok and report.dry_run and report.written == 0
    assert steps[0] == ("reading the file", 0.0) and steps[-1] == ("report ready", 1.0)
    assert [share for _, share in steps] == sorted(share for _, share in steps)
    assert report.format == "geojson" and report.features_read == 1
    assert report.crs == "EPSG:4326" and "GeoJSON crs member" in report.crs_reason
    assert {"source": "地块名称", "target": "name"} in [
        {k: m[k] for k in ("source", "target")} for m in report.fields]
    assert report.area_mu_plane == pytest.approx(60_000 / M2_PER_MU, rel=1e-6)
    assert _state(sample_gpkg) == before


def test_import_writes_layer_and_one_provenance_event_per_feature(store, tmp_path):
    geoms = [box(X0, Y0, X0 + 200, Y0 + 300), box(X0 + 300, Y0, X0 + 400, Y0 + 100)]
    src = _write_geojson(_gk_frame(geoms, id=["S-1", "S-2"], name=["一号", "二号"]),
                         tmp_path / "界址.geojson")
    report = import_file(src, store, _options())
    assert report.ok and not report.dry_run and report.written == 2
    layer = store.read_layer("survey")
    assert sorted(layer["id"]) == ["S-1", "S-2"]
    area_m2 = layer.set_index("id").to_crs(4547).area
    assert area_m2["S-1"] == pytest.approx(60_000, rel=1e-9)
    prov = store.read_provenance(layer="survey")
    assert len(prov) == 2 and set(prov["feature_id"]) == {"S-1", "S-2"}
    assert set(prov["kind"]) == {"imported"} and set(prov["officer"]) == {"王建国"}
    assert set(prov["source_file"]) == {"界址.geojson"}
    assert json.loads(prov["details"].iloc[0])["format"] == "geojson"


def test_bow_tie_is_repaired_and_reported_or_refused_with_strict(store, sample_gpkg, tmp_path):
    bow = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    src = _write_geojson(_gk_frame([bow], id=["B-1"]), tmp_path / "bow.geojson")
    report = import_file(src, store, _options(), dry_run=True)
    kinds = {(i.kind, i.severity.value) for i in report.issues}
    assert ("self_intersection", "repaired") in kinds
    # two triangles of 100 × 50 / 2 each = 5000 m², not the 0 m² of the raw bow tie
    assert report.area_mu_plane == pytest.approx(5_000 / M2_PER_MU, rel=1e-6)
    before = _state(sample_gpkg)
    strict = import_file(src, store, _options(strict=True))
    assert not strict.ok and strict.written == 0
    assert any(i.kind == "self_intersection" and i.severity.value == "error"
               for i in strict.issues)
    assert _state(sample_gpkg) == before


def test_non_finite_and_empty_geometries_block_the_import(store, sample_gpkg, tmp_path):
    with np.errstate(invalid="ignore"):
        nan_ring = Polygon([(113.41, 31.70), (np.nan, 31.70), (113.411, 31.701)])
    gdf = gpd.GeoDataFrame(
        {"id": ["N-1", "N-2", "N-3"]},
        geometry=[box(113.40, 31.70, 113.401, 31.701), nan_ring, None], crs=4490)
    path = tmp_path / "bad.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="bad")
    before = _state(sample_gpkg)
    report = import_file(path, store, _options())
    assert not report.ok and report.written == 0
    bad = {(i.feature_id, i.kind) for i in report.errors}
    assert ("N-2", "non_finite") in bad and ("N-3", "empty") in bad
    assert _state(sample_gpkg) == before


def test_duplicate_and_existing_ids_are_errors_replace_mode_allows_them(store, tmp_path):
    dup = _write_geojson(_gk_frame([box(X0, Y0, X0 + 10, Y0 + 10),
                                    box(X0 + 20, Y0, X0 + 30, Y0 + 10)], id=["D", "D"]),
                         tmp_path / "dup.geojson")
    report = import_file(dup, store, _options(), dry_run=True)
    assert [(i.kind, i.position) for i in report.errors] == [("duplicate_id", 1)]

    one = _write_geojson(_gk_frame([box(X0, Y0, X0 + 10, Y0 + 10)], id=["E"]),
                         tmp_path / "one.geojson")
    assert import_file(one, store, _options()).written == 1
    again = import_file(one, store, _options())
    assert [i.kind for i in again.errors] == ["id_exists"]
    assert "--mode replace" in again.errors[0].message
    replaced = import_file(one, store, _options(mode=ImportMode.REPLACE))
    assert replaced.ok and replaced.written == 1
    assert len(store.read_layer("survey")) == 1


def test_overlap_with_existing_parcels_is_measured_in_mu(store, tmp_path):
    parcels = store.read_layer("parcels").to_crs(4547)
    target = parcels.geometry.iloc[0]
    minx, miny, maxx, maxy = target.bounds
    new = box(minx + (maxx - minx) / 2, miny, maxx + 100, maxy)
    expected_mu = shapely.intersection(new, parcels.union_all()).area / M2_PER_MU
    src = _write_geojson(_gk_frame([new], id=["NEW-1"], name=["x"], park=["p"], phase=[2],
                                   stage=["pre_notice"], stage_date=["2021-12-01"],
                                   declared_area_mu=[new.area / M2_PER_MU],
                                   land_use=["工业用地"]), tmp_path / "new.geojson")
    report = import_file(src, store, _options(layer="parcels"), dry_run=True)
    overlaps = [i for i in report.issues if i.kind == "overlap_existing"]
    assert len(overlaps) == 1 and f"by {expected_mu:,.2f} mu" in overlaps[0].message
    assert expected_mu > 1
    assert report.ok  # an overlap is a warning: the officer decides


def test_feature_outside_the_district_is_reported(store, tmp_path):
    wuhan = box(114.30, 30.58, 114.31, 30.59)  # 武汉, far outside 曾都区
    src = tmp_path / "far.geojson"
    gpd.GeoDataFrame({"id": ["W-1"]}, geometry=[wuhan], crs=4326).to_file(src)
    report = import_file(src, store, _options(), dry_run=True)
    outside = [i for i in report.issues if i.kind == "outside_zone"]
    assert len(outside) == 1 and outside[0].message.startswith("100% of the feature lies outside")


def test_parcels_need_their_required_fields_said_with_how_to_fix(store, sample_gpkg, tmp_path):
    src = _write_geojson(_gk_frame([box(X0, Y0, X0 + 200, Y0 + 300)], 宗地号=["Z-9"],
                                   名称=["九号"]), tmp_path / "z.geojson")
    before = _state(sample_gpkg)
    report = import_file(src, store, _options(layer="parcels"))
    missing = sorted(i.message.split("'")[3] for i in report.errors
                     if i.kind == "missing_field")
    assert missing == ["declared_area_mu", "land_use", "park", "phase", "stage", "stage_date"]
    assert all("--map SOURCE=" in i.message and "--set" in i.message for i in report.errors)
    assert _state(sample_gpkg) == before

    constants = parse_constants(["park=青春化工园", "phase=2", "stage=pre_notice",
                                 "stage_date=2021-12-01", "declared_area_mu=90",
                                 "land_use=工业用地"])
    ok = import_file(src, store, _options(layer="parcels", constants=constants))
    assert ok.ok and ok.written == 1
    parcels = store.read_layer("parcels")
    assert "Z-9" in set(parcels["id"]) and len(parcels) == before["parcels"] + 1
    assert store.read_provenance(feature_id="Z-9")["layer"].tolist() == ["parcels"]


def test_declared_area_off_by_more_than_one_percent_is_a_warning(store, tmp_path):
    text = ("[属性描述]\r\n坐标系=2000国家大地坐标系\r\n几度分带=3\r\n带号=38\r\n[地块坐标]\r\n"
            "5,9.0000,T-1,地块,面,,工业用地,,@\r\n"
            "J1,1,3507300.000,38440000.000\r\nJ2,1,3507300.000,38440200.000\r\n"
            "J3,1,3507000.000,38440200.000\r\nJ4,1,3507000.000,38440000.000\r\n"
            "J1,1,3507300.000,38440000.000\r\n")
    src = tmp_path / "t.txt"
    src.write_bytes(text.encode("gbk"))
    report = import_file(src, store, _options(), dry_run=True)
    [warn] = [i for i in report.issues if i.kind == "area_mismatch"]
    # declared 9 ha = 135 mu; 200 m × 300 m = 6 ha = 90 mu → −33.3 %
    assert "135.00 mu" in warn.message and "90.00 mu" in warn.message
    assert "-33.3%" in warn.message and warn.severity.value == "warning"
    assert report.crs == "EPSG:4526"


def test_gcj02_input_is_shifted_back_before_anything_else(store, tmp_path):
    lon, lat = np.array([113.40, 113.41, 113.41, 113.40]), np.array([31.70, 31.70, 31.71, 31.71])
    glon, glat = wgs84_to_gcj02(lon, lat)
    src = tmp_path / "amap.geojson"
    gpd.GeoDataFrame({"id": ["G-1"]}, geometry=[Polygon(zip(glon, glat, strict=True))],
                     crs=4326).to_file(src)
    report = import_file(src, store, _options(gcj02=True))
    assert report.ok and "GCJ-02" in report.crs_reason
    got = store.read_layer("survey").to_crs(4326).geometry.iloc[0]
    xy = shapely.get_coordinates(got)[:4]
    # back on the WGS 84 corners to well under a metre (1e-5° ≈ 1 m)
    assert np.abs(xy[:, 0] - lon).max() < 1e-7 and np.abs(xy[:, 1] - lat).max() < 1e-7


def test_unreadable_files_and_bad_options_raise_one_clear_error(store, tmp_path):
    empty = tmp_path / "empty.geojson"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        import_file(empty, store, _options(), dry_run=True)
    with pytest.raises(InputError, match="cannot be a layer name"):
        import_file(empty, store, _options(layer="x; DROP TABLE parcels"), dry_run=True)
    with pytest.raises(InputError, match="FIELD=VALUE"):
        parse_constants(["phase"])


def test_the_import_reports_the_same_warnings_as_its_dry_run(store, sample_gpkg, tmp_path):
    """The warnings are found beside the write (partly on another thread): the written
    import's report equals the dry run's, issue for issue, and the area too."""
    import shutil

    base = box(X0 - 500, Y0, X0 - 300, Y0 + 80)
    first = _write_geojson(_gk_frame([base], id=["B-1"]), tmp_path / "base.geojson")
    assert import_file(first, store, _options()).written == 1
    tiles = [box(X0 + 100 * i, Y0, X0 + 100 * i + 90, Y0 + 80) for i in range(40)]
    tiles[5] = shapely.affinity.translate(tiles[4], 30, 0)  # overlaps tiles 4 and 6
    tiles[7] = tiles[6]  # a duplicate
    tiles.append(box(X0 - 400, Y0, X0 - 200, Y0 + 80))  # overlaps B-1 in the layer
    tiles.append(box(X0 + 100_000, Y0, X0 + 100_090, Y0 + 80))  # 100 km east: outside
    frame = _gk_frame(tiles, id=[f"T-{i}" for i in range(len(tiles))],
                      declared_area_mu=[g.area / M2_PER_MU for g in tiles])
    frame.loc[3, "declared_area_mu"] = 5.0  # 7,200 m² measure 10.8 mu: off by > 1 %
    src = tmp_path / "tiles.gpkg"
    frame.to_file(src, layer="tiles", driver="GPKG")
    copy = tmp_path / "copy.gpkg"
    shutil.copyfile(sample_gpkg, copy)
    dry = import_file(src, store, _options(), dry_run=True)
    done = import_file(src, GeoPackageStore(copy), _options())
    kinds = {str(i.kind) for i in dry.issues}
    assert {"overlap_within", "duplicate", "overlap_existing", "outside_zone",
            "area_mismatch"} <= kinds, kinds
    assert done.written == len(tiles) and not dry.written
    assert [(i.position, i.kind, i.severity, i.message) for i in done.issues] == [
        (i.position, i.kind, i.severity, i.message) for i in dry.issues]
    assert done.area_mu_plane == pytest.approx(dry.area_mu_plane, rel=1e-12)
    expected_mu = sum(shapely.area(g) for g in tiles) / M2_PER_MU
    assert done.area_mu_plane == pytest.approx(expected_mu, rel=1e-9)

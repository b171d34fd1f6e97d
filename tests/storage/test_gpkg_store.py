"""What only the GeoPackage backend needs: SQLite locking, WAL, GDAL compatibility."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import threading
import time

import pyogrio
import pytest
import shapely
from _import_data import provenance, survey_rectangles

from geo_app.domain.stages import ParcelStage
from geo_app.storage._gpkg_sql import write_transaction
from geo_app.storage.events import record_stage_change

READ_COUNT = """
import sys, time, pyogrio
t = time.monotonic()
n = len(pyogrio.read_dataframe(sys.argv[1], layer="stage_events", read_geometry=False))
print(n, round(time.monotonic() - t, 3))
"""


def _sql(path, query: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def test_a_write_switches_the_file_to_wal(gpkg_case):
    assert _sql(gpkg_case.location, "PRAGMA journal_mode") == [("delete",)]
    record_stage_change(gpkg_case.store, "QC2-20", ParcelStage.STATUS_SURVEY, officer="李敏",
                        effective_date=dt.date(2021, 12, 6))
    assert _sql(gpkg_case.location, "PRAGMA journal_mode") == [("wal",)]


def test_gdal_readers_are_not_blocked_by_a_writer(gpkg_case):
    path = gpkg_case.store.path
    record_stage_change(gpkg_case.store, "QC2-20", ParcelStage.STATUS_SURVEY, officer="李敏",
                        effective_date=dt.date(2021, 12, 6))
    with write_transaction(path) as conn:  # a writer holds the file, with uncommitted rows
        conn.execute("INSERT INTO stage_events (event_id, parcel_id) VALUES (9999, 'x')")
        reader = subprocess.run([sys.executable, "-c", READ_COUNT, str(path)],
                                capture_output=True, text=True, timeout=60)
        conn.execute("ROLLBACK")
        conn.execute("BEGIN")
    assert reader.returncode == 0, reader.stderr
    count, seconds = reader.stdout.split()
    assert int(count) == 208  # the committed state, not the open transaction's row
    assert float(seconds) < 5


def test_the_event_table_is_append_only(gpkg_case):
    record_stage_change(gpkg_case.store, "QC2-20", ParcelStage.STATUS_SURVEY, officer="李敏",
                        effective_date=dt.date(2021, 12, 6))
    conn = sqlite3.connect(gpkg_case.location)
    try:
        for sql in ("UPDATE stage_events SET officer = 'x'", "DELETE FROM stage_events"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(sql)
    finally:
        conn.close()
    assert len(gpkg_case.store.read_events()) == 208


def test_gdal_sees_consistent_metadata_after_sqlite_writes(gpkg_case):
    store = gpkg_case.store
    parks = store.read_layer("parks")
    store.write_layer("parks", parks.iloc[2:])
    record_stage_change(store, "QC2-20", ParcelStage.STATUS_SURVEY, officer="李敏",
                        effective_date=dt.date(2021, 12, 6))
    path = gpkg_case.location
    assert pyogrio.read_info(path, layer="parks")["features"] == 5
    assert pyogrio.read_info(path, layer="stage_events")["features"] == 208
    assert _sql(path, "SELECT rtreecheck('rtree_parks_geom')") == [("ok",)]
    rtree = _sql(path, "SELECT minx, maxx, miny, maxy FROM rtree_parks_geom ORDER BY id")
    bounds = parks.iloc[2:].geometry.bounds
    assert len(rtree) == 5
    for (minx, maxx, miny, maxy), b in zip(rtree, bounds.itertuples(), strict=True):
        # the R-tree stores float32 bounds rounded outwards
        assert minx <= b.minx and maxx >= b.maxx and miny <= b.miny and maxy >= b.maxy
        assert b.minx - minx < 3e-5 and maxx - b.maxx < 3e-5
    hits = pyogrio.read_dataframe(path, layer="parks", bbox=tuple(parks.geometry.iloc[3].bounds))
    assert parks["id"].iloc[3] in set(hits["id"])
    assert _sql(path, "PRAGMA integrity_check") == [("ok",)]


def test_threads_of_one_process_write_without_losing_events(gpkg_case):
    store = gpkg_case.store
    parcels = ["QC2-09", "QC2-10", "QC2-11", "QC2-12"]
    errors: list[BaseException] = []

    def officer(pid: str) -> None:
        try:
            for stage, day in ((ParcelStage.APPROVED, 7), (ParcelStage.ACQUISITION_NOTICE, 8)):
                record_stage_change(store, pid, stage, officer=f"officer {pid}",
                                    effective_date=dt.date(2021, 12, day))
        except BaseException as exc:  # re-raised below in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=officer, args=(p,)) for p in parcels]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert time.monotonic() - t0 < 60
    assert len(store.read_events()) == 207 + 2 * len(parcels)
    assert all(store.parcel_version(p) == 7 for p in parcels)


def test_gdal_reads_a_layer_created_by_an_import(gpkg_case):
    store, path = gpkg_case.store, gpkg_case.location
    survey = survey_rectangles(50)
    store.import_features("survey", survey, mode="append", provenance=provenance())
    assert ("survey", "Polygon") in [tuple(r) for r in pyogrio.list_layers(path)]
    info = pyogrio.read_info(path, layer="survey")
    assert info["features"] == 50 and info["geometry_type"] == "Polygon"
    assert pyogrio.read_info(path, layer="survey")["crs"] == "EPSG:4547"
    assert list(info["fields"]) == ["id", "name", "owner", "declared_m2"]
    gdf = pyogrio.read_dataframe(path, layer="survey")
    assert gdf.crs.to_epsg() == 4547 and list(gdf["id"]) == list(survey["id"])
    assert gdf.geometry.geom_equals_exact(survey.geometry, tolerance=0).all()
    # the spatial index answers a bbox query (GDAL uses rtree_survey_geom)
    hits = pyogrio.read_dataframe(path, layer="survey", bbox=tuple(survey.geometry[7].bounds))
    assert set(hits["id"]) == {"S00007"}
    assert _sql(path, "SELECT count(*) FROM rtree_survey_geom") == [(50,)]
    assert _sql(path, "SELECT extension_name FROM gpkg_extensions WHERE table_name = "
                      "'survey'") == [("gpkg_rtree_index",)]
    minx, miny, maxx, maxy = survey.total_bounds
    assert _sql(path, "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE "
                      "table_name = 'survey'") == [(minx, miny, maxx, maxy)]
    # a later append keeps the index, the count and the extent right
    more = survey_rectangles(5, first=50)
    store.import_features("survey", more, mode="append", provenance=provenance())
    assert pyogrio.read_info(path, layer="survey")["features"] == 55
    assert _sql(path, "SELECT count(*) FROM rtree_survey_geom") == [(55,)]
    assert _sql(path, "SELECT rtreecheck('rtree_survey_geom')") == [("ok",)]
    assert _sql(path, "SELECT max_x FROM gpkg_contents WHERE table_name = 'survey'") == [
        (more.total_bounds[2],)]
    # triggers GDAL relies on were put back after the bulk insert
    triggers = {r[0] for r in _sql(path, "SELECT name FROM sqlite_master WHERE type = "
                                         "'trigger' AND tbl_name = 'survey'")}
    assert {"rtree_survey_geom_insert", "rtree_survey_geom_delete",
            "trigger_insert_feature_count_survey"} <= triggers
    assert _sql(path, "PRAGMA integrity_check") == [("ok",)]
    assert pyogrio.read_info(path, layer="provenance_events")["features"] == 55


def test_the_provenance_table_is_a_geopackage_attributes_table(gpkg_case):
    gpkg_case.store.import_features("survey", survey_rectangles(2), mode="append",
                                    provenance=provenance())
    path = gpkg_case.location
    assert ("provenance_events", None) in [tuple(r) for r in pyogrio.list_layers(path)]
    assert _sql(path, "SELECT data_type FROM gpkg_contents WHERE table_name = "
                      "'provenance_events'") == [("attributes",)]
    ledger = pyogrio.read_dataframe(path, layer="provenance_events", read_geometry=False)
    assert list(ledger["feature_id"]) == ["S00000", "S00001"]


def test_a_bulk_loaded_spatial_index_answers_like_a_full_scan(gpkg_case):
    store, path = gpkg_case.store, gpkg_case.location
    survey = survey_rectangles(3000)  # > 51 x 51: a three-level packed R-tree
    store.import_features("survey", survey, mode="append", provenance=provenance())
    assert _sql(path, "SELECT rtreecheck('rtree_survey_geom')") == [("ok",)]
    for bbox in ((452_150.0, 3_505_000.0, 470_000.0, 3_505_010.0), (0.0, 0.0, 1.0, 1.0)):
        hits = pyogrio.read_dataframe(path, layer="survey", bbox=bbox)
        box = shapely.box(*bbox)
        assert set(hits["id"]) == set(survey[survey.intersects(box)]["id"])
    store.write_layer("survey", survey.iloc[::2])  # replace: the index is rebuilt
    assert _sql(path, "SELECT count(*) FROM rtree_survey_geom") == [(1500,)]
    assert _sql(path, "SELECT rtreecheck('rtree_survey_geom')") == [("ok",)]

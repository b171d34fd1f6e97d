"""Importing features: one transaction with its provenance, the same on both backends."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time

import numpy as np
import pandas as pd
import pytest
from _import_data import DAY, provenance, survey_rectangles
from geopandas.testing import assert_geodataframe_equal

from geo_app.errors import InputError, SchemaError
from geo_app.storage import ImportMode, Provenance
from geo_app.storage.base import PROVENANCE_COLUMNS


def _state(store) -> tuple:
    layers = store.list_layers()
    frames = {i.name: store.read_layer(i.name) for i in layers}
    return layers, frames, store.read_provenance(), store.read_events()


def _assert_unchanged(store, before: tuple) -> None:
    layers, frames, provenance, events = _state(store)
    assert layers == before[0]
    for name, frame in before[1].items():
        assert_geodataframe_equal(frames[name], frame)
    pd.testing.assert_frame_equal(provenance, before[2])
    pd.testing.assert_frame_equal(events, before[3])


def test_provenance_keeps_the_file_name_and_needs_an_officer():
    p = provenance()
    assert (p.source_file, p.officer, p.effective_date) == ("红线图.shp", "王建国", DAY)
    assert Provenance(r"C:\Users\li\Desktop\宗地.txt", "李敏").source_file == "宗地.txt"
    assert Provenance("a.gpkg", "李敏").effective_date == dt.date.today()
    with pytest.raises(InputError, match="officer's name"):
        Provenance("a.gpkg", "   ")
    with pytest.raises(InputError, match="which file"):
        Provenance("  ", "李敏")


def test_a_new_layer_is_created_in_its_own_crs_with_one_provenance_event_per_feature(store):
    survey = survey_rectangles(3)
    outcome = store.import_features("survey", survey, mode=ImportMode.APPEND,
                                    provenance=provenance())
    assert (outcome.layer, outcome.mode, outcome.created) == ("survey", "append", True)
    assert (outcome.written, outcome.replaced, outcome.provenance_events) == (3, 0, 3)
    info = {i.name: i for i in store.list_layers()}["survey"]
    assert (info.feature_count, info.crs, info.geometry_type) == (3, "EPSG:4547", "Polygon")
    back = store.read_layer("survey")
    assert back.crs.to_epsg() == 4547
    assert list(back["id"]) == ["S00000", "S00001", "S00002"]
    assert list(back["name"]) == ["测绘地块0", "测绘地块1", "测绘地块2"]
    assert [None if pd.isna(v) else v for v in back["owner"]] == [None, "村集体1", "村集体2"]
    assert list(back.area) == pytest.approx([40 * 25, 41 * 25, 42 * 25], abs=1e-6)
    ledger = store.read_provenance()
    assert list(ledger.columns) == list(PROVENANCE_COLUMNS)
    assert len(ledger) == 3 and ledger["event_id"].is_unique
    assert ledger["event_id"].dtype == "int64"
    row = ledger.iloc[1]
    assert (row["layer"], row["feature_id"], row["kind"]) == ("survey", "S00001", "imported")
    assert (row["source_file"], row["officer"], row["effective_date"]) == (
        "红线图.shp", "王建国", "2022-03-15")
    assert row["recorded_at"] == outcome.recorded_at
    assert dt.datetime.fromisoformat(row["recorded_at"]) >= dt.datetime.now().replace(
        microsecond=0) - dt.timedelta(minutes=5)
    assert json.loads(row["details"]) == {"mode": "append", "format": "shapefile",
                                          "encoding": "gbk", "crs": "EPSG:4547",
                                          "features": 3}
    one = store.read_provenance("survey", "S00002")
    assert list(one["feature_id"]) == ["S00002"]
    assert len(store.read_provenance("parcels")) == 0


def test_append_adds_features_reprojected_to_the_layer_crs(store):
    parcels = store.read_layer("parcels")
    events = store.read_events()
    new = parcels.iloc[:2].copy()
    new["id"] = ["QC9-01", "QC9-02"]
    new["stage"] = "pre_notice"
    new["geometry"] = new.geometry.translate(0.05, 0.0)
    outcome = store.import_features("parcels", new.to_crs(4547), mode="append",
                                    provenance=provenance())
    assert (outcome.created, outcome.written, outcome.replaced) == (False, 2, 0)
    back = store.read_layer("parcels")
    assert back.crs.to_epsg() == 4490 and len(back) == 34
    added = back.set_index("id").loc[["QC9-01", "QC9-02"]]
    assert added.geometry.geom_equals_exact(new.set_index("id").geometry,
                                            tolerance=1e-8).all()
    assert list(added["stage"]) == ["pre_notice", "pre_notice"]
    # the existing parcels and their history are untouched
    assert_geodataframe_equal(back.iloc[:32].reset_index(drop=True), parcels)
    pd.testing.assert_frame_equal(store.read_events(), events)
    assert outcome.stage_events == 0
    assert list(store.read_provenance("parcels")["feature_id"]) == ["QC9-01", "QC9-02"]


def test_recorded_stages_start_the_new_parcels_history(store):
    parcels = store.read_layer("parcels")
    events = store.read_events()
    new = parcels.iloc[:3].copy()
    new["id"] = ["QC9-01", "QC9-02", parcels["id"].iloc[5]]  # the last one has a history
    new["stage"] = "status_survey"
    new["stage_date"] = [dt.date(2022, 1, 4), dt.date(2022, 2, 8), dt.date(2022, 3, 1)]
    new["geometry"] = new.geometry.translate(0.05, 0.0)
    outcome = store.import_features("parcels", new.iloc[:2], mode="append",
                                    provenance=provenance(), record_stages=True)
    assert outcome.stage_events == 2
    after = store.read_events()
    pd.testing.assert_frame_equal(after.iloc[:len(events)], events)
    opened = after.iloc[len(events):]
    assert list(opened["parcel_id"]) == ["QC9-01", "QC9-02"]
    assert opened["from_stage"].isna().all() and set(opened["to_stage"]) == {"status_survey"}
    assert [str(d)[:10] for d in opened["effective_date"]] == ["2022-01-04", "2022-02-08"]
    assert set(opened["officer"]) == {"王建国"} and set(opened["evidence"]) == {"红线图.shp"}
    # the next stage follows on from it
    current = store.current_stages().set_index("parcel_id")
    assert current.loc["QC9-01", "stage"] == "status_survey"
    assert current.loc["QC9-01", "version"] == 1
    # a parcel the ledger knows keeps its history (replace brings it back with another stage)
    known = parcels["id"].iloc[5]
    before_known = store.read_events(known)
    everything = pd.concat([parcels[parcels["id"] != known], new.iloc[[2]]])
    store.import_features("parcels", everything, mode="replace", provenance=provenance(),
                          record_stages=True)
    pd.testing.assert_frame_equal(store.read_events(known), before_known)
    back = store.read_layer("parcels").set_index("id")
    assert back.loc[known, "stage"] == current.loc[known, "stage"]


def test_append_refuses_ids_already_in_the_layer_and_writes_nothing(store):
    store.import_features("survey", survey_rectangles(3), mode=ImportMode.APPEND,
                          provenance=provenance())
    before = _state(store)
    clash = pd.concat([survey_rectangles(2, first=10), survey_rectangles(2, first=1)],
                      ignore_index=True)
    with pytest.raises(InputError) as err:
        store.import_features("survey", clash, mode=ImportMode.APPEND,
                              provenance=provenance())
    assert str(err.value) == (
        "2 feature id(s) are already in layer 'survey': S00001, S00002. Change those ids, or "
        "import with mode 'replace' to replace the whole layer. Nothing was written.")
    parcels = store.read_layer("parcels")
    with pytest.raises(InputError, match="3 feature id.* 'parcels': QC1-01, QC1-02, QC1-03"):
        store.import_features("parcels", parcels.iloc[:3], mode=ImportMode.APPEND,
                              provenance=provenance())
    _assert_unchanged(store, before)


def test_invalid_features_are_refused_before_anything_is_written(store):
    before = _state(store)
    parcels = store.read_layer("parcels").iloc[:2].copy()
    parcels["id"] = ["QC9-01", "QC9-02"]
    parcels.loc[1, "stage"] = "finished"
    with pytest.raises(SchemaError, match="stage"):
        store.import_features("parcels", parcels, mode=ImportMode.APPEND,
                              provenance=provenance())
    with pytest.raises(InputError, match="append-only"):
        store.import_features("provenance_events", survey_rectangles(1), mode=ImportMode.APPEND,
                              provenance=provenance())
    with pytest.raises(InputError, match="Unknown import mode 'merge'"):
        store.import_features("survey", survey_rectangles(1), mode="merge", provenance=provenance())
    _assert_unchanged(store, before)


def test_replace_deletes_the_old_features_then_writes_the_new(store):
    parks = store.read_layer("parks")
    subset = parks.iloc[:3].copy()
    subset["name"] = subset["name"] + "（新）"
    outcome = store.import_features("parks", subset, mode=ImportMode.REPLACE,
                                    provenance=provenance(details={"mode": "replace"}))
    assert (outcome.written, outcome.replaced, outcome.provenance_events) == (3, 7, 3)
    back = store.read_layer("parks")
    assert_geodataframe_equal(back, subset.reset_index(drop=True))
    assert {i.name: i.feature_count for i in store.list_layers()}["parks"] == 3
    ledger = store.read_provenance("parks")
    assert list(ledger["feature_id"]) == list(subset["id"])
    assert {json.loads(d)["mode"] for d in ledger["details"]} == {"replace"}


def test_replacing_parcels_keeps_their_stage_from_the_log(store):
    parcels = store.read_layer("parcels")
    stale = parcels.copy()
    stale["stage"] = "pre_notice"  # an old survey file
    store.import_features("parcels", stale, mode=ImportMode.REPLACE, provenance=provenance())
    back = store.read_layer("parcels")
    assert list(back["stage"]) == list(parcels["stage"])
    assert list(back["stage_date"]) == list(parcels["stage_date"])


def _raw(case, sql: str) -> None:
    if case.backend == "gpkg":
        conn = sqlite3.connect(case.location)
        try:
            conn.execute(sql)
            conn.commit()
        finally:
            conn.close()
        return
    import psycopg2

    conn = psycopg2.connect(case.location)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
        conn.commit()
    finally:
        conn.close()


def test_the_provenance_ledger_is_append_only(store_case):
    store = store_case.store
    store.import_features("survey", survey_rectangles(3), mode=ImportMode.APPEND,
                          provenance=provenance())
    before = store.read_provenance()
    statements = ["UPDATE provenance_events SET officer = 'x'", "DELETE FROM provenance_events"]
    if store_case.backend == "postgis":
        statements.append("TRUNCATE provenance_events")
    for sql in statements:
        with pytest.raises(Exception, match="provenance_events is append-only"):
            _raw(store_case, sql)
    pd.testing.assert_frame_equal(store.read_provenance(), before)
    # a later import appends to the ledger, numbering on
    store.import_features("survey", survey_rectangles(2, first=3), mode=ImportMode.APPEND,
                          provenance=provenance())
    ledger = store.read_provenance()
    assert len(ledger) == 5 and ledger["event_id"].is_monotonic_increasing
    pd.testing.assert_frame_equal(ledger.iloc[:3], before)


def test_ten_thousand_features_import_in_one_transaction(store_case):
    store = store_case.store
    n = 10_000
    survey = survey_rectangles(n)
    t0 = time.perf_counter()
    outcome = store.import_features("survey", survey, mode=ImportMode.APPEND,
                                    provenance=provenance())
    elapsed = time.perf_counter() - t0
    assert outcome.written == n and outcome.provenance_events == n
    back = store.read_layer("survey")
    assert len(back) == n and back["id"].is_unique
    expected = np.array([(40 + i) * 25.0 for i in range(n)])
    assert np.allclose(back.area.to_numpy(), expected, rtol=0, atol=1e-6)
    assert len(store.read_provenance("survey")) == n
    print(f"\n{store_case.backend}: imported {n} features + {n} provenance events in "
          f"{elapsed:.2f} s")


def test_features_without_ids_still_get_one_provenance_event_each(store):
    survey = survey_rectangles(4).drop(columns=["id"])
    outcome = store.import_features("unnamed", survey, mode=ImportMode.APPEND,
                                    provenance=provenance())
    assert outcome.provenance_events == 4
    ledger = store.read_provenance(layer="unnamed")
    assert len(ledger) == 4 and ledger["feature_id"].isna().all()
    assert set(ledger["officer"]) == {"王建国"} and set(ledger["source_file"]) == {"红线图.shp"}
    assert ledger["event_id"].is_monotonic_increasing and ledger["event_id"].is_unique

"""A process killed (SIGKILL) in the middle of a write leaves the store as before it, on both
backends: a batch of stage changes, a layer write, and an import with its provenance."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import pyogrio
import pytest
from _import_data import survey_rectangles
from _storage_procs import kill_at_marker, start
from geopandas.testing import assert_geodataframe_equal

from geo_app.domain.stages import ParcelStage
from geo_app.storage.events import record_stage_change

BATCH = """
import datetime as dt, sys
from geo_app.domain.stages import STAGE_ORDER, ParcelStage
from geo_app.domain.workflow import StageChange
from geo_app.storage import open_store
store = open_store(sys.argv[1])
changes = []
for parcel, start, steps in (("QC2-20", ParcelStage.PRE_NOTICE, 6),
                             ("QC2-19", ParcelStage.STATUS_SURVEY, 3)):
    for i in range(steps):
        a, b = STAGE_ORDER[start.order + i], STAGE_ORDER[start.order + i + 1]
        changes.append(StageChange(parcel, a, b, dt.date(2021, 12, 10), "陈涛", note=str(i)))
store.record_events(changes, expected_versions={"QC2-20": 1, "QC2-19": 2})
print("committed")
"""

IMPORT = """
import sys
from geo_app.storage import open_store
store = open_store(sys.argv[1])
parks = store.read_layer("parks")
parks["name"] = parks["name"] + " (imported)"
store.write_layer("parks", parks)
print("committed")
"""


IMPORT_FEATURES = """
import sys, pyogrio
from geo_app.storage import ImportMode, Provenance, open_store
store = open_store(sys.argv[1])
gdf = pyogrio.read_dataframe(sys.argv[2])
outcome = store.import_features(sys.argv[3], gdf, mode=ImportMode(sys.argv[4]),
                                provenance=Provenance(sys.argv[2], "陈涛"))
print("committed", outcome.written, outcome.provenance_events)
"""


def _snapshot(store) -> tuple[pd.DataFrame, pd.DataFrame]:
    parcels = store.read_layer("parcels")[["id", "stage", "stage_date"]]
    return store.read_events(), parcels.sort_values("id").reset_index(drop=True)


def _assert_consistent(case) -> None:
    """Events and the parcels' stage attribute agree; a GeoPackage opens and checks clean."""
    store = case.store
    current = store.current_stages().set_index("parcel_id")
    parcels = store.read_layer("parcels").set_index("id")
    assert (parcels["stage"].sort_index() == current["stage"].sort_index()).all()
    if case.backend == "gpkg":
        for name in ("parcels", "parks", "stage_events"):
            assert len(pyogrio.read_dataframe(case.location, layer=name)) > 0
        conn = sqlite3.connect(case.location)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()


def test_a_batch_killed_mid_transaction_records_nothing_then_runs_whole(store_case):
    store = store_case.store
    committed = record_stage_change(store, "QC2-05", ParcelStage.COMPENSATION_PAID,
                                    officer="刘芳", effective_date=dt.date(2021, 12, 9))
    before = _snapshot(store)
    hooks = kill_at_marker(BATCH, [store_case.location], "recorded event 5 of 9")
    assert len(hooks) == 5  # five events were written inside the transaction, then kill
    after = _snapshot(store)
    assert committed["event_id"].iloc[0] in set(after[0]["event_id"])  # nothing committed lost
    pd.testing.assert_frame_equal(after[0], before[0])
    pd.testing.assert_frame_equal(after[1], before[1])
    _assert_consistent(store_case)
    # the store is not left locked: the same batch now commits, all of it
    proc = start(BATCH, [store_case.location])
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out.strip() == "committed"
    events = store.read_events()
    assert len(events) == len(before[0]) + 9
    current = store.current_stages().set_index("parcel_id")["stage"]
    assert (current["QC2-20"], current["QC2-19"]) == ("acquisition_notice", "agreements_signed")
    _assert_consistent(store_case)


def test_an_import_killed_mid_transaction_keeps_the_old_layer(store_case):
    store = store_case.store
    parks = store.read_layer("parks")
    kill_at_marker(IMPORT, [store_case.location], "wrote")
    assert_geodataframe_equal(store.read_layer("parks"), parks)
    _assert_consistent(store_case)
    proc = start(IMPORT, [store_case.location])
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    imported = store.read_layer("parks")
    assert list(imported["name"]) == [f"{n} (imported)" for n in parks["name"]]
    assert imported.geom_equals_exact(parks.geometry, tolerance=1e-9).all()


def _tables(case) -> list[str]:
    if case.backend == "gpkg":
        conn = sqlite3.connect(case.location)
        try:
            return [r[0] for r in conn.execute(
                "SELECT type || ' ' || name FROM sqlite_master ORDER BY 1")]
        finally:
            conn.close()
    import psycopg2

    conn = psycopg2.connect(case.location)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                        "ORDER BY 1")
            return [r[0] for r in cur.fetchall()]
    finally:
        conn.close()


@pytest.mark.parametrize(("layer", "mode", "marker"), [
    ("survey", "append", "created layer survey"),
    ("survey", "append", "recorded 300 provenance events"),
    ("parks", "replace", "wrote 300 of 300 features to parks"),
])
def test_an_import_killed_mid_transaction_leaves_the_store_as_before(store_case, tmp_path,
                                                                       layer, mode, marker):
    store = store_case.store
    source = tmp_path / "测绘成果.gpkg"
    features = survey_rectangles(300)
    if layer == "parks":
        features["name_en"], features["kind"], features["parent"] = "Survey", "park", None
    pyogrio.write_dataframe(features, source, driver="GPKG")
    tables, layers = _tables(store_case), store.list_layers()
    before = {i.name: store.read_layer(i.name) for i in layers}
    ledger = store.read_provenance()
    args = [store_case.location, str(source), layer, mode]
    kill_at_marker(IMPORT_FEATURES, args, marker)
    assert _tables(store_case) == tables  # no half-created layer, index or ledger
    assert store.list_layers() == layers
    for name, frame in before.items():
        assert_geodataframe_equal(store.read_layer(name), frame)
    pd.testing.assert_frame_equal(store.read_provenance(), ledger)
    _assert_consistent(store_case)
    # not left locked: the same import now commits, all of it
    proc = start(IMPORT_FEATURES, args)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out.split() == ["committed", "300", "300"]
    assert len(store.read_layer(layer)) == 300
    assert list(store.read_provenance(layer)["source_file"]) == ["测绘成果.gpkg"] * 300
    _assert_consistent(store_case)

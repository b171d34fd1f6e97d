"""A GeoPackage's provenance ledger: one row per import, a narrow row per feature, a view.

And a file written before that layout (one wide ``provenance_events`` table): read as it
is, never changed by reading; its first import keeps every old row under a new name and
numbers on.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from _import_data import provenance, survey_rectangles

from geo_app.errors import InputError, StoreError
from geo_app.storage import GeoPackageStore, ImportMode, Provenance
from geo_app.storage.base import PROVENANCE_COLUMNS, RESERVED_TABLES

# the ledger as geo_app wrote it before (copied from that version: these files exist)
_OLD_DDL = (
    """CREATE TABLE provenance_events (
    event_id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, layer TEXT NOT NULL,
    feature_id TEXT, kind TEXT NOT NULL, source_file TEXT NOT NULL, officer TEXT NOT NULL,
    effective_date TEXT NOT NULL, recorded_at TEXT NOT NULL, details TEXT)""",
    "CREATE INDEX provenance_events_feature_idx ON provenance_events "
    "(layer, feature_id, event_id)",
    *(f"CREATE TRIGGER provenance_events_append_only_{op.lower()} BEFORE {op} ON "
      "provenance_events BEGIN SELECT RAISE(ABORT, 'provenance_events is append-only: the "
      "import record cannot be changed'); END" for op in ("UPDATE", "DELETE")),
)
_OLD_ROWS = [
    (1, "parcels", "P-1", "imported", "旧红线.shp", "张三", "2021-05-01", "2021-05-02T09:00:00",
     '{"format": "shapefile"}'),
    (2, "parcels", "P-2", "imported", "旧红线.shp", "张三", "2021-05-01", "2021-05-02T09:00:00",
     '{"format": "shapefile"}'),
    (3, "survey", "S00001", "imported", "old.txt", "李四", "2021-06-01", "2021-06-02T10:00:00",
     None),
]


def _old_file(path: Path, rows: list[tuple]) -> None:
    with sqlite3.connect(path) as conn:
        for ddl in _OLD_DDL:
            conn.execute(ddl)
        conn.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES "
                     "('provenance_events', 'attributes', 'provenance_events')")
        conn.executemany("INSERT INTO provenance_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         rows)
    conn.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _content(path: Path) -> str:
    """Every schema object and row, as SQL (the file's bytes also hold its journal mode)."""
    with sqlite3.connect(path) as conn:
        dump = "\n".join(conn.iterdump())
    conn.close()
    return dump


def _objects(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as conn:
        found = dict(conn.execute("SELECT name, type FROM sqlite_master WHERE name LIKE "
                                  "'provenance%'").fetchall())
    conn.close()
    return found


def test_an_import_writes_one_import_row_and_a_narrow_row_per_feature(gpkg_case):
    store = gpkg_case.store
    store.import_features("survey", survey_rectangles(4), mode=ImportMode.APPEND,
                          provenance=provenance())
    store.import_features("survey", survey_rectangles(2, first=4), mode=ImportMode.APPEND,
                          provenance=Provenance("第二批.txt", "李敏"))
    with sqlite3.connect(Path(gpkg_case.location)) as conn:
        imports = conn.execute("SELECT import_id, layer, source_file, officer, first_event_id, "
                               "features FROM provenance_imports ORDER BY import_id").fetchall()
        features = conn.execute("SELECT * FROM provenance_features ORDER BY event_id"
                                ).fetchall()
        columns = [r[1] for r in conn.execute("PRAGMA table_info(provenance_features)")]
    conn.close()
    assert imports == [(1, "survey", "红线图.shp", "王建国", 1, 4),
                       (2, "survey", "第二批.txt", "李敏", 5, 2)]
    assert columns == ["event_id", "import_id", "feature_id"]
    assert features == [(1, 1, "S00000"), (2, 1, "S00001"), (3, 1, "S00002"),
                        (4, 1, "S00003"), (5, 2, "S00004"), (6, 2, "S00005")]
    ledger = store.read_provenance()
    assert list(ledger.columns) == list(PROVENANCE_COLUMNS)
    assert list(ledger["event_id"]) == [1, 2, 3, 4, 5, 6]
    assert list(ledger["officer"]) == ["王建国"] * 4 + ["李敏"] * 2
    one = store.read_provenance(layer="survey", feature_id="S00004")
    assert (len(one), one["source_file"].iloc[0], one["event_id"].iloc[0]) == (
        1, "第二批.txt", 5)
    assert store.read_provenance(layer="parcels", feature_id="S00004").empty
    # other tools see the ledger as before: one attributes layer with its rows
    assert ("provenance_events", None) in [tuple(r) for r in
                                           pyogrio.list_layers(Path(gpkg_case.location))]
    assert pyogrio.read_info(Path(gpkg_case.location), layer="provenance_events")["features"] == 6


@pytest.mark.parametrize("sql", [
    "UPDATE provenance_imports SET officer = 'x'", "DELETE FROM provenance_imports",
    "UPDATE provenance_features SET feature_id = 'x'", "DELETE FROM provenance_features",
    "UPDATE provenance_events SET officer = 'x'", "DELETE FROM provenance_events",
])
def test_every_part_of_the_ledger_refuses_changes(gpkg_case, sql):
    store = gpkg_case.store
    store.import_features("survey", survey_rectangles(3), mode=ImportMode.APPEND,
                          provenance=provenance())
    before = store.read_provenance()
    with sqlite3.connect(Path(gpkg_case.location)) as conn, pytest.raises(
            sqlite3.IntegrityError, match="provenance_events is append-only"):
        conn.execute(sql)
    conn.close()
    pd.testing.assert_frame_equal(store.read_provenance(), before)


def test_rows_cannot_be_slipped_into_the_view(gpkg_case):
    gpkg_case.store.import_features("survey", survey_rectangles(1), mode=ImportMode.APPEND,
                                    provenance=provenance())
    with sqlite3.connect(Path(gpkg_case.location)) as conn, pytest.raises(
            sqlite3.IntegrityError, match="written by imports only"):
        conn.execute("INSERT INTO provenance_events (layer, kind, source_file, officer, "
                     "effective_date, recorded_at) VALUES ('survey', 'imported', 'x', 'y', "
                     "'2020-01-01', '2020-01-01T00:00:00')")
    conn.close()


@pytest.mark.parametrize("name", sorted(set(RESERVED_TABLES)))
def test_the_ledger_names_cannot_be_layers(gpkg_case, name):
    before = _digest(Path(gpkg_case.location))
    with pytest.raises(InputError):
        gpkg_case.store.import_features(name, survey_rectangles(1), mode=ImportMode.APPEND,
                                        provenance=provenance())
    assert _digest(Path(gpkg_case.location)) == before


def test_an_older_file_is_read_as_it_is_and_never_changed_by_reading(gpkg_case):
    path = Path(gpkg_case.location)
    _old_file(path, _OLD_ROWS)
    before = _digest(path)
    store = GeoPackageStore(path)
    ledger = store.read_provenance()
    assert list(ledger["event_id"]) == [1, 2, 3]
    assert list(ledger["source_file"]) == ["旧红线.shp", "旧红线.shp", "old.txt"]
    assert list(store.read_provenance(layer="survey")["feature_id"]) == ["S00001"]
    store.list_layers()
    assert _digest(path) == before
    assert _objects(path)["provenance_events"] == "table"


def test_the_first_import_into_an_older_file_keeps_its_rows_and_numbers_on(gpkg_case):
    path = Path(gpkg_case.location)
    _old_file(path, _OLD_ROWS)
    store = GeoPackageStore(path)
    old = store.read_provenance()
    store.import_features("survey", survey_rectangles(2, first=10), mode=ImportMode.APPEND,
                          provenance=provenance())
    objects = _objects(path)
    assert objects["provenance_events"] == "view"
    assert objects["provenance_events_v1"] == "table"
    ledger = store.read_provenance()
    assert list(ledger["event_id"]) == [1, 2, 3, 4, 5]
    pd.testing.assert_frame_equal(ledger.iloc[:3], old)
    assert list(ledger["feature_id"].iloc[3:]) == ["S00010", "S00011"]
    assert list(store.read_provenance(layer="survey")["event_id"]) == [3, 4, 5]
    assert list(store.read_provenance(layer="parcels", feature_id="P-2")["event_id"]) == [2]
    # the old rows are still append-only under their new name
    with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError,
                                                      match="append-only"):
        conn.execute("DELETE FROM provenance_events_v1")
    conn.close()
    # a second import goes on from there; GDAL lists one ledger, the view, with all rows
    store.import_features("survey", survey_rectangles(1, first=20), mode=ImportMode.APPEND,
                          provenance=provenance())
    assert list(store.read_provenance()["event_id"]) == [1, 2, 3, 4, 5, 6]
    names = [r[0] for r in pyogrio.list_layers(path)]
    assert "provenance_events" in names and "provenance_events_v1" not in names
    assert pyogrio.read_info(path, layer="provenance_events")["features"] == 6


def test_an_older_file_with_an_empty_ledger_gets_the_new_layout_only(gpkg_case):
    path = Path(gpkg_case.location)
    _old_file(path, [])
    store = GeoPackageStore(path)
    store.import_features("survey", survey_rectangles(3), mode=ImportMode.APPEND,
                          provenance=provenance())
    objects = _objects(path)
    assert objects["provenance_events"] == "view"
    assert "provenance_events_v1" not in objects
    assert list(store.read_provenance()["event_id"]) == [1, 2, 3]


@pytest.mark.parametrize("name", ["Provenance_Events_V1", "PROVENANCE_FEATURES",
                                  "Provenance_Imports", "Stage_Events"])
def test_the_ledger_names_are_reserved_in_any_case(gpkg_case, name):
    with pytest.raises(InputError, match="append-only"):
        gpkg_case.store.write_layer(name, survey_rectangles(1))


def _sql(path: Path, *statements: str) -> None:
    with sqlite3.connect(path) as conn:
        for sql in statements:
            conn.execute(sql)
    conn.close()


@pytest.mark.parametrize("taken", ["provenance_imports", "provenance_features",
                                   "Provenance_Events_V1"])
def test_an_older_file_with_a_table_under_a_ledger_name_is_refused_clearly(gpkg_case, taken):
    """Such a name was a legal layer name before: the import says what to rename and
    writes nothing (the file's bytes unchanged)."""
    path = Path(gpkg_case.location)
    _old_file(path, _OLD_ROWS)
    _sql(path, f'CREATE TABLE "{taken}" (fid INTEGER PRIMARY KEY, note TEXT)')
    before = _content(path)
    with pytest.raises(StoreError, match=f"'{taken}' that is not geo_app's import ledger.*"
                                         "Rename that table"):
        GeoPackageStore(path).import_features("survey", survey_rectangles(2),
                                              mode=ImportMode.APPEND,
                                              provenance=provenance())
    assert _content(path) == before


def test_a_broken_view_elsewhere_in_the_file_does_not_stop_the_first_import(gpkg_case):
    path = Path(gpkg_case.location)
    _old_file(path, _OLD_ROWS)
    # a user's views: one over the ledger, one left broken by a table dropped later
    _sql(path, "CREATE TABLE scratch (a INTEGER)",
         "CREATE VIEW broken AS SELECT a FROM scratch",
         "CREATE VIEW my_imports AS SELECT event_id, feature_id FROM provenance_events",
         "DROP TABLE scratch")
    store = GeoPackageStore(path)
    store.import_features("survey", survey_rectangles(2, first=30), mode=ImportMode.APPEND,
                          provenance=provenance())
    assert list(store.read_provenance()["event_id"]) == [1, 2, 3, 4, 5]
    with sqlite3.connect(path) as conn:  # the user's view now reads the whole ledger
        mine = conn.execute("SELECT feature_id FROM my_imports ORDER BY event_id").fetchall()
    conn.close()
    assert [m[0] for m in mine] == ["P-1", "P-2", "S00001", "S00030", "S00031"]


def test_the_old_rows_guards_come_back_if_someone_dropped_them(gpkg_case):
    path = Path(gpkg_case.location)
    _old_file(path, _OLD_ROWS)
    store = GeoPackageStore(path)
    store.import_features("survey", survey_rectangles(1, first=40), mode=ImportMode.APPEND,
                          provenance=provenance())
    _sql(path, "DROP TRIGGER provenance_events_append_only_delete")
    store.import_features("survey", survey_rectangles(1, first=41), mode=ImportMode.APPEND,
                          provenance=provenance())
    with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError,
                                                      match="append-only"):
        conn.execute("DELETE FROM provenance_events_v1")
    conn.close()
    assert len(store.read_provenance()) == 5

"""The bulk ledger insert writes exactly what one INSERT per row would."""

from __future__ import annotations

import sqlite3

from geo_app.storage._gpkg_write import insert_ledger_rows

DDL = ("CREATE TABLE ledger (event_id INTEGER PRIMARY KEY, layer TEXT NOT NULL, "
       "feature_id TEXT, officer TEXT, details TEXT)")


def test_rows_equal_one_insert_per_row():
    keys = ["P1", None, "地块 2", 'quote " and \\\\ backslash', "P1"]
    constants = {"layer": "parcels", "officer": "王工", "details": '{"mode": "append"}'}
    bulk, rows = sqlite3.connect(":memory:"), sqlite3.connect(":memory:")
    for conn in (bulk, rows):
        conn.execute(DDL)
    insert_ledger_rows(bulk, "ledger", 7, "event_id", "feature_id", keys, constants)
    for i, key in enumerate(keys):
        rows.execute("INSERT INTO ledger (event_id, feature_id, layer, officer, details) "
                     "VALUES (?, ?, ?, ?, ?)", (7 + i, key, *constants.values()))
    query = "SELECT * FROM ledger ORDER BY event_id"
    got = bulk.execute(query).fetchall()
    assert got == rows.execute(query).fetchall()
    assert [r[0] for r in got] == [7, 8, 9, 10, 11] and got[1][2] is None

"""The bulk-loaded R-tree of an import passes SQLite's check and answers bbox queries."""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from geo_app.storage import ImportMode, Provenance, init_store


def _tiles(n: int, x0: float, first: int) -> gpd.GeoDataFrame:
    col, row = np.divmod(np.arange(n), 100)
    x, y = x0 + col * 0.001, 31.7 + row * 0.001
    return gpd.GeoDataFrame({"id": [f"T{first + i}" for i in range(n)]},
                            geometry=shapely.box(x, y, x + 0.001, y + 0.001), crs=4490)


def test_two_imports_leave_a_valid_tree_that_finds_every_feature(tmp_path):
    path = tmp_path / "store.gpkg"
    store = init_store(str(path))
    first, second = _tiles(6000, 113.4, 0), _tiles(5000, 113.5, 6000)
    for part in (first, second):
        store.import_features("survey", part, mode=ImportMode.APPEND,
                              provenance=Provenance("tiles.gpkg", "tester"))
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT rtreecheck('rtree_survey_geom')").fetchone() == ("ok",)
        rows = conn.execute("SELECT count(*), min(rowid), max(rowid) FROM "
                            "rtree_survey_geom_rowid").fetchone()
        fids = conn.execute('SELECT min("fid"), max("fid"), count(*) FROM survey').fetchone()
        events = conn.execute("SELECT feature_id FROM provenance_events ORDER BY event_id"
                              ).fetchall()
        index = conn.execute("SELECT sql FROM sqlite_master WHERE name = "
                             "'provenance_features_feature_idx'").fetchone()
    assert rows == (11_000, 1, 11_000)
    assert fids == (1, 11_000, 11_000)
    # one provenance event per feature, in file order; the ledger's index is there
    assert [e[0] for e in events] == [*first["id"], *second["id"]]
    assert index is not None and "(feature_id)" in index[0]
    # GDAL's bbox query goes through the R-tree: exactly the tiles the box meets
    bbox = (113.5004, 31.7004, 113.5026, 31.7016)
    found = pyogrio.read_dataframe(path, layer="survey", bbox=bbox)
    expected = set(second["id"][shapely.intersects(np.asarray(second.geometry.array),
                                                   shapely.box(*bbox))])
    assert len(expected) == 6
    assert set(found["id"]) == expected

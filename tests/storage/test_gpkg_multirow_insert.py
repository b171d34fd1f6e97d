"""Features go into a GeoPackage many rows per INSERT: every row, value and fid as given.

Read back with GDAL (pyogrio), an independent reader, for row counts around the rows per
statement and the chunk size, and for a table so wide that a statement holds few rows.
"""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from geo_app.storage import ImportMode, Provenance, init_store
from geo_app.storage._gpkg_write import CHUNK_ROWS, MAX_PARAMETERS, ROWS_PER_STATEMENT


def _features(n: int, extra_columns: int = 0) -> gpd.GeoDataFrame:
    i = np.arange(n)
    x, y = 452_000.0 + 30 * i, 3_505_000.0 + (i % 7)
    data = {"id": [f"F{k:06d}" for k in i],
            "name": [None if k % 5 == 0 else f"地块{k}" for k in i],
            "area_m2": [float("nan") if k % 4 == 0 else k * 1.5 for k in i],
            "phase": (i % 3 + 1).astype("int64")}
    for c in range(extra_columns):
        data[f"c{c:03d}"] = [f"{c}-{k}" for k in i]
    geoms = shapely.box(x, y, x + 20 + i % 11, y + 10)
    if n > 3:
        geoms[3] = None  # a feature without geometry keeps its row
    return gpd.GeoDataFrame(data, geometry=geoms, crs=4547)


def _text(values) -> list[str | None]:
    return [None if v is None or v != v else v for v in values]


def _check_back(path, layer: str, sent: gpd.GeoDataFrame) -> None:
    back = pyogrio.read_dataframe(path, layer=layer, fid_as_index=True)
    n = len(sent)
    assert list(back.index) == list(range(1, n + 1))
    assert list(back["id"]) == list(sent["id"])
    assert _text(back["name"]) == _text(sent["name"])
    np.testing.assert_array_equal(back["area_m2"].to_numpy(), sent["area_m2"].to_numpy())
    assert list(back["phase"]) == list(sent["phase"])
    for c in [c for c in sent.columns if c.startswith("c")]:
        assert list(back[c]) == list(sent[c])
    sent_geoms, back_geoms = np.asarray(sent.geometry.array), np.asarray(back.geometry.array)
    missing = shapely.is_missing(sent_geoms)
    assert (shapely.is_missing(back_geoms) == missing).all()
    assert shapely.equals_exact(back_geoms[~missing], sent_geoms[~missing], tolerance=0).all()


@pytest.mark.parametrize("n", [1, ROWS_PER_STATEMENT - 1, ROWS_PER_STATEMENT,
                               ROWS_PER_STATEMENT + 1, 3 * ROWS_PER_STATEMENT + 57,
                               CHUNK_ROWS + 1])
def test_every_row_goes_in_once_in_order(tmp_path, n):
    path = tmp_path / "s.gpkg"
    store = init_store(str(path))
    sent = _features(n)
    outcome = store.import_features("survey", sent, mode=ImportMode.APPEND,
                                    provenance=Provenance("s.gpkg", "测试员"))
    assert outcome.written == n
    _check_back(path, "survey", sent)
    ledger = store.read_provenance(layer="survey")
    assert list(ledger["feature_id"]) == list(sent["id"])


def test_a_wide_table_puts_fewer_rows_in_a_statement(tmp_path):
    columns = 120  # with the geometry and four others: 8 rows a statement within the limit
    sent = _features(37, extra_columns=columns)
    assert MAX_PARAMETERS // (len(sent.columns)) < ROWS_PER_STATEMENT
    path = tmp_path / "wide.gpkg"
    store = init_store(str(path))
    store.import_features("wide", sent, mode=ImportMode.APPEND,
                          provenance=Provenance("w.gpkg", "测试员"))
    _check_back(path, "wide", sent)


def test_an_append_numbers_on_after_the_existing_rows(tmp_path):
    path = tmp_path / "a.gpkg"
    store = init_store(str(path))
    first, second = _features(250), _features(130)
    second["id"] = [f"G{k:06d}" for k in range(130)]
    for part in (first, second):
        store.import_features("survey", part, mode=ImportMode.APPEND,
                              provenance=Provenance("a.gpkg", "测试员"))
    back = pyogrio.read_dataframe(path, layer="survey", fid_as_index=True)
    assert list(back.index) == list(range(1, 381))
    assert list(back["id"]) == [*first["id"], *second["id"]]
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'survey'"
                            ).fetchone() == (380,)
        assert conn.execute("SELECT rtreecheck('rtree_survey_geom')").fetchone() == ("ok",)
    conn.close()

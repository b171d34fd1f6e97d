"""A GeoPackage read of only the columns an analysis needs gives those columns exactly as
the full read gives them, and any odd case the full read's own message."""

from __future__ import annotations

import sqlite3

import pytest
from geopandas.testing import assert_geodataframe_equal

from geo_app.errors import GeoAppError
from geo_app.storage.gpkg_analysis import read_layer_columns


def test_the_columns_equal_the_full_read(gpkg_case):
    store = gpkg_case.store
    full = store.read_layer("parcels")
    part = read_layer_columns(store, "parcels", ("id", "phase", "stage"))
    assert list(part.columns) == ["id", "phase", "stage", "geometry"]
    expected = full[["id", "phase", "stage", "geometry"]]
    assert_geodataframe_equal(part, expected, check_like=False)


def test_a_layer_without_a_spec_or_a_column_goes_to_the_full_read(gpkg_case):
    store = gpkg_case.store
    with pytest.raises(GeoAppError) as full:
        store.read_layer("lakes")
    with pytest.raises(GeoAppError) as part:
        read_layer_columns(store, "lakes", ("id",))
    assert str(part.value) == str(full.value)
    roads = read_layer_columns(store, "roads", ("no_such_column",))
    assert_geodataframe_equal(roads, store.read_layer("roads"))


def test_a_missing_value_is_refused_as_the_full_read_refuses_it(gpkg_case):
    conn = sqlite3.connect(gpkg_case.location)
    conn.create_function("ST_IsEmpty", 1, lambda g: 0)  # the R-tree triggers' functions:
    for name in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):  # no SpatiaLite here
        conn.create_function(name, 1, lambda g: 0.0)
    conn.execute("UPDATE parcels SET phase = NULL WHERE id = 'QC1-02'")
    conn.commit()
    conn.close()
    with pytest.raises(GeoAppError) as full:
        gpkg_case.store.read_layer("parcels")
    with pytest.raises(GeoAppError) as part:
        read_layer_columns(gpkg_case.store, "parcels", ("id", "phase"))
    assert "'phase'" in str(full.value) and "empty" in str(full.value)
    assert type(part.value) is type(full.value) and "'phase'" in str(part.value)

"""Layers read and written the same way on both backends."""

from __future__ import annotations

import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from geo_app.errors import CRSError, InputError, SchemaError
from geo_app.settings import BUNDLED_LAYERS
from geo_app.storage import GeoPackageStore

BUNDLED = GeoPackageStore(BUNDLED_LAYERS)


def test_every_layer_reads_as_in_the_bundled_file(store):
    assert store.list_layers() == BUNDLED.list_layers()
    for info in BUNDLED.list_layers():
        assert_geodataframe_equal(store.read_layer(info.name), BUNDLED.read_layer(info.name))


def test_unknown_layer_lists_the_layers(store):
    with pytest.raises(InputError, match="No layer 'nope'.*parcels"):
        store.read_layer("nope")


def test_write_layer_replaces_features_in_the_layer_crs(store):
    parks = store.read_layer("parks")
    subset = parks.iloc[:3].to_crs(4547)  # written in another CRS: stored in the layer's own
    subset["name"] = subset["name"] + "-新"
    store.write_layer("parks", subset)
    back = store.read_layer("parks")
    assert len(back) == 3 and back.crs.to_epsg() == 4490
    assert list(back["name"]) == list(subset["name"])
    assert back.geom_equals_exact(parks.geometry.iloc[:3], tolerance=1e-7).all()
    info = {i.name: i for i in store.list_layers()}["parks"]
    assert info.feature_count == 3


def test_write_layer_creates_a_new_layer(store):
    roads = store.read_layer("roads")
    store.write_layer("roads_copy", roads)
    assert "roads_copy" in [i.name for i in store.list_layers()]
    back = store.read_layer("roads_copy")
    assert back.crs.to_epsg() == 4490
    assert shapely.equals_exact(back.geometry.iloc[0], roads.geometry.iloc[0], tolerance=1e-9)
    assert back["name"].iloc[0] == roads["name"].iloc[0]


def test_write_layer_refuses_bad_data_before_touching_the_store(store):
    parcels = store.read_layer("parcels")
    broken = parcels.copy()
    broken.loc[0, "stage"] = "finished"
    with pytest.raises(SchemaError, match="stage"):
        store.write_layer("parcels", broken)
    with pytest.raises(CRSError, match="no CRS"):
        store.write_layer("parcels", parcels.set_crs(None, allow_override=True))
    with pytest.raises(InputError, match="append-only"):
        store.write_layer("stage_events", parcels)
    with pytest.raises(InputError, match="cannot be a layer name"):
        store.write_layer("bad name;", parcels)
    assert_geodataframe_equal(store.read_layer("parcels"), parcels)


def test_writing_parcels_keeps_their_stage_derived_from_the_log(store):
    parcels = store.read_layer("parcels")
    stale = parcels.copy()
    stale["stage"] = "pre_notice"  # e.g. an import from an old survey file
    stale["name"] = stale["name"] + "（更新）"
    store.write_layer("parcels", stale)
    back = store.read_layer("parcels")
    assert list(back["name"]) == list(stale["name"])
    current = store.current_stages().set_index("parcel_id")
    assert list(back["stage"]) == [current.loc[i, "stage"] for i in back["id"]]
    assert list(back["stage"]) == list(parcels["stage"])
    assert list(back["stage_date"]) == list(parcels["stage_date"])

from __future__ import annotations

import hashlib

import pytest

from geo_app.errors import InputError, StoreError
from geo_app.settings import BUNDLED_LAYERS, get_settings
from geo_app.storage import GeoPackageStore, open_store


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_workspace_is_created_from_bundled_layers_on_first_use():
    before = _digest(BUNDLED_LAYERS)
    store = open_store()
    assert store.location == str(get_settings().workspace_path)
    assert store.list_layers() == GeoPackageStore(BUNDLED_LAYERS).list_layers()
    assert {"parks", "parcels", "projects", "villages", "facilities", "roads", "sites"} <= {
        i.name for i in store.list_layers()}
    assert _digest(BUNDLED_LAYERS) == before  # the bundled file is never modified


def test_store_from_environment(monkeypatch, sample_gpkg):
    monkeypatch.setenv("GEO_APP_STORE", str(sample_gpkg))
    assert open_store().location == str(sample_gpkg)


def test_missing_geopackage_says_what_to_do(tmp_path):
    with pytest.raises(StoreError, match="No GeoPackage at .*GEO_APP_STORE"):
        open_store(str(tmp_path / "nope.gpkg"))


def test_not_a_geopackage_is_refused(tmp_path):
    junk = tmp_path / "junk.gpkg"
    junk.write_text("not sqlite")
    with pytest.raises(StoreError, match="not a readable GeoPackage"):
        GeoPackageStore(junk).list_layers()


def test_unknown_layer_lists_what_is_there(bundled_store):
    with pytest.raises(InputError, match="No layer 'lakes'.*parcels"):
        bundled_store.read_layer("lakes")


def test_list_layers_has_counts_and_crs(bundled_store):
    info = {i.name: i for i in bundled_store.list_layers()}
    assert info["villages"].feature_count == 44
    assert info["parcels"].crs == "EPSG:4490"

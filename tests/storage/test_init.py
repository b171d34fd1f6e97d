"""Creating a store on purpose (`geo-app init`): GeoPackage files here, PostGIS in
test_postgis_store.py. Reading never creates one."""

from __future__ import annotations

import hashlib
import sqlite3

import pyogrio
import pytest
from _import_data import provenance, survey_rectangles
from geopandas.testing import assert_geodataframe_equal

from geo_app.errors import StoreError
from geo_app.settings import BUNDLED_LAYERS
from geo_app.storage import GeoPackageStore, ImportMode, init_store, open_store

BUNDLED = GeoPackageStore(BUNDLED_LAYERS)


def _sql(path, query: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def test_init_creates_an_empty_geopackage_gdal_opens(tmp_path):
    path = tmp_path / "office.gpkg"
    store = init_store(str(path))
    assert store.location == str(path) and path.is_file()
    assert store.list_layers() == []
    assert len(store.read_events()) == 0 and len(store.read_provenance()) == 0
    assert _sql(path, "PRAGMA application_id") == [(0x47504B47,)]
    assert _sql(path, "PRAGMA integrity_check") == [("ok",)]
    assert sorted(tuple(r) for r in pyogrio.list_layers(path)) == [
        ("provenance_events", None), ("stage_events", None)]
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_an_empty_geopackage_takes_an_import_gdal_reads_in_its_crs(tmp_path):
    path = tmp_path / "office.gpkg"
    store = init_store(str(path))
    survey = survey_rectangles(4)
    store.import_features("survey", survey, mode=ImportMode.APPEND, provenance=provenance())
    gdf = pyogrio.read_dataframe(path, layer="survey")
    assert gdf.crs.to_epsg() == 4547 and list(gdf["id"]) == list(survey["id"])
    definition = _sql(path, "SELECT definition FROM gpkg_spatial_ref_sys WHERE srs_id = 4547")
    assert definition[0][0].startswith('PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 114E"')
    conn = sqlite3.connect(path)
    try:  # the new file's stage log is append-only like the bundled one's
        conn.execute("INSERT INTO stage_events (event_id, parcel_id) VALUES (1, 'QC9-01')")
        with pytest.raises(sqlite3.IntegrityError, match="stage_events is append-only"):
            conn.execute("DELETE FROM stage_events")
    finally:
        conn.close()


def test_init_with_the_sample_copies_the_bundled_layers(tmp_path):
    store = init_store(str(tmp_path / "sample.gpkg"), sample=True)
    assert store.list_layers() == BUNDLED.list_layers()
    assert_geodataframe_equal(store.read_layer("parcels"), BUNDLED.read_layer("parcels"))
    assert len(store.read_events()) == 207


def test_init_never_overwrites_a_file(tmp_path):
    path = tmp_path / "office.gpkg"
    init_store(str(path), sample=True)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    for sample in (False, True):
        with pytest.raises(StoreError, match=r"office.gpkg exists already; geo_app never "
                                             "overwrites a file"):
            init_store(str(path), sample=sample)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_init_refuses_a_path_it_cannot_use(tmp_path):
    with pytest.raises(StoreError, match="must end in .gpkg"):
        init_store(str(tmp_path / "office.sqlite"))
    with pytest.raises(StoreError, match="folder .*missing.* does not exist"):
        init_store(str(tmp_path / "missing" / "office.gpkg"))
    with pytest.raises(StoreError, match="Say where to create the store"):
        init_store("  ")
    assert list(tmp_path.iterdir()) == []


def test_opening_a_missing_geopackage_creates_nothing(tmp_path):
    with pytest.raises(StoreError, match="No GeoPackage at"):
        open_store(str(tmp_path / "office.gpkg"))
    assert list(tmp_path.iterdir()) == []

"""The raster registry on both stores: a GeoPackage keeps a copy, PostGIS a path; bad input
is refused with a sentence and nothing is written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
import rasterio
from terrain_grids import gk_transform

from geo_app.errors import InputError
from geo_app.raster.service import register_raster, resolve_raster
from geo_app.storage.rasters import TABLE, list_rasters
from geo_app.storage.testing import StoreCase, temporary_store


def _dem(path: Path) -> Path:
    with rasterio.open(path, "w", driver="GTiff", width=8, height=8, count=1, dtype="float32",
                       crs="EPSG:4547", transform=gk_transform()) as dst:
        dst.write(np.arange(64, dtype="float32").reshape(8, 8), 1)
    return path


def _registered(case: StoreCase) -> list[str]:
    return [e.name for e in list_rasters(case.store) if not e.bundled]


def test_add_dem_and_landcover_with_classes(case: StoreCase, tmp_path: Path):
    dem = _dem(tmp_path / "my dem.tif")
    entry = register_raster(case.store, dem, kind="dem")
    assert entry.name == "my_dem"
    assert entry.crs == "EPSG:4547"
    lc = tmp_path / "lc.tif"
    with rasterio.open(lc, "w", driver="GTiff", width=8, height=8, count=1, dtype="uint8",
                       crs="EPSG:4547", transform=gk_transform(), nodata=0) as dst:
        dst.write(np.full((8, 8), 7, dtype="uint8"), 1)
    classes = tmp_path / "classes.csv"
    classes.write_text("value,code,name_zh,name_en\n7,paddy,水田,Paddy\n", encoding="utf-8")
    register_raster(case.store, lc, kind="landcover", name="lc2021", classes_file=classes)
    entries = {e.name: e for e in list_rasters(case.store)}
    assert {"my_dem", "lc2021", "sample_dem", "sample_landcover"} <= set(entries)
    assert entries["sample_dem"].bundled and not entries["my_dem"].bundled
    resolved = resolve_raster(case.store, "lc2021")
    assert [c.code for c in resolved.classes] == ["paddy"]
    if case.store.location.endswith(".gpkg"):
        # a copy beside the GeoPackage, found again after the original is gone
        dem.unlink()
        assert entries["my_dem"].path.parent.name.endswith(".rasters")
        assert entries["my_dem"].path.is_file()
    else:
        assert entries["my_dem"].path == dem.resolve()


@pytest.mark.parametrize(("content", "kind", "message"), [
    (b"not a raster at all", "dem", "is not a raster"),
    (None, "landcover", "holds float32 values"),
    (None, "slope", "--kind must be dem or landcover"),
])
def test_bad_raster_is_refused_and_nothing_written(case: StoreCase, tmp_path: Path, content,
                                                   kind, message):
    path = tmp_path / "bad.tif"
    if content is None:
        _dem(path)
    else:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        register_raster(case.store, path, kind=kind)
    assert _registered(case) == []
    if case.store.location.endswith(".gpkg"):
        folder = Path(case.store.location).with_suffix(".rasters")
        assert not folder.exists() or not any(folder.iterdir())


def test_raster_without_crs_is_refused(case: StoreCase, tmp_path: Path):
    path = tmp_path / "nocrs.tif"
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1,
                       dtype="float32", transform=gk_transform()) as dst:
        dst.write(np.zeros((4, 4), dtype="float32"), 1)
    with pytest.raises(InputError, match="no coordinate system"):
        register_raster(case.store, path, kind="dem")
    assert _registered(case) == []


@pytest.mark.parametrize(("text", "message"), [
    ("value,name_zh,name_en\n1,耕地,Cropland\n", "lacks the column"),
    ("value,code,name_zh,name_en\nx,cropland,耕地,Cropland\n", "not a whole number"),
    ("value,code,name_zh,name_en\n1,Crop Land,耕地,Cropland\n", "lower-case"),
    ("value,code,name_zh,name_en\n1,a,耕地,A\n1,b,林地,B\n", "appears more than once"),
    ("value,code,name_zh,name_en,colour\n1,a,耕地,A,red\n", "#RRGGBB"),
    ("", "lists no class"),
])
def test_bad_classes_file_is_refused_and_nothing_written(case: StoreCase, tmp_path: Path, text,
                                                         message):
    lc = tmp_path / "lc.tif"
    with rasterio.open(lc, "w", driver="GTiff", width=4, height=4, count=1, dtype="uint8",
                       crs="EPSG:4547", transform=gk_transform()) as dst:
        dst.write(np.ones((4, 4), dtype="uint8"), 1)
    classes = tmp_path / "classes.csv"
    classes.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        register_raster(case.store, lc, kind="landcover", classes_file=classes)
    assert _registered(case) == []


def test_duplicate_name_is_refused(case: StoreCase, tmp_path: Path):
    dem = _dem(tmp_path / "dem.tif")
    register_raster(case.store, dem, kind="dem", name="d1")
    with pytest.raises(InputError, match="already in the store"):
        register_raster(case.store, dem, kind="dem", name="d1")
    assert _registered(case) == ["d1"]


def test_gpkg_registry_is_an_attributes_table_and_layers_are_unchanged(tmp_path: Path):
    with temporary_store("gpkg", tmp_path) as c:
        before = [i.name for i in c.store.list_layers()]
        register_raster(c.store, _dem(tmp_path / "dem.tif"), kind="dem")
        assert [i.name for i in c.store.list_layers()] == before
        with sqlite3.connect(c.store.location) as conn:
            kind = conn.execute("SELECT data_type FROM gpkg_contents WHERE table_name = ?",
                                (TABLE,)).fetchone()
        assert kind == ("attributes",)

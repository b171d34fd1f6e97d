"""The Arrow read of a GDAL file gives the very frame the plain read gives."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from geo_app.io._read_ogr import _read_arrow


def _frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"int_null": pd.array([1, None, 3], dtype="Int64"),
         "int32": np.array([1, 2, 3], dtype="int32"),
         "int_all_null": pd.array([None, None, None], dtype="Int64"),
         "text_all_null": pd.array([None, None, None], dtype="str"),
         "bool_all_null": pd.array([None, None, None], dtype="boolean"),
         "bool_null": pd.array([True, None, False], dtype="boolean"),
         "bool": [True, False, True],
         "real32": np.array([1.5, 2, 3], dtype="float32"),
         "date": [dt.date(2024, 1, 1), None, dt.date(2024, 3, 1)],
         "when": pd.to_datetime(["2024-01-01 10:00", None, "2024-01-02 00:00"]),
         "big": [2**40, 1, 2],
         "name": ["地块", None, "a"]},
        geometry=[shapely.box(113, 31, 113.1, 31.1), None, shapely.Polygon()], crs=4490)


@pytest.mark.parametrize(("suffix", "driver"), [(".gpkg", "GPKG"), (".geojson", "GeoJSON")])
def test_arrow_read_equals_plain_read(tmp_path, suffix, driver):
    path = tmp_path / f"layer{suffix}"
    pyogrio.write_dataframe(_frame(), path, driver=driver)
    plain = pyogrio.read_dataframe(path)
    fast = _read_arrow(path, None)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, plain)
    assert fast.crs == plain.crs

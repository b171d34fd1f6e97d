"""Features to import in the store tests, made by hand with known areas."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import shapely

from geo_app.storage import Provenance

DAY = dt.date(2022, 3, 15)


def survey_rectangles(n: int, *, first: int = 0, prefix: str = "S") -> gpd.GeoDataFrame:
    """``n`` rectangles in GK zone 38 (EPSG:4547), 40 m + i m wide and 25 m tall."""
    x0, y0 = 452_000.0, 3_505_000.0
    rects = [shapely.box(x0 + 100 * i, y0, x0 + 100 * i + 40 + i, y0 + 25)
             for i in range(first, first + n)]
    return gpd.GeoDataFrame(
        {"id": [f"{prefix}{i:05d}" for i in range(first, first + n)],
         "name": [f"测绘地块{i}" for i in range(first, first + n)],
         "owner": [None if i % 3 == 0 else f"村集体{i % 5}" for i in range(first, first + n)],
         "declared_m2": [float((40 + i) * 25) for i in range(first, first + n)]},
        geometry=rects, crs=4547)


def provenance(**kw: object) -> Provenance:
    args = {"source_file": "/tmp/upload-7f3a/红线图.shp", "officer": "  王建国 ",
            "effective_date": DAY, "details": {"mode": "append", "format": "shapefile",
                                               "encoding": "gbk", "crs": "EPSG:4547",
                                               "features": 3}}
    return Provenance(**(args | kw))

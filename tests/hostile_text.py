"""Hostile names shared by the hostile-text tests: each would run script or fetch a URL if
it reached a page unescaped. A run sets ``top.__pwned`` (and turns the page red); a fetch
goes to a TEST-NET address that the browser tests record and abort.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
from shapely.geometry import box

#: The issue's layer name, a line separator, and a script end that would cut the page.
LAYER_NAME = ("y<img src=x onerror=\"top.__pwned='layer';"
              "top.document.body.style.background='red'\">\u2028</script>")
BEACON_URL = "http://198.51.100.7/beacon.png"
FEATURE_NAMES = (
    "</script><script>top.__pwned='close'</script>",
    "<!--<script>",
    "<a href=\"javascript:top.__pwned='link'\">click</a>",
    "a\u2028b\u2029c",
    f"<img src={BEACON_URL}>",
    "{{ 7*7 }} & &amp; <b>bold</b>",
)
#: An attribute column whose name and values are hostile too (shown in popups).
HOSTILE_COLUMN = "<svg onload=top.__pwned='column'>"
HOSTILE_VALUE = "<img src=x onerror=top.__pwned='value'>"
#: A column whose values are javascript: links.
LINK_COLUMN = "link"
LINK_VALUE = "javascript:top.__pwned='href'"
#: Suizhou High-tech Zone, lon/lat (EPSG:4490): a row of 600 m squares.
X0, Y0, STEP = 113.38, 31.69, 0.006


def hostile_layer() -> gpd.GeoDataFrame:
    """One square per hostile feature name, EPSG:4490."""
    n = len(FEATURE_NAMES)
    geoms = [box(X0 + i * STEP, Y0, X0 + i * STEP + STEP * 0.8, Y0 + STEP * 0.8)
             for i in range(n)]
    return gpd.GeoDataFrame(
        {"id": [f"h{i}" for i in range(n)], "name": list(FEATURE_NAMES),
         HOSTILE_COLUMN: [HOSTILE_VALUE] * n, LINK_COLUMN: [LINK_VALUE] * n},
        geometry=geoms, crs=4490,
    )


def write_hostile_gpkg(path: Path, layer: str = LAYER_NAME) -> Path:
    """A GeoPackage holding :func:`hostile_layer` under the hostile ``layer`` name."""
    pyogrio.write_dataframe(hostile_layer(), path, layer=layer, driver="GPKG")
    return path

"""WGS 84 ⇄ GCJ-02 for the maps: re-exported from :mod:`geo_app.analysis.gcj02`.

The transform lives in the analysis layer (imports of GCJ-02 data need it and analysis
must not import maps); the maps keep importing it from here.
"""

from __future__ import annotations

from geo_app.analysis.gcj02 import (
    gcj02_to_wgs84,
    gcj02_to_wgs84_gdf,
    out_of_china,
    shift_to_gcj02,
    shift_to_wgs84,
    wgs84_to_gcj02,
)

__all__ = [
    "gcj02_to_wgs84",
    "gcj02_to_wgs84_gdf",
    "out_of_china",
    "shift_to_gcj02",
    "shift_to_wgs84",
    "wgs84_to_gcj02",
]

"""Grids of the synthetic rasters of the terrain tests (EPSG:4547 metres, EPSG:4326 degrees)."""

from __future__ import annotations

from affine import Affine

#: The GK grid's top-left corner (EPSG:4547, near Suizhou) and cell size.
GK_X0, GK_Y0, GK_CELL = 450_000.0, 3_510_000.0, 30.0
#: The geographic grid's top-left corner and cell size (degrees).
GEO_LON0, GEO_LAT0, GEO_CELL = 113.40, 31.72, 0.0003


def gk_transform() -> Affine:
    return Affine(GK_CELL, 0.0, GK_X0, 0.0, -GK_CELL, GK_Y0)


def geo_transform() -> Affine:
    return Affine(GEO_CELL, 0.0, GEO_LON0, 0.0, -GEO_CELL, GEO_LAT0)

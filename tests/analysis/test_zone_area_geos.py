"""zone_plane_area_m2 gives shapely's areas of the reprojected features to the last bit."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo_app.analysis.area import (
    clear_projected,
    plane_areas_by_zone_m2,
    zone_plane_area_m2,
    zone_plane_epsgs,
)
from geo_app.analysis.crs import PlaneCRS


def _features(n: int = 600) -> gpd.GeoDataFrame:
    """Polygons, polygons with holes and multipolygons across zones 34–40, nulls, empties,
    NaN coordinates, boxes on zone edges and a tiling sharing its vertices."""
    rng = np.random.default_rng(5)
    geoms: list = []
    for i in range(n):
        lon, lat, r = rng.uniform(100, 120), rng.uniform(25, 40), rng.uniform(0.001, 0.3)
        shape = shapely.Point(lon, lat).buffer(r, quad_segs=int(rng.integers(1, 8)))
        kind = i % 6
        if kind == 1:
            shape = shape.difference(shapely.Point(lon, lat).buffer(r / 3))
        elif kind == 2:
            other = shapely.Point(lon + 3 * r, lat).buffer(r / 2)
            shape = shapely.MultiPolygon([shape, other.difference(
                shapely.Point(lon + 3 * r, lat).buffer(r / 5))])
        elif kind == 3:
            shape = None
        elif kind == 4 and i % 12 == 4:
            shape = shapely.Polygon()
        geoms.append(shape)
    geoms.append(shapely.Polygon([(110, 30), (110.1, np.nan), (110.1, 30.1), (110, 30)]))
    geoms += [shapely.box(112.5 - d, 30, 112.5 + 2 * d, 30.01) for d in (1e-3, 1e-7, 0.0)]
    # a tiling sharing its vertices (each distinct point is transformed once)
    col, row = np.meshgrid(np.arange(40), np.arange(40))
    x0, y0 = 113.4 + col.ravel() * 0.001, 31.7 + row.ravel() * 0.001
    tiles = shapely.box(x0, y0, x0 + 0.001, y0 + 0.001)
    geoms += list(tiles)
    return gpd.GeoDataFrame({"n": range(len(geoms))}, geometry=geoms, crs=4490)


def _reference(gdf: gpd.GeoDataFrame, plane: PlaneCRS | None = None) -> np.ndarray:
    clear_projected()
    return plane_areas_by_zone_m2(gdf.geometry, zone_plane_epsgs(gdf, plane=plane))


@pytest.mark.parametrize("source", [4490, 4547])
@pytest.mark.parametrize("plane", [None, PlaneCRS(4546, "given")])
def test_same_doubles_as_shapely_on_reprojected_features(source, plane):
    with np.errstate(invalid="ignore"):
        gdf = _features().to_crs(source)
    expected = _reference(gdf, plane)
    got = zone_plane_area_m2(gdf, plane=plane)
    assert np.isfinite(expected).sum() > 500
    np.testing.assert_array_equal(got, expected)  # bit for bit, NaN where not measured


def test_a_box_straddling_a_zone_edge_takes_its_centroid_zone():
    # 112.5°E is the edge of zones 37 and 38: the centroid of the box is in zone 38
    gdf = gpd.GeoDataFrame(geometry=[shapely.box(112.49, 30, 112.52, 30.01)], crs=4490)
    assert zone_plane_epsgs(gdf)[0] == 4547
    np.testing.assert_array_equal(zone_plane_area_m2(gdf), _reference(gdf))

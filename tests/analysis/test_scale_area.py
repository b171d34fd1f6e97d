"""Areas without building transformed geometries, and reprojection reuse: the same figures
as transforming the geometries and measuring them with GEOS."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import MultiPolygon, Polygon, box

from geo_app.analysis.area import (
    add_areas,
    clear_projected,
    equal_area_crs,
    projected,
    transformed_area_m2,
)

X0, Y0 = 440_000, 3_505_000


def _shapes() -> gpd.GeoDataFrame:
    holed = Polygon(box(X0, Y0, X0 + 500, Y0 + 400).exterior.coords,
                    [box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 300).exterior.coords,
                     box(X0 + 300, Y0 + 50, X0 + 450, Y0 + 150).exterior.coords])
    multi = MultiPolygon([box(X0 + 1000, Y0, X0 + 1100, Y0 + 100),
                          Polygon(box(X0 + 1200, Y0, X0 + 1500, Y0 + 300).exterior.coords,
                                  [box(X0 + 1300, Y0 + 100, X0 + 1400, Y0 + 200)
                                   .exterior.coords])])
    clockwise = Polygon(list(box(X0 + 2000, Y0, X0 + 2050, Y0 + 80).exterior.coords)[::-1])
    return gpd.GeoDataFrame({"id": ["holed", "multi", "cw"]},
                            geometry=[holed, multi, clockwise], crs=4547).to_crs(4490)


def test_areas_from_transformed_coordinates_equal_geos_on_transformed_geometries():
    gdf = _shapes()
    ea = equal_area_crs(gdf)
    ours = transformed_area_m2(gdf.geometry.to_numpy(), gdf.crs, ea)
    geos = gdf.geometry.to_crs(ea).area.to_numpy()
    assert ours == pytest.approx(geos, rel=1e-12)
    # hand figures in the plane: 500×400 − 100×200 − 150×100; 100² + 300² − 100²; 50×80
    plane = transformed_area_m2(gdf.geometry.to_numpy(), gdf.crs, 4547)
    assert plane == pytest.approx([165_000.0, 90_000.0, 4_000.0], rel=1e-9)


def test_mixed_layers_fall_back_to_per_ring_owners_and_empty_measures_zero():
    gdf = _shapes()
    geoms = np.array([*gdf.geometry.to_numpy(), Polygon()], dtype=object)
    out = transformed_area_m2(geoms, 4490, 4547)
    assert out[-1] == 0.0
    assert out[:3] == pytest.approx([165_000.0, 90_000.0, 4_000.0], rel=1e-9)


def test_reprojection_is_reused_only_for_the_very_same_geometries():
    gdf = _shapes()
    clear_projected()
    first = projected(gdf.geometry, 4547)
    assert projected(gdf.copy().geometry, 4547) is first  # a copy holds the same objects
    edited = gdf.copy()
    edited.loc[0, "geometry"] = box(113.0, 31.0, 113.01, 31.01)
    again = projected(edited.geometry, 4547)
    assert again is not first
    assert again[0].equals(gpd.GeoSeries([box(113.0, 31.0, 113.01, 31.01)], crs=4490)
                           .to_crs(4547).iloc[0])
    assert projected(gdf.geometry, 3857) is not first  # another target CRS


def test_add_areas_reprojecting_once_gives_what_it_gave_before():
    gdf = _shapes()
    clear_projected()
    measured, _ = add_areas(gdf)
    plane = gdf.geometry.to_crs(4547).area.to_numpy()
    ell = gdf.geometry.to_crs(equal_area_crs(gdf)).area.to_numpy()
    assert measured["area_m2_plane"].to_numpy() == pytest.approx(plane, rel=1e-12)
    assert measured["area_m2_ellipsoidal"].to_numpy() == pytest.approx(ell, rel=1e-12)
    assert list(measured["crs_plane"]) == ["EPSG:4547"] * 3

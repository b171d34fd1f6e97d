"""Measuring and reprojecting a layer chunk by chunk, remembering plane areas and the
plane's coordinates for the very same geometries: the same doubles as measuring each
feature reprojected, whatever the chunk size."""

from __future__ import annotations

import importlib

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer

from geo_app.analysis.area import (
    add_areas,
    clear_projected,
    ellipsoidal_area_m2,
    plane_area_m2,
    plane_areas_by_zone_m2,
    projected,
    projected_finite,
    zone_plane_epsgs,
)
from geo_app.analysis.coverage import coverage
from geo_app.analysis.crs import PlaneCRS
from geo_app.maps.synthetic import synthetic_parcels

# the package exports functions named like these modules
area_mod = importlib.import_module("geo_app.analysis.area")
coverage_mod = importlib.import_module("geo_app.analysis.coverage")


def _mixed() -> gpd.GeoDataFrame:
    """Polygons with holes, multipolygons, nulls, empties and a NaN vertex in zones 37–38,
    then a tiling sharing its vertices (more than one chunk of a few features)."""
    rng = np.random.default_rng(11)
    geoms: list = []
    for i in range(120):
        lon, lat, r = rng.uniform(110.5, 115.5), rng.uniform(30, 32), rng.uniform(0.001, 0.02)
        shape = shapely.Point(lon, lat).buffer(r, quad_segs=int(rng.integers(1, 5)))
        if i % 5 == 1:
            shape = shape.difference(shapely.Point(lon, lat).buffer(r / 3))
        elif i % 5 == 2:
            shape = shapely.MultiPolygon([shape, shapely.box(lon + r * 3, lat, lon + r * 4,
                                                             lat + r)])
        elif i % 10 == 3:
            shape = None
        elif i % 10 == 8:
            shape = shapely.Polygon()
        geoms.append(shape)
    geoms.append(shapely.Polygon([(113, 31), (113.01, np.nan), (113.01, 31.01), (113, 31)]))
    col, row = np.meshgrid(np.arange(30), np.arange(30))
    x0, y0 = 113.4 + col.ravel() * 0.001, 31.7 + row.ravel() * 0.001
    geoms += list(shapely.box(x0, y0, x0 + 0.001, y0 + 0.001))
    return gpd.GeoDataFrame({"id": [f"f{i}" for i in range(len(geoms))]}, geometry=geoms,
                            crs=4490)


@pytest.fixture(params=[7, 100_000], ids=["chunks of 7", "one chunk"])
def chunk(request, monkeypatch):
    monkeypatch.setattr(area_mod, "CHUNK_FEATURES", request.param)
    monkeypatch.setattr(coverage_mod, "CHUNK_FEATURES", request.param)
    clear_projected()
    yield request.param
    clear_projected()


def test_add_areas_in_chunks_gives_each_feature_reprojected_to_the_last_bit(chunk):
    with np.errstate(invalid="ignore"):
        gdf = _mixed()
        measured, plane = add_areas(gdf)
        clear_projected()
        expected_plane = plane_areas_by_zone_m2(gdf.geometry, zone_plane_epsgs(gdf))
        expected_ell = ellipsoidal_area_m2(gdf)
    np.testing.assert_array_equal(measured["area_m2_plane"].to_numpy(), expected_plane)
    np.testing.assert_array_equal(measured["area_m2_ellipsoidal"].to_numpy(), expected_ell)
    assert set(measured["crs_plane"].dropna()) == {"EPSG:4546", "EPSG:4547"}
    assert measured["crs_plane"].isna().sum() == np.isnan(expected_plane).sum() > 0
    assert plane.epsg == 4547


def test_plane_areas_remembered_only_for_the_same_geometries(chunk):
    with np.errstate(invalid="ignore"):
        gdf = _mixed()
        measured, _ = add_areas(gdf)
        for epsg in (4547, 4546):  # most features in 4547, some measured in 4546
            got = plane_area_m2(measured, PlaneCRS(epsg, "t"))
            np.testing.assert_array_equal(got, shapely.area(gdf.geometry.to_crs(epsg).array))
        edited = measured.copy()
        edited.loc[edited.index[-1], "geometry"] = shapely.box(113.5, 31.5, 113.51, 31.52)
        got = plane_area_m2(edited, PlaneCRS(4547, "t"))
    assert got[-1] == shapely.area(gpd.GeoSeries([edited.geometry.iloc[-1]], crs=4490)
                                   .to_crs(4547).iloc[0])
    assert got[-1] > 2 * got[-2]  # the new, larger box, not the remembered tile


def _reference_projection(gdf: gpd.GeoDataFrame, epsg: int) -> np.ndarray:
    clear_projected()
    ok = area_mod.finite_mask(gdf)
    return projected(gdf.geometry[ok], epsg, keep=False)


def test_projected_finite_equals_reprojecting_the_finite_features(chunk):
    with np.errstate(invalid="ignore"):
        gdf = _mixed()
        expected = _reference_projection(gdf, 4547)
        clear_projected()
        got, ok, _ = projected_finite(gdf.geometry, 4547)
    np.testing.assert_array_equal(ok, area_mod.finite_mask(gdf))
    assert len(got) == ok.sum() == len(expected)
    np.testing.assert_array_equal(shapely.get_coordinates(got),
                                  shapely.get_coordinates(expected))
    assert shapely.equals_exact(got, expected, tolerance=0).all()


def test_the_planes_coordinates_from_add_areas_are_used_once_and_are_exact(chunk):
    tiling = synthetic_parcels(300).to_crs(4490)  # all finite, one zone
    expected = _reference_projection(tiling, 4547)
    clear_projected()
    add_areas(tiling)
    remembered = area_mod._remembered(tiling.geometry)
    assert remembered is not None and list(remembered.plane_xy) == [4547]
    first, ok, _ = projected_finite(tiling.geometry, 4547)
    assert ok.all() and remembered.plane_xy == {}  # handed over, not kept
    again, _, _ = projected_finite(tiling.geometry, 4547)  # transformed afresh
    for got in (first, again):
        np.testing.assert_array_equal(shapely.get_coordinates(got),
                                      shapely.get_coordinates(expected))


def test_coverage_is_the_same_whatever_the_chunk(monkeypatch):
    parcels = synthetic_parcels(400).to_crs(4490)
    geoms = parcels.geometry.to_numpy()
    shifted = shapely.transform(geoms[::25], lambda xy: xy + np.array([2e-5, 1e-5]))
    layer = gpd.GeoDataFrame({"id": [f"p{i}" for i in range(len(geoms) + len(shifted))]},
                             geometry=np.concatenate([geoms, shifted]), crs=4490)
    minx, miny, maxx, maxy = layer.total_bounds
    parks = gpd.GeoDataFrame({"id": ["a", "b"], "name": ["A", "B"]}, geometry=[
        shapely.box(minx, miny, (minx + maxx) / 2, maxy),
        shapely.box((minx + maxx) / 2, miny, maxx, (miny + maxy) / 2)], crs=4490)
    tables = []
    for size in (7, 100_000):
        monkeypatch.setattr(area_mod, "CHUNK_FEATURES", size)
        monkeypatch.setattr(coverage_mod, "CHUNK_FEATURES", size)
        clear_projected()
        measured, plane = add_areas(layer)
        tables.append(coverage(parks, measured, plane=plane))
    clear_projected()
    for column in ("covered_mu_plane", "covered_mu_ellipsoidal"):
        np.testing.assert_array_equal(tables[0][column].to_numpy(), tables[1][column].to_numpy())
        assert (tables[0][column] > 0).all()


def test_distinct_point_transform_keeps_nan_points_nan():
    rng = np.random.default_rng(3)
    x, y = rng.uniform(113, 114, 3000), rng.uniform(31, 32, 3000)
    x[::100] = np.nan
    transformer = Transformer.from_crs(4490, 4547, always_xy=True)
    gx, gy = area_mod._transform_distinct(transformer, x, y)
    ex, ey = transformer.transform(x, y)
    np.testing.assert_array_equal(gx, ex)
    np.testing.assert_array_equal(gy, ey)
    assert np.isnan(gx[::100]).all()


def test_overlap_groups_from_given_coordinates_equal_those_read_from_the_polygons(chunk):
    with np.errstate(invalid="ignore"):
        gdf = _mixed()
        ok = area_mod.finite_mask(gdf)
    geoms = projected(gdf.geometry[ok], 4547, keep=False)
    doubled = np.concatenate([geoms, geoms[::9]])  # holes, multipolygons, duplicates
    xy = shapely.get_coordinates(doubled)
    expected = coverage_mod.overlap_clusters(doubled)
    got = coverage_mod.overlap_clusters(doubled, xy)
    assert len(expected) > 0
    assert [list(g) for g in got] == [list(g) for g in expected]
    given, read = coverage_mod._leftover_edges(doubled, xy), coverage_mod._leftover_edges(doubled)
    assert given is not None and read is not None and len(given[0]) > 0
    for a, b in zip(given, read, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(coverage_mod._has_long_edge(doubled, 100.0, xy),
                                  coverage_mod._has_long_edge(doubled, 100.0))

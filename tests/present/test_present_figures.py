"""Every figure a slide shows equals the dashboard's analysis function and an independent
computation from the bundled GeoPackage (pyproj, shapely), never a typed number."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Geod, Transformer

from geo_app.analysis.dashboard import (
    acquisition_progress,
    loop_belt_villages,
    park_coverage,
    project_summary,
    village_summary,
)
from geo_app.analysis.progress import progress
from geo_app.analysis.timeline import net_land_by_month
from geo_app.domain.categories import WorksProgramme
from geo_app.errors import InputError
from geo_app.present import FIGURES, TABLES, compute_figure, compute_table, figure_keys
from geo_app.present.figures import figure_def
from geo_app.settings import BUNDLED_LAYERS

M2_PER_MU = 10000 / 15
TO_PLANE = Transformer.from_crs(4490, 4547, always_xy=True)  # CGCS2000 GK CM 114°E


def _raw(layer: str) -> gpd.GeoDataFrame:
    return pyogrio.read_dataframe(BUNDLED_LAYERS, layer=layer)


def _plane(geoms) -> np.ndarray:
    return shapely.transform(np.asarray(geoms, dtype=object), lambda xy: np.column_stack(
        TO_PLANE.transform(xy[:, 0], xy[:, 1])))


def _mu(gdf: gpd.GeoDataFrame) -> float:
    return float(shapely.area(_plane(gdf.geometry.array)).sum() / M2_PER_MU)


def test_phase_1_net_land_is_1420_mu_and_phase_2_is_1700_mu_started(story_data):
    parcels = _raw("parcels")
    net = parcels[(parcels["phase"] == 1) & parcels["stage"].isin(["net_land", "supplied"])]
    phase2 = parcels[parcels["phase"] == 2]
    assert round(_mu(net), 2) == 1420.00 and round(_mu(phase2), 2) == 1700.00
    one = compute_figure(story_data, "progress.phase1.net_land_mu")
    two = compute_figure(story_data, "progress.phase2.total_mu")
    assert one.value == pytest.approx(_mu(net), abs=1e-6) and one.text == "1,420.00"
    assert two.value == pytest.approx(_mu(phase2), abs=1e-6) and two.text == "1,700.00"
    assert one.unit == "亩" and compute_figure(story_data, "progress.phase2.target_mu").text \
        == "1,700"
    dashboard = {p.phase: p for p in acquisition_progress(story_data.layer("parcels"))}
    assert one.value == dashboard[1].net_land_mu and two.value == dashboard[2].total_mu
    share = compute_figure(story_data, "progress.phase1.share_net_land")
    assert share.value == pytest.approx(_mu(net) / 1420) and share.text == "100.0%"


def test_progress_as_of_a_date_is_read_from_the_ledger(story_data):
    day = dt.date(2021, 6, 30)
    figure = compute_figure(story_data.with_as_of(day), "progress.phase1.net_land_mu")
    parcels = story_data.layer("parcels")
    expected = progress(parcels, as_of=day, events=story_data.events)
    assert figure.value == next(p.net_land_mu for p in expected if p.phase == 1)
    monthly = net_land_by_month(parcels, story_data.events, end=day)
    last = monthly[(monthly["phase"] == 1)].iloc[-1]
    assert figure.value == pytest.approx(float(last["net_land_mu"]))
    assert 0 < figure.value < 1420  # mid-2021 the phase was under way, not done


def test_16_villages_lie_within_2_km_of_the_loop_road(story_data):
    villages, roads = _raw("villages"), _raw("roads")
    loop = _plane(roads.loc[roads["kind"] == "tourism_loop", "geometry"].array)
    distance = shapely.distance(_plane(villages.geometry.array)[:, None], loop[None, :])
    expected = int((distance.min(axis=1) <= 2000).sum())
    assert expected == 16
    figure = compute_figure(story_data, "loop_road.belt_villages")
    assert figure.value == expected == len(loop_belt_villages(story_data.layer("villages"),
                                                              story_data.layer("roads")))
    people = villages.loc[distance.min(axis=1) <= 2000, "population"].sum()
    assert compute_figure(story_data, "loop_road.belt_population").value == people


def test_the_loop_road_is_25_km(story_data):
    roads = _raw("roads")
    line = roads.loc[roads["kind"] == "tourism_loop", "geometry"].iloc[0]
    geodesic_km = Geod(ellps="GRS80").geometry_length(line) / 1000
    figure = compute_figure(story_data, "loop_road.length_km")
    assert figure.value == pytest.approx(geodesic_km, rel=1e-3)  # GK plane vs ellipsoid
    assert figure.text == "25.0" and figure.unit == "公里"


def test_6_sewage_plants_and_their_capacity(story_data):
    facilities = _raw("facilities")
    plants = facilities[facilities["kind"] == "sewage_plant"]
    assert len(plants) == 6
    assert compute_figure(story_data, "sewage_plants.count").value == 6
    assert compute_figure(story_data, "sewage_plants.capacity_t_per_day").value == \
        plants["capacity_t_per_day"].sum()


def test_village_and_project_counts_match_the_dashboard(story_data):
    villages = _raw("villages")
    summary = village_summary(story_data.layer("villages"))
    assert compute_figure(story_data, "villages.count").value == len(villages) == summary.total
    demo = compute_figure(story_data, "villages.phase2_demonstration")
    assert demo.value == (villages["works_programme"] == "phase2_demonstration").sum() == 3
    assert demo.value == summary.works_count(WorksProgramme.PHASE2_DEMONSTRATION)
    projects = _raw("projects")
    assert compute_figure(story_data, "projects.count").value == len(projects) == 77
    assert compute_figure(story_data, "projects.infrastructure").value == \
        project_summary(story_data.layer("projects")).infrastructure == \
        (projects["category"] == "infrastructure").sum()


def test_a_park_figure_is_its_row_of_the_coverage_table(story_data):
    table = park_coverage(story_data.layer("parks"), story_data.layer("parcels"))
    row = table[table["id"] == "P-QC"].iloc[0]
    parks = _raw("parks")
    figure = compute_figure(story_data, "park.P-QC.area_mu")
    assert figure.value == row["area_mu_plane"] and figure.label == "青春化工园面积"
    assert compute_figure(story_data, "park.P-QC.area_mu", "en").label == \
        "Qingchun Chemical Park: area"
    assert row["area_mu_plane"] == pytest.approx(_mu(parks[parks["id"] == "P-QC"]), rel=1e-9)
    assert compute_figure(story_data, "park.P-QC.covered_mu").value == row["covered_mu_plane"]
    projects = _raw("projects")
    assert compute_figure(story_data, "park.P-CD.projects").value == \
        (projects["park"] == "城东片区").sum()
    with pytest.raises(InputError, match="no park 'P-XX'"):
        compute_figure(story_data, "park.P-XX.area_mu")


def test_tables_show_the_same_numbers(story_data):
    phases = compute_table(story_data, "progress.phases")
    assert phases.iloc[0].tolist() == ["一期", "1,420", "1,420.00", "100.0%"]
    assert phases.iloc[1].tolist()[:3] == ["二期", "1,700", "0.00"]
    demo = compute_table(story_data, "villages.phase2_demonstration")
    assert sorted(demo["村庄"]) == sorted(["挑水村", "新店村", "老湾村"])
    english = compute_table(story_data, "villages.phase2_demonstration", lang="en")
    assert sorted(english["Village"]) == ["Laowan", "Tiaoshui", "Xindian"]
    assert len(compute_table(story_data, "loop_road.belt_villages")) == 16
    assert len(compute_table(story_data, "sewage_plants")) == 6


def test_every_registry_key_computes_on_the_bundled_layers(story_data):
    keys = [*FIGURES, *(k.replace("<N>", "1") for k in figure_keys() if "<N>" in k),
            *(k.replace("<id>", "P-QC") for k in figure_keys() if "<id>" in k)]
    for key in keys:
        figure = compute_figure(story_data, key, "en")
        assert np.isfinite(figure.value) and figure.label, key
    for key in TABLES:
        assert len(compute_table(story_data, key)) > 0, key
    assert figure_def("progress.phase1.nope") is None and figure_def("nope") is None
    with pytest.raises(InputError, match="did you mean: villages.count"):
        compute_figure(story_data, "villages.cont")

"""Map filters: each filter reduces exactly the features it names."""

from __future__ import annotations

import geopandas as gpd
import pytest

from geo_app.storage import GeoPackageStore
from geo_app.ui.filters import MapFilters, apply_filters, expand_parks, options, unless_all


@pytest.fixture(scope="module")
def layers(bundled_store: GeoPackageStore) -> dict[str, gpd.GeoDataFrame]:
    return {i.name: bundled_store.read_layer(i.name) for i in bundled_store.list_layers()}


def test_no_filter_returns_the_same_layers(layers):
    out = apply_filters(layers, MapFilters())
    assert all(out[name] is layers[name] for name in layers)
    assert MapFilters().is_empty


def test_stage_filter_keeps_only_parcels_at_those_stages(layers):
    out = apply_filters(layers, MapFilters.of(stages=["net_land"]))
    parcels = layers["parcels"]
    assert len(out["parcels"]) == int((parcels["stage"] == "net_land").sum()) == 12
    assert set(out["parcels"]["stage"]) == {"net_land"}
    assert out["villages"] is layers["villages"]


def test_phase_and_stage_filters_combine(layers):
    out = apply_filters(layers, MapFilters.of(phases=[2], stages=["approved", "net_land"]))
    parcels = layers["parcels"]
    expected = parcels[(parcels["phase"] == 2) & parcels["stage"].isin(["approved", "net_land"])]
    assert sorted(out["parcels"]["id"]) == sorted(expected["id"])
    assert len(out["parcels"]) == 3


def test_district_filter_includes_its_parks_parcels_and_projects(layers):
    out = apply_filters(layers, MapFilters.of(parks=["化工片区"]))
    assert set(out["parks"]["name"]) == {"化工片区", "青春化工园"}
    assert len(out["parcels"]) == len(layers["parcels"])
    projects = layers["projects"]
    assert len(out["projects"]) == int(projects["park"].isin(["化工片区", "青春化工园"]).sum())
    none = apply_filters(layers, MapFilters.of(parks=["城东片区"]))
    assert none["parcels"].empty
    assert expand_parks(layers["parks"], ("城东片区",)) == ("城东片区",)


def test_village_plan_filter_also_filters_their_facilities(layers):
    out = apply_filters(layers, MapFilters.of(village_plans=["demonstration"]))
    assert len(out["villages"]) == 5
    assert set(out["facilities"]["village"]) <= set(out["villages"]["name"])
    assert len(out["facilities"]) < len(layers["facilities"])


def test_project_status_filter(layers):
    out = apply_filters(layers, MapFilters.of(project_statuses=["preparing", "in_production"]))
    counts = layers["projects"]["status"].value_counts()
    assert len(out["projects"]) == counts["preparing"] + counts["in_production"]


def test_equal_choices_make_equal_filters():
    assert MapFilters.of(stages=["b", "a"], phases=[2, 1]) == MapFilters.of(
        stages=["a", "b"], phases=[1, 2])
    assert hash(MapFilters.of(parks=["x"])) == hash(MapFilters(parks=("x",)))


def test_options_are_sorted_distinct_values(layers):
    assert options(layers, "parcels", "phase") == [1, 2]
    assert options(layers, "nope", "phase") == []


def test_choosing_every_option_is_no_filter():
    assert unless_all([1, 2], [1, 2]) == []
    assert unless_all([2], [1, 2]) == [2]
    assert unless_all(None, [1, 2]) == []

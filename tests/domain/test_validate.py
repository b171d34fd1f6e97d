from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, Polygon

from geo_app.domain.layers import PARCELS, PROJECTS
from geo_app.domain.stages import ParcelStage, parse_stage
from geo_app.domain.validate import validate_layer
from geo_app.errors import InputError, SchemaError


@pytest.fixture
def parcels(bundled_store) -> gpd.GeoDataFrame:
    return bundled_store.read_layer("parcels")


def test_bundled_parcels_validate_with_typed_columns(parcels):
    assert str(parcels["phase"].dtype) == "Int64"
    assert set(parcels["stage"]) <= {s.value for s in ParcelStage}


def test_missing_column_names_layer_and_column(parcels):
    with pytest.raises(SchemaError, match=r"Layer 'parcels' lacks column\(s\) stage"):
        validate_layer(parcels.drop(columns="stage"), PARCELS)


def test_unknown_stage_names_row_id_and_column(parcels):
    bad = parcels.copy()
    bad.loc[3, "stage"] = "done"
    with pytest.raises(SchemaError, match=r"row 4 \(id 'QC1-04'\), column 'stage': 'done'"):
        validate_layer(bad, PARCELS)


def test_non_numeric_phase_is_reported(parcels):
    bad = parcels.astype({"phase": "object"})
    bad.loc[0, "phase"] = "一期"
    with pytest.raises(SchemaError, match=r"column 'phase': value '一期' is not a valid int"):
        validate_layer(bad, PARCELS)


def test_invalid_geometry_is_reported(parcels):
    bad = parcels.copy()
    bad.loc[1, "geometry"] = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])  # bow-tie
    with pytest.raises(SchemaError, match=r"row 2 .*geometry is invalid"):
        validate_layer(bad, PARCELS)


def test_wrong_geometry_type_is_reported(bundled_store):
    projects = bundled_store.read_layer("projects")
    projects.loc[0, "geometry"] = Polygon([(0, 0), (1, 0), (1, 1)])
    with pytest.raises(SchemaError, match=r"is a Polygon, expected Point"):
        validate_layer(projects, PROJECTS)


def test_duplicate_ids_are_reported(bundled_store):
    projects = bundled_store.read_layer("projects")
    projects.loc[5, "id"] = projects.loc[4, "id"]
    projects.loc[5, "geometry"] = Point(113.4, 31.7)
    with pytest.raises(SchemaError, match="appears twice"):
        validate_layer(projects, PROJECTS)


@pytest.mark.parametrize("text", ["net_land", "净地", "Net land"])
def test_stage_parsed_from_code_or_labels(text):
    assert parse_stage(text) is ParcelStage.NET_LAND


def test_unknown_stage_lists_the_stages():
    with pytest.raises(InputError, match=r"净地"):
        parse_stage("finished")


def test_stage_order_is_the_workflow_order():
    assert ParcelStage.PRE_NOTICE.order == 0
    assert ParcelStage.NET_LAND.order < ParcelStage.SUPPLIED.order
    assert ParcelStage.SUPPLIED.is_net_land_or_later
    assert not ParcelStage.APPROVED.is_net_land_or_later

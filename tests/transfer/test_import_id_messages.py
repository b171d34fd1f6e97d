"""Duplicate and existing ids: one error per repeated feature, naming the first one."""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import box

from geo_app.storage import GeoPackageStore
from geo_app.transfer.importer import ImportOptions, import_file

X0, Y0 = 440_000.0, 3_507_000.0  # EPSG:4547, inside 曾都区


def _file(tmp_path, ids, name="ids.gpkg"):
    geoms = [box(X0 + 20 * k, Y0, X0 + 20 * k + 10, Y0 + 10) for k in range(len(ids))]
    path = tmp_path / name
    pyogrio.write_dataframe(gpd.GeoDataFrame({"id": ids}, geometry=geoms, crs=4547), path,
                            layer="parcels", driver="GPKG")
    return path


@pytest.mark.parametrize("ids", [["A", "B", "A", None, "B", "A"], [7, 8, 7, 9, 8, 7]])
def test_each_repeat_names_the_first_feature(sample_gpkg, tmp_path, ids):
    store = GeoPackageStore(sample_gpkg)
    report = import_file(_file(tmp_path, ids), store, ImportOptions(layer="survey",
                                                                   officer="王建国"),
                         dry_run=True)
    dups = [(i.position, i.message) for i in report.errors if i.kind == "duplicate_id"]
    shown = [repr(v) for v in ids]
    assert [p for p, _ in dups] == [2, 4, 5]
    assert dups[0][1].startswith(f"id {shown[0]} appears again (first at feature 1): ")
    assert dups[1][1].startswith(f"id {shown[1]} appears again (first at feature 2): ")
    assert dups[2][1].startswith(f"id {shown[0]} appears again (first at feature 1): ")


def test_ids_already_in_the_layer_are_errors_missing_ones_are_not(sample_gpkg, tmp_path):
    store = GeoPackageStore(sample_gpkg)
    options = ImportOptions(layer="survey", officer="王建国")
    assert import_file(_file(tmp_path, ["E1", "E2"], "first.gpkg"), store,
                       options).written == 2
    report = import_file(_file(tmp_path, ["E2", None, "E3", "E1"], "second.gpkg"), store,
                         options, dry_run=True)
    assert [(i.position, i.feature_id) for i in report.errors if i.kind == "id_exists"] == [
        (0, "E2"), (3, "E1")]

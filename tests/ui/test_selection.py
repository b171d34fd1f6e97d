"""Clicks map back to the feature under them; details show labelled values and areas."""

from __future__ import annotations

import geopandas as gpd
import pytest
from pyproj import Geod, Transformer

from geo_app.analysis.area import add_areas
from geo_app.analysis.crs import choose_plane_crs
from geo_app.storage import GeoPackageStore
from geo_app.ui.models import Selection
from geo_app.ui.selection import click_tolerance_m, feature_at, feature_details

M2_PER_MU = 10000.0 / 15.0


@pytest.fixture(scope="module")
def layers(bundled_store: GeoPackageStore) -> dict[str, gpd.GeoDataFrame]:
    out = {}
    for info in bundled_store.list_layers():
        gdf = bundled_store.read_layer(info.name)
        if "Polygon" in (info.geometry_type or ""):
            gdf, _ = add_areas(gdf)
        out[info.name] = gdf
    return out


def test_click_inside_a_parcel_selects_the_parcel_not_the_park(layers):
    parcel = layers["parcels"].iloc[3]
    p = parcel.geometry.representative_point()
    assert feature_at(layers, p.y, p.x) == Selection("parcels", parcel["id"])


def test_click_inside_a_village_selects_it(layers):
    village = layers["villages"].set_index("name").loc["挑水村"]
    p = village.geometry.representative_point()
    assert feature_at(layers, p.y, p.x) == Selection("villages", village["id"])


def test_click_near_a_project_point_selects_it(layers):
    project = layers["projects"].iloc[0]
    # 10 m north of the point
    assert feature_at(layers, project.geometry.y + 10 / 110_574, project.geometry.x,
                      tolerance_m=20) == Selection("projects", project["id"])
    # 60 m away with a 20 m tolerance: the project is not hit
    far = feature_at(layers, project.geometry.y + 60 / 110_574, project.geometry.x,
                     tolerance_m=20)
    assert far is None or far.layer != "projects" or far.feature_id != project["id"]


def test_click_on_nothing_selects_nothing(layers):
    assert feature_at(layers, 30.0, 110.0) is None


def test_tolerance_halves_per_zoom_level():
    assert click_tolerance_m(14, 31.7) == pytest.approx(2 * click_tolerance_m(15, 31.7))
    # 10 px at zoom 0 on the equator: 10 * 40075016.7 m / 256
    assert click_tolerance_m(0, 0.0) == pytest.approx(10 * 40_075_016.7 / 256, rel=1e-6)


def test_parcel_details_show_stage_label_and_areas(layers):
    parcel = layers["parcels"].iloc[0]
    details = feature_details(layers, Selection("parcels", parcel["id"]), lang="zh")
    fields = dict(details.fields)
    assert details.layer_label == "征地地块"
    assert fields["征地阶段"] == "净地"
    assert fields["所属园区"] == "青春化工园"
    assert fields["期次"] == {1: "一期", 2: "二期"}[int(parcel["phase"])]
    geod = Geod(ellps="GRS80")
    ell_m2 = abs(geod.geometry_area_perimeter(parcel.geometry)[0])
    plane = Transformer.from_crs(4490, 4547, always_xy=True)
    xs, ys = plane.transform(*parcel.geometry.exterior.coords.xy)
    plane_m2 = abs(sum(xs[i] * ys[i + 1] - xs[i + 1] * ys[i] for i in range(len(xs) - 1))) / 2
    areas = details.areas
    assert list(areas.index) == ["平方米", "亩", "公顷"]
    assert areas.iloc[0, 0] == pytest.approx(plane_m2, rel=1e-9)
    assert areas.iloc[0, 1] == pytest.approx(ell_m2, rel=1e-6)
    assert areas.iloc[1, 0] == pytest.approx(plane_m2 / M2_PER_MU, rel=1e-9)
    assert areas.iloc[2, 0] == pytest.approx(plane_m2 / 10_000, rel=1e-9)
    assert areas.iloc[2, 1] == pytest.approx(ell_m2 / 10_000, rel=1e-6)


def test_details_follow_the_language(layers):
    village = layers["villages"].set_index("name").loc["挑水村"]
    details = feature_details(layers, Selection("villages", village["id"]), lang="en",
                              plane=choose_plane_crs(layers["villages"]))
    assert details.title == "Tiaoshui (挑水村)"
    assert dict(details.fields)["Works programme"] == "Phase-2 demonstration works"
    assert list(details.areas.index) == ["m²", "mu", "ha"]
    assert list(details.areas.columns) == ["Plane", "Ellipsoid"]
    assert "EPSG:4547" in details.area_note


def test_details_of_a_missing_feature_is_none(layers):
    assert feature_details(layers, Selection("parcels", "nope")) is None
    assert feature_details(layers, Selection("nolayer", "x")) is None


def test_a_store_in_a_gauss_kruger_plane_is_clickable_in_lon_lat(tmp_path, bundled_store):
    import pyogrio

    from geo_app.ui.loaders import load_store

    gk = tmp_path / "survey_gk.gpkg"  # real survey data often comes in EPSG:4547
    for name in ("parcels", "parks"):
        pyogrio.write_dataframe(bundled_store.read_layer(name).to_crs(4547), gk, layer=name)
    data = load_store(str(gk), "gk-test")
    parcel = bundled_store.read_layer("parcels").iloc[3]
    p = parcel.geometry.representative_point()
    assert data.layers["parcels"].crs.to_epsg() == 4490
    assert feature_at(data.layers, p.y, p.x) == Selection("parcels", parcel["id"])
    gk_m2 = gpd.GeoSeries([parcel.geometry], crs=4490).to_crs(4547).area.iloc[0]
    assert data.layers["parcels"]["area_mu_plane"].iloc[3] == pytest.approx(gk_m2 / M2_PER_MU,
                                                                           rel=1e-9)

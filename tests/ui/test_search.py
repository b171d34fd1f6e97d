"""Search by Chinese or English name, and the view that frames a match."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest

from geo_app.storage import GeoPackageStore
from geo_app.ui.search import search_features, view_for_bounds


@pytest.fixture(scope="module")
def layers(bundled_store: GeoPackageStore) -> dict[str, gpd.GeoDataFrame]:
    return {i.name: bundled_store.read_layer(i.name) for i in bundled_store.list_layers()}


@pytest.mark.parametrize("query", ["挑水村", "Tiaoshui", "tiaoshui", "  挑水 "])
def test_search_finds_tiaoshui_village_first(layers, query):
    hits = search_features(layers, query)
    assert hits[0].layer == "villages"
    assert hits[0].name == "挑水村"
    village = layers["villages"].set_index("name").loc["挑水村"]
    assert hits[0].feature_id == village["id"]
    assert hits[0].bounds == pytest.approx(tuple(village.geometry.bounds))


def test_search_lists_every_feature_named_like_the_query(layers):
    names = {h.name for h in search_features(layers, "Tiaoshui")}
    assert {"挑水村", "挑水荷花生态园"} <= names


def test_search_matches_english_names_case_insensitively(layers):
    hits = search_features(layers, "QINGCHUN")
    assert hits[0].name == "青春化工园"
    assert hits[0].layer == "parks"


def test_empty_or_unknown_query_finds_nothing(layers):
    assert search_features(layers, "   ") == []
    assert search_features(layers, "不存在的地方") == []


def test_view_for_bounds_fits_the_box():
    # a box 0.02° wide at 31.7°N: 900 px * 0.8 over 0.02° → 2**z = 720*360/(256*0.02)
    view = view_for_bounds((113.50, 31.70, 113.52, 31.71), width_px=900, height_px=650)
    assert view.center == pytest.approx((31.705, 113.51))
    expected = math.floor(math.log2(720 * 360 / (256 * 0.02)))
    assert view.zoom == min(expected, 16)
    assert view_for_bounds((113.5, 31.7, 113.5, 31.7)).zoom == 16  # a point
    assert view_for_bounds((100.0, 20.0, 120.0, 40.0)).zoom == 8  # clamped

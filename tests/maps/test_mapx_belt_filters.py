"""The loop road's 2 km belt, the works-programme filter and style, filters' bounds,
the legend of what is drawn, the one layer control."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer

from geo_app.domain.categories import WorksProgramme
from geo_app.errors import InputError
from geo_app.maps import build_zone_map, export_map_html
from geo_app.maps.assets import walk
from geo_app.maps.belt import belt_layer, belt_style, loop_belt
from geo_app.maps.elements import ClassLayer, Legend
from geo_app.maps.style import BELT_LAYER, VILLAGE_WORKS_STYLE, VillageTheme, village_style
from geo_app.ui.filters import MapFilters, apply_filters, filtered_bounds, layers_bounds

#: CGCS2000 3° Gauss-Krüger, central meridian 114°E (the zone's survey plane).
GK_EPSG = 4547
DEMONSTRATION = {"挑水村", "新店村", "老湾村"}


def _independent_belt_villages(villages: gpd.GeoDataFrame, roads: gpd.GeoDataFrame,
                               distance_m: float = 2000.0) -> set[str]:
    """Villages within ``distance_m`` of the loop road: pyproj + shapely, not the app."""
    to_gk = Transformer.from_crs(4490, GK_EPSG, always_xy=True)
    loop = roads[roads["kind"] == "tourism_loop"]
    road = shapely.union_all([shapely.transform(g, lambda xy: np.column_stack(
        to_gk.transform(xy[:, 0], xy[:, 1]))) for g in loop.geometry])
    out = set()
    for name, geom in zip(villages["name"], villages.geometry, strict=True):
        g = shapely.transform(geom, lambda xy: np.column_stack(to_gk.transform(xy[:, 0],
                                                                                xy[:, 1])))
        if shapely.distance(g, road) <= distance_m:
            out.add(name)
    return out


def test_belt_villages_match_an_independent_computation(zone_layers):
    villages, roads = zone_layers["villages"], zone_layers["roads"]
    expected = _independent_belt_villages(villages, roads)
    assert len(expected) == 16  # the article: the loop road drives 16 village collectives
    belt = belt_layer(villages, roads)
    assert set(belt.loc[belt["kind"] == "village", "name"]) == expected
    assert (belt["kind"] == "belt").sum() == 1
    assert belt.crs.to_epsg() == 4490


def test_belt_is_buffered_in_metres_not_degrees(zone_layers):
    roads = zone_layers["roads"]
    belt = loop_belt(roads)
    to_gk = Transformer.from_crs(4490, GK_EPSG, always_xy=True)
    planar = shapely.transform(belt, lambda xy: np.column_stack(to_gk.transform(xy[:, 0],
                                                                                 xy[:, 1])))
    loop = roads[roads["kind"] == "tourism_loop"].to_crs(GK_EPSG).geometry.union_all()
    # every vertex of the belt's outline lies 2 km from the road (round ends: -0.5 %)
    ring = shapely.get_coordinates(shapely.boundary(planar))
    d = shapely.distance(shapely.points(ring), loop)
    assert d.max() == pytest.approx(2000.0, abs=1.0)
    assert d.min() > 1985.0
    # the belt's area: what an independent GK buffer gives
    assert planar.area == pytest.approx(loop.buffer(2000.0).area, rel=2e-3)


def test_belt_without_a_loop_road_says_what_to_do(zone_layers):
    roads = zone_layers["roads"].assign(kind="other")
    with pytest.raises(InputError, match="no tourism loop road"):
        loop_belt(roads)


def test_belt_layer_is_drawn_with_its_village_count_in_the_legend(zone_layers):
    belt = belt_layer(zone_layers["villages"], zone_layers["roads"])
    n = int((belt["kind"] == "village").sum())
    layers = {**zone_layers, BELT_LAYER: belt}
    m = build_zone_map(layers, styles={BELT_LAYER: belt_style(n)}, layer_control=False)
    drawn = [cl for cl in walk(m) if isinstance(cl, ClassLayer) and cl.layer == BELT_LAYER]
    assert {cl.class_key for cl in drawn} == {"belt", "village"}
    assert all(cl.options.get("interactive") is False for cl in drawn)
    legend = next(e for e in walk(m) if isinstance(e, Legend)).spec
    section = next(s for s in legend["sections"] if s["layer"] == BELT_LAYER)
    assert [e["label"] for e in section["entries"]] == [
        "环线两侧 2 公里范围", f"范围内村庄（{n} 个）"]


def test_works_programme_filter_keeps_the_three_demonstration_villages(zone_layers):
    filters = MapFilters.of(works_programmes=[WorksProgramme.PHASE2_DEMONSTRATION.value])
    shown = apply_filters(zone_layers, filters)
    assert set(shown["villages"]["name"]) == DEMONSTRATION
    # facilities follow the villages kept
    assert set(shown["facilities"]["village"]) <= DEMONSTRATION
    # the map zooms to those three villages only
    bounds = filtered_bounds(shown, filters)
    expected = zone_layers["villages"][zone_layers["villages"]["name"].isin(DEMONSTRATION)]
    assert bounds == pytest.approx(tuple(expected.total_bounds))
    assert filtered_bounds(shown, MapFilters()) is None


def test_filter_bounds_follow_the_layers_each_filter_narrows(zone_layers):
    filters = MapFilters.of(phases=[1])
    shown = apply_filters(zone_layers, filters)
    phase1 = zone_layers["parcels"][zone_layers["parcels"]["phase"] == 1]
    assert filtered_bounds(shown, filters) == pytest.approx(tuple(phase1.total_bounds))
    both = MapFilters.of(phases=[1], works_programmes=["phase2_demonstration"])
    shown = apply_filters(zone_layers, both)
    kept = gpd.GeoSeries([*shown["parcels"].geometry, *shown["villages"].geometry], crs=4490)
    assert filtered_bounds(shown, both) == pytest.approx(tuple(kept.total_bounds))
    # nothing left: no view to move to
    empty = apply_filters(zone_layers, MapFilters.of(stages=["no-such-stage"]))
    assert filtered_bounds(empty, MapFilters.of(stages=["no-such-stage"])) is None
    # a layer in a projected CRS is measured in lon/lat
    gk = {"villages": zone_layers["villages"].to_crs(GK_EPSG)}
    assert layers_bounds(gk, ["villages"]) == pytest.approx(
        tuple(zone_layers["villages"].total_bounds), abs=1e-7)


def test_fit_bounds_sets_the_first_view(zone_layers):
    demo = zone_layers["villages"][zone_layers["villages"]["name"].isin(DEMONSTRATION)]
    minx, miny, maxx, maxy = demo.total_bounds
    m = build_zone_map(zone_layers, fit_bounds=(minx, miny, maxx, maxy))
    fit = next(e for e in walk(m) if isinstance(e, folium.map.FitBounds))
    assert fit.bounds == [[pytest.approx(miny), pytest.approx(minx)],
                          [pytest.approx(maxy), pytest.approx(maxx)]]


def test_works_style_colours_villages_by_programme(zone_layers):
    assert village_style(VillageTheme.WORKS) is VILLAGE_WORKS_STYLE
    m = build_zone_map(zone_layers, styles={"villages": VILLAGE_WORKS_STYLE})
    keys = {cl.class_key: len(cl.packed.to_json()) for cl in walk(m)
            if isinstance(cl, ClassLayer) and cl.layer == "villages"}
    assert set(keys) == {w.value for w in WorksProgramme}
    legend = next(e for e in walk(m) if isinstance(e, Legend)).spec
    section = next(s for s in legend["sections"] if s["layer"] == "villages")
    assert [e["label"] for e in section["entries"]] == [w.label("zh") for w in WorksProgramme]


def test_legend_lists_only_the_classes_drawn(zone_layers):
    filters = MapFilters.of(stages=["net_land"])
    m = build_zone_map(apply_filters(zone_layers, filters))
    legend = next(e for e in walk(m) if isinstance(e, Legend)).spec
    parcels = next(s for s in legend["sections"] if s["layer"] == "parcels")
    assert [e["label"] for e in parcels["entries"]] == ["净地"]


def test_the_app_map_has_one_layer_control_the_sidebar(zone_layers):
    m = build_zone_map(zone_layers, layer_control=False, visible={"parcels", "villages"})
    assert not [e for e in walk(m) if isinstance(e, folium.LayerControl)]
    # hidden layers are left out of the page (the sidebar brings them back by a rerun)
    assert {cl.layer for cl in walk(m) if isinstance(cl, ClassLayer)} == {"parcels",
                                                                           "villages"}
    legend = next(e for e in walk(m) if isinstance(e, Legend)).spec
    assert {s["layer"] for s in legend["sections"]} == {"parcels", "villages"}
    assert [s["open"] for s in legend["sections"]] == [True, False]


def test_exports_open_every_legend_section_and_keep_the_map_unchanged(zone_layers):
    m = build_zone_map(zone_layers)
    legend = next(e for e in walk(m) if isinstance(e, Legend))
    before = legend.spec_json
    html = export_map_html(m)
    assert html.count('"open":true') == len(legend.spec["sections"])
    assert '"open":false' not in html
    assert legend.spec_json == before
    assert build_zone_map(zone_layers, legend_open=True).get_root().render().count(
        '"open":true') == len(legend.spec["sections"])

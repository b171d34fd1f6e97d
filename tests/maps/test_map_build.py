"""build_zone_map: groups, legend, tooltips, languages, basemaps, offline links, payload."""

from __future__ import annotations

import itertools
import re

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from geo_app.analysis.area import add_areas
from geo_app.domain.stages import ParcelStage
from geo_app.errors import CRSError, InputError
from geo_app.maps import Basemap, build_zone_map, export_map_html, legend_entries
from geo_app.maps.assets import walk
from geo_app.maps.elements import ClassLayer, Legend
from geo_app.maps.style import STAGE_HEX, layer_label
from geo_app.maps.synthetic import synthetic_parcels

LAYERS = ("parks", "parcels", "projects", "villages", "facilities", "roads", "sites", "boundary")
URL = re.compile(r"https?://[^\s\"'<>)]+")


def _class_layers(m: folium.Map, layer: str | None = None) -> list[ClassLayer]:
    return [e for e in walk(m) if isinstance(e, ClassLayer) and layer in (None, e.layer)]


def _groups(m: folium.Map) -> list[folium.FeatureGroup]:
    return [e for e in m._children.values() if isinstance(e, folium.FeatureGroup)
            and e.control]


def _legend(m: folium.Map) -> dict:
    return next(e for e in walk(m) if isinstance(e, Legend)).spec


def _rows(cl: ClassLayer) -> list[dict]:
    import json

    data = json.loads(cl.payload)
    return [dict(zip(data["k"], row, strict=True)) for row in data["v"]]


def test_every_layer_has_its_own_toggleable_group(zone_layers):
    m = build_zone_map(zone_layers)
    names = [g.layer_name for g in _groups(m)]
    assert sorted(names) == sorted(layer_label(n, "zh") for n in LAYERS)
    control = next(e for e in walk(m) if isinstance(e, folium.LayerControl))
    html = m.get_root().render()
    for name in names:
        assert f'"{name}"' in html  # listed as an overlay of the layer control
    assert control.options["collapsed"] is False
    assert {cl.layer for cl in _class_layers(m)} == set(LAYERS)


def test_visible_chooses_the_layers_shown_at_first(zone_layers):
    m = build_zone_map(zone_layers, visible={"parcels", "villages"})
    shown = {g.layer_name for g in _groups(m) if g.show}
    assert shown == {layer_label("parcels", "zh"), layer_label("villages", "zh")}
    assert len(_groups(m)) == len(LAYERS)  # the others can still be ticked on


def test_legend_colours_match_the_drawn_styles(zone_layers):
    m = build_zone_map(zone_layers)
    legend = {s["layer"]: {e["label"]: e["hex"] for e in s["entries"]}
              for s in _legend(m)["sections"]}
    assert set(legend) == set(LAYERS)
    for cl in _class_layers(m):
        drawn = cl.options.get("fillColor", cl.options["color"])
        label = cl.meta["class_label"]
        assert legend[cl.layer][label] == drawn, (cl.layer, label)
    for layer in LAYERS:  # only the classes drawn, in the style's order
        drawn_labels = {cl.meta["class_label"] or layer_label(layer, "zh")
                        for cl in _class_layers(m, layer)}
        assert set(legend[layer]) == drawn_labels, layer
        known = [entry for entry in legend_entries(layer, "zh") if entry[0] in drawn_labels]
        assert [e for e in legend[layer].items() if e in known] == known, layer


def test_parcels_are_coloured_by_all_ten_stages_in_a_sequence():
    entries = legend_entries("parcels", "zh")
    assert [label for label, _ in entries] == [s.label_zh for s in ParcelStage]
    colours = [hex_ for _, hex_ in entries]
    assert len(set(colours)) == 10

    def luminance(hex_: str) -> float:
        rgb = np.array([int(hex_[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
        lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
        return float(lin @ [0.2126, 0.7152, 0.0722])

    lum = [luminance(STAGE_HEX[s]) for s in ParcelStage]
    assert all(a > b for a, b in itertools.pairwise(lum[:8]))  # in progress: darker
    assert lum[8] > lum[9]  # net land, then supplied


def test_legend_opens_only_the_parcel_stages_at_first(zone_layers):
    sections = _legend(build_zone_map(zone_layers))["sections"]
    assert [s["layer"] for s in sections if s["open"]] == ["parcels"]
    assert sections[0]["layer"] == "parcels"
    # without parcels, the first section is open, so the legend never starts all closed
    others = {k: v for k, v in zone_layers.items() if k != "parcels"}
    sections = _legend(build_zone_map(others))["sections"]
    assert [s["open"] for s in sections] == [True] + [False] * (len(sections) - 1)


def test_popups_show_phases_as_words(zone_layers):
    for lang, labels in (("zh", {"1": "一期", "2": "二期"}), ("en", {"1": "Phase 1",
                                                                  "2": "Phase 2"})):
        m = build_zone_map({"parcels": zone_layers["parcels"]}, lang=lang)
        for cl in _class_layers(m, "parcels"):
            phase = next(f for f in cl.meta["fields"] if f["key"] == "phase")
            assert phase["kind"] == "enum"
            drawn = {str(row["phase"]) for row in _rows(cl)}
            assert drawn <= set(phase["labels"])
            assert phase["labels"] == {k: labels[k] for k in phase["labels"]}


def test_point_markers_are_small_with_a_white_ring(zone_layers):
    m = build_zone_map(zone_layers)
    for layer in ("projects", "facilities"):
        for cl in _class_layers(m, layer):
            assert 5.0 <= cl.options["radius"] <= 6.0
            assert cl.options["color"] == "#ffffff" and cl.options["weight"] > 1


def test_tooltips_show_the_area_in_mu(zone_layers):
    m = build_zone_map(zone_layers)
    parcels = zone_layers["parcels"].set_index("id")
    for cl in _class_layers(m, "parcels"):
        assert cl.meta["area"] == {"key": "area_mu_plane", "unit": "亩"}
        for row in _rows(cl):
            assert row["area_mu_plane"] == pytest.approx(
                parcels.loc[row["id"], "area_mu_plane"], abs=1e-4)
    villages = next(iter(_class_layers(m, "villages")))
    assert villages.meta["area"]["key"] == "area_mu_plane"
    projects = next(iter(_class_layers(m, "projects")))
    assert projects.meta["area"] is None


def test_without_computed_areas_parcels_show_the_declared_area(zone_layers):
    raw = zone_layers["parcels"].drop(columns=[c for c in zone_layers["parcels"].columns
                                               if c.startswith("area_")])
    m = build_zone_map({"parcels": raw})
    assert all(cl.meta["area"]["key"] == "declared_area_mu" for cl in _class_layers(m))


def test_feature_properties_carry_the_id(zone_layers):
    m = build_zone_map(zone_layers)
    for cl in _class_layers(m):
        ids = [row["id"] for row in _rows(cl)]
        assert set(ids) <= set(zone_layers[cl.layer]["id"])
    drawn = sorted(row["id"] for cl in _class_layers(m, "parcels") for row in _rows(cl))
    assert drawn == sorted(zone_layers["parcels"]["id"])


def test_language_switch_changes_every_label(zone_layers):
    zh, en = build_zone_map(zone_layers, lang="zh"), build_zone_map(zone_layers, lang="en")
    assert {g.layer_name for g in _groups(en)} == {layer_label(n, "en") for n in LAYERS}
    assert "Acquisition parcels" in {g.layer_name for g in _groups(en)}
    assert _legend(zh)["title"] == "图例" and _legend(en)["title"] == "Legend"
    en_labels = {cl.meta["class_label"] for cl in _class_layers(en, "parcels")}
    assert en_labels <= {s.label_en for s in ParcelStage}
    zh_fields = {f["label"] for cl in _class_layers(zh, "parcels") for f in cl.meta["fields"]}
    en_fields = {f["label"] for cl in _class_layers(en, "parcels") for f in cl.meta["fields"]}
    assert "面积(亩)" in zh_fields and "Area (mu)" in en_fields
    assert next(iter(_class_layers(en, "villages"))).meta["title_keys"] == ["name_en", "name"]


def test_unknown_language_is_refused(zone_layers):
    with pytest.raises(InputError, match="'zh'"):
        build_zone_map(zone_layers, lang="fr")


def test_offline_map_links_nothing_outside(zone_layers):
    html = build_zone_map(zone_layers).get_root().render()
    assert URL.findall(html) == []
    assert "app/static/vendor/leaflet/leaflet.js" in html


def test_no_basemap_means_no_tiles_and_a_light_background(zone_layers):
    m = build_zone_map(zone_layers, basemap=Basemap.NONE)
    assert not [e for e in walk(m) if isinstance(e, folium.TileLayer)]
    html = m.get_root().render()
    assert re.search(rf"#{m.get_name()} {{ background: #f4f3ef; }}", html)


def test_online_basemaps_add_only_their_tiles(zone_layers):
    html = build_zone_map(zone_layers, basemap=Basemap.OSM).get_root().render()
    assert {u.split("/")[2] for u in URL.findall(html)} == {"tile.openstreetmap.org"}
    m = build_zone_map(zone_layers, basemap=Basemap.TIANDITU_IMG, tianditu_key="k3y-123")
    tiles = [e for e in walk(m) if isinstance(e, folium.TileLayer)]
    assert len(tiles) == 2
    assert all("tk=k3y-123" in t.tiles and "{s}" in t.tiles for t in tiles)
    assert ["LAYER=img" in tiles[0].tiles, "LAYER=cia" in tiles[1].tiles] == [True, True]


def test_tianditu_without_a_key_says_where_to_set_it(zone_layers):
    with pytest.raises(InputError, match="GEO_APP_TIANDITU_KEY"):
        build_zone_map(zone_layers, basemap=Basemap.TIANDITU_VEC)


def test_gaode_shifts_overlays_and_the_centre(zone_layers):
    plain = build_zone_map(zone_layers, center=(31.69, 113.38), zoom=13)
    gaode = build_zone_map(zone_layers, basemap=Basemap.GAODE, center=(31.69, 113.38), zoom=13)
    dlon = gaode.location[1] - plain.location[1]
    assert 0.005 < dlon < 0.007  # ~600 m east at Suizhou
    for a, b in zip(_class_layers(plain), _class_layers(gaode), strict=True):
        shift = np.subtract(b.packed.bounds, a.packed.bounds)
        assert np.all((shift[[0, 2]] > 0.005) & (shift[[0, 2]] < 0.007)), shift
        assert np.all((shift[[1, 3]] > -0.0025) & (shift[[1, 3]] < -0.0015)), shift


def test_display_preparation_never_changes_the_input(zone_layers):
    before = {n: g.copy() for n, g in zone_layers.items()}
    build_zone_map(zone_layers, basemap=Basemap.GAODE, simplify_deg=1e-4, quantum_deg=1e-5)
    for name, gdf in zone_layers.items():
        assert_geodataframe_equal(gdf, before[name])


def test_big_layers_are_simplified_drawn_on_canvas_and_lean(vendored):
    gdf, _ = add_areas(synthetic_parcels(6000, points_per_edge=5))
    coords_before = shapely.get_num_coordinates(gdf.geometry.array).sum()
    m = build_zone_map({"parcels": gdf})
    assert m.options["prefer_canvas"] is True
    sent = sum(int(np.sum(cl.packed.counts[0])) for cl in _class_layers(m))
    assert sent < 0.35 * coords_before  # ~5 of 21 vertices per parcel after simplification
    assert {cl.packed.columns for cl in _class_layers(m)} == {("id", "name", "area_mu_plane")}
    assert shapely.get_num_coordinates(gdf.geometry.array).sum() == coords_before


def test_small_maps_use_svg_with_full_details(zone_layers):
    m = build_zone_map(zone_layers)
    assert m.options["prefer_canvas"] is False
    parcel_columns = next(iter(_class_layers(m, "parcels"))).packed.columns
    assert {"id", "name", "park", "phase", "stage_date", "area_mu_plane"} <= set(parcel_columns)


def test_payload_is_under_a_third_of_naive_folium_for_1k_parcels(vendored):
    gdf, _ = add_areas(synthetic_parcels(1000))
    ours = build_zone_map({"parcels": gdf}).get_root().render()
    naive = folium.Map(tiles=None)
    folium.GeoJson(gdf, style_function=lambda f: {
        "fillColor": STAGE_HEX[ParcelStage(f["properties"]["stage"])]}).add_to(naive)
    naive_html = naive.get_root().render()
    assert len(ours.encode()) < len(naive_html.encode()) / 3


def test_layers_need_a_crs_and_are_reprojected_to_cgcs2000(zone_layers):
    parcels = zone_layers["parcels"]
    with pytest.raises(CRSError, match="EPSG:4490"):
        build_zone_map({"parcels": parcels.set_crs(None, allow_override=True)})
    in_plane = build_zone_map({"parcels": parcels.to_crs(4547)})
    in_degrees = build_zone_map({"parcels": parcels})
    a = np.array([cl.packed.bounds for cl in _class_layers(in_plane)])
    b = np.array([cl.packed.bounds for cl in _class_layers(in_degrees)])
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_user_layers_get_one_neutral_class(zone_layers):
    own = gpd.GeoDataFrame({"id": ["a"], "name": ["我的图层"]},
                           geometry=[shapely.box(113.4, 31.7, 113.41, 31.71)], crs=4490)
    m = build_zone_map({"parcels": zone_layers["parcels"], "my_layer": own})
    assert [g.layer_name for g in _groups(m)] == ["my_layer", layer_label("parcels", "zh")]
    (cl,) = _class_layers(m, "my_layer")
    assert cl.options["fillColor"] == legend_entries("my_layer", "zh")[0][1]


def test_an_empty_layer_keeps_its_group_and_legend(zone_layers):
    empty = zone_layers["parcels"].iloc[0:0]
    m = build_zone_map({"parcels": empty, "villages": zone_layers["villages"]})
    assert layer_label("parcels", "zh") in [g.layer_name for g in _groups(m)]
    assert _class_layers(m, "parcels") == []
    # the legend lists what is drawn: nothing of the empty layer
    assert [s["layer"] for s in _legend(m)["sections"]] == ["villages"]


def test_selected_feature_is_outlined(zone_layers):
    m = build_zone_map(zone_layers, selected=("villages", "V-01"))
    (outline,) = [cl for cl in _class_layers(m) if cl.class_key == "selected"]
    assert outline.options["interactive"] is False and outline.options["fill"] is False
    village = zone_layers["villages"].set_index("id").loc["V-01", "geometry"]
    np.testing.assert_allclose(outline.packed.bounds, village.bounds, atol=1e-6)


def test_export_inlines_everything_and_leaves_the_map_as_it_was(zone_layers):
    m = build_zone_map(zone_layers)
    links_before = list(m.default_js), list(m.default_css)
    html = export_map_html(m)
    assert "<script src=" not in html and 'rel="stylesheet"' not in html
    assert "data:image/png;base64," in html  # leaflet.css images inlined
    assert (list(m.default_js), list(m.default_css)) == links_before
    assert "app/static/vendor/leaflet/leaflet.js" in m.get_root().render()

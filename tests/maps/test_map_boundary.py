"""The district boundary on the map: a thin dashed outline under everything, not clickable."""

from __future__ import annotations

import folium
import pytest

from geo_app.maps import build_zone_map
from geo_app.maps.assets import walk
from geo_app.maps.elements import ClassLayer, Legend


def _class_layers(m: folium.Map, layer: str) -> list[ClassLayer]:
    return [e for e in walk(m) if isinstance(e, ClassLayer) and e.layer == layer]


def _fit(m: folium.Map) -> list[list[float]]:
    fits = [e for e in walk(m) if isinstance(e, folium.FitBounds)]
    assert len(fits) == 1
    return fits[0].bounds


def test_boundary_is_a_dashed_unfilled_non_interactive_outline(zone_layers):
    m = build_zone_map(zone_layers)
    (cl,) = _class_layers(m, "boundary")
    assert cl.symbol == "polygon"
    assert cl.options["fill"] is False and "fillColor" not in cl.options
    assert cl.options["interactive"] is False and cl.meta["interactive"] is False
    assert cl.options["dashArray"] and cl.options["weight"] <= 2
    # the runtime binds no tooltip or popup to it
    html = m.get_root().render()
    assert cl.meta_json in html and '"interactive":false' in cl.meta_json


def test_boundary_is_drawn_under_every_other_layer(zone_layers):
    m = build_zone_map(zone_layers)
    order = [e.layer for e in walk(m) if type(e).__name__ == "_Register"]
    assert order[0] == "boundary" and len(order) == len(zone_layers)
    html = m.get_root().render()
    registered = [html.index(f'"{name}", {z})') for z, name in enumerate(order)]
    assert registered == sorted(registered)


@pytest.mark.parametrize(("lang", "title", "label"), [
    ("zh", "行政区界", "曾都区界"),
    ("en", "District boundary", "Zengdu district boundary"),
])
def test_legend_names_the_district_boundary(zone_layers, lang, title, label):
    m = build_zone_map(zone_layers, lang=lang)
    spec = next(e for e in walk(m) if isinstance(e, Legend)).spec
    section = next(s for s in spec["sections"] if s["layer"] == "boundary")
    assert section["title"] == title and section["symbol"] == "line"
    (entry,) = section["entries"]
    assert entry["label"] == label
    assert "dashed" in entry["css"]
    assert spec["sections"][-1]["layer"] == "boundary"  # consulted least, listed last


def test_initial_view_fits_the_zone_not_the_whole_district(zone_layers):
    with_boundary = _fit(build_zone_map(zone_layers))
    without = _fit(build_zone_map({k: v for k, v in zone_layers.items() if k != "boundary"}))
    assert with_boundary == without
    (south, west), (north, east) = _fit(build_zone_map({"boundary": zone_layers["boundary"]}))
    assert north - south > 0.6 and east - west > 0.38  # 曾都区 spans ≈ 0.61° × 0.39°

"""Hostile layer, feature and attribute names in the map: escaped where they enter the page,
the exported page still parses into the same scripts, and it carries a strict CSP.

The names come from a GeoPackage written here with pyogrio (tests/hostile_text.py); the
page is tokenised with Python's HTML parser, and the data the browser receives is decoded
with ``json`` straight from the page text, so a name that broke out of its ``<script>``
or its JSON string would show up as an extra tag or a different value.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import folium
import geopandas as gpd
import pytest
from hostile_text import (
    FEATURE_NAMES,
    HOSTILE_COLUMN,
    HOSTILE_VALUE,
    LAYER_NAME,
    write_hostile_gpkg,
)

from geo_app.maps import Basemap, build_zone_map, export_map_html
from geo_app.maps.csp import app_policy, export_policy, tile_sources
from geo_app.textsafe import html_text

#: Scripts of an exported page: Leaflet, jQuery, folium's L_NO_TOUCH flags, the map.
EXPORT_SCRIPTS = 4
PAGE_TAGS = {"html", "head", "meta", "title", "script", "style", "body", "div"}
CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)" />')


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.scripts: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._script = tag == "script"
        if self._script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = False

    def handle_data(self, data):
        if self._script:
            self.scripts[-1] += data


@pytest.fixture
def hostile(tmp_path: Path) -> gpd.GeoDataFrame:
    path = write_hostile_gpkg(tmp_path / "hostile.gpkg")
    return gpd.read_file(path, layer=LAYER_NAME)


def _json_arguments(script: str, call: str, skip_args: int = 0) -> list[object]:
    """The JSON argument of every ``call(`` in ``script`` (after ``skip_args`` names)."""
    decoder, out = json.JSONDecoder(), []
    for match in re.finditer(re.escape(call) + r"\(\s*", script):
        at = match.end()
        for _ in range(skip_args):
            at = script.index(",", at) + 1
        while script[at].isspace():
            at += 1
        out.append(decoder.raw_decode(script, at)[0])
    return out


def _overlay_names(script: str) -> list[str]:
    block = re.search(r"overlays :\s*\{(.*?)\}", script, re.S).group(1)
    return [json.loads(key) for key in re.findall(r'^\s*(".*")\s*:', block, re.M)]


def test_layer_control_gets_the_layer_name_as_escaped_html(hostile, vendored):
    m = build_zone_map({LAYER_NAME: hostile})
    html = m.get_root().render()
    assert _overlay_names(html) == [html_text(LAYER_NAME)]
    assert "&lt;img src=x onerror=" in _overlay_names(html)[0]
    # the group keeps the plain name: anything reading it is not handed HTML
    groups = [e for e in m._children.values() if isinstance(e, folium.FeatureGroup)]
    assert [g.layer_name for g in groups] == [LAYER_NAME]


def test_groups_added_by_others_are_escaped_too(hostile, vendored):
    m = build_zone_map({"parcels": hostile.iloc[:1]})
    folium.FeatureGroup(name="<img src=x onerror=top.__pwned=1>").add_to(m)
    assert "&lt;img src=x onerror=top.__pwned=1&gt;" in _overlay_names(m.get_root().render())


def test_exported_page_keeps_every_hostile_name_inside_its_script(hostile, vendored):
    html = export_map_html(build_zone_map({LAYER_NAME: hostile}))
    page = _Page()
    page.feed(html)
    assert set(page.tags) <= PAGE_TAGS, set(page.tags) - PAGE_TAGS
    assert page.tags.count("script") == EXPORT_SCRIPTS
    map_script = page.scripts[-1]
    assert "geoApp.ready(" in map_script  # the map's script was not cut short
    for raw in (*FEATURE_NAMES, LAYER_NAME, HOSTILE_COLUMN, HOSTILE_VALUE, "\u2028", "\u2029"):
        assert raw not in map_script
    # what the browser decodes is exactly the file's text
    payloads = _json_arguments(map_script, "geoApp.features")
    rows = [dict(zip(p["k"], row, strict=True)) for p in payloads for row in p["v"]]
    assert sorted(r["name"] for r in rows) == sorted(FEATURE_NAMES)
    assert {r[HOSTILE_COLUMN] for r in rows} == {HOSTILE_VALUE}
    assert _json_arguments(map_script, "geoApp.register", skip_args=2) == [LAYER_NAME]
    legend = _json_arguments(map_script, "geoApp.legend", skip_args=1)[0]
    assert legend["sections"][0]["title"] == LAYER_NAME  # drawn as text (textContent)
    meta = _json_arguments(map_script, "geoApp.bind", skip_args=1)
    assert {f["label"] for m in meta for f in m["fields"]} >= {HOSTILE_COLUMN}


def test_names_in_a_known_layer_are_escaped_the_same_way(zone_layers):
    parcels = zone_layers["parcels"].head(len(FEATURE_NAMES)).copy()
    parcels["name"] = list(FEATURE_NAMES)
    html = export_map_html(build_zone_map({"parcels": parcels}, lang="en"))
    page = _Page()
    page.feed(html)
    assert page.tags.count("script") == EXPORT_SCRIPTS
    rows = [dict(zip(p["k"], r, strict=True))
            for p in _json_arguments(page.scripts[-1], "geoApp.features") for r in p["v"]]
    assert sorted(r["name"] for r in rows) == sorted(FEATURE_NAMES)


def test_exported_page_forbids_every_outside_request(hostile, vendored):
    html = export_map_html(build_zone_map({LAYER_NAME: hostile}))
    policies = CSP_META.findall(html)
    assert len(policies) == 1
    assert html.index("Content-Security-Policy") < html.index("<script")
    directives = dict(d.strip().split(" ", 1) for d in policies[0].split(";"))
    for closed in ("default-src", "connect-src", "frame-src", "object-src", "base-uri",
                   "form-action"):
        assert directives[closed] == "'none'"
    assert directives["script-src"] == "'unsafe-inline'"
    assert directives["img-src"] == "data: blob:"
    assert "http" not in policies[0] and "'self'" not in policies[0]


@pytest.mark.parametrize(("basemap", "hosts"), [
    (Basemap.OSM, ["https://tile.openstreetmap.org"]),
    (Basemap.GAODE, ["https://*.is.autonavi.com"]),
    (Basemap.TIANDITU_IMG, ["https://*.tianditu.gov.cn"]),
])
def test_only_the_chosen_basemaps_tile_host_may_serve_images(hostile, vendored, basemap,
                                                              hosts):
    m = build_zone_map({LAYER_NAME: hostile}, basemap=basemap, tianditu_key="k3y")
    assert tile_sources(m) == hosts
    policy = CSP_META.findall(export_map_html(m))[0]
    assert policy == export_policy(m)
    assert policy.endswith("img-src data: blob: " + " ".join(hosts))


def test_app_map_has_its_own_policy_and_export_does_not_change_it(hostile, vendored):
    m = build_zone_map({LAYER_NAME: hostile})
    in_app = CSP_META.findall(m.get_root().render())
    assert in_app == [app_policy(m)]
    assert "'self'" in app_policy(m) and "'unsafe-eval'" in app_policy(m)
    assert "connect-src 'none'" in app_policy(m)
    export_map_html(m)
    assert CSP_META.findall(m.get_root().render()) == in_app
    assert CSP_META.findall(build_zone_map({LAYER_NAME: hostile}, asset_base_url=None)
                            .get_root().render()) == []  # CDN links: comparisons only

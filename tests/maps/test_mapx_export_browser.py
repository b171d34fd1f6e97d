"""The exported map (one offline HTML file) in headless Chromium: labels placed without
overlap, hostile names shown as text, the legend fully open, the offline basemap notice."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely

from geo_app.maps import Basemap, build_zone_map, export_map_html

LABEL_BOXES_JS = """() => Array.from(document.querySelectorAll('.geo-label'))
  .filter((e) => e.style.display !== 'none' && e.offsetWidth > 0)
  .map((e) => { const r = e.getBoundingClientRect();
    return {text: e.textContent, l: r.left, t: r.top, r: r.right, b: r.bottom}; })"""
#: The page's Leaflet map (folium names it map_<id>).
MAP_JS = "Object.values(window).find((v) => v instanceof L.Map)"
HOSTILE = ["<img src=x onerror=window.__pwned=1>", "</div><script>window.__pwned=2</script>",
           "{{ 7*7 }} & \u2028 \"'", "挑水村<b>粗</b>"]


def _open(chromium, html: str, tmp_path: Path, viewport=None):
    path = tmp_path / "map.html"
    path.write_text(html, encoding="utf-8")
    page = chromium.new_page(viewport=viewport or {"width": 1920, "height": 1080})
    blocked: list[str] = []
    errors: list[str] = []

    def route(r):
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_selector("html[data-geo-app-ready]", state="attached", timeout=30_000)
    page.wait_for_timeout(300)
    return page, blocked, errors


def _overlaps(boxes):
    return [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]]


def test_export_labels_do_not_overlap_and_the_legend_is_open(chromium, zone_layers, tmp_path):
    page, blocked, errors = _open(chromium, export_map_html(build_zone_map(zone_layers)),
                                  tmp_path)
    try:
        boxes = page.evaluate(LABEL_BOXES_JS)
        assert len(boxes) >= 20
        assert {"挑水村", "新店村", "老湾村"} <= {b["text"] for b in boxes}
        assert _overlaps(boxes) == []
        sections = page.locator(".geo-legend-section")
        assert sections.count() >= 8
        for section in sections.all():
            assert "geo-closed" not in (section.get_attribute("class") or "")
        # zooming in places more labels, still without overlap
        page.evaluate(
            f"() => {{ const m = {MAP_JS}; m.setZoom(m.getZoom() + 2, {{animate: false}}); }}")
        page.wait_for_timeout(300)
        closer = page.evaluate(LABEL_BOXES_JS)
        assert closer and _overlaps(closer) == []
        assert blocked == [] and errors == []
    finally:
        page.close()


def test_hostile_names_are_labels_as_text(chromium, tmp_path):
    boxes = [shapely.box(113.40 + 0.03 * i, 31.70, 113.42 + 0.03 * i, 31.72)
             for i in range(len(HOSTILE))]
    gdf = gpd.GeoDataFrame({"id": [f"h{i}" for i in range(len(HOSTILE))], "name": HOSTILE},
                           geometry=boxes, crs=4490)
    m = build_zone_map({"hostile<i>": gdf}, labels=["hostile<i>"], label_px=18)
    page, blocked, errors = _open(chromium, export_map_html(m), tmp_path)
    try:
        texts = page.evaluate("""() => Array.from(document.querySelectorAll('.geo-label'))
            .map((e) => [e.textContent, e.children.length])""")
        assert sorted(t for t, _ in texts) == sorted(HOSTILE)
        assert all(n == 0 for _, n in texts)  # no element made from a name
        assert page.evaluate("() => window.__pwned") is None
        assert page.locator(".leaflet-container img, .geo-labels script, .geo-labels b"
                            ).count() == 0
        sizes = page.evaluate("""() => Array.from(document.querySelectorAll('.geo-label'))
            .filter((e) => e.style.display !== 'none')
            .map((e) => getComputedStyle(e).fontSize)""")
        assert sizes and set(sizes) == {"18px"}
        assert blocked == [] and errors == []
    finally:
        page.close()


def test_export_with_an_unreachable_basemap_says_so_and_shows_no_tiles(chromium, zone_layers,
                                                                       tmp_path):
    m = build_zone_map(zone_layers, basemap=Basemap.OSM, lang="en")
    page, blocked, errors = _open(chromium, export_map_html(m), tmp_path)
    try:
        notice = page.locator(".geo-notice")
        notice.wait_for(timeout=30_000)
        assert "Basemap could not be loaded (offline)" in notice.inner_text()
        assert page.locator("img.leaflet-tile").count() == 0
        assert page.evaluate(f"() => {MAP_JS}.geoApp.basemapOffline") is True
        assert blocked and {u.split("/")[2] for u in blocked} == {"tile.openstreetmap.org"}
        assert page.locator("path.geo-layer-parcels").count() == len(zone_layers["parcels"])
        # the notice is kept clear of labels
        note = notice.bounding_box()
        note_box = {"text": "notice", "l": note["x"], "t": note["y"],
                    "r": note["x"] + note["width"], "b": note["y"] + note["height"]}
        assert [o for o in _overlaps([*page.evaluate(LABEL_BOXES_JS), note_box])
                if "notice" in o] == []
        assert errors == []
    finally:
        page.close()

"""The exported map in a real headless Chromium with every outside request blocked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo_app.domain.stages import ParcelStage
from geo_app.maps import build_zone_map, export_map_html
from geo_app.maps.style import STAGE_HEX

pytestmark = pytest.mark.browser

FIND_MAP = "Object.values(window).find((v) => v instanceof L.Map)"


def _open_offline(chromium, html: str, tmp_path: Path):
    path = tmp_path / "map.html"
    path.write_text(html, encoding="utf-8")
    page = chromium.new_page(viewport={"width": 1200, "height": 800})
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
    return page, blocked, errors


def test_exported_map_opens_offline(chromium, zone_layers, tmp_path):
    page, blocked, errors = _open_offline(chromium, export_map_html(build_zone_map(zone_layers)),
                                          tmp_path)
    try:
        assert page.locator(".leaflet-container").count() == 1
        assert page.locator("path.geo-layer-parcels").count() == len(zone_layers["parcels"])
        assert page.locator("path.geo-layer-villages").count() == len(zone_layers["villages"])
        assert blocked == [] and errors == []
        legend = page.locator(".geo-legend")
        assert legend.is_visible()
        assert "图例" in legend.inner_text() and "净地" in legend.inner_text()
        # the stages drawn, in workflow order (the legend lists only what is on the map)
        drawn = set(zone_layers["parcels"]["stage"])
        expected = [STAGE_HEX[s] for s in ParcelStage if s.value in drawn]
        assert 0 < len(expected) < len(ParcelStage)  # the test data leaves one stage out
        swatches = page.locator(".geo-legend-section[data-layer=parcels] .geo-sw")
        assert [swatches.nth(i).get_attribute("data-color")
                for i in range(swatches.count())] == expected
        net_land = page.locator("path.geo-class-net_land").first
        assert net_land.get_attribute("fill") == STAGE_HEX[ParcelStage.NET_LAND]
        # the legend sits bottom-left, clear of the layer control (top-right)
        box, control = legend.bounding_box(), page.locator(".leaflet-control-layers").bounding_box()
        assert box["x"] < 50 and box["y"] + box["height"] > 700
        assert box["x"] + box["width"] < control["x"] or box["y"] > control["y"] + control["height"]
    finally:
        page.close()


def test_legend_is_compact_and_its_sections_fold(chromium, zone_layers, tmp_path):
    page, blocked, errors = _open_offline(chromium, export_map_html(build_zone_map(zone_layers)),
                                          tmp_path)
    try:
        page.set_viewport_size({"width": 1000, "height": 650})
        page.wait_for_timeout(300)
        legend = page.locator(".geo-legend")
        # an export is read, not operated: every section open, the legend within half the
        # map's height (it scrolls beyond), clear of the zoom buttons
        box = legend.bounding_box()
        assert box["height"] <= 0.5 * 650 + 1
        zoom = page.locator(".leaflet-control-zoom").bounding_box()
        assert box["y"] > zoom["y"] + zoom["height"]
        projects = page.locator(".geo-legend-section[data-layer=projects]")
        for section in page.locator(".geo-legend-section").all():
            assert "geo-closed" not in (section.get_attribute("class") or "")
        # a section title closes and opens its entries
        projects.locator(".geo-legend-title").click()
        assert not projects.locator(".geo-legend-row").first.is_visible()
        projects.locator(".geo-legend-title").click()
        projects.locator(".geo-legend-row").first.scroll_into_view_if_needed()
        assert projects.locator(".geo-legend-row").first.is_visible()
        assert "在建" in legend.inner_text()
        # Leaflet credited in plain text: no flag, no link out
        attribution = page.locator(".leaflet-control-attribution")
        assert attribution.inner_text().strip() == "Leaflet"
        assert attribution.locator("a, svg").count() == 0
        assert blocked == [] and errors == []
    finally:
        page.close()


def test_toggling_a_layer_hides_it_and_its_legend(chromium, zone_layers, tmp_path):
    page, _, _ = _open_offline(chromium, export_map_html(build_zone_map(zone_layers)), tmp_path)
    try:
        box = page.locator(".leaflet-control-layers label", has_text="征地地块")
        section = page.locator(".geo-legend-section[data-layer=parcels]")
        box.click()
        assert page.locator("path.geo-layer-parcels").count() == 0
        assert not section.is_visible()
        box.click()
        assert page.locator("path.geo-layer-parcels").count() == len(zone_layers["parcels"])
        assert section.is_visible()
        # drawn again above the villages, not under them
        order = page.evaluate("""() => Array.from(document.querySelectorAll('path'))
            .map((p) => p.getAttribute('class') || '')""")
        first_parcel = next(i for i, c in enumerate(order) if "geo-layer-parcels" in c)
        last_village = max(i for i, c in enumerate(order) if "geo-layer-villages" in c)
        assert first_parcel > last_village
    finally:
        page.close()


def test_tooltip_popup_and_click_data_in_english(chromium, zone_layers, tmp_path):
    parcels = zone_layers["parcels"].set_index("id")
    m = build_zone_map({"parcels": zone_layers["parcels"]}, lang="en")
    page, blocked, errors = _open_offline(chromium, export_map_html(m), tmp_path)
    try:
        path = page.locator("path.geo-layer-parcels").first
        path.hover(force=True)
        tip = page.locator(".geo-tooltip").inner_text()
        name = tip.splitlines()[0].strip()
        row = parcels[parcels["name"] == name].iloc[0]
        assert f"{row['area_mu_plane']:,.2f} mu" in tip
        assert ParcelStage(row["stage"]).label_en in tip
        path.click(force=True)
        popup = page.locator(".geo-popup").inner_text()
        assert "Area (mu)" in popup and "Park" in popup and row["park"] in popup
        feature = page.evaluate(f"""() => {{
            const map = {FIND_MAP};
            let found = null;
            map.eachLayer((l) => {{ if (!found && l.feature && l.toGeoJSON) {{
                found = l.toGeoJSON(); }} }});
            return found; }}""")
        assert feature["properties"]["layer"] == "parcels"
        assert feature["properties"]["id"] in parcels.index
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert "Legend" in page.locator(".geo-legend").inner_text()
        assert blocked == [] and errors == []
    finally:
        page.close()


def test_big_layer_paints_on_canvas(chromium, vendored, tmp_path):
    from geo_app.analysis.area import add_areas
    from geo_app.maps.synthetic import synthetic_parcels

    gdf, _ = add_areas(synthetic_parcels(5000))
    page, blocked, errors = _open_offline(chromium, export_map_html(
        build_zone_map({"parcels": gdf})), tmp_path)
    try:
        assert page.locator(".leaflet-overlay-pane canvas").count() == 1
        drawn = page.evaluate(f"""() => {{ let n = 0;
            {FIND_MAP}.eachLayer((l) => {{ if (l instanceof L.Path) n += 1; }}); return n; }}""")
        assert drawn == 5000
        assert blocked == [] and errors == []
        assert re.fullmatch(r"\d+(\.\d+)?", str(page.evaluate("window.geoAppReadyMs")))
    finally:
        page.close()

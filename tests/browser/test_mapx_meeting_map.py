"""The zone map as shown at a meeting, in a real browser at 1920×1080 (and 150 % zoom):
name labels placed without overlap, the sidebar as the one layer control (legend and
counter follow it), the works-programme filter zooming to the three demonstration
villages, the loop road's 2 km belt, a map as tall as the window, full screen, and the
offline notice of an online basemap. Expected values come from the bundled GeoPackage read
here with pyproj/shapely, not from the app.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from _browser import BUNDLED_GPKG, FULL_HEIGHT_JS, UI_TIMEOUT_MS, AppSession
from playwright.sync_api import expect
from pyproj import Transformer

from geo_app.domain.categories import WorksProgramme
from geo_app.maps.style import BACKGROUND_HEX

pytestmark = pytest.mark.browser

FULL_HD = {"width": 1920, "height": 1080}
#: 1920×1080 at 150 % browser zoom: the same page in CSS pixels.
ZOOM_150 = {"width": 1280, "height": 720}
GK_EPSG = 4547  # CGCS2000 3-degree Gauss-Krüger, CM 114°E
DEMONSTRATION = ("挑水村", "新店村", "老湾村")
LABEL_BOXES_JS = """() => Array.from(document.querySelectorAll('.geo-label'))
  .filter((e) => e.style.display !== 'none' && e.offsetWidth > 0)
  .map((e) => { const r = e.getBoundingClientRect();
    return {text: e.textContent, layer: e.getAttribute('data-layer'), l: r.left, t: r.top,
            r: r.right, b: r.bottom, px: parseFloat(getComputedStyle(e).fontSize)}; })"""
MAP_BOX_JS = """() => { const r = window.map.getContainer().getBoundingClientRect();
  const b = window.map.getBounds();
  return {w: r.width, h: r.height, zoom: window.map.getZoom(), south: b.getSouth(),
          west: b.getWest(), north: b.getNorth(), east: b.getEast()}; }"""


@pytest.fixture(scope="module")
def villages() -> gpd.GeoDataFrame:
    return gpd.read_file(BUNDLED_GPKG, layer="villages")


@pytest.fixture(scope="module")
def roads() -> gpd.GeoDataFrame:
    return gpd.read_file(BUNDLED_GPKG, layer="roads")


def _belt_villages(villages: gpd.GeoDataFrame, roads: gpd.GeoDataFrame) -> set[str]:
    """Villages within 2 km of the loop road in the GK plane (pyproj + shapely)."""
    to_gk = Transformer.from_crs(villages.crs, GK_EPSG, always_xy=True)

    def gk(geom):
        return shapely.transform(geom, lambda xy: np.column_stack(
            to_gk.transform(xy[:, 0], xy[:, 1])))

    loop = shapely.union_all([gk(g) for g in roads.loc[roads["kind"] == "tourism_loop",
                                                       "geometry"]])
    return {n for n, g in zip(villages["name"], villages.geometry, strict=True)
            if shapely.distance(gk(g), loop) <= 2000.0}


def _open(app: AppSession, viewport: dict = FULL_HD) -> None:
    app.page.set_viewport_size(viewport)
    app.open()
    app.map_iframe()
    app.wait_idle()


def _labels(app: AppSession) -> list[dict]:
    return app.map_frame().evaluate(LABEL_BOXES_JS)


def _overlaps(boxes: list[dict]) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]:
                out.append((a["text"], b["text"]))
    return out


def _sidebar_pill(app: AppSession, group: str, name: str):
    box = app.page.locator('[data-testid="stSidebar"] [data-testid="stButtonGroup"]',
                           has_text=group)
    return box.get_by_role("button", name=name, exact=True)


def _pick(app: AppSession, label: str, option: str) -> None:
    box = app.page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]',
                           has_text=label)
    box.locator("input").click()
    app.page.get_by_role("option", name=option, exact=True).click()
    app.page.keyboard.press("Escape")


def test_labels_are_readable_and_never_overlap_at_the_zone_wide_view(app: AppSession):
    _open(app)
    boxes = _labels(app)
    texts = {b["text"] for b in boxes}
    assert len(boxes) >= 20, texts
    assert set(DEMONSTRATION) <= texts  # the works programme's villages come first
    assert _overlaps(boxes) == []
    # inside the map, clear of its controls (zoom, full screen, legend, scale)
    frame = app.map_frame()
    size = frame.evaluate(MAP_BOX_JS)
    assert all(b["l"] >= 0 and b["r"] <= size["w"] and b["t"] >= 0 and b["b"] <= size["h"]
               for b in boxes)
    controls = frame.evaluate("""() => Array.from(document.querySelectorAll('.leaflet-control'))
      .map((e) => { const r = e.getBoundingClientRect();
        return {text: 'control', l: r.left, t: r.top, r: r.right, b: r.bottom}; })
      .filter((r) => r.r > r.l)""")
    assert [o for o in _overlaps(boxes + controls) if "control" in o] == []
    # no Leaflet layer box: the sidebar is the one layer control
    expect(app.map_locator().locator(".leaflet-control-layers")).to_have_count(0)
    assert app.blocked == []
    app.screenshot("browser-mapx-labels-1920")


def test_label_size_setting_reaches_18_px_for_a_projector(app: AppSession):
    _open(app)
    assert {b["px"] for b in _labels(app) if b["layer"] == "villages"} == {14.0}
    thumb = app.page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]',
                             has_text="标注字号").get_by_role("slider")
    thumb.focus()
    thumb.press("ArrowRight")
    thumb.press("ArrowRight")
    app.wait_idle()
    label = app.map_locator().locator(".geo-label[data-layer=villages]").first
    expect(label).to_have_css("font-size", "18px", timeout=UI_TIMEOUT_MS)
    boxes = _labels(app)
    assert boxes and _overlaps(boxes) == []


def test_sidebar_layer_toggle_drives_map_legend_counter_and_labels(app: AppSession, villages):
    _open(app)
    inside = app.map_locator()
    paths = inside.locator("path.geo-layer-villages")
    expect(paths).to_have_count(len(villages))
    main = app.page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text(f"村庄 {len(villages)} 个")
    section = inside.locator(".geo-legend-section[data-layer=villages]")
    expect(section).to_be_visible()

    _sidebar_pill(app, "图层", "村庄").click()
    expect(paths).to_have_count(0)
    expect(section).to_have_count(0)
    expect(main).to_contain_text("村庄 0 个")
    expect(inside.locator(".geo-label[data-layer=villages]")).to_have_count(0)

    _sidebar_pill(app, "图层", "村庄").click()
    expect(paths).to_have_count(len(villages))
    expect(inside.locator(".geo-legend-section[data-layer=villages]")).to_be_visible()
    expect(main).to_contain_text(f"村庄 {len(villages)} 个")
    assert app.blocked == []


def test_works_programme_filter_shows_and_zooms_to_the_three_villages(app: AppSession,
                                                                      villages):
    demo = villages[villages["works_programme"] == WorksProgramme.PHASE2_DEMONSTRATION.value]
    assert sorted(demo["name"]) == sorted(DEMONSTRATION)
    _open(app)
    before = app.map_frame().evaluate(MAP_BOX_JS)
    _pick(app, "村庄建设工程", WorksProgramme.PHASE2_DEMONSTRATION.label("zh"))
    inside = app.map_locator()
    expect(inside.locator("path.geo-layer-villages")).to_have_count(len(demo),
                                                                   timeout=UI_TIMEOUT_MS)
    app.wait_idle()
    expect(app.page.locator('[data-testid="stMain"]')).to_contain_text(f"村庄 {len(demo)} 个")
    after = app.map_frame().evaluate(MAP_BOX_JS)
    assert after["zoom"] > before["zoom"]
    minx, miny, maxx, maxy = demo.total_bounds
    assert (after["west"] <= minx and maxx <= after["east"]
            and after["south"] <= miny and maxy <= after["north"])
    shown = {b["text"] for b in _labels(app) if b["layer"] == "villages"}
    assert shown == set(DEMONSTRATION)
    # coloured by works programme on request: the three in the programme's own class
    app.page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]',
                     has_text="村庄配色").get_by_text("建设工程").click()
    expect(inside.locator("path.geo-layer-villages.geo-class-phase2_demonstration")
           ).to_have_count(len(demo), timeout=UI_TIMEOUT_MS)
    expect(inside.locator(".geo-legend-section[data-layer=villages]")).to_contain_text(
        WorksProgramme.PHASE2_DEMONSTRATION.label("zh"))
    assert app.blocked == []
    app.wait_idle()
    app.screenshot("browser-mapx-works-programme")


def test_loop_belt_is_drawn_with_its_villages(app: AppSession, villages, roads):
    expected = _belt_villages(villages, roads)
    assert len(expected) == 16
    _open(app)
    inside = app.map_locator()
    expect(inside.locator("path.geo-layer-loop_belt")).to_have_count(0)
    app.page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]',
                     has_text="环线 2 公里带").locator("label").click()
    outlines = inside.locator("path.geo-layer-loop_belt.geo-class-village")
    expect(outlines).to_have_count(len(expected), timeout=UI_TIMEOUT_MS)
    expect(inside.locator("path.geo-layer-loop_belt.geo-class-belt")).to_have_count(1)
    expect(inside.locator(".geo-legend")).to_contain_text(f"范围内村庄（{len(expected)} 个）")
    expect(app.page.locator('[data-testid="stMain"]')).to_contain_text(
        f"环线 2 公里范围内村庄：{len(expected)} 个")
    # the outlined villages are those villages: each outline's centre inside one of them
    centres = app.map_frame().evaluate("""() => { const out = [];
      window.map.eachLayer((l) => { const p = l.feature && l.feature.properties;
        if (p && p.layer === 'loop_belt' && l._path && l.getBounds &&
            l._path.getAttribute('class').includes('geo-class-village')) {
          const c = l.getBounds().getCenter(); out.push([c.lng, c.lat]); } });
      return out; }""")
    hit = set()
    for lon, lat in centres:
        inside_names = villages.loc[villages.geometry.intersects(shapely.Point(lon, lat)
                                                                 .buffer(0.003)), "name"]
        hit.update(inside_names)
    assert expected <= hit
    assert app.blocked == []
    app.wait_idle()
    app.screenshot("browser-mapx-belt")


@pytest.mark.parametrize("viewport", [FULL_HD, ZOOM_150], ids=["1920x1080", "150pct"])
def test_map_fills_the_window_height_and_the_legend_stays_compact(app: AppSession, viewport):
    _open(app, viewport)
    box = app.map_iframe().bounding_box()
    bottom = box["y"] + box["height"]
    assert viewport["height"] - 24 <= bottom <= viewport["height"] + 1, (box, viewport)
    # the page itself does not scroll: no white band, nothing hidden below the map
    assert app.page.evaluate(FULL_HEIGHT_JS) <= viewport["height"] + 2
    frame = app.map_frame()
    size = frame.evaluate(MAP_BOX_JS)
    assert abs(size["h"] - box["height"]) <= 2  # Leaflet fills the component
    legend = app.map_locator().locator(".geo-legend").bounding_box()
    assert legend["height"] <= 0.5 * size["h"] + 1
    assert legend["width"] * legend["height"] <= 0.2 * size["w"] * size["h"]
    assert _overlaps(_labels(app)) == []
    app.screenshot(f"browser-mapx-full-height-{viewport['width']}")


def test_full_screen_button_puts_the_map_on_the_whole_screen(app: AppSession):
    _open(app)
    inside = app.map_locator()
    button = inside.locator(".geo-fullscreen-button")
    expect(button).to_have_attribute("title", "全屏显示")
    button.click()
    frame = app.map_frame()
    on = "() => document.fullscreenElement === window.map.getContainer()"
    expect(inside.locator(".geo-fullscreen-on")).to_have_count(1)
    assert frame.evaluate(on)
    size = frame.evaluate(MAP_BOX_JS)
    screen = app.page.evaluate("() => [window.screen.width, window.screen.height]")
    assert (round(size["w"]), round(size["h"])) == tuple(screen)
    expect(button).to_have_attribute("title", "退出全屏")
    button.click()
    expect(inside.locator(".geo-fullscreen-on")).to_have_count(0)
    assert not frame.evaluate(on)


def test_online_basemap_offline_shows_a_notice_and_falls_back(app: AppSession):
    _open(app)
    box = app.page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]',
                           has_text="底图")
    combo = box.get_by_role("combobox")
    combo.click()
    combo.press_sequentially("OpenStreetMap")  # typing filters the options (and opens them)
    app.page.get_by_role("option", name="OpenStreetMap", exact=True).click()
    inside = app.map_locator()
    notice = inside.locator(".geo-notice")
    expect(notice).to_be_visible(timeout=UI_TIMEOUT_MS)
    expect(notice).to_contain_text("底图无法加载（离线）")
    expect(inside.locator("img.leaflet-tile")).to_have_count(0)
    container = inside.locator(".leaflet-container")
    h = BACKGROUND_HEX.lstrip("#")
    rgb = "rgb({}, {}, {})".format(*(int(h[i:i + 2], 16) for i in (0, 2, 4)))
    expect(container).to_have_css("background-color", rgb)
    assert app.map_frame().evaluate("() => window.map.geoApp.basemapOffline") is True
    # only the chosen basemap's tiles were tried (and blocked), nothing else
    assert app.blocked
    assert {u.split("/")[2] for u in app.blocked} == {"tile.openstreetmap.org"}
    expect(inside.locator("path.geo-layer-parcels").first).to_be_visible()
    app.wait_idle()
    # no script error (the blocked tiles themselves are logged by Chromium)
    assert [e for e in app.errors() if "tile.openstreetmap.org" not in e] == []
    app.screenshot("browser-mapx-offline-basemap")
    notice.get_by_role("button").click()
    expect(notice).to_have_count(0)

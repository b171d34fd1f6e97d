"""The map page in a real browser: parcels drawn, click for details, layer toggle, filter,
search, language. Expected values come from the bundled GeoPackage read here, not from the app.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pytest
import shapely
from _browser import BUNDLED_GPKG, UI_TIMEOUT_MS, AppSession, is_local
from playwright.sync_api import expect
from pyproj import Geod

from geo_app.domain.stages import ParcelStage
from geo_app.maps.style import layer_label

pytestmark = pytest.mark.browser

PLANE_EPSG = 4547  # CGCS2000 3-degree Gauss-Krüger, CM 114°E: Suizhou's survey plane
M2_PER_MU = 10000 / 15
#: The target feature's path under the first candidate point that hits it, in iframe pixels.
POINT_ON_FEATURE_JS = """([layer, id, candidates]) => {
  let target = null;
  window.map.eachLayer((l) => {
    const p = l.feature && l.feature.properties;
    if (p && p.layer === layer && p.id === id && l._path) { target = l; }
  });
  if (!target) { return null; }
  const box = window.map.getContainer().getBoundingClientRect();
  for (const [lat, lng] of candidates) {
    const pt = window.map.latLngToContainerPoint([lat, lng]);
    const x = box.left + pt.x, y = box.top + pt.y;
    if (document.elementFromPoint(x, y) === target._path) { return {x: x, y: y}; }
  }
  return null;
}"""
VIEW_JS = "() => window.map ? {zoom: window.map.getZoom(), lat: window.map.getCenter().lat," \
          " lng: window.map.getCenter().lng} : null"


@pytest.fixture(scope="module")
def parcels() -> gpd.GeoDataFrame:
    return gpd.read_file(BUNDLED_GPKG, layer="parcels")


@pytest.fixture(scope="module")
def villages() -> gpd.GeoDataFrame:
    return gpd.read_file(BUNDLED_GPKG, layer="villages")


def _poll(read: Callable[[], object], done: Callable[[object], bool], timeout_s: float = 30.0):
    """Read until ``done(value)``; return the last value either way."""
    deadline = time.monotonic() + timeout_s
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.25)
        value = read()
    return value


def _candidates(polygon: shapely.Polygon, n: int = 9) -> list[list[float]]:
    """Points inside ``polygon`` as [lat, lon], the most interior first."""
    inner = polygon.buffer(-0.15 * np.sqrt(polygon.area)) or polygon
    minx, miny, maxx, maxy = inner.bounds
    xs, ys = np.meshgrid(np.linspace(minx, maxx, n), np.linspace(miny, maxy, n))
    grid = shapely.points(xs.ravel(), ys.ravel())
    first = polygon.point_on_surface()
    inside = sorted((p for p in grid if inner.contains(p)), key=first.distance)
    return [[first.y, first.x]] + [[p.y, p.x] for p in inside]


def _parcel_count(app: AppSession):
    return app.map_locator().locator("path.geo-layer-parcels")


def test_map_draws_every_parcel_with_leaflet_from_the_app_itself(app: AppSession, parcels):
    app.open()
    frame = app.map_frame()
    expect(_parcel_count(app)).to_have_count(len(parcels))
    assert len(parcels) >= 32
    assert frame.evaluate("() => L.version") == "1.9.4"
    resources = (frame.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
                 + app.page.evaluate(
                     "() => performance.getEntriesByType('resource').map(e => e.name)"))
    assert [u for u in resources if u.endswith("/app/static/vendor/leaflet/leaflet.js")]
    assert [u for u in resources if not is_local(u)] == []
    assert app.blocked == []
    app.wait_idle()
    app.screenshot("browser-map")


def test_clicking_a_parcel_shows_its_details_in_the_side_panel(app: AppSession, parcels):
    row = parcels[parcels["id"] == "QC1-01"].iloc[0]
    area_mu = float(gpd.GeoSeries([row.geometry], crs=parcels.crs).to_crs(PLANE_EPSG).area[0]
                    / M2_PER_MU)
    app.open()
    expect(app.page.get_by_text(row["name"])).to_have_count(0)
    # the user zooms once the page has settled: on a loaded machine a script run still
    # under way when the test zoomed drew the map at its start view again
    app.map_iframe()
    app.wait_idle()
    frame = app.map_frame()
    centre = row.geometry.point_on_surface()
    # zoom in as a user would, so the parcel is larger than the project markers on it
    frame.evaluate("([lat, lng]) => window.map.setView([lat, lng], 15, {animate: false})",
                   [centre.y, centre.x])
    app.wait_idle()
    frame = app.map_frame()
    assert frame.evaluate(VIEW_JS)["zoom"] == 15, "the map jumped back after the user zoomed"
    point = frame.evaluate(POINT_ON_FEATURE_JS, ["parcels", "QC1-01", _candidates(row.geometry)])
    assert point is not None, "no visible point of parcel QC1-01 to click"
    box = app.map_iframe().bounding_box()
    app.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])

    main = app.page.locator('[data-testid="stMain"]')
    expect(main.get_by_text(row["name"], exact=True)).to_be_visible()
    expect(main).to_contain_text("QC1-01")
    expect(main).to_contain_text(f"{area_mu:,.2f}")
    expect(main).to_contain_text("亩")
    expect(main).to_contain_text(ParcelStage(row["stage"]).label("zh"))
    app.wait_idle()
    app.screenshot("browser-map-click")


def test_unticking_a_layer_in_the_sidebar_hides_it(app: AppSession, parcels):
    """The sidebar's layer buttons are the map's one layer control (no Leaflet layer box
    that could disagree with them, the legend or the counter)."""
    app.open()
    inside = app.map_locator()
    paths = inside.locator("path.geo-layer-parcels")
    expect(paths).to_have_count(len(parcels))
    expect(inside.locator(".leaflet-control-layers")).to_have_count(0)
    tick = app.page.locator('[data-testid="stSidebar"] [data-testid="stButtonGroup"]',
                            has_text="图层").get_by_role(
        "button", name=layer_label("parcels", "zh"), exact=True)
    legend_section = inside.locator(".geo-legend-section[data-layer=parcels]")
    main = app.page.locator('[data-testid="stMain"]')
    expect(legend_section).to_be_visible()

    tick.click()
    expect(paths).to_have_count(0)
    expect(legend_section).to_be_hidden()
    expect(main).to_contain_text("显示地块 0 块")
    expect(inside.locator("path.geo-layer-villages").first).to_be_visible()

    tick.click()
    expect(paths).to_have_count(len(parcels))
    expect(legend_section).to_be_visible()
    expect(main).to_contain_text(f"显示地块 {len(parcels)} 块")


def _pick(app: AppSession, label: str, option: str) -> None:
    """Choose ``option`` in the sidebar multiselect labelled ``label``."""
    box = app.page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]',
                           has_text=label)
    box.locator("input").click()
    app.page.get_by_role("option", name=option, exact=True).click()
    app.page.keyboard.press("Escape")


def test_phase_filter_draws_only_that_phases_parcels(app: AppSession, parcels):
    expected = int((parcels["phase"].astype(str) == "1").sum())
    assert expected == 12
    app.open()
    paths = _parcel_count(app)
    expect(paths).to_have_count(len(parcels))
    _pick(app, "征地期次", "一期")
    expect(paths).to_have_count(expected, timeout=UI_TIMEOUT_MS)
    expect(app.page.locator('[data-testid="stMain"]')).to_contain_text(f"显示地块 {expected} 块")
    app.wait_idle()
    app.screenshot("browser-map-filter-phase1")


def test_stage_filter_draws_only_parcels_at_that_stage(app: AppSession, parcels):
    stage = ParcelStage.AGREEMENTS_SIGNED
    expected = int((parcels["stage"] == stage.value).sum())
    assert 0 < expected < len(parcels)
    app.open()
    paths = _parcel_count(app)
    expect(paths).to_have_count(len(parcels))
    _pick(app, "征地阶段", stage.label("zh"))
    expect(paths).to_have_count(expected, timeout=UI_TIMEOUT_MS)
    colours = {paths.nth(i).get_attribute("class") for i in range(expected)}
    assert all(f"geo-class-{stage.value}" in c for c in colours)


def test_search_zooms_the_map_to_the_village(app: AppSession, villages):
    village = villages[villages["name"] == "挑水村"]
    centroid = village.to_crs(PLANE_EPSG).centroid.to_crs(villages.crs).iloc[0]
    app.open()
    frame = app.map_frame()
    before = frame.evaluate(VIEW_JS)

    search = app.page.get_by_label("按名称查找")
    search.fill("挑水")
    search.press("Enter")
    picker = app.page.locator('[data-testid="stSelectbox"]', has_text="匹配结果")
    # several names start with 挑水: the village comes first and is picked
    expect(picker.get_by_role("combobox")).to_have_value(
        f"挑水村 · {layer_label('villages', 'zh')}")

    after = _poll(lambda: app.map_frame().evaluate(VIEW_JS),
                  lambda v: v is not None and v["zoom"] > before["zoom"])
    assert after["zoom"] > before["zoom"]
    _, _, distance_m = Geod(ellps="GRS80").inv(centroid.x, centroid.y, after["lng"], after["lat"])
    assert distance_m < 1000
    expect(app.page.locator('[data-testid="stMain"]')).to_contain_text("V-01")
    app.wait_idle()
    app.screenshot("browser-map-search")


def test_english_switch_relabels_the_map(app: AppSession, parcels):
    app.open()
    inside = app.map_locator()
    expect(inside.locator(".geo-legend")).to_contain_text("净地")
    app.page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').get_by_text(
        "English").click()
    expect(inside.locator(".geo-legend")).to_contain_text(
        ParcelStage.NET_LAND.label("en"), timeout=UI_TIMEOUT_MS)
    expect(inside.locator(".geo-legend")).not_to_contain_text("净地")
    expect(inside.locator(".geo-legend-section[data-layer=parcels]")).to_contain_text(
        layer_label("parcels", "en"))
    expect(inside.locator(".geo-label[data-layer=villages]").first).to_be_visible()
    shown = app.map_frame().evaluate("""() => Array.from(document.querySelectorAll(
        '.geo-label[data-layer=villages]')).filter((e) => e.style.display !== 'none')
        .map((e) => e.textContent)""")
    assert "Tiaoshui" in shown and "挑水村" not in shown
    expect(inside.locator("path.geo-layer-parcels")).to_have_count(len(parcels))
    expect(app.page.locator('[data-testid="stSidebar"]')).to_contain_text("Filters")
    app.wait_idle()
    app.screenshot("browser-map-en")

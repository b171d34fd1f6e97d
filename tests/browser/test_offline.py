"""The whole app with every request that leaves the machine blocked (a government intranet)."""

from __future__ import annotations

import pytest
from _browser import AppSession
from playwright.sync_api import expect

from geo_app.maps.style import BACKGROUND_HEX

pytestmark = pytest.mark.browser


def _rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(h[i:i + 2], 16) for i in (0, 2, 4)))


def test_map_works_with_outside_requests_blocked(app: AppSession):
    app.open()
    inside = app.map_locator()
    container = inside.locator(".leaflet-container")
    expect(container).to_be_visible()
    # the default basemap is the app's own hillshade on a plain light background: no tiles
    assert container.evaluate("e => getComputedStyle(e).backgroundColor") == _rgb(BACKGROUND_HEX)
    expect(inside.locator("img.leaflet-tile")).to_have_count(0)
    expect(inside.locator("img.leaflet-image-layer")).to_have_count(1)
    expect(inside.locator(".geo-legend")).to_be_visible()
    expect(inside.locator(".leaflet-control-layers")).to_have_count(0)  # the sidebar's
    expect(inside.locator(".geo-fullscreen-button")).to_be_visible()
    expect(inside.locator(".geo-label").first).to_be_visible()
    expect(inside.locator("path.geo-layer-parcels").first).to_be_visible()
    app.wait_idle()
    assert app.blocked == [], "the map page tried to reach the internet"
    assert app.errors() == []
    app.screenshot("browser-offline-map")


def test_every_page_works_with_outside_requests_blocked(app: AppSession):
    app.open()
    app.map_iframe()
    nav = app.page.locator('[data-testid="stSidebarNav"]')
    for title, heading in (("统计看板", "征地进度"), ("图层与属性表", "32"), ("征地进度", "地块")):
        app.wait_idle()
        main = app.page.locator('[data-testid="stMain"]')
        for _attempt in range(3):  # a click while the page's script still runs can be lost
            nav.get_by_text(title, exact=True).click()
            try:
                expect(main.get_by_role("heading", name=title)).to_be_visible(timeout=15_000)
                break
            except AssertionError:
                app.wait_idle()
        expect(main.get_by_role("heading", name=title)).to_be_visible()
        expect(main).to_contain_text(heading)
        app.wait_idle()
    assert app.blocked == [], "a page tried to reach the internet"
    assert app.errors() == []

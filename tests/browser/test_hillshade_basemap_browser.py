"""The hillshade basemap in a real browser: chosen in the sidebar, the relief appears under
the parcels as an image (no tiles), with every outside request blocked and none attempted."""

from __future__ import annotations

import pytest
from _browser import AppSession
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_hillshade_basemap_offline(app: AppSession):
    app.open()
    app.map_iframe()
    box = app.page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]',
                           has_text="底图")
    combo = box.get_by_role("combobox")
    combo.click()
    combo.press_sequentially("地形")
    app.page.get_by_role("option", name="地形晕渲（离线）", exact=True).click()
    app.wait_idle()
    inside = app.map_locator()
    image = inside.locator("img.leaflet-image-layer")
    expect(image).to_have_count(1)
    expect(image).to_be_visible()
    assert image.get_attribute("src").startswith("data:image/webp;base64,")
    # under the vector layers, which stay visible and clickable
    expect(inside.locator("path.geo-layer-parcels").first).to_be_visible()
    expect(inside.locator("img.leaflet-tile")).to_have_count(0)
    expect(inside.locator(".geo-notice")).to_have_count(0)
    app.page.wait_for_timeout(800)
    app.screenshot("browser-hillshade-basemap")
    assert app.blocked == [] and app.errors() == []

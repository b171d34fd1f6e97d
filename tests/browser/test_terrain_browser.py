"""The Terrain page in a real headless Chromium: figures, the flag and its reason, the map with
the hillshade as a data: image in its own pane under the parcels; nothing fetched outside."""

from __future__ import annotations

import pytest
from _browser import AppSession
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_terrain_page_figures_flag_and_map(app: AppSession) -> None:
    app.open("terrain")
    page = app.page
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name="地形与土地覆盖")).to_be_visible()
    app.wait_idle()
    # a phase-2 parcel not yet acquired: farmland, the reason names 永久基本农田
    page.locator('[data-testid="stSelectbox"]').nth(1).click()
    page.keyboard.type("QC2-13")
    page.keyboard.press("Enter")
    app.wait_idle()
    # the flag's reason and the figures, in their own elements (the table's accessible
    # header row carries the same words, so plain text would match twice)
    expect(main.locator('[data-testid="stAlert"]', has_text="永久基本农田")).to_be_visible()
    expect(main.locator('[data-testid="stMetric"]', has_text="平均坡度 °")).to_be_visible()
    app.map_iframe().scroll_into_view_if_needed()
    frame = app.map_locator()
    image = frame.locator("img.leaflet-image-layer").first
    expect(image).to_be_attached()
    assert image.get_attribute("src").startswith("data:image/webp;base64,")
    z = frame.locator(".leaflet-geoAppTerrain-pane").first.evaluate(
        "el => getComputedStyle(el).zIndex")
    assert z == "250"  # under the vector layers (overlay pane, 400)
    page.wait_for_timeout(1000)
    app.screenshot("terrain_page")
    assert app.blocked == []
    assert app.errors() == []

"""The dashboard, layer-table and acquisition pages as a planner sees them."""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
from _browser import BUNDLED_GPKG, AppSession
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_dashboard_shows_the_articles_figures(app: AppSession):
    app.open("dashboard")
    main = app.page.locator('[data-testid="stMain"]')
    # phase targets (1420 and 1700 mu of net land), 44 villages, 16 loop-road villages
    expect(main).to_contain_text("1,420 亩")
    expect(main).to_contain_text("1,700 亩")
    metrics = main.locator('[data-testid="stMetricValue"]')
    for value in ("44", "5", "15", "16"):
        expect(metrics.filter(has_text=re.compile(rf"^{value}$")).first).to_be_visible()
    expect(main.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
    app.wait_idle()
    assert app.errors() == []
    app.screenshot("browser-dashboard", full_page=True)


def test_layers_page_shows_a_table_and_downloads(app: AppSession):
    n_parcels = len(gpd.read_file(BUNDLED_GPKG, layer="parcels"))
    app.open("layers")
    main = app.page.locator('[data-testid="stMain"]')
    expect(main.locator('[data-testid="stDataFrame"]')).to_be_visible()
    expect(main).to_contain_text(f"{n_parcels} 个要素")
    downloads = main.locator('[data-testid="stDownloadButton"]')
    expect(downloads).to_have_count(2)
    expect(downloads.nth(0)).to_contain_text("CSV")
    expect(downloads.nth(1)).to_contain_text("Excel")
    app.wait_idle()
    app.screenshot("browser-layers")


def test_acquisition_page_draws_the_parcels(app: AppSession):
    n_parcels = len(gpd.read_file(BUNDLED_GPKG, layer="parcels"))
    app.open("acquisition")
    expect(app.page.locator('[data-testid="stMain"]').get_by_role(
        "heading", name="征地进度")).to_be_visible()
    expect(app.map_locator().locator("path.geo-layer-parcels")).to_have_count(n_parcels)
    app.wait_idle()
    app.screenshot("browser-acquisition")

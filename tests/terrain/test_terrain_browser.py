"""The Terrain page in a real headless Chromium: figures, the flag and its reason, the map with
the hillshade as a data: image in its own pane under the parcels; nothing fetched outside."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo_app.settings import BUNDLED_LAYERS, PROJECT_ROOT

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(os.environ.get("GEO_APP_TERRAIN_SHOTS", PROJECT_ROOT / "test-artifacts"))
MAP_IFRAME = '[data-testid="stMain"] iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 60_000


def _skip_unless_ready() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    pytest.importorskip("playwright.sync_api")
    if not (PROJECT_ROOT / "static" / "vendor" / "manifest.json").exists():
        pytest.skip("map assets missing: python scripts/fetch_assets.py")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _skip_unless_ready()
    work = tmp_path_factory.mktemp("terrain_app")
    store = work / "suizhou.gpkg"
    shutil.copyfile(BUNDLED_LAYERS, store)
    (work / "home").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEO_APP_", "STREAMLIT_"))}
    env.update(GEO_APP_STORE=str(store), GEO_APP_HOME=str(work / "home"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    log = (work / "streamlit.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--browser.gatherUsageStats", "false"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("streamlit did not start:\n"
                            + (work / "streamlit.log").read_text(errors="replace"))
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
        log.close()


def _idle(page) -> None:
    page.wait_for_timeout(500)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached",
                                                              timeout=TIMEOUT_MS)


def test_terrain_page_figures_flag_and_map(app_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(viewport={"width": 1440, "height": 1000},
                                   locale="zh-CN").new_page()
        outside: list[str] = []
        errors: list[str] = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(
            ("http://127.0.0.1", "data:", "blob:")) else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{app_url}/terrain")
        main = page.locator('[data-testid="stMain"]')
        expect(main.get_by_role("heading", name="地形与土地覆盖")).to_be_visible(
            timeout=TIMEOUT_MS)
        _idle(page)
        # a phase-2 parcel not yet acquired: farmland, the reason names 永久基本农田
        page.locator('[data-testid="stSelectbox"]').nth(1).click()
        page.keyboard.type("QC2-13")
        page.keyboard.press("Enter")
        _idle(page)
        expect(main.get_by_text("永久基本农田")).to_be_visible(timeout=TIMEOUT_MS)
        expect(main.get_by_text("平均坡度 °")).to_be_visible()
        iframe = page.locator(MAP_IFRAME).first
        iframe.scroll_into_view_if_needed()
        frame = page.frame_locator(MAP_IFRAME).first
        frame.locator("html[data-geo-app-ready]").wait_for(state="attached",
                                                           timeout=TIMEOUT_MS)
        image = frame.locator("img.leaflet-image-layer").first
        expect(image).to_be_attached(timeout=TIMEOUT_MS)
        assert image.get_attribute("src").startswith("data:image/png;base64,")
        z = frame.locator(".leaflet-geoAppTerrain-pane").first.evaluate(
            "el => getComputedStyle(el).zIndex")
        assert z == "250"  # under the vector layers (overlay pane, 400)
        page.wait_for_timeout(1500)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "terrain_page.png"))
        iframe.screenshot(path=str(SHOTS / "terrain_map.png"))
        browser.close()
    assert outside == []
    assert errors == []

"""Hostile names in a real Chromium: nothing runs, everything is drawn, nothing leaves loopback.

The layer and its features come from a GeoPackage written here (tests/hostile_text.py):
a layer named ``y<img src=x onerror=…>`` and features named ``</script><script>…``,
``<!--<script>``, ``<a href="javascript:…">``, U+2028, ``<img src=http://…>``. Each
payload sets ``top.__pwned`` or turns the page red if it ever runs, or requests a TEST-NET
address that is recorded and aborted. Two ways in: the exported HTML ("Download map
(HTML)") opened from a file, and the app's map page served by ``streamlit run``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from _browser import (
    BUNDLED_GPKG,
    MAP_IFRAME,
    REPO_ROOT,
    SERVER_START_TIMEOUT_S,
    UI_TIMEOUT_MS,
    VIEWPORT,
    check_prerequisites,
    is_local,
)
from hostile_text import (
    BEACON_URL,
    FEATURE_NAMES,
    HOSTILE_COLUMN,
    HOSTILE_VALUE,
    LAYER_NAME,
    LINK_VALUE,
    write_hostile_gpkg,
)

from geo_app.maps import build_zone_map, export_map_html

pytestmark = pytest.mark.browser

#: Records every Content-Security-Policy violation of the page (and of its frames).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""
#: What a payload that ran would have left behind.
PWNED_JS = """() => ({
  pwned: window.__pwned === undefined ? null : String(window.__pwned),
  background: getComputedStyle(document.body).backgroundColor,
  inline: document.body.style.background || '',
})"""
#: Elements a hostile name could have become, anywhere in the map's page.
INJECTED_JS = """() => Array.from(document.querySelectorAll(
    '.leaflet-container img, .leaflet-container svg image, .leaflet-container b,'
    + ' .leaflet-container a[href^="javascript"], .leaflet-control-layers img, .geo-legend img,'
    + ' svg[onload], img[onerror]'))
    // the map's own image overlays (hillshade basemap, terrain) are data: images
    .filter((e) => !(e.matches('img.leaflet-image-layer:not([onerror])')
                     && (e.getAttribute('src') || '').startsWith('data:image/')))
    .map((e) => e.outerHTML)"""

#: Script that did run could not reach out: fetch and an image, refused by the policy.
PROBE_JS = f"""async () => {{
  const seen = [];
  document.addEventListener('securitypolicyviolation', (e) => seen.push(e.violatedDirective));
  let fetched = 'fetched';
  try {{ await fetch({BEACON_URL!r}); }} catch (e) {{ fetched = 'refused'; }}
  const img = new Image(); img.src = {BEACON_URL!r}; document.body.appendChild(img);
  await new Promise((done) => setTimeout(done, 500));
  return [fetched, ...seen];
}}"""


def _is_outside(url: str) -> bool:
    return not (url.startswith("file:") or is_local(url))


def _assert_nothing_ran(frame, what: str) -> None:
    state = frame.evaluate(PWNED_JS)
    assert state["pwned"] is None, f"a payload ran in {what}: __pwned = {state['pwned']}"
    assert state["inline"] == "" and state["background"] != "rgb(255, 0, 0)", state
    assert frame.evaluate(INJECTED_JS) == [], f"markup from a name was inserted in {what}"


def _show_every_tooltip_and_popup(page, frame, paths) -> tuple[list[str], list[str]]:
    """Hover and click every drawn feature; the tooltip and popup texts."""
    tips, popups = [], []
    for i in range(paths.count()):
        paths.nth(i).hover(force=True)
        tips.append(frame.locator(".geo-tooltip").last.inner_text())
        paths.nth(i).click(force=True)
        popups.append(frame.locator(".geo-popup").last.inner_text())
        page.keyboard.press("Escape")
    return tips, popups


@pytest.fixture
def hostile_gpkg(tmp_path: Path) -> Path:
    return write_hostile_gpkg(tmp_path / "hostile.gpkg")


# --- the exported page ---------------------------------------------------------------------

def test_exported_map_runs_no_hostile_name_and_draws_them_all(chromium, hostile_gpkg,
                                                              tmp_path):
    check_prerequisites()
    gdf = gpd.read_file(hostile_gpkg, layer=LAYER_NAME)
    path = tmp_path / "map.html"
    path.write_text(export_map_html(build_zone_map({LAYER_NAME: gdf})), encoding="utf-8")
    context = chromium.new_context(viewport={"width": 1200, "height": 800})
    outside: list[str] = []
    errors: list[str] = []

    def route(r) -> None:
        if _is_outside(r.request.url):
            outside.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(path.as_uri())
        page.wait_for_selector("html[data-geo-app-ready]", state="attached", timeout=30_000)
        paths = page.locator(".leaflet-overlay-pane path")
        assert paths.count() == len(FEATURE_NAMES)
        # names are shown as the text they are, not as markup
        control = page.locator(".leaflet-control-layers-overlays label")
        assert control.locator("span span").text_content() == " " + LAYER_NAME  # Leaflet's " "
        assert page.locator(".geo-legend-title").text_content() == LAYER_NAME
        tips, popups = _show_every_tooltip_and_popup(page, page, paths)
        shown = "\n".join(tips + popups)
        for name in FEATURE_NAMES:
            first_line = name.split("\u2028")[0]
            assert first_line in shown, first_line
        assert HOSTILE_COLUMN in shown and HOSTILE_VALUE in shown and LINK_VALUE in shown
        _assert_nothing_ran(page, "the exported map")
        # ticking the layer off and on re-renders nothing hostile
        control.locator("input").click()
        control.locator("input").click()
        assert paths.count() == len(FEATURE_NAMES)
        _assert_nothing_ran(page, "the exported map")
        assert outside == [] and errors == []
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()


def test_exported_page_policy_blocks_outside_requests_by_itself(chromium, hostile_gpkg,
                                                                tmp_path):
    """Even script that did run could not reach out: the CSP blocks before the network."""
    check_prerequisites()
    gdf = gpd.read_file(hostile_gpkg, layer=LAYER_NAME)
    path = tmp_path / "map.html"
    path.write_text(export_map_html(build_zone_map({LAYER_NAME: gdf})), encoding="utf-8")
    context = chromium.new_context()
    outside: list[str] = []
    context.route("**/*", lambda r: (outside.append(r.request.url), r.abort())
                  if _is_outside(r.request.url) else r.continue_())
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    try:
        page.goto(path.as_uri())
        page.wait_for_selector("html[data-geo-app-ready]", state="attached", timeout=30_000)
        violations = page.evaluate(PROBE_JS)
        assert violations[0] == "refused"
        assert {"connect-src", "img-src"} <= set(violations[1:]), violations
        assert outside == []  # refused by the page itself, never sent
    finally:
        context.close()


# --- the app's map page --------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def hostile_app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``streamlit run app.py`` over a copy of the bundled store plus the hostile layer."""
    check_prerequisites()
    work = tmp_path_factory.mktemp("hostile_app")
    store = work / "suizhou.gpkg"
    shutil.copyfile(BUNDLED_GPKG, store)
    write_hostile_gpkg(store)
    home = work / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEO_APP_", "STREAMLIT_"))}
    env.update(GEO_APP_STORE=str(store), GEO_APP_HOME=str(home))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = work / "streamlit.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port),
             "--browser.gatherUsageStats", "false"],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start:\n{log.read_text(errors='replace')[-3000:]}",
                            pytrace=False)
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def test_app_map_page_runs_no_hostile_layer_name(chromium, hostile_app_url):
    context = chromium.new_context(viewport=VIEWPORT, locale="zh-CN")
    context.set_default_timeout(UI_TIMEOUT_MS)
    outside: list[str] = []
    context.route("**/*", lambda r: (outside.append(r.request.url), r.abort())
                  if not is_local(r.request.url) else r.continue_())
    page = context.new_page()
    errors: list[str] = []
    console: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: console.append(m.text))
    try:
        page.goto(hostile_app_url)
        page.locator(MAP_IFRAME).first.wait_for(timeout=UI_TIMEOUT_MS)
        page.frame_locator(MAP_IFRAME).first.locator("html[data-geo-app-ready]").wait_for(
            state="attached", timeout=UI_TIMEOUT_MS)
        frame = page.locator(MAP_IFRAME).first.element_handle().content_frame()
        # the sidebar is the app map's one layer control: the name shows in the legend
        frame.locator(".geo-legend-title", has_text="y<img src=x").wait_for(
            timeout=UI_TIMEOUT_MS)
        paths = frame.locator(".leaflet-overlay-pane path.geo-class-__other__")
        assert paths.count() >= len(FEATURE_NAMES)
        tips = []
        for name in FEATURE_NAMES[:2]:
            hit = frame.evaluate(
                """(name) => { let found = null; window.map.eachLayer((l) => {
                   if (!found && l.feature && l.feature.properties.name === name && l._path) {
                     found = l; } });
                   if (!found) { return null; }
                   const at = found.getBounds().getCenter();
                   found.fire('mouseover', {latlng: at, layer: found}, true);
                   let group = null; window.map.eachLayer((g) => {
                     if (!group && g.getTooltip && g.getTooltip() && g.hasLayer
                         && g.hasLayer(found)) { group = g; } });
                   return group.getTooltip().getElement().innerText; }""",
                name)
            assert hit is not None and name in hit
            tips.append(hit)
        page.wait_for_timeout(500)
        _assert_nothing_ran(page, "the app's page")
        _assert_nothing_ran(frame, "the app's map iframe")
        policy = frame.evaluate("""() => Array.from(document.querySelectorAll(
            'meta[http-equiv="Content-Security-Policy"]')).map((m) => m.content)""")
        assert policy and all("connect-src 'none'" in p for p in policy)
        # the map needs nothing its policy forbids (Chromium logs each refusal)
        assert [m for m in console if "Content Security Policy" in m] == []
        violations = frame.evaluate(PROBE_JS)
        assert violations[0] == "refused"
        assert {"connect-src", "img-src"} <= set(violations[1:]), violations
        assert outside == [], outside  # refused by the iframe's policy, never sent
        assert errors == []
        shown = page.locator('[data-testid="stException"]').all_inner_texts()
        assert not shown, shown
    finally:
        context.close()

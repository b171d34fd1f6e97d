"""Shared pieces of the browser tests: paths, the loopback rule, one app tab (AppSession)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
BUNDLED_GPKG = REPO_ROOT / "layers" / "suizhou.gpkg"
VENDOR_DIR = REPO_ROOT / "static" / "vendor"
CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT = {"width": 1440, "height": 1000}
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
LOCAL_SCHEMES = frozenset({"data", "blob"})
#: A first script run on this 2-core machine takes 5-10 s; leave room.
SERVER_START_TIMEOUT_S = 60.0
UI_TIMEOUT_MS = 45_000
#: Opening a page's own URL (``/dashboard``) makes Streamlit's frontend probe for the server
#: root under it first (``/dashboard/_stcore/health`` → 404, then ``/_stcore/health``).
STREAMLIT_ROOT_PROBE = re.compile(r"/[^/]+/_stcore/(health|host-config)$")
FULL_HEIGHT_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  return Math.ceil(Math.max(main ? main.scrollHeight : 0, block ? block.scrollHeight : 0));
}"""
MAP_IFRAME = '[data-testid="stMain"] iframe[title="streamlit_folium.st_folium"]'


def is_local(url: str) -> bool:
    """Whether a request stays on this machine (loopback, ``data:``, ``blob:``)."""
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or (parts.hostname or "") in LOOPBACK_HOSTS


def _unavailable(message: str) -> None:
    if os.environ.get("GEO_APP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"Browser tests are required (GEO_APP_REQUIRE_BROWSER=1) but {message}",
                    pytrace=False)
    pytest.skip(message)


def check_prerequisites() -> None:
    """Skip (or fail when required) unless Chromium, Playwright and the map assets are here."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: apt-get install chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is missing: pip install -e '.[test]'")
    from geo_app.errors import AssetError
    from geo_app.maps.assets import ensure_assets

    try:
        ensure_assets(VENDOR_DIR)
    except AssetError as exc:
        _unavailable(str(exc))


@dataclass
class AppSession:
    """One browser tab on the app, with what it tried to fetch from outside and its errors."""

    page: object
    url: str
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def errors(self) -> list[str]:
        """Console errors and uncaught exceptions, less Streamlit's root probe."""
        return [e for e in self.console_errors
                if not STREAMLIT_ROOT_PROBE.search(e.rsplit(" @ ", 1)[-1])]

    def open(self, path: str = "") -> None:
        """Load a page of the app (``""`` is the map, else ``dashboard``, ``layers``, ...)."""
        self.page.goto(f"{self.url}/{path}")
        self.page.locator('[data-testid="stMain"]').wait_for(timeout=UI_TIMEOUT_MS)

    def wait_idle(self) -> None:
        """Wait until Streamlit has finished running the script."""
        self.page.wait_for_timeout(300)
        self.page.locator('[data-testid="stStatusWidget"]').wait_for(
            state="detached", timeout=UI_TIMEOUT_MS)

    def wait_settled(self, quiet_ms: int = 2500) -> None:
        """Wait until no script has run for ``quiet_ms``: a redrawn map reports its view
        (each report a run) for a second or two, as long as a person takes to start typing."""
        status = self.page.locator('[data-testid="stStatusWidget"]')
        deadline_ms, step_ms, quiet = UI_TIMEOUT_MS, 250, 0
        while quiet < quiet_ms and deadline_ms > 0:
            self.page.wait_for_timeout(step_ms)
            deadline_ms -= step_ms
            quiet = 0 if status.count() else quiet + step_ms
        assert quiet >= quiet_ms, "the app kept running scripts"

    def map_iframe(self):
        """The zone map's component iframe, once its Leaflet map has painted."""
        iframe = self.page.locator(MAP_IFRAME)
        iframe.first.wait_for(timeout=UI_TIMEOUT_MS)
        self.page.frame_locator(MAP_IFRAME).first.locator("html[data-geo-app-ready]").wait_for(
            state="attached", timeout=UI_TIMEOUT_MS)
        return iframe.first

    def map_frame(self):
        """The map iframe's Frame (for ``evaluate`` on its ``window.map``)."""
        return self.map_iframe().element_handle().content_frame()

    def map_locator(self):
        """A FrameLocator into the map iframe."""
        self.map_iframe()
        return self.page.frame_locator(MAP_IFRAME).first

    def main_text(self) -> str:
        return self.page.locator('[data-testid="stMain"]').inner_text()

    def screenshot(self, name: str, *, full_page: bool = False) -> Path:
        """Save ``test-artifacts/<name>.png``; ``full_page`` grows the window to the content.

        Streamlit scrolls inside its main block, not the document, so Playwright's own
        ``full_page`` would stop at the window's height.
        """
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        if not full_page:
            self.page.screenshot(path=str(path))
            return path
        height = self.page.evaluate(FULL_HEIGHT_JS)
        self.page.set_viewport_size({**VIEWPORT, "height": max(VIEWPORT["height"], height)})
        try:
            self.page.wait_for_timeout(500)
            self.page.screenshot(path=str(path))
        finally:
            self.page.set_viewport_size(VIEWPORT)
        return path

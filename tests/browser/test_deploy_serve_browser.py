"""The app installed from the offline bundle, served by ``geo-app serve``, in Chromium.

The session's bundle (``tests/deploy/_deploy_bundle.py``) is installed with no registry;
its ``geo-app serve`` runs headless on loopback under a base URL path from a folder outside
the repository, and a browser that may reach nothing but loopback draws the parcels.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from _browser import (
    BUNDLED_GPKG,
    REPO_ROOT,
    SERVER_START_TIMEOUT_S,
    UI_TIMEOUT_MS,
    VIEWPORT,
    AppSession,
    check_prerequisites,
    is_local,
)
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]
BASE_PATH = "office/geo"


def _bundle_module():
    """``tests/deploy/_deploy_bundle.py`` (one module, so both test folders share its cache)."""
    if "_deploy_bundle" in sys.modules:
        return sys.modules["_deploy_bundle"]
    path = REPO_ROOT / "tests" / "deploy" / "_deploy_bundle.py"
    spec = importlib.util.spec_from_file_location("_deploy_bundle", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["_deploy_bundle"] = module
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    check_prerequisites()
    bundle = _bundle_module()
    installed = bundle.installed_bundle(tmp_path_factory.getbasetemp())
    work = tmp_path_factory.mktemp("served_from_bundle")
    store = work / "office.gpkg"
    shutil.copyfile(BUNDLED_GPKG, store)
    cwd = work / "srv"
    cwd.mkdir()
    port = _free_port()
    url = f"http://127.0.0.1:{port}/{BASE_PATH}"
    log = work / "serve.log"
    env = bundle.offline_env(installed.closed_index, GEO_APP_HOME=str(work / "home"),
                             HOME=str(work))
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(installed.geo_app), "serve", "--port", str(port), "--address", "127.0.0.1",
             "--store", str(store), "--base-url-path", f"/{BASE_PATH}/"],
            cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"geo-app serve did not start:\n{log.read_text(errors='replace')}",
                            pytrace=False)
            time.sleep(0.3)
        yield url, installed, store, log
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)


def test_installed_app_draws_the_parcels_with_outside_requests_blocked(chromium, served):
    url, installed, store, log = served
    context = chromium.new_context(viewport=VIEWPORT, locale="zh-CN")
    context.set_default_timeout(UI_TIMEOUT_MS)
    session = AppSession(page=None, url=url)
    vendor: list[tuple[str, int]] = []

    def route(r) -> None:
        if is_local(r.request.url):
            r.continue_()
        else:
            session.blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("response", lambda resp: vendor.append((resp.url, resp.status))
            if "/app/static/vendor/" in resp.url else None)
    page.on("pageerror", lambda e: session.console_errors.append(f"pageerror: {e}"))
    session.page = page
    try:
        session.open()
        inside = session.map_locator()
        parcels = inside.locator("path.geo-layer-parcels")
        expect(parcels.first).to_be_visible()
        assert parcels.count() >= 1
        session.wait_idle()
        assert session.blocked == [], "the installed app tried to reach the internet"
        assert session.errors() == []
        leaflet = [(u, s) for u, s in vendor if u.endswith("/leaflet/leaflet.js")]
        assert leaflet and all(s == 200 for _, s in leaflet)
        assert all(f"/{BASE_PATH}/app/static/vendor/" in u for u, _ in leaflet)
        assert not page.locator('[data-testid="stException"]').count()
        session.screenshot("deploy-installed-bundle-map")
    finally:
        context.close()
    assert str(store) in log.read_text(errors="replace")  # serve opened the store it was given
    assert not installed.venv.is_relative_to(REPO_ROOT)  # nothing of the checkout is used

"""The Acquisition page in a real browser over a store with hostile names: a parcel named
like a markdown image or link is shown as text and makes the browser request nothing, and
a refusal appears right under the button that caused it, in Chinese.

A Streamlit server of its own (the session's serves the plain bundled copy) over a copy of
the bundled layers whose parcel QC2-20 has a hostile name and park, and an event with a
hostile officer. Every request of the tab is recorded, loopback ones included.
"""

from __future__ import annotations

import datetime as dt
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

import pyogrio
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

pytestmark = pytest.mark.browser

LOOPBACK_BEACON = "http://127.0.0.1:8799/md.png"
OUTSIDE_BEACON = "http://beacon.example/md.png"
PARCEL = "QC2-20"
PARCEL_NAME = f"地块![t]({LOOPBACK_BEACON})[x](javascript:alert(1))"
PARK_NAME = f"园区![p]({OUTSIDE_BEACON})<img src=x>"
OFFICER = f"![o]({OUTSIDE_BEACON})"


def _hostile_store(path: Path) -> Path:
    shutil.copyfile(BUNDLED_GPKG, path)
    parcels = pyogrio.read_dataframe(path, layer="parcels")
    parcels.loc[parcels["id"] == PARCEL, ["name", "park"]] = [PARCEL_NAME, PARK_NAME]
    pyogrio.write_dataframe(parcels, path, layer="parcels", driver="GPKG")
    from geo_app.domain.stages import ParcelStage
    from geo_app.storage import GeoPackageStore
    from geo_app.storage.events import record_stage_change

    record_stage_change(GeoPackageStore(path), PARCEL, ParcelStage.STATUS_SURVEY,
                        effective_date=dt.date(2021, 11, 1), officer=OFFICER,
                        note=f"![n]({OUTSIDE_BEACON})", evidence=PARCEL_NAME)
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    pytest.fail(f"streamlit did not start:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``streamlit run app.py`` on a free loopback port over the hostile store."""
    check_prerequisites()
    work = tmp_path_factory.mktemp("hostile_app")
    store = _hostile_store(work / "hostile.gpkg")
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
        _wait_healthy(url, proc, log)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


@pytest.fixture
def hostile_app(chromium, hostile_url: str) -> Iterator[tuple[AppSession, list[str]]]:
    """A fresh zh-CN tab on the hostile server; outside requests blocked, every one recorded."""
    context = chromium.new_context(viewport=VIEWPORT, locale="zh-CN")
    context.set_default_timeout(UI_TIMEOUT_MS)
    session = AppSession(page=None, url=hostile_url)
    requested: list[str] = []

    def route(r) -> None:
        if is_local(r.request.url):
            r.continue_()
        else:
            session.blocked.append(r.request.url)
            r.abort()

    context.on("request", lambda request: requested.append(request.url))
    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda e: session.console_errors.append(f"pageerror: {e}"))
    session.page = page
    try:
        yield session, requested
        shown = page.locator('[data-testid="stException"]').all_inner_texts()
        assert not shown, f"the app showed a traceback:\n{shown}"
    finally:
        context.close()


def test_a_hostile_parcel_name_is_text_and_fetches_nothing(hostile_app):
    app, requested = hostile_app
    app.open("acquisition")
    main = app.page.locator('[data-testid="stMain"]')
    picker = main.get_by_role("combobox", name="地块（可在地图上点击）")
    picker.click()
    picker.fill(PARCEL)
    app.page.keyboard.press("Enter")
    app.wait_idle()
    heading = main.get_by_role("heading", name="QC2-20")
    expect(heading).to_contain_text(PARCEL_NAME)  # shown exactly as written
    expect(main).to_contain_text(PARK_NAME)
    app.map_iframe()  # the whole page has drawn
    app.page.wait_for_timeout(1000)
    assert main.locator("img[src*='md.png'], img[src='x']").count() == 0
    assert main.locator("a[href^='javascript']").count() == 0
    assert [u for u in requested if "md.png" in u or "beacon" in u or ":8799" in u] == []
    assert app.blocked == [] and app.errors() == []

    # a refusal, in Chinese, right under the button that caused it
    main.get_by_role("textbox", name="经办人", exact=True).fill("   ")
    button = main.get_by_role("button", name="登记")
    button.click()
    app.wait_idle()
    alert = main.locator('[data-testid="stForm"] [data-testid="stAlert"]')
    expect(alert).to_contain_text("地块 QC2-20：请填写本次阶段变更的经办人。")
    below = alert.bounding_box()["y"] - (button.bounding_box()["y"]
                                          + button.bounding_box()["height"])
    assert 0 <= below < 60, f"the message is {below:.0f} px below the button"
    app.screenshot("browser-acquisition-hostile-name", full_page=True)
    assert [u for u in requested if "md.png" in u or "beacon" in u or ":8799" in u] == []

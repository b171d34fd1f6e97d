"""The app in a real headless Chromium: ``streamlit run`` on loopback, outside requests blocked.

One Streamlit server per test session serves a private copy of the bundled layers; every
test gets a fresh browser context (a new Streamlit session) whose requests to anything but
loopback, ``data:`` and ``blob:`` are aborted and recorded, so a test can prove the app
needs no internet. Screenshots go to ``test-artifacts/`` at the repository root.
Chromium is the session-wide ``chromium`` fixture of ``tests/conftest.py``.

Without Chromium or the vendored map assets the tests are skipped, unless
``GEO_APP_REQUIRE_BROWSER=1`` (set by ``make test``/CI): then they fail with what to do.
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

#: ``expect`` waits this long by default (Playwright's 5 s is short for a Streamlit rerun here).
expect.set_options(timeout=UI_TIMEOUT_MS)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with code {proc.returncode}:\n"
                        f"{log.read_text(errors='replace')[-3000:]}", pytrace=False)
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    pytest.fail(f"streamlit did not answer {url}/_stcore/health within "
                f"{SERVER_START_TIMEOUT_S:.0f} s:\n{log.read_text(errors='replace')[-3000:]}",
                pytrace=False)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``streamlit run app.py`` on a free loopback port, over a private copy of the layers."""
    check_prerequisites()
    work = tmp_path_factory.mktemp("browser_app")
    store = work / "suizhou.gpkg"
    shutil.copyfile(BUNDLED_GPKG, store)
    home = work / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GEO_APP_", "STREAMLIT_"))}
    env.update(GEO_APP_STORE=str(store), GEO_APP_HOME=str(home))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = work / "streamlit.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py",
             "--server.headless", "true", "--server.address", "127.0.0.1",
             "--server.port", str(port), "--browser.gatherUsageStats", "false"],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        _stop(proc)


@pytest.fixture
def app(chromium, app_url: str) -> Iterator[AppSession]:
    """A fresh tab (new Streamlit session, zh-CN, 1440×1000) that may only reach loopback."""
    context = chromium.new_context(viewport=VIEWPORT, locale="zh-CN")
    context.set_default_timeout(UI_TIMEOUT_MS)
    session = AppSession(page=None, url=app_url)

    def route(r) -> None:
        if is_local(r.request.url):
            r.continue_()
        else:
            session.blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: session.console_errors.append(
        f"{m.text} @ {m.location.get('url', '')}") if m.type == "error" else None)
    page.on("pageerror", lambda e: session.console_errors.append(f"pageerror: {e}"))
    session.page = page
    try:
        yield session
        shown = page.locator('[data-testid="stException"]').all_inner_texts()
        assert not shown, f"the app showed a traceback:\n{shown}"
    finally:
        context.close()

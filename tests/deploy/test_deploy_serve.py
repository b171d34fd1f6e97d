"""``geo-app serve``: the Streamlit settings a server needs, and a real server from any cwd."""

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
from pathlib import Path

import pytest

from geo_app.deploy.serve import (
    MAIN_SCRIPT,
    ServeOptions,
    normalize_base_url_path,
    serve_environment,
    server_options,
    streamlit_command,
)
from geo_app.errors import InputError
from geo_app.settings import BUNDLED_LAYERS, PACKAGE_DIR, get_settings

GEO_APP = Path(sys.executable).with_name("geo-app")
START_TIMEOUT_S = 90.0


def test_server_settings(monkeypatch):
    monkeypatch.setenv("GEO_APP_MAX_UPLOAD_MB", "12.5")
    opts = server_options(ServeOptions(port=9000, address="0.0.0.0", base_url_path="/geo/"),
                          get_settings())
    assert opts["server.headless"] == "true"
    assert opts["browser.gatherUsageStats"] == "false"
    assert opts["server.enableXsrfProtection"] == "true"
    assert opts["server.enableCORS"] == "true"  # XSRF protection needs it
    assert opts["server.maxUploadSize"] == "13"  # whole MB, at least the import's limit
    assert opts["server.enableStaticServing"] == "true"
    assert opts["server.port"] == "9000"
    assert opts["server.address"] == "0.0.0.0"
    assert opts["server.baseUrlPath"] == "geo"
    assert opts["theme.primaryColor"] == "#1f5f99"


def test_every_option_is_one_streamlit_knows():
    from streamlit import config

    opts = server_options(ServeOptions(), get_settings())
    unknown = [key for key in opts if key not in config._config_options_template]
    assert unknown == []


def test_the_main_script_is_inside_the_package_beside_the_assets():
    argv = streamlit_command(ServeOptions(port=8600), get_settings(), python="py")
    assert argv[:5] == ["py", "-m", "streamlit", "run", str(MAIN_SCRIPT)]
    assert MAIN_SCRIPT.parent == PACKAGE_DIR
    assert (MAIN_SCRIPT.parent / "static" / "vendor" / "leaflet" / "leaflet.js").is_file()
    assert argv[argv.index("--server.port") + 1] == "8600"


@pytest.mark.parametrize(("given", "path"), [
    ("", ""), ("/", ""), ("geo", "geo"), ("/geo/", "geo"), ("/office/geo-app/", "office/geo-app"),
])
def test_base_url_path(given, path):
    assert normalize_base_url_path(given) == path


@pytest.mark.parametrize("bad", ["a b", "geo?x=1", "../etc", "geo//x", "<script>"])
def test_odd_base_url_paths_are_refused(bad):
    with pytest.raises(InputError, match="--base-url-path"):
        normalize_base_url_path(bad)


def test_store_goes_to_the_server_and_streamlit_variables_do_not():
    env = serve_environment(ServeOptions(store="/srv/x.gpkg"),
                            {"PATH": "/bin", "STREAMLIT_SERVER_PORT": "1", "GEO_APP_HOME": "/h"})
    assert env == {"PATH": "/bin", "GEO_APP_HOME": "/h", "GEO_APP_STORE": "/srv/x.gpkg"}


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(GEO_APP), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def _clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEO_APP_", "STREAMLIT_"))}
    env["GEO_APP_HOME"] = str(home)
    return env


def test_a_bad_store_is_refused_before_starting(tmp_path):
    done = _run(["serve", "--store", str(tmp_path / "missing.gpkg"), "--port", "1"], tmp_path,
                _clean_env(tmp_path))
    assert done.returncode == 2
    assert done.stderr.startswith("error: ")
    assert "missing.gpkg" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bad_base_url_path_is_one_line(tmp_path):
    done = _run(["serve", "--base-url-path", "a b"], tmp_path, _clean_env(tmp_path))
    assert done.returncode == 2
    assert "--base-url-path" in done.stderr
    assert "Traceback" not in done.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


@pytest.mark.slow
def test_serve_from_another_directory_under_a_base_path(tmp_path):
    """The dev install's ``geo-app serve`` (the wheel's is tested in test_deploy_bundle)."""
    store = tmp_path / "office.gpkg"
    shutil.copyfile(BUNDLED_LAYERS, store)
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(GEO_APP), "serve", "--port", str(port), "--store", str(store),
             "--base-url-path", "/office/geo/"],
            cwd=cwd, env=_clean_env(tmp_path / "home"), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    base = f"http://127.0.0.1:{port}/office/geo"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while _safe_status(f"{base}/_stcore/health") != 200:
            assert proc.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.3)
        status, body = _get(f"{base}/app/static/vendor/leaflet/leaflet.js")
        assert status == 200
        assert body == (PACKAGE_DIR / "static/vendor/leaflet/leaflet.js").read_bytes()
        assert _get(f"{base}/app/static/vendor/manifest.json")[0] == 200
        assert _safe_status(f"http://127.0.0.1:{port}/_stcore/health") == 404  # only under it
        assert "office.gpkg" in log.read_text(errors="replace")
        assert not (cwd / ".streamlit").exists()
        assert list(cwd.iterdir()) == []  # nothing written where it was started
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def _safe_status(url: str) -> int:
    try:
        return _get(url)[0]
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0

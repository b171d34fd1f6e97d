"""``geo-app serve``: the Streamlit server of an installed geo_app, set up for an office.

Streamlit reads ``.streamlit/config.toml`` from the working directory, which an installed
package cannot rely on, so every setting a server needs is passed on the command line:

- ``server.headless``: no browser is opened, no e-mail prompt;
- ``browser.gatherUsageStats = false``: nothing is reported to Streamlit's servers;
- ``server.enableXsrfProtection = true`` (and CORS protection, which it needs);
- ``server.maxUploadSize``: the settings' ``max_upload_mb`` (``GEO_APP_MAX_UPLOAD_MB``),
  rounded up to whole MB, so the import's own limit is the one users meet;
- ``server.enableStaticServing``: the vendored map assets in ``geo_app/static`` are served
  at ``<base>/app/static/``;
- ``server.port``, ``server.address``, ``server.baseUrlPath`` from the command line;
- the look (``client``, ``theme``) from ``geo_app/deploy/streamlit.toml``.

The main script is ``geo_app/webapp.py`` inside the installed package, so the command works
from any working directory.
"""

from __future__ import annotations

import math
import os
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from geo_app.errors import InputError
from geo_app.settings import PACKAGE_DIR, Settings

#: The main script Streamlit runs (its ``static`` folder holds the map assets).
MAIN_SCRIPT = PACKAGE_DIR / "webapp.py"
#: The look of the app (client and theme options), shipped in the package.
LOOK_FILE = PACKAGE_DIR / "deploy" / "streamlit.toml"
DEFAULT_PORT = 8501
#: Loopback by default: in an office the server sits behind nginx on the same machine.
DEFAULT_ADDRESS = "127.0.0.1"
_BASE_PATH = re.compile(r"^[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$")


@dataclass(frozen=True)
class ServeOptions:
    """What ``geo-app serve`` was asked for."""

    port: int = DEFAULT_PORT
    address: str = DEFAULT_ADDRESS
    base_url_path: str = ""
    store: str | None = None


def normalize_base_url_path(value: str) -> str:
    """``/geo/`` → ``geo``: Streamlit's form of a base URL path; ``""`` for the root.

    Raises
    ------
    InputError
        The path has characters other than letters, digits, ``. _ ~ -`` and ``/``, an empty
        segment, or a ``.``/``..`` segment.
    """
    path = value.strip().strip("/")
    dots = any(part in (".", "..") for part in path.split("/"))
    if path and (dots or not _BASE_PATH.match(path)):
        raise InputError(
            f"--base-url-path {value!r} is not a plain URL path; use letters, digits, "
            "'-', '_', '.' and '/', e.g. --base-url-path geo (the app is then at /geo/).")
    return path


def server_options(options: ServeOptions, settings: Settings) -> dict[str, str]:
    """Every Streamlit option ``geo-app serve`` sets, as ``section.key`` → value text."""
    if not 1 <= options.port <= 65535:
        raise InputError(f"--port {options.port} is not a TCP port; use 1-65535 (e.g. 8501).")
    if not options.address.strip():
        raise InputError("--address is empty; use 127.0.0.1 (behind nginx) or 0.0.0.0.")
    if not (settings.max_upload_mb > 0 and math.isfinite(settings.max_upload_mb)):
        raise InputError(f"GEO_APP_MAX_UPLOAD_MB={settings.max_upload_mb} must be a positive "
                         "number of MB.")
    look = _look_options()
    server = {
        "server.headless": "true",
        "browser.gatherUsageStats": "false",
        "server.enableXsrfProtection": "true",
        "server.enableCORS": "true",
        "server.maxUploadSize": str(math.ceil(settings.max_upload_mb)),
        "server.enableStaticServing": "true",
        "server.port": str(options.port),
        "server.address": options.address.strip(),
        "server.baseUrlPath": normalize_base_url_path(options.base_url_path),
        "server.fileWatcherType": "none",
        "server.runOnSave": "false",
        "runner.magicEnabled": "false",
    }
    return {**look, **server}


def streamlit_command(options: ServeOptions, settings: Settings,
                      python: str = sys.executable) -> list[str]:
    """``python -m streamlit run …/geo_app/webapp.py --<option> <value> …``."""
    argv = [python, "-m", "streamlit", "run", str(MAIN_SCRIPT)]
    for key, value in server_options(options, settings).items():
        argv += [f"--{key}", value]
    return argv


def serve_environment(options: ServeOptions, environ: Mapping[str, str]) -> dict[str, str]:
    """The server's environment: ``environ`` with ``GEO_APP_STORE`` set from ``--store``.

    ``STREAMLIT_*`` variables are dropped: they would override the settings above.
    """
    env = {k: v for k, v in environ.items() if not k.startswith("STREAMLIT_")}
    if options.store:
        env["GEO_APP_STORE"] = options.store
    return env


def exec_streamlit(options: ServeOptions, settings: Settings) -> None:
    """Replace this process by the Streamlit server (so systemd's signals reach it)."""
    argv = streamlit_command(options, settings)
    os.execve(argv[0], argv, serve_environment(options, os.environ))


def _look_options(path: Path = LOOK_FILE) -> dict[str, str]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for section, values in data.items():
        for key, value in values.items():
            out[f"{section}.{key}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return out

"""One offline bundle per test session: made, carried (the .tar.gz), installed with no registry.

Used by ``tests/deploy`` and ``tests/browser/test_deploy_serve_browser.py``; the result is
cached under pytest's base temporary folder, so the session makes and installs it once.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MAKE_TIMEOUT_S = 3600
INSTALL_TIMEOUT_S = 1800


@dataclass(frozen=True)
class InstalledBundle:
    bundle: Path        # dist/bundle as made
    archive: Path       # the .tar.gz carried to the server
    unpacked: Path      # the archive extracted "on the server"
    venv: Path          # install.sh's DIR
    make_s: float
    install_s: float
    closed_index: str   # the registry URL the install was pointed at (nothing listens)

    @property
    def geo_app(self) -> Path:
        return self.venv / "bin" / "geo-app"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


def closed_port_url() -> str:
    """A loopback URL on which nothing listens (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/simple"


def offline_env(closed_index: str, **extra: str) -> dict[str, str]:
    """The environment of a machine with no registry: every pip source points nowhere."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "GEO_APP_", "STREAMLIT_", "VIRTUAL_ENV"))}
    env.update(PIP_INDEX_URL=closed_index, PIP_EXTRA_INDEX_URL=closed_index,
               PIP_CONFIG_FILE=os.devnull, PIP_DEFAULT_TIMEOUT="5", PIP_RETRIES="0",
               PATH="/usr/local/bin:/usr/bin:/bin", **extra)
    return env


def installed_bundle(base: Path) -> InstalledBundle:
    root = base / "deploy-bundle"
    marker = root / "installed.json"
    if marker.exists():
        data = json.loads(marker.read_text())
        return InstalledBundle(**{k: Path(v) if k in ("bundle", "archive", "unpacked", "venv")
                                  else v for k, v in data.items()})
    root.mkdir(parents=True, exist_ok=True)
    bundle = root / "dist" / "bundle"
    start = time.monotonic()
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "make_bundle.py"),
                           "--out", str(bundle)], capture_output=True, text=True,
                          timeout=MAKE_TIMEOUT_S, check=False)
    make_s = time.monotonic() - start
    assert done.returncode == 0, f"make_bundle failed:\n{done.stdout}\n{done.stderr}"
    archives = list(bundle.parent.glob("geo_app-*-bundle-*.tar.gz"))
    assert len(archives) == 1, archives
    unpacked = root / "server"
    unpacked.mkdir()
    with tarfile.open(archives[0]) as tar:
        tar.extractall(unpacked, filter="data")
    folder = next(unpacked.iterdir())
    venv = root / "opt" / "geo-app"
    closed = closed_port_url()
    start = time.monotonic()
    done = subprocess.run([str(folder / "install.sh"), str(venv)], cwd=root,
                          env=offline_env(closed, PYTHON=sys._base_executable),
                          capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False)
    install_s = time.monotonic() - start
    assert done.returncode == 0, f"install.sh failed:\n{done.stdout}\n{done.stderr}"
    result = InstalledBundle(bundle, archives[0], folder, venv, make_s, install_s, closed)
    marker.write_text(json.dumps({k: str(v) if isinstance(v, Path) else v
                                  for k, v in vars(result).items()}))
    return result

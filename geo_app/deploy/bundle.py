"""The offline install bundle: the wheel, a wheelhouse of every dependency, ``install.sh``.

Made on a machine with a package registry (``make bundle``), carried to a server with none:

    bundle/
      geo_app-<version>-py3-none-any.whl
      wheelhouse/            every dependency as a wheel, for this Python and platform
      install.sh             ./install.sh DIR  → a venv at DIR with DIR/bin/geo-app
      BUNDLE.json            what it holds: versions, platform, sha256 of every file

The wheel is built from a clean copy of the package (``pyproject.toml``, ``README.md`` and
``geo_app/`` with links followed), so nothing in the checkout is written. The wheelhouse is
``pip wheel`` of that wheel: pip resolves, downloads (through whatever registry pip is
configured with) and, if a dependency has no wheel for this platform, builds one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from geo_app.errors import GeoAppError
from geo_app.settings import PACKAGE_DIR

INSTALL_TEMPLATE = PACKAGE_DIR / "deploy" / "install.sh.in"
PIP_TIMEOUT_S = 3600
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.gpkg-wal", "*.gpkg-shm",
                                  "*.gpkg-journal", "*.part.gpkg")


class BundleError(GeoAppError):
    """The bundle could not be made (pip failed, the source is incomplete)."""


@dataclass(frozen=True)
class Bundle:
    """A made bundle: its folder, the wheel, the wheelhouse's wheels, the archive."""

    folder: Path
    wheel: Path
    wheels: tuple[Path, ...]
    archive: Path | None


def python_tag() -> str:
    """``3.11``: the Python minor version the wheelhouse is for."""
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def build_wheel(source: Path, out_dir: Path) -> Path:
    """Build geo_app's wheel from a clean copy of ``source`` (a checkout) into ``out_dir``."""
    for needed in ("pyproject.toml", "README.md", "geo_app"):
        if not (source / needed).exists():
            raise BundleError(f"{source} has no {needed}: run this from a geo_app checkout.")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="geo_app-src-") as tmp:
        copy = Path(tmp)
        shutil.copy2(source / "pyproject.toml", copy / "pyproject.toml")
        shutil.copy2(source / "README.md", copy / "README.md")
        shutil.copytree(source / "geo_app", copy / "geo_app", symlinks=False, ignore=_IGNORED)
        before = set(out_dir.glob("geo_app-*.whl"))
        _pip(["wheel", "--no-deps", "--wheel-dir", str(out_dir), str(copy)], "build the wheel")
    built = sorted(set(out_dir.glob("geo_app-*.whl")) - before) or sorted(
        out_dir.glob("geo_app-*.whl"), key=lambda p: p.stat().st_mtime)[-1:]
    if not built:
        raise BundleError(f"pip wheel wrote no geo_app wheel into {out_dir}.")
    return built[-1]


def build_wheelhouse(wheel: Path, wheelhouse: Path) -> tuple[Path, ...]:
    """Every dependency of ``wheel`` as a wheel in ``wheelhouse`` (geo_app's own excluded)."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    _pip(["wheel", "--wheel-dir", str(wheelhouse), str(wheel)], "fetch the dependencies")
    (wheelhouse / wheel.name).unlink(missing_ok=True)  # the wheel sits beside install.sh
    return tuple(sorted(wheelhouse.glob("*.whl")))


def write_install_script(folder: Path, wheel: Path, version: str) -> Path:
    """``install.sh`` for this bundle (the template with the versions filled in)."""
    text = INSTALL_TEMPLATE.read_text(encoding="utf-8")
    for key, value in {"@VERSION@": version, "@PYTHON@": python_tag(),
                       "@MACHINE@": platform.machine(), "@WHEEL@": wheel.name}.items():
        text = text.replace(key, value)
    script = folder / "install.sh"
    script.write_text(text, encoding="utf-8")
    script.chmod(0o755)
    return script


def make_bundle(source: Path, folder: Path, *, archive: bool = True) -> Bundle:
    """Make the bundle in ``folder`` (emptied first) and, if asked, ``<folder>/../*.tar.gz``."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    wheel = build_wheel(source, folder)
    version = wheel.name.split("-")[1]
    wheels = build_wheelhouse(wheel, folder / "wheelhouse")
    write_install_script(folder, wheel, version)
    _write_manifest(folder, version)
    tarball = None
    if archive:
        tarball = folder.parent / f"geo_app-{version}-bundle-py{python_tag()}-" \
                                  f"{platform.machine()}.tar.gz"
        with tarfile.open(tarball, "w:gz", compresslevel=6) as tar:
            tar.add(folder, arcname=f"geo_app-{version}-bundle")
    return Bundle(folder, wheel, wheels, tarball)


def _write_manifest(folder: Path, version: str) -> None:
    files = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        files[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = {
        "geo_app": version,
        "python": python_tag(),
        "machine": platform.machine(),
        "system": platform.system(),
        "made": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sha256": files,
    }
    (folder / "BUNDLE.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _pip(args: list[str], what: str) -> None:
    try:
        done = subprocess.run([sys.executable, "-m", "pip", *args, "--quiet",
                               "--disable-pip-version-check"],
                              capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise BundleError(f"pip took over {PIP_TIMEOUT_S} s to {what}.") from None
    if done.returncode != 0:
        raise BundleError(f"pip could not {what} (is the package registry reachable from this "
                          f"machine?):\n{done.stderr.strip()[-1500:]}")

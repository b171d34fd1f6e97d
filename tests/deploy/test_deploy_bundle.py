"""The offline bundle: complete, and installed and run with no registry reachable.

Slow: the session fixture makes the bundle (the wheel, then ``pip wheel`` of every
dependency through the configured registry) and installs the carried ``.tar.gz`` into a new
venv with ``install.sh``, every pip source pointed at a closed loopback port.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pyogrio
import pytest
from _deploy_bundle import REPO, InstalledBundle, offline_env

from geo_app.deploy.bundle import write_install_script
from geo_app.settings import BUNDLED_LAYERS, PACKAGE_DIR

pytestmark = pytest.mark.slow


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _wheel(installed: InstalledBundle) -> Path:
    wheels = list(installed.unpacked.glob("geo_app-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_the_bundle_holds_a_wheel_for_every_dependency(installed):
    with zipfile.ZipFile(_wheel(installed)) as whl:
        meta = next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))
        requires = [line.split(":", 1)[1].strip() for line in
                    whl.read(meta).decode().splitlines() if line.startswith("Requires-Dist:")]
    core = {_norm(re.split(r"[ ;<>=!~\[(]", r, maxsplit=1)[0]) for r in requires
            if "extra ==" not in r}
    have = {_norm(p.name.split("-")[0]) for p in (installed.unpacked / "wheelhouse").glob("*.whl")}
    assert core <= have, f"missing from the wheelhouse: {sorted(core - have)}"
    assert {"psycopg2_binary", "geoalchemy2", "sqlalchemy"} <= have  # the PostGIS drivers
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    binary = [p.name for p in (installed.unpacked / "wheelhouse").glob("*.whl")
              if not p.name.endswith("-none-any.whl")]
    assert binary, "no compiled wheel at all: not a real wheelhouse"
    for name in binary:
        python, abi, plat = name.removesuffix(".whl").split("-")[-3:]
        if abi == "abi3":  # the stable ABI: built for this Python or an older 3.x
            assert python.startswith("cp3") and int(python[3:]) <= int(tag[3:]), name
        else:
            assert tag in python or python == "py3", name
            assert abi in (tag, "none"), name
        assert platform.machine() in plat and "linux" in plat, name


def test_bundle_manifest_and_archive(installed):
    manifest = json.loads((installed.unpacked / "BUNDLE.json").read_text())
    assert manifest["python"] == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert manifest["machine"] == platform.machine()
    files = {p.relative_to(installed.unpacked).as_posix() for p in installed.unpacked.rglob("*")
             if p.is_file() and p.name != "BUNDLE.json"}
    assert set(manifest["sha256"]) == files
    for rel, digest in manifest["sha256"].items():
        assert hashlib.sha256((installed.unpacked / rel).read_bytes()).hexdigest() == digest
    with tarfile.open(installed.archive) as tar:
        names = tar.getnames()
    top = installed.unpacked.name
    assert f"{top}/install.sh" in names and f"{top}/wheelhouse" in names


def test_the_wheel_carries_every_data_file_of_the_package(installed):
    with zipfile.ZipFile(_wheel(installed)) as whl:
        inside = set(whl.namelist())
        assert whl.read("geo_app/data/suizhou.gpkg") == BUNDLED_LAYERS.read_bytes()
        for raster in ("dem.tif", "landcover.tif", "landcover_classes.csv"):
            assert whl.read(f"geo_app/data/{raster}") == (REPO / "layers" / raster).read_bytes()
        assert (whl.read("geo_app/static/vendor/leaflet/leaflet.js")
                == (PACKAGE_DIR / "static/vendor/leaflet/leaflet.js").read_bytes())
    assert {"geo_app/webapp.py", "geo_app/deploy/streamlit.toml",
            "geo_app/static/vendor/manifest.json", "geo_app/deploy/install.sh.in"} <= inside
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout: the tracked files cannot be listed")
    tracked = subprocess.run(["git", "ls-files", "geo_app"], cwd=REPO, capture_output=True,
                             text=True, check=True).stdout.split()
    data = {t for t in tracked if not t.endswith((".py", ".md"))}  # notes for developers
    assert data - inside == set(), "add these to [tool.setuptools.package-data]"


def _installed_run(installed: InstalledBundle, args: list[str], cwd: Path, home: Path
                   ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300,
                          env=offline_env(installed.closed_index, GEO_APP_HOME=str(home)),
                          check=False)


def test_no_registry_was_reachable(installed, tmp_path):
    done = _installed_run(installed, [str(installed.python), "-m", "pip", "download",
                                      "--no-deps", "--dest", str(tmp_path), "six"],
                          tmp_path, tmp_path)
    assert done.returncode != 0  # the same environment cannot fetch anything
    assert list(tmp_path.glob("*.whl")) == []


def test_installed_app_runs_from_anywhere_without_the_checkout(installed, tmp_path):
    home = tmp_path / "home"
    probe = ("import geo_app, geo_app.settings as s; from geo_app.maps.assets import "
             "verify_assets; print(geo_app.__file__); print(s.BUNDLED_LAYERS); "
             "print(s.get_settings().workspace_path); print(len(verify_assets()))")
    done = _installed_run(installed, [str(installed.python), "-c", probe], tmp_path, home)
    assert done.returncode == 0, done.stderr
    module, layers, workspace, assets = done.stdout.split()
    assert Path(module).is_relative_to(installed.venv)
    assert Path(layers).is_relative_to(installed.venv) and Path(layers).is_file()
    assert Path(workspace) == home / "workspace.gpkg"
    assert int(assets) >= 10
    done = _installed_run(installed, [str(installed.geo_app), "layers"], tmp_path, home)
    assert done.returncode == 0, done.stderr
    assert "parcels" in done.stdout
    assert (home / "workspace.gpkg").is_file()  # the workspace is in GEO_APP_HOME …
    assert not list(installed.venv.rglob("workspace.gpkg"))  # … never in site-packages
    counts = {n: len(pyogrio.read_dataframe(BUNDLED_LAYERS, layer=n, read_geometry=False))
              for n in ("parcels", "parks")}
    for name, count in counts.items():
        assert re.search(rf"^\s+{name}\s+{count}\s", done.stdout, re.M), done.stdout
    out = tmp_path / "backup.gpkg"
    done = _installed_run(installed, [str(installed.geo_app), "backup", "--out", str(out)],
                          tmp_path, home)
    assert done.returncode == 0, done.stderr
    assert {n for n, _ in pyogrio.list_layers(out)} >= set(counts)
    # the bundled DEM and land cover come with the wheel: zonal statistics work anywhere
    done = _installed_run(installed, [str(installed.geo_app), "raster", "list", "--json"],
                          tmp_path, home)
    assert done.returncode == 0, done.stderr
    rasters = {r["kind"]: Path(r["path"]) for r in json.loads(done.stdout)["rasters"]}
    assert set(rasters) == {"dem", "landcover"}
    for path in rasters.values():
        assert path.is_relative_to(installed.venv) and path.is_file()


def test_install_script_refuses_another_python(tmp_path):
    fake = tmp_path / "python9"
    fake.write_text("#!/bin/sh\necho 2.7\n")
    fake.chmod(0o755)
    wheel = tmp_path / "geo_app-0.1.0-py3-none-any.whl"
    script = write_install_script(tmp_path, wheel, "0.1.0")
    done = subprocess.run([str(script), str(tmp_path / "venv")], capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin", "PYTHON": str(fake)},
                          timeout=60, check=False)
    assert done.returncode == 1
    assert "is Python 2.7" in done.stderr
    assert not (tmp_path / "venv").exists()


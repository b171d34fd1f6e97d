"""The vendored map assets: committed, complete, and the bytes the pins say (no Node needed)."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from geo_app.errors import AssetError
from geo_app.maps.assets import NPM_PACKAGES, expected_files, vendor_dir, verify_assets
from geo_app.settings import PACKAGE_DIR

REPO = Path(__file__).resolve().parents[2]


def _sha512(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def test_vendored_files_match_the_manifest_and_the_pins():
    manifest = json.loads((vendor_dir() / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["packages"] == {p.name: p.version for p in NPM_PACKAGES}
    assert manifest["integrity"] == {p.name: p.integrity for p in NPM_PACKAGES}
    assert set(manifest["files"]) == set(expected_files())
    for rel, digest in manifest["files"].items():
        assert _sha512(vendor_dir() / rel) == digest, rel
    assert verify_assets() == manifest["files"]


def test_every_package_ships_its_licence():
    for pkg in NPM_PACKAGES:
        licences = [rel for inner, rel in pkg.files.items() if "LICENSE" in inner.upper()]
        assert licences, f"{pkg.spec} has no licence file vendored"
        for rel in licences:
            text = (vendor_dir() / rel).read_text()
            assert "Copyright" in text
            assert "Permission is hereby granted" in text or "Redistribution and use" in text


def test_vendor_is_inside_the_package_and_tracked_by_git():
    assert vendor_dir() == PACKAGE_DIR / "static" / "vendor"
    # `streamlit run app.py` serves ./static: the link must reach the same files
    assert (REPO / "static" / "vendor").resolve() == vendor_dir().resolve()
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    tracked = subprocess.run(["git", "ls-files", "geo_app/static/vendor", "static"], cwd=REPO,
                             capture_output=True, text=True, check=True).stdout.split()
    assert {f"geo_app/static/vendor/{rel}" for rel in expected_files()} <= set(tracked)
    assert "geo_app/static/vendor/manifest.json" in tracked
    assert "static" in tracked  # the link itself


def test_a_changed_file_is_named(tmp_path):
    copy = tmp_path / "vendor"
    shutil.copytree(vendor_dir(), copy)
    with (copy / "leaflet" / "leaflet.js").open("a") as fh:
        fh.write("\n/* tampered */\n")
    with pytest.raises(AssetError, match=r"leaflet/leaflet\.js: sha512"):
        verify_assets(copy)


def test_a_manifest_with_another_integrity_is_refused(tmp_path):
    copy = tmp_path / "vendor"
    shutil.copytree(vendor_dir(), copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["integrity"]["jquery"] = "sha512-AAAA"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(AssetError, match=r"jquery@3\.7\.1: manifest integrity"):
        verify_assets(copy)


def test_the_packaged_look_matches_the_checkout_config():
    packaged = tomllib.loads((PACKAGE_DIR / "deploy" / "streamlit.toml").read_text())
    checkout = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    for section, values in packaged.items():
        assert checkout[section] == values, section

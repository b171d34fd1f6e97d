"""Offline assets: the check, the rewriting of CDN links, and the fetch script's checks."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import tarfile
from pathlib import Path

import folium
import folium.plugins
import pytest

from geo_app.errors import AssetError
from geo_app.maps import ensure_assets, localize_assets, vendor_dir
from geo_app.maps.assets import NPM_PACKAGES, NpmPackage, expected_files, resolve_base_url

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "fetch_assets.py"


def _fetch_module():
    spec = importlib.util.spec_from_file_location("fetch_assets", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tgz(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_missing_assets_say_which_command_to_run(tmp_path):
    with pytest.raises(AssetError, match=r"python scripts/fetch_assets\.py") as err:
        ensure_assets(tmp_path)
    assert "leaflet/leaflet.js" in str(err.value)


def test_stale_manifest_is_reported(tmp_path, vendored):
    for rel in expected_files():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes((vendor_dir() / rel).read_bytes())
    (tmp_path / "manifest.json").write_text(json.dumps({"packages": {"leaflet": "1.0.0"}}))
    with pytest.raises(AssetError, match=r"leaflet@1\.9\.4 is needed, found 1\.0\.0"):
        ensure_assets(tmp_path)


def test_fetched_assets_are_complete(vendored):
    manifest = json.loads((vendor_dir() / "manifest.json").read_text())
    assert manifest["packages"] == {p.name: p.version for p in NPM_PACKAGES}
    assert set(manifest["files"]) == set(expected_files())


def test_map_links_point_at_the_vendored_files():
    m = folium.Map(tiles=None)
    localize_assets(m, "app/static/vendor")
    urls = [url for _, url in m.default_js + m.default_css]
    assert urls == [
        "../../app/static/vendor/leaflet/leaflet.js",
        "../../app/static/vendor/jquery/jquery.min.js",
        "../../app/static/vendor/leaflet/leaflet.css",
    ]
    assert not re.search(r"https?://", m.get_root().render().split("<body>")[0])


@pytest.mark.parametrize(("given", "written"), [
    ("app/static/vendor", "../../app/static/vendor"),
    ("app/static/vendor/", "../../app/static/vendor"),
    ("/app/static/vendor", "/app/static/vendor"),
    ("./vendor", "./vendor"),
    ("file:///srv/vendor", "file:///srv/vendor"),
])
def test_base_url_resolution(given, written):
    assert resolve_base_url(given) == written


def test_a_plugin_that_needs_a_cdn_is_refused_by_name():
    m = folium.Map(tiles=None)
    folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(AssetError, match="Fullscreen loads"):
        localize_assets(m, "app/static/vendor")


def test_icon_markers_are_refused_with_advice():
    m = folium.Map(tiles=None)
    folium.Marker([31.7, 113.4], icon=folium.Icon(icon="info-sign")).add_to(m)
    with pytest.raises(AssetError, match="CircleMarker"):
        localize_assets(m, "app/static/vendor")


def test_fetch_extracts_only_listed_files_of_a_verified_tarball(tmp_path):
    fetch = _fetch_module()
    data = _tgz({"dist/a.js": b"var a = 1;", "dist/evil.js": b"steal()"})
    pkg = NpmPackage("demo", "1.0.0", fetch.integrity_of(data), {"dist/a.js": "demo/a.js"})
    hashes = fetch.extract(pkg, data, tmp_path)
    assert (tmp_path / "demo" / "a.js").read_bytes() == b"var a = 1;"
    assert not list(tmp_path.rglob("evil.js"))
    assert set(hashes) == {"demo/a.js"}


def test_fetch_refuses_a_tarball_whose_integrity_differs(tmp_path):
    fetch = _fetch_module()
    data = _tgz({"dist/a.js": b"var a = 1;"})
    pkg = NpmPackage("demo", "1.0.0", "sha512-AAAA", {"dist/a.js": "demo/a.js"})
    with pytest.raises(AssetError, match="does not match the pinned"):
        fetch.extract(pkg, data, tmp_path)
    assert not (tmp_path / "demo").exists()


def test_fetch_from_missing_local_tarballs_says_how_to_make_them(tmp_path):
    fetch = _fetch_module()
    with pytest.raises(AssetError, match=r"npm pack leaflet@1\.9\.4"):
        fetch.tarball_for(NPM_PACKAGES[0], tmp_path, tmp_path)

"""The map's JavaScript and CSS, served by the app itself so maps work with no internet.

folium points every map at CDNs (Leaflet, jQuery, Bootstrap, awesome-markers, Font
Awesome). Here those links are rewritten to files vendored under
``geo_app/static/vendor/``: they are committed with their licences and ship inside the
wheel, so running the app needs neither Node nor a network. ``manifest.json`` there records
each package's version and npm tarball integrity (as pinned in :data:`NPM_PACKAGES`) and the
sha512 of every file; :func:`verify_assets` checks the files against it.
``scripts/fetch_assets.py`` is the way to upgrade them: it fetches the pinned npm tarballs,
checks their integrity and rewrites the folder and the manifest. Bootstrap, glyphicons and
awesome-markers are dropped: the maps draw circle markers and build their own popups, so no
icon font or Bootstrap style is needed.

Served by Streamlit (``server.enableStaticServing``) from the ``static`` folder beside the
main script (``geo_app/webapp.py``; the repository's ``static`` is a link to
``geo_app/static``), ``vendor/x`` is at ``<server root>/app/static/vendor/x``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import branca.element
import folium
import folium.elements
import folium.map

from geo_app.errors import AssetError
from geo_app.settings import PACKAGE_DIR

FETCH_COMMAND = "python scripts/fetch_assets.py"
MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class NpmPackage:
    """A pinned npm package and the files taken from its tarball (``package/...``)."""

    name: str
    version: str
    integrity: str
    files: dict[str, str] = field(default_factory=dict)

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


NPM_PACKAGES: tuple[NpmPackage, ...] = (
    NpmPackage(
        "leaflet", "1.9.4",
        "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        {
            "dist/leaflet.js": "leaflet/leaflet.js",
            "dist/leaflet.css": "leaflet/leaflet.css",
            "dist/images/layers.png": "leaflet/images/layers.png",
            "dist/images/layers-2x.png": "leaflet/images/layers-2x.png",
            "dist/images/marker-icon.png": "leaflet/images/marker-icon.png",
            "dist/images/marker-icon-2x.png": "leaflet/images/marker-icon-2x.png",
            "dist/images/marker-shadow.png": "leaflet/images/marker-shadow.png",
            "LICENSE": "leaflet/LICENSE",
        },
    ),
    NpmPackage(
        "jquery", "3.7.1",
        "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
        {
            "dist/jquery.min.js": "jquery/jquery.min.js",
            "LICENSE.txt": "jquery/LICENSE.txt",
        },
    ),
)

#: folium's asset names → vendored file. jQuery stays because folium.Popup uses it.
VENDORED: dict[str, str] = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "jquery": "jquery/jquery.min.js",
}
#: folium.Map defaults not needed without awesome-markers icons and Bootstrap.
DROPPED: frozenset[str] = frozenset({
    "bootstrap", "bootstrap_css", "glyphicons_css", "awesome_markers",
    "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css",
})

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_CSS_URL = re.compile(r"url\((['\"]?)(?!data:|#)([^'\")]+)\1\)")
_SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc\s*=", re.IGNORECASE)
_STYLESHEET = re.compile(r"<link\b[^>]*\brel=[\"']?stylesheet", re.IGNORECASE)


def vendor_dir() -> Path:
    """``geo_app/static/vendor``: where the vendored files live (in a checkout or a wheel)."""
    return PACKAGE_DIR / "static" / "vendor"


def file_digest(data: bytes) -> str:
    """``sha512-<base64>`` of ``data``: the form of npm's integrity and of the manifest."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def expected_files() -> dict[str, str]:
    """Vendored relative path → ``name@version`` of the package it comes from."""
    return {rel: pkg.spec for pkg in NPM_PACKAGES for rel in pkg.files.values()}


def ensure_assets(directory: Path | None = None) -> None:
    """Raise :class:`AssetError` unless every pinned file has been fetched."""
    root = directory or vendor_dir()
    manifest_path = root / MANIFEST_NAME
    problems: list[str] = []
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        manifest = None
        problems.append(f"{manifest_path} does not exist")
    except (OSError, ValueError) as exc:
        manifest = None
        problems.append(f"{manifest_path} cannot be read ({exc})")
    if manifest is not None:
        have = manifest.get("packages", {})
        for pkg in NPM_PACKAGES:
            if have.get(pkg.name) != pkg.version:
                problems.append(f"{pkg.spec} is needed, found {have.get(pkg.name) or 'none'}")
    missing = [rel for rel in expected_files() if not (root / rel).is_file()]
    if missing:
        problems.append("missing files: " + ", ".join(missing))
    if problems:
        raise AssetError(
            f"The offline map scripts are not set up in {root} ({'; '.join(problems)}). "
            "They ship with geo_app: reinstall the package or restore geo_app/static/vendor "
            f"from the repository; `{FETCH_COMMAND}` fetches them again from the npm "
            "registry. Then restart the app."
        )


def verify_assets(directory: Path | None = None) -> dict[str, str]:
    """Check every vendored file against the manifest's sha512 and the pins.

    Besides :func:`ensure_assets`, the manifest must record each package's pinned npm
    integrity (the tarball the files were taken from) and a sha512 for every expected
    file, and each file must hash to it. Returns vendored path → sha512.

    Raises
    ------
    AssetError
        A file was changed, a digest or an integrity is missing or differs (each named).
    """
    root = directory or vendor_dir()
    ensure_assets(root)
    manifest = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    problems: list[str] = []
    integrity = manifest.get("integrity", {})
    for pkg in NPM_PACKAGES:
        if integrity.get(pkg.name) != pkg.integrity:
            problems.append(f"{pkg.spec}: manifest integrity {integrity.get(pkg.name)!r} "
                            "is not the pinned one")
    digests = manifest.get("files", {})
    found: dict[str, str] = {}
    for rel in expected_files():
        found[rel] = file_digest((root / rel).read_bytes())
        if digests.get(rel) != found[rel]:
            problems.append(f"{rel}: sha512 {found[rel][:20]}… is not the manifest's "
                            f"{str(digests.get(rel))[:20]}…")
    extra = sorted(set(digests) - set(expected_files()))
    if extra:
        problems.append("manifest lists files no package provides: " + ", ".join(extra))
    if problems:
        raise AssetError(
            f"The vendored map scripts in {root} do not match their manifest "
            f"({'; '.join(problems)}). Restore them from the repository or run "
            f"`{FETCH_COMMAND}`."
        )
    return found


def resolve_base_url(asset_base_url: str) -> str:
    """The URL prefix written into the map for ``asset_base_url``.

    A URL with a scheme (``file:``, ``https:``) or a path starting with ``/``, ``./`` or
    ``../`` is used as given. Any other value is a path from the Streamlit server root
    (``app/static/vendor``): streamlit-folium runs the map inside a component iframe at
    ``<root>/component/<name>/index.html``, so it is written as ``../../<value>``, which
    resolves to ``<root>/<value>`` under any ``server.baseUrlPath``.
    """
    base = asset_base_url.strip().rstrip("/")
    if not base:
        raise AssetError("asset_base_url is empty; pass None for folium's CDN links.")
    if _SCHEME.match(base) or base.startswith(("/", "./", "../")):
        return base
    return f"../../{base}"


def walk(element: branca.element.Element) -> Iterator[branca.element.Element]:
    """``element`` and all its descendants."""
    yield element
    for child in element._children.values():
        yield from walk(child)


def localize_assets(m: folium.Map, asset_base_url: str) -> None:
    """Point every script and style of ``m`` and its elements at the vendored files.

    Call it again after adding elements to a map built elsewhere. Raises
    :class:`AssetError` for an element that needs a file that is not vendored (the
    message names it), so a map never silently depends on a CDN.
    """
    base = resolve_base_url(asset_base_url)
    for element in walk(m):
        if isinstance(element, folium.map.Icon):
            raise AssetError(
                "folium.Icon needs the awesome-markers icon font, which is not served "
                "offline; draw points with folium.CircleMarker instead."
            )
        if not isinstance(element, folium.elements.JSCSSMixin):
            continue
        element.default_js = _localized(element, element.default_js, base)
        element.default_css = _localized(element, element.default_css, base)


def _localized(element: object, links: list[tuple[str, str]], base: str
               ) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, url in links:
        if name in VENDORED:
            out.append((name, f"{base}/{VENDORED[name]}"))
        elif name in DROPPED and isinstance(element, folium.Map):
            continue
        elif not _SCHEME.match(url) or url.startswith("file:"):
            out.append((name, url))
        else:
            raise AssetError(
                f"{type(element).__name__} loads {name!r} from {url}, which is not served "
                f"offline. Add its npm package to NPM_PACKAGES in geo_app/maps/assets.py and "
                f"run `{FETCH_COMMAND}`, or do without that plugin."
            )
    return out


def inline_assets(html: str, m: folium.Map, *, directory: Path | None = None) -> str:
    """Replace the map's script and stylesheet links by the vendored files' contents.

    ``html`` is ``m``'s rendered page. CSS ``url(...)`` images become ``data:`` URIs.
    Raises :class:`AssetError` if a linked file is not vendored or a link is left over.
    """
    root = directory or vendor_dir()
    ensure_assets(root)
    for element in walk(m):
        if not isinstance(element, folium.elements.JSCSSMixin):
            continue
        for name, url in element.default_js:
            html = html.replace(
                f'<script src="{url}"></script>',
                f"<script>/* {name} */\n{_read_js(root, name, url)}\n</script>",
            )
        for name, url in element.default_css:
            html = html.replace(
                f'<link rel="stylesheet" href="{url}"/>',
                f"<style>/* {name} */\n{_read_css(root, name, url)}\n</style>",
            )
    if _SCRIPT_SRC.search(html) or _STYLESHEET.search(html):
        raise AssetError(
            "The exported map still links an external script or stylesheet; only the "
            "vendored assets can be inlined. Remove the plugin or vendor it."
        )
    return html


def _vendored_path(root: Path, name: str, url: str) -> Path:
    rel = VENDORED.get(name)
    if rel is None or not url.endswith(rel):
        raise AssetError(f"{name!r} ({url}) is not a vendored asset and cannot be inlined.")
    return root / rel


def _read_js(root: Path, name: str, url: str) -> str:
    text = _vendored_path(root, name, url).read_text(encoding="utf-8")
    return text.replace("</script", "<\\/script")


def _read_css(root: Path, name: str, url: str) -> str:
    path = _vendored_path(root, name, url)
    text = path.read_text(encoding="utf-8")

    def _data_uri(match: re.Match[str]) -> str:
        target = (path.parent / match.group(2)).resolve()
        if not target.is_file() or root.resolve() not in target.parents:
            raise AssetError(f"{path.name} refers to {match.group(2)}, which is not vendored.")
        mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        data = base64.b64encode(target.read_bytes()).decode("ascii")
        return f'url("data:{mime};base64,{data}")'

    return _CSS_URL.sub(_data_uri, text).replace("</style", "<\\/style")

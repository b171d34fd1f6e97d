"""Content-Security-Policy of the map pages: nothing outside may be requested.

A map shows names and attributes from users' files. They are escaped wherever they
enter the page (:mod:`geo_app.textsafe`); the policy is the second wall: even a
payload that got through could not fetch a beacon, post data or load a script from
elsewhere. The only outside hosts allowed are the tile servers of the online basemap
the user chose, and only for images.

Two policies, one per way a map is shown:

* :func:`export_policy`, for "Download map (HTML)": everything is inlined, so no URL
  at all is needed (not even ``'self'``: a ``file:`` page has no safe origin).
* :func:`app_policy`, for the map inside the app (streamlit-folium's component
  iframe): Leaflet comes from the app's own server (``'self'``) and the component
  runs the map's script with ``eval``, so ``'unsafe-eval'`` is needed there.

Both go into the page's ``<head>`` as a ``<meta http-equiv="Content-Security-Policy">``
(:class:`PolicyMeta`): ``frame-ancestors``, ``report-uri`` and ``sandbox`` cannot be set
that way and are not used.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import folium
import folium.raster_layers
from branca.element import Element

from geo_app.maps.assets import walk
from geo_app.textsafe import html_text

#: Directives that are always closed.
_CLOSED = ("default-src", "connect-src", "media-src", "object-src", "frame-src",
           "worker-src", "manifest-src", "base-uri", "form-action")


def tile_sources(m: folium.Map) -> list[str]:
    """CSP source expressions of the tile servers of ``m``'s tile layers.

    A subdomain placeholder (``t{s}.tianditu.gov.cn``) becomes a wildcard label
    (``https://*.tianditu.gov.cn``).
    """
    sources: list[str] = []
    for element in walk(m):
        if not isinstance(element, folium.raster_layers.TileLayer):
            continue
        url = str(element.tiles)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            continue
        labels = parts.netloc.lower().split(".")
        while labels and "{" in labels[0]:
            labels = labels[1:]
        if len(labels) < 2 or any("{" in label for label in labels):
            continue
        wildcard = "*." if labels != parts.netloc.lower().split(".") else ""
        source = f"{parts.scheme}://{wildcard}{'.'.join(labels)}"
        if source not in sources:
            sources.append(source)
    return sources


def export_policy(m: folium.Map) -> str:
    """The policy of the self-contained exported page: inline code and data images only."""
    return _policy(
        scripts=["'unsafe-inline'"],
        styles=["'unsafe-inline'"],
        images=["data:", "blob:", *tile_sources(m)],
        fonts=["data:"],
    )


def app_policy(m: folium.Map, asset_source: str = "'self'") -> str:
    """The policy of the map in the app's component iframe.

    ``asset_source`` is where Leaflet and its images come from (``'self'`` for the
    app's own ``static/vendor``, or an origin such as ``https://maps.example.org``).
    """
    return _policy(
        scripts=[asset_source, "'unsafe-inline'", "'unsafe-eval'"],
        styles=[asset_source, "'unsafe-inline'"],
        images=[asset_source, "data:", "blob:", *tile_sources(m)],
        fonts=[asset_source, "data:"],
    )


def asset_source(resolved_base_url: str) -> str | None:
    """The CSP source of a resolved asset base URL, or ``None`` for a ``file:`` URL."""
    parts = urlsplit(resolved_base_url)
    if not parts.scheme:
        return "'self'"
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def _policy(*, scripts: Iterable[str], styles: Iterable[str], images: Iterable[str],
            fonts: Iterable[str]) -> str:
    directives = [f"{name} 'none'" for name in _CLOSED]
    directives += [
        "script-src " + " ".join(scripts),
        "style-src " + " ".join(styles),
        "font-src " + " ".join(fonts),
        "img-src " + " ".join(images),  # last: the tile hosts end the policy
    ]
    return "; ".join(directives)


class PolicyMeta(Element):
    """``<meta http-equiv="Content-Security-Policy">`` with :attr:`policy`; first in the head."""

    def __init__(self, policy: str) -> None:
        super().__init__()
        self._name = "PolicyMeta"
        self.policy = policy

    def render(self, **kwargs: Any) -> str:
        # quotes of 'none' stay readable: only what could end the attribute is escaped
        content = html_text(self.policy).replace("&#x27;", "'")
        return f'<meta http-equiv="Content-Security-Policy" content="{content}" />'


def set_policy(m: folium.Map, policy: str) -> PolicyMeta:
    """Put ``policy`` first in ``m``'s page head (replacing an earlier one); return it."""
    header = m.get_root().header
    existing = header._children.get(PolicyMeta.__name__)
    if isinstance(existing, PolicyMeta):
        existing.policy = policy
        return existing
    meta = PolicyMeta(policy)
    header.add_child(meta, name=PolicyMeta.__name__, index=0)
    return meta

"""Tile layers of the online basemaps. The offline ones (``NONE``, ``HILLSHADE``) add none."""

from __future__ import annotations

from urllib.parse import quote

import folium

from geo_app.errors import InputError
from geo_app.maps.style import Basemap

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
GAODE_URL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)
_TIANDITU_URL = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}"
)
#: Tianditu base layer → its annotation (place names) layer.
_TIANDITU_LAYERS = {Basemap.TIANDITU_VEC: ("vec", "cva"), Basemap.TIANDITU_IMG: ("img", "cia")}

_ATTRIBUTION = {
    Basemap.OSM: "&copy; OpenStreetMap contributors",
    Basemap.TIANDITU_VEC: "&copy; 天地图 Tianditu",
    Basemap.TIANDITU_IMG: "&copy; 天地图 Tianditu",
    Basemap.GAODE: "&copy; 高德地图 AutoNavi",
}


def tianditu_url(layer: str, key: str) -> str:
    """The WMTS tile URL template of a Tianditu layer (``vec``, ``cva``, ``img``, ``cia``)."""
    return _TIANDITU_URL.replace("{layer}", layer).replace("{key}", quote(key, safe=""))


def add_basemap(m: folium.Map, basemap: Basemap, *, lang: str,
                tianditu_key: str | None = None) -> None:
    """Add the tile layer(s) of ``basemap`` to ``m`` (nothing for the offline ones: the
    hillshade is an image overlay the caller adds from its DEM)."""
    if basemap.offline:
        return
    name = basemap.label(lang)
    if basemap is Basemap.OSM:
        folium.TileLayer(OSM_URL, attr=_ATTRIBUTION[basemap], name=name, max_zoom=19,
                         overlay=False, control=True).add_to(m)
        return
    if basemap is Basemap.GAODE:
        folium.TileLayer(GAODE_URL, attr=_ATTRIBUTION[basemap], name=name, subdomains="1234",
                         max_zoom=18, overlay=False, control=True).add_to(m)
        return
    key = (tianditu_key or "").strip()
    if not key:
        raise InputError(
            "The Tianditu basemap needs a key (tk). Set GEO_APP_TIANDITU_KEY or the "
            "Streamlit secret, or choose another basemap."
        )
    base, labels = _TIANDITU_LAYERS[basemap]
    folium.TileLayer(tianditu_url(base, key), attr=_ATTRIBUTION[basemap], name=name,
                     subdomains="01234567", max_zoom=18, overlay=False, control=True).add_to(m)
    folium.TileLayer(tianditu_url(labels, key), attr=_ATTRIBUTION[basemap],
                     name="天地图注记" if lang == "zh" else "Tianditu labels",
                     subdomains="01234567", max_zoom=18, overlay=True, control=True).add_to(m)

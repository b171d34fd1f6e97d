"""Name labels for the slides' maps: large, with a halo, collisions hidden by priority.

A slide names the layers to label; each feature gets one label at a point inside it
(``representative_point``). In the browser the labels are placed in priority order
(the order of the slide's ``labels``, then bigger features first) and a label that
would overlap one already placed is hidden; this is redone after every zoom or move,
so nothing piles up at the zone-wide view. Text goes in with ``textContent``: names
are never parsed as HTML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
from folium.template import Template

from geo_app.maps.elements import RawMacroElement
from geo_app.textsafe import script_json

#: Label text size on the projector (CSS px at 1920×1080).
LABEL_SIZE_PX = 20

_JS = """
(function () {
  var map = %(map)s, items = %(items)s, sizePx = %(size)s;
  if (!document.getElementById('present-label-css')) {
    var css = document.createElement('style');
    css.id = 'present-label-css';
    css.textContent = '.present-label{background:none;border:none;}' +
      '.present-label span{position:absolute;left:0;top:0;transform:translate(-50%%,-50%%);' +
      'white-space:nowrap;font-weight:700;color:#1a1a1a;font-family:"Noto Sans CJK SC",' +
      '"Source Han Sans SC","Microsoft YaHei",sans-serif;text-shadow:0 0 3px #fff,' +
      '0 0 3px #fff,0 0 4px #fff,0 0 6px #fff;pointer-events:none;}' +
      '.present-label.hidden-by-collision{visibility:hidden;}';
    document.head.appendChild(css);
  }
  var group = L.layerGroup().addTo(map);
  var markers = items.map(function (it) {
    var span = document.createElement('span');
    span.textContent = it[2];
    span.style.fontSize = sizePx + 'px';
    span.setAttribute('data-layer', it[3]);
    var icon = L.divIcon({className: 'present-label', html: span, iconSize: null});
    return L.marker([it[0], it[1]], {icon: icon, interactive: false, keyboard: false})
      .addTo(group);
  });
  function overlaps(a, b) {
    return !(a.right + 3 < b.left || b.right + 3 < a.left ||
             a.bottom + 2 < b.top || b.bottom + 2 < a.top);
  }
  function declutter() {
    var placed = [], box = map.getContainer().getBoundingClientRect();
    markers.forEach(function (m) {
      var el = m.getElement();
      if (!el) { return; }
      el.classList.remove('hidden-by-collision');
      var r = el.firstChild.getBoundingClientRect();
      var outside = r.right < box.left || r.left > box.right ||
                    r.bottom < box.top || r.top > box.bottom;
      var hit = outside || placed.some(function (p) { return overlaps(p, r); });
      if (hit) { el.classList.add('hidden-by-collision'); } else { placed.push(r); }
    });
  }
  map.on('zoomend moveend resize', declutter);
  map.whenReady(function () { setTimeout(declutter, 0); });
  setTimeout(declutter, 300);
})();
"""


class NameLabels(RawMacroElement):
    """Collision-aware name labels: ``items`` are ``[lat, lon, text, layer]`` by priority."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.js }}
        {% endmacro %}
        """
    )

    def __init__(self, map_name: str, items: Sequence[Sequence[Any]], *,
                 size_px: int = LABEL_SIZE_PX) -> None:
        super().__init__()
        self._name = "NameLabels"
        self.js = _JS % {"map": map_name, "items": script_json([list(i) for i in items]),
                         "size": int(size_px)}


def label_items(layers: Mapping[str, gpd.GeoDataFrame], names: Sequence[str], *,
                lang: str = "zh") -> list[list[Any]]:
    """``[lat, lon, text, layer]`` for every named feature of ``names``, by priority:
    the order of ``names``, then bigger features first (points last within a layer)."""
    items: list[list[Any]] = []
    for layer in names:
        gdf = layers.get(layer)
        if gdf is None or len(gdf) == 0 or "name" not in gdf.columns:
            continue
        if gdf.crs is not None and gdf.crs.to_epsg() not in (4490, 4326):
            gdf = gdf.to_crs(4490)
        text = gdf["name"].astype("string")
        if lang != "zh" and "name_en" in gdf.columns:
            text = gdf["name_en"].astype("string").fillna(text)
        geoms = np.asarray(gdf.geometry.array, dtype=object)
        ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) & text.notna().to_numpy()
        points = shapely.point_on_surface(geoms[ok])
        size = shapely.area(geoms[ok]) + shapely.length(geoms[ok])
        order = np.argsort(-size, kind="stable")
        xs, ys = shapely.get_x(points), shapely.get_y(points)
        labels = text.to_numpy(dtype=object)[ok]
        items += [[round(float(ys[i]), 6), round(float(xs[i]), 6), str(labels[i]), layer]
                  for i in order]
    return items


def add_labels(m: folium.Map, layers: Mapping[str, gpd.GeoDataFrame], names: Sequence[str],
               *, lang: str = "zh", size_px: int = LABEL_SIZE_PX) -> None:
    """Add the name labels of ``names`` (layers of ``layers``) to ``m``."""
    items = label_items(layers, names, lang=lang)
    if items:
        NameLabels(m.get_name(), items, size_px=size_px).add_to(m)

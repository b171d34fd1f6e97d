"""Name labels of the map: which text, where, and in which order the browser places them.

The browser (``geoApp.labels`` in ``runtime.js``) places labels after every zoom or move,
highest priority first, and hides a label whose box would overlap one already placed
(or a map control), so the zone-wide view shows the names that matter and never a pile.
This module decides the rest, as pure functions of the layers:

* **text**: the Chinese name, or the English name (Chinese when there is none) in
  English; parcels by their id;
* **anchor**: a point inside a polygon (``point_on_surface``), the middle of a line, the
  point itself (the label then sits to the right of the marker);
* **priority**: parks and districts first, then the villages of the works programme
  (the three phase-2 demonstration villages before the 7 consolidation villages), the
  loop road, sites, facilities, the other villages, projects and parcels; within a
  layer's rank, bigger features first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_app.domain.categories import ParkKind, WorksProgramme
from geo_app.errors import InputError

#: Layers that can carry labels, in the order the sidebar offers them.
LABEL_LAYERS: tuple[str, ...] = (
    "parks", "villages", "sites", "facilities", "roads", "projects", "parcels",
)
#: Labelled unless the user switches them off: names an official looks for.
DEFAULT_LABEL_LAYERS: tuple[str, ...] = ("parks", "villages", "sites", "facilities", "roads")
#: Label sizes offered (CSS px at 100 % zoom); 18 and up for a projector.
LABEL_SIZES_PX: tuple[int, ...] = (12, 14, 16, 18, 22)
DEFAULT_LABEL_PX = 14
PROJECTOR_LABEL_PX = 18
#: Decimal places of label anchors sent to the browser (1e-5° ≈ 1 m: a label's place).
ANCHOR_DECIMALS = 5

#: Rank of each layer's labels (higher is placed first).
LAYER_PRIORITY: dict[str, int] = {
    "parks": 80, "roads": 60, "sites": 50, "facilities": 45, "villages": 40,
    "projects": 30, "parcels": 20,
}
#: Extra rank of some classes: districts and parks above all, the works programme's
#: villages above the other villages (and above sites).
CLASS_BONUS: dict[tuple[str, str, str], int] = {
    ("parks", "kind", ParkKind.DISTRICT.value): 15,
    ("parks", "kind", ParkKind.PARK.value): 10,
    ("villages", "works_programme", WorksProgramme.PHASE2_DEMONSTRATION.value): 35,
    ("villages", "works_programme", WorksProgramme.CONSOLIDATION.value): 25,
}
#: A user's own layer.
OTHER_PRIORITY = 10


@dataclass(frozen=True)
class LabelSet:
    """The labels of one layer, highest priority first.

    ``kind`` is ``"area"`` (centred on the anchor), ``"line"`` (centred) or ``"point"``
    (to the right of the marker).
    """

    layer: str
    kind: str
    lon: np.ndarray
    lat: np.ndarray
    text: list[str]
    priority: np.ndarray

    def __len__(self) -> int:
        return len(self.text)

    def to_payload(self) -> dict[str, object]:
        """JSON-ready columns for ``geoApp.labels`` (text is set with textContent there)."""
        return {
            "layer": self.layer,
            "kind": self.kind,
            "x": np.round(self.lon, ANCHOR_DECIMALS).tolist(),
            "y": np.round(self.lat, ANCHOR_DECIMALS).tolist(),
            "t": list(self.text),
            # one number when every label has the same rank (a layer of 50k parcels)
            "p": (int(self.priority[0]) if len(self) and (self.priority == self.priority[0]).all()
                  else self.priority.astype(int).tolist()),
        }


def check_label_layers(layers: Iterable[str] | None) -> tuple[str, ...]:
    """``layers`` as a tuple (``None`` → :data:`DEFAULT_LABEL_LAYERS`), or a clear error."""
    if layers is None:
        return DEFAULT_LABEL_LAYERS
    if isinstance(layers, str):
        raise InputError(f"Label layers must be a list of layer names, not the text {layers!r}.")
    return tuple(dict.fromkeys(str(name) for name in layers))


def check_label_px(size_px: float) -> float:
    """A usable label size in px (8–48), or a clear error."""
    if not np.isfinite(size_px) or not 8 <= size_px <= 48:
        raise InputError(f"Label size {size_px} px is not usable; choose 8 to 48 px "
                         f"(default {DEFAULT_LABEL_PX}, {PROJECTOR_LABEL_PX}+ for a projector).")
    return float(size_px)


def label_text(layer: str, gdf: gpd.GeoDataFrame, lang: str) -> pd.Series:
    """Each feature's label: parcels by id; else the name in ``lang`` (Chinese fallback)."""
    def column(name: str) -> pd.Series:
        if name not in gdf.columns:
            return pd.Series(pd.NA, index=gdf.index, dtype="string")
        values = gdf[name].astype("string").str.strip()
        return values.mask(values == "")

    if layer == "parcels":
        text = column("id")
    elif lang == "en":
        text = column("name_en").fillna(column("name"))
    else:
        text = column("name")
    return text


def label_priority(layer: str, gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Each feature's rank (see :data:`LAYER_PRIORITY` and :data:`CLASS_BONUS`)."""
    priority = np.full(len(gdf), LAYER_PRIORITY.get(layer, OTHER_PRIORITY), dtype=np.int64)
    for (bonus_layer, column, value), bonus in CLASS_BONUS.items():
        if bonus_layer == layer and column in gdf.columns:
            hit = (gdf[column].astype("string") == value).fillna(False).to_numpy(dtype=bool)
            priority[hit] += bonus
    return priority


def label_anchors(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """Anchor ``(x, y)`` of each geometry and the label kind of the layer.

    Polygons: a point inside (``point_on_surface``) of the largest part; lines: the middle
    of the longest part; points: the (first) point. Missing or empty geometries give NaN.
    """
    geoms = np.asarray(geoms, dtype=object)
    xs = np.full(len(geoms), np.nan)
    ys = np.full(len(geoms), np.nan)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not ok.any():
        return xs, ys, "area"
    parts = geoms[ok].copy()
    multi = np.flatnonzero(shapely.get_num_geometries(parts) > 1)
    parts[multi] = [_largest_part(g) for g in parts[multi]]
    dim = shapely.get_dimensions(parts)
    anchors = np.empty(len(parts), dtype=object)
    area, line, point = dim == 2, dim == 1, dim == 0
    anchors[area] = shapely.point_on_surface(parts[area])
    anchors[line] = shapely.line_interpolate_point(parts[line], 0.5, normalized=True)
    anchors[point] = parts[point]
    xs[ok], ys[ok] = shapely.get_x(anchors), shapely.get_y(anchors)
    kind = {2: "area", 1: "line", 0: "point"}[int(np.bincount(dim, minlength=3).argmax())]
    return xs, ys, kind


def _largest_part(geom: shapely.Geometry) -> shapely.Geometry:
    if shapely.get_num_geometries(geom) <= 1 or not isinstance(
            geom, shapely.MultiPolygon | shapely.MultiLineString | shapely.GeometryCollection):
        return geom
    parts = shapely.get_parts(geom)
    size = shapely.area(parts) if isinstance(geom, shapely.MultiPolygon) else shapely.length(parts)
    return parts[int(np.argmax(size))]


def layer_labels(layer: str, gdf: gpd.GeoDataFrame, display: np.ndarray, *,
                 lang: str) -> LabelSet:
    """The labels of one layer; ``display`` are the geometries as drawn (GCJ-02 for Gaode).

    Features with no text or no geometry get no label. Order: priority, then size (area,
    or length), then the layer's order.
    """
    if len(display) != len(gdf):
        raise InputError(f"Layer {layer!r}: {len(display)} display geometries for "
                         f"{len(gdf)} features.")
    text = label_text(layer, gdf, lang)
    xs, ys, kind = label_anchors(display)
    priority = label_priority(layer, gdf)
    display = np.asarray(display, dtype=object)
    size = np.nan_to_num(np.where(kind == "line", shapely.length(display),
                                  shapely.area(display)))
    keep = text.notna().to_numpy(dtype=bool) & np.isfinite(xs) & np.isfinite(ys)
    idx = np.flatnonzero(keep)
    order = idx[np.lexsort((idx, -size[idx], -priority[idx]))]
    return LabelSet(layer, kind, xs[order], ys[order],
                    [str(v) for v in text.to_numpy(dtype=object)[order]], priority[order])

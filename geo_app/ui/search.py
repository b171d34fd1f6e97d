"""Find features by Chinese or English name, and the map view that shows a match."""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_app.ui.models import MapView

#: Which layer's match comes first when several match equally well.
LAYER_PRIORITY = ("villages", "parks", "projects", "sites", "parcels", "facilities", "roads")


@dataclass(frozen=True)
class SearchHit:
    layer: str
    feature_id: str
    name: str
    name_en: str | None
    bounds: tuple[float, float, float, float]  # lon/lat: minx, miny, maxx, maxy
    score: int  # 0 exact, 1 starts with, 2 contains


def _priority(layer: str) -> int:
    return LAYER_PRIORITY.index(layer) if layer in LAYER_PRIORITY else len(LAYER_PRIORITY)


def search_features(
    layers: dict[str, gpd.GeoDataFrame], query: str, *, limit: int = 20
) -> list[SearchHit]:
    """Features whose ``name`` or ``name_en`` contains ``query`` (case-insensitive), best first.

    Exact names come first, then names starting with the query, then the rest; within a
    score, villages before parks, projects, sites, parcels.
    """
    text = query.strip().casefold()
    if not text:
        return []
    hits: list[SearchHit] = []
    for layer, gdf in layers.items():
        if gdf.empty or "name" not in gdf.columns:
            continue
        names = gdf["name"].astype("string").fillna("").str.casefold()
        names_en = (gdf["name_en"].astype("string").fillna("").str.casefold()
                    if "name_en" in gdf.columns else pd.Series("", index=gdf.index))
        contains = (names.str.contains(text, regex=False)
                    | names_en.str.contains(text, regex=False)).to_numpy(dtype=bool)
        if not contains.any():
            continue
        rows = gdf[contains]
        n, ne = names[contains].to_numpy(), names_en[contains].to_numpy()
        exact = (n == text) | (ne == text)
        starts = np.array([a.startswith(text) or b.startswith(text) for a, b in zip(n, ne,
                                                                                  strict=True)])
        score = np.where(exact, 0, np.where(starts, 1, 2))
        bounds = rows.geometry.bounds.to_numpy()
        ids = rows["id"] if "id" in rows.columns else rows.index.to_series()
        en = rows["name_en"] if "name_en" in rows.columns else [None] * len(rows)
        for fid, name, name_en, b, s in zip(ids, rows["name"], en, bounds, score, strict=True):
            hits.append(SearchHit(layer, str(fid), str(name),
                                  None if name_en is None else str(name_en),
                                  (float(b[0]), float(b[1]), float(b[2]), float(b[3])), int(s)))
    hits.sort(key=lambda h: (h.score, _priority(h.layer), h.name))
    return hits[:limit]


def _mercator_y(lat: float) -> float:
    rad = math.radians(lat)
    return math.log(math.tan(math.pi / 4 + rad / 2))


def view_for_bounds(
    bounds: tuple[float, float, float, float],
    *,
    width_px: int = 900,
    height_px: int = 650,
    padding: float = 0.8,
    min_zoom: int = 8,
    max_zoom: int = 16,
) -> MapView:
    """Centre and the largest whole zoom at which ``bounds`` fit the map (Web Mercator tiles)."""
    minx, miny, maxx, maxy = bounds
    center = ((miny + maxy) / 2.0, (minx + maxx) / 2.0)
    lon_span = maxx - minx
    y_span = abs(_mercator_y(maxy) - _mercator_y(miny))
    zooms = [max_zoom]
    if lon_span > 0:
        zooms.append(math.log2(width_px * padding * 360.0 / (256.0 * lon_span)))
    if y_span > 0:
        zooms.append(math.log2(height_px * padding * 2.0 * math.pi / (256.0 * y_span)))
    zoom = math.floor(min(zooms))
    return MapView(center=center, zoom=max(min_zoom, min(max_zoom, zoom)))

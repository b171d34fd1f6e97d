"""Proximity in the GK plane: features within a distance, and the nearest feature."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geo_app.analysis.crs import PlaneCRS, choose_plane_crs
from geo_app.errors import InputError


def within_distance(
    features: gpd.GeoDataFrame,
    of: gpd.GeoDataFrame,
    *,
    distance_m: float,
    plane: PlaneCRS | None = None,
) -> gpd.GeoDataFrame:
    """Features whose geometry comes within ``distance_m`` of any feature of ``of``.

    A village "reaches" the belt when any part of it lies within the distance. The result
    keeps the input columns and adds ``distance_m`` (shortest plane distance, metres).
    """
    if not np.isfinite(distance_m) or distance_m < 0:
        raise InputError(f"Distance {distance_m} is not usable; give metres, 0 or more.")
    out = nearest(features, of, plane=plane)
    return out[out["distance_m"] <= distance_m]


def nearest(
    features: gpd.GeoDataFrame,
    targets: gpd.GeoDataFrame,
    *,
    plane: PlaneCRS | None = None,
    id_column: str = "id",
    name_column: str = "name",
) -> gpd.GeoDataFrame:
    """Add the nearest target's id and name and the distance to it in metres (plane).

    A feature with no nearest target (empty target layer, null or empty geometry) gets
    ``None`` and a NaN distance.
    """
    plane = plane or choose_plane_crs(features)
    src = features.geometry.to_crs(plane.epsg).to_numpy()
    dst = targets.geometry.to_crs(plane.epsg).to_numpy()
    out = features.copy()
    target_ids = targets[id_column].to_numpy() if id_column in targets else targets.index
    target_names = targets[name_column].to_numpy() if name_column in targets else target_ids
    # -1: no nearest (an empty target layer, or a null/empty source geometry)
    nearest_pos = np.full(len(src), -1, dtype=np.int64)
    if len(dst) and len(src):
        tree = shapely.STRtree(dst)
        src_idx, dst_idx = tree.query_nearest(src, all_matches=False, return_distance=False)
        nearest_pos[src_idx] = dst_idx
    found = nearest_pos >= 0
    ids = np.full(len(src), None, dtype=object)
    names = np.full(len(src), None, dtype=object)
    distance_m = np.full(len(src), np.nan)
    ids[found] = np.asarray(target_ids, dtype=object)[nearest_pos[found]]
    names[found] = np.asarray(target_names, dtype=object)[nearest_pos[found]]
    distance_m[found] = shapely.distance(src[found], dst[nearest_pos[found]])
    out["nearest_id"] = ids
    out["nearest_name"] = names
    out["distance_m"] = distance_m
    return out

"""Proximity in the GK plane: features within a distance, and the nearest feature."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geo_app.analysis.crs import PlaneCRS, choose_plane_crs


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
    """Add the nearest target's id and name and the distance to it in metres (plane)."""
    plane = plane or choose_plane_crs(features)
    src = features.geometry.to_crs(plane.epsg).to_numpy()
    dst = targets.geometry.to_crs(plane.epsg).to_numpy()
    out = features.copy()
    if len(dst) == 0 or len(src) == 0:
        out["nearest_id"] = None
        out["nearest_name"] = None
        out["distance_m"] = np.inf
        return out
    tree = shapely.STRtree(dst)
    src_idx, dst_idx = tree.query_nearest(src, all_matches=False, return_distance=False)
    order = np.argsort(src_idx, kind="stable")
    src_idx, dst_idx = src_idx[order], dst_idx[order]
    target_ids = targets[id_column].to_numpy() if id_column in targets else targets.index
    target_names = targets[name_column].to_numpy() if name_column in targets else target_ids
    nearest_pos = np.empty(len(src), dtype=np.int64)
    nearest_pos[src_idx] = dst_idx
    out["nearest_id"] = np.asarray(target_ids, dtype=object)[nearest_pos]
    out["nearest_name"] = np.asarray(target_names, dtype=object)[nearest_pos]
    out["distance_m"] = shapely.distance(src, dst[nearest_pos])
    return out

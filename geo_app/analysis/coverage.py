"""Coverage: how much of each polygon of one layer another layer covers (overlaps once)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_app.analysis.area import equal_area_crs, require_polygons
from geo_app.analysis.crs import PlaneCRS, choose_plane_crs
from geo_app.analysis.units import M2_PER_MU


def coverage(
    of: gpd.GeoDataFrame,
    by: gpd.GeoDataFrame,
    *,
    plane: PlaneCRS | None = None,
    id_column: str = "id",
    name_column: str = "name",
    of_name: str = "The covered layer",
    by_name: str = "The covering layer",
) -> pd.DataFrame:
    """For each polygon of ``of``, the area covered by the union of ``by`` and its share.

    Overlapping features of ``by`` are counted once (they are dissolved first).
    Returns one row per feature of ``of`` with ``area_mu_plane``, ``covered_mu_plane``,
    ``covered_mu_ellipsoidal`` and ``share_covered`` (0–1, plane). Points and lines are
    refused (:class:`InputError`); ``of_name`` / ``by_name`` name the layers in the message.
    """
    require_polygons(of, what=of_name)
    require_polygons(by, what=by_name)
    plane = plane or choose_plane_crs(of)
    of_plane = of.geometry.to_crs(plane.epsg).to_numpy()
    by_plane = by.geometry.to_crs(plane.epsg).to_numpy()
    covered_geoms = _clip_to_union(of_plane, by_plane)
    area_m2 = shapely.area(of_plane)
    covered_m2 = shapely.area(covered_geoms)
    # the same covered shapes measured on the ellipsoid
    ea = equal_area_crs(of)
    covered_ell = gpd.GeoSeries(covered_geoms, crs=plane.epsg).to_crs(ea).area.to_numpy()
    share = np.divide(covered_m2, area_m2, out=np.zeros_like(area_m2), where=area_m2 > 0)
    return pd.DataFrame(
        {
            "id": of[id_column].to_numpy() if id_column in of else of.index.to_numpy(),
            "name": of[name_column].to_numpy() if name_column in of else None,
            "area_mu_plane": area_m2 / M2_PER_MU,
            "covered_mu_plane": covered_m2 / M2_PER_MU,
            "covered_mu_ellipsoidal": covered_ell / M2_PER_MU,
            "share_covered": share,
        }
    )


def _clip_to_union(targets: np.ndarray, covers: np.ndarray) -> np.ndarray:
    """Intersection of each target with the union of the covers that touch any target."""
    if len(covers) == 0 or len(targets) == 0:
        return np.array([shapely.Polygon()] * len(targets), dtype=object)
    tree = shapely.STRtree(covers)
    hits = np.unique(tree.query(targets, predicate="intersects")[1])
    union = shapely.union_all(covers[hits])
    return shapely.intersection(targets, union)

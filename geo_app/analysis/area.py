"""Areas in m², ha and mu, two ways: GK plane and CGCS2000 (GRS80) ellipsoid.

Plane area is the land-survey convention for parcels; ellipsoidal area is what the
third national land survey (TD/T 1055-2019) reports. Both are vectorised: one
coordinate transform of the whole layer, then ``shapely.area`` in C.

Ellipsoidal area uses the Lambert azimuthal equal-area projection of the GRS80
ellipsoid centred on the layer's extent: an equal-area map preserves the area of
every region exactly, and the only difference from geodesic edges is the bend of
each edge, below 1e-7 of the area for edges of a few km (checked against
``pyproj.Geod`` in the tests).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from geo_app.analysis.crs import GEOGRAPHIC_EPSG, PlaneCRS, choose_plane_crs
from geo_app.analysis.units import M2_PER_HA, M2_PER_MU
from geo_app.errors import InputError

AREA_KEYS = (
    "area_m2_plane",
    "area_m2_ellipsoidal",
    "area_mu_plane",
    "area_mu_ellipsoidal",
    "area_ha_plane",
    "area_ha_ellipsoidal",
)


POLYGON_TYPES = frozenset({"Polygon", "MultiPolygon"})


def require_polygons(gdf: gpd.GeoDataFrame, *, what: str = "The data") -> None:
    """Refuse points and lines where an area is asked for (they would silently measure 0).

    Null and empty geometries are let through (they measure 0 and are counted).
    """
    geoms = gdf.geometry
    types = geoms[geoms.notna() & ~geoms.is_empty].geom_type
    other = types[~types.isin(POLYGON_TYPES)]
    if len(other) == 0:
        return
    kinds = ", ".join(sorted(set(other)))
    if len(other) == len(types):
        raise InputError(
            f"{what} holds {kinds} geometries, which have no area. Areas and coverage need "
            "polygons (parks, parcels, villages, sites); for points and lines use "
            "`geo-app proximity`."
        )
    raise InputError(
        f"{what} mixes polygons with {len(other)} {kinds} feature(s), which have no area. "
        "Keep only the polygons (e.g. split the file by geometry type) and try again."
    )


def equal_area_crs(gdf: gpd.GeoDataFrame) -> CRS:
    """A GRS80 Lambert azimuthal equal-area CRS centred on the data."""
    minx, miny, maxx, maxy = gdf.to_crs(GEOGRAPHIC_EPSG).total_bounds
    lon0, lat0 = (minx + maxx) / 2.0, (miny + maxy) / 2.0
    return CRS.from_proj4(
        f"+proj=laea +lat_0={lat0:.6f} +lon_0={lon0:.6f} +x_0=0 +y_0=0 +ellps=GRS80 +units=m"
    )


def plane_area_m2(gdf: gpd.GeoDataFrame, plane: PlaneCRS) -> np.ndarray:
    """Area of each feature in the plane CRS, m²."""
    return gdf.geometry.to_crs(plane.epsg).area.to_numpy()


def ellipsoidal_area_m2(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Area of each feature on the CGCS2000/GRS80 ellipsoid, m²."""
    if len(gdf) == 0:
        return np.zeros(0)
    return gdf.geometry.to_crs(equal_area_crs(gdf)).area.to_numpy()


def add_areas(
    gdf: gpd.GeoDataFrame, *, plane: PlaneCRS | None = None
) -> tuple[gpd.GeoDataFrame, PlaneCRS]:
    """Return a copy with the six area columns, and the plane CRS used."""
    plane = plane or choose_plane_crs(gdf)
    plane_m2 = plane_area_m2(gdf, plane)
    ell_m2 = ellipsoidal_area_m2(gdf)
    out = gdf.copy()
    out["area_m2_plane"] = plane_m2
    out["area_m2_ellipsoidal"] = ell_m2
    out["area_mu_plane"] = plane_m2 / M2_PER_MU
    out["area_mu_ellipsoidal"] = ell_m2 / M2_PER_MU
    out["area_ha_plane"] = plane_m2 / M2_PER_HA
    out["area_ha_ellipsoidal"] = ell_m2 / M2_PER_HA
    return out, plane


def area_totals(with_areas: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Sum the area columns, overall (one row) or per value of ``by``, with a feature count."""
    cols = [k for k in AREA_KEYS if k in with_areas.columns]
    frame = pd.DataFrame(with_areas[cols])
    if by is None:
        totals = frame.sum().to_frame().T
        totals.insert(0, "count", len(frame))
        return totals
    keys = with_areas[by].astype("object").where(with_areas[by].notna(), "(empty)")
    grouped = frame.groupby(keys.to_numpy(), sort=True)
    totals = grouped.sum()
    totals.insert(0, "count", grouped.size())
    totals.index.name = by
    return totals

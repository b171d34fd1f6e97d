"""Areas in m², ha and mu, two ways: GK plane and CGCS2000 (GRS80) ellipsoid.

Plane area is the land-survey convention for parcels; ellipsoidal area is what the
third national land survey (TD/T 1055-2019) reports.

**Each feature's plane area is measured in its own 3° Gauss-Krüger zone** (the zone whose
central meridian is nearest its centroid): a Hubei-wide file spans zones 36–39, and one zone
for all is wrong by 0.1–0.5 % in Hubei and up to 10 % across China. The work is vectorised
per zone: one coordinate transform per zone group, then ``shapely.area`` in C. A given
``plane`` (the user's ``--crs``) measures every feature in that one plane instead.

Ellipsoidal area uses the Lambert azimuthal equal-area projection of the GRS80 ellipsoid
centred on the layer's extent. An equal-area map preserves the area of every region exactly;
what remains is how an edge between two vertices is drawn (a straight line in the map, a
geodesic for ``pyproj.Geod``). Measured against ``pyproj.Geod`` on 60 random squares per
case, Hubei-wide (108.4–116°E, 29.1–33.2°N) and China-wide (74–134°E, 18.5–52°N), vertices
at the corners only: max relative difference 3e-9 (1 km squares), 3e-7 (10 km), 9e-6
(50 km), 1.4e-4 (200 km). The figures are the same with the projection centred per zone:
the difference is the edge convention, not the distance from the centre, so one centre for
the layer is kept (parcels and villages are far below 1e-6).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo_app.analysis.crs import (
    GEOGRAPHIC_EPSG,
    PlaneCRS,
    feature_zones,
    gk3_epsg,
    majority_plane,
)
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
#: Per-feature column naming the plane each feature was measured in (``"EPSG:4547"``).
PLANE_COLUMN = "crs_plane"

POLYGON_TYPES = frozenset({"Polygon", "MultiPolygon"})


def require_polygons(gdf: gpd.GeoDataFrame, *, what: str = "The data") -> None:
    """Refuse points and lines where an area is asked for (they would silently measure 0).

    Null and empty geometries are let through (they measure 0 and are counted).
    """
    types = present_types(gdf)
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


def present_types(gdf: gpd.GeoDataFrame) -> pd.Series:
    """Geometry type names of the features that have a non-empty geometry."""
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    present = ~shapely.is_missing(geoms)
    present[present] = ~shapely.is_empty(geoms[present])
    return pd.Series([g.geom_type for g in geoms[present]], dtype="object")


def finite_mask(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """True for features with a geometry that is present, not empty, and all finite."""
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    ok = ~shapely.is_missing(geoms)
    ok[ok] = ~shapely.is_empty(geoms[ok])
    coords, index = shapely.get_coordinates(geoms[ok], return_index=True)
    bad = np.unique(index[~np.isfinite(coords).all(axis=1)])
    rows = np.flatnonzero(ok)
    ok[rows[bad]] = False
    return ok


def equal_area_crs(gdf: gpd.GeoDataFrame) -> CRS:
    """A GRS80 Lambert azimuthal equal-area CRS centred on the data (finite features)."""
    finite = gdf[finite_mask(gdf)] if len(gdf) else gdf
    minx, miny, maxx, maxy = finite.to_crs(GEOGRAPHIC_EPSG).total_bounds
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        minx = maxx = 114.0
        miny = maxy = 31.7
    lon0, lat0 = (minx + maxx) / 2.0, (miny + maxy) / 2.0
    return CRS.from_proj4(
        f"+proj=laea +lat_0={lat0:.6f} +lon_0={lon0:.6f} +x_0=0 +y_0=0 +ellps=GRS80 +units=m"
    )


def plane_area_m2(gdf: gpd.GeoDataFrame, plane: PlaneCRS) -> np.ndarray:
    """Area of each feature in one plane CRS, m² (used where one plane is wanted)."""
    return gdf.geometry.to_crs(plane.epsg).area.to_numpy()


def ellipsoidal_area_m2(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Area of each feature on the CGCS2000/GRS80 ellipsoid, m² (NaN where not finite)."""
    out = np.full(len(gdf), np.nan)
    ok = finite_mask(gdf)
    if ok.any():
        part = gdf[ok]
        out[ok] = part.geometry.to_crs(equal_area_crs(part)).area.to_numpy()
    return out


def zone_plane_epsgs(gdf: gpd.GeoDataFrame, *, plane: PlaneCRS | None = None) -> np.ndarray:
    """EPSG code of the plane of each feature: its own 3° zone, or ``plane`` for all.

    0 for features with no finite geometry (they are not measured).
    """
    ok = finite_mask(gdf)
    epsgs = np.zeros(len(gdf), dtype=int)
    if plane is not None:
        epsgs[ok] = plane.epsg
        return epsgs
    zones = np.zeros(len(gdf), dtype=int)
    if ok.any():
        zones[ok] = feature_zones(gdf[ok])
    for zone in np.unique(zones[zones != 0]):
        epsgs[zones == zone] = gk3_epsg(int(zone))
    return epsgs


def plane_areas_by_zone_m2(geoms: gpd.GeoSeries, epsgs: np.ndarray) -> np.ndarray:
    """Area of each geometry in the plane given per row (one transform per plane), m².

    Rows with EPSG 0 are NaN.
    """
    out = np.full(len(geoms), np.nan)
    source = CRS.from_user_input(geoms.crs) if geoms.crs is not None else None
    for epsg in np.unique(epsgs[epsgs != 0]):
        rows = epsgs == epsg
        part = geoms[rows]
        if source is not None and source.to_epsg() != int(epsg):
            part = part.to_crs(int(epsg))
        out[rows] = part.area.to_numpy()
    return out


def zone_plane_area_m2(gdf: gpd.GeoDataFrame, *, plane: PlaneCRS | None = None
                       ) -> np.ndarray:
    """Each feature's plane area (m²) in its own 3° GK zone, or in ``plane``; NaN where the
    geometry is not finite. The plane half of :func:`add_areas`, without the equal-area
    projection (for callers that report only plane areas, such as the import)."""
    return plane_areas_by_zone_m2(gdf.geometry, zone_plane_epsgs(gdf, plane=plane))


def add_areas(
    gdf: gpd.GeoDataFrame, *, plane: PlaneCRS | None = None
) -> tuple[gpd.GeoDataFrame, PlaneCRS]:
    """Return a copy with the six area columns and ``crs_plane``, and the plane naming the layer.

    Each feature is measured in its own 3° GK zone (``crs_plane`` per feature, e.g.
    ``"EPSG:4547"``) unless ``plane`` is given, which measures all in that one plane. The
    returned :class:`PlaneCRS` is ``plane``, or the zone of most features with a reason
    listing the others. Features with no finite geometry (null, empty, NaN or infinite
    coordinates) get NaN areas and a null ``crs_plane``: they are not measured, never 0.
    Invalid geometries are measured as drawn; check and repair them first
    (:func:`geo_app.analysis.geometry_checks.check_geometries`).
    """
    epsgs = zone_plane_epsgs(gdf, plane=plane)
    plane_m2 = plane_areas_by_zone_m2(gdf.geometry, epsgs)
    ell_m2 = ellipsoidal_area_m2(gdf)
    if plane is None:
        zones = np.where(epsgs != 0, epsgs - 4534 + 25, 0)
        plane = majority_plane(zones) if (zones != 0).any() else PlaneCRS(
            4547, "no feature has a finite geometry: nothing measured")
    out = gdf.copy()
    out["area_m2_plane"] = plane_m2
    out["area_m2_ellipsoidal"] = ell_m2
    out["area_mu_plane"] = plane_m2 / M2_PER_MU
    out["area_mu_ellipsoidal"] = ell_m2 / M2_PER_MU
    out["area_ha_plane"] = plane_m2 / M2_PER_HA
    out["area_ha_ellipsoidal"] = ell_m2 / M2_PER_HA
    out[PLANE_COLUMN] = pd.Series([f"EPSG:{e}" if e else None for e in epsgs],
                                  index=out.index, dtype="object")
    return out, plane


def area_totals(with_areas: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Sum the area columns, overall (one row) or per value of ``by``.

    ``count`` is the number of features measured (a finite plane area); ``not_measured`` the
    others, whose areas are left out of the sums (never counted as 0).
    """
    cols = [k for k in AREA_KEYS if k in with_areas.columns]
    frame = pd.DataFrame(with_areas[cols])
    measured = (np.isfinite(frame["area_m2_plane"].to_numpy(dtype=float))
                if "area_m2_plane" in frame.columns else np.ones(len(frame), dtype=bool))
    masked = frame.where(pd.Series(measured, index=frame.index), axis=0)
    if by is None:
        totals = masked.sum(min_count=1).to_frame().T
        totals.insert(0, "count", int(measured.sum()))
        totals.insert(1, "not_measured", int((~measured).sum()))
        return totals
    keys = with_areas[by].astype("object").where(with_areas[by].notna(), "(empty)").to_numpy()
    totals = masked.groupby(keys, sort=True).sum(min_count=1)
    flags = pd.Series(measured.astype(int), index=frame.index)
    totals.insert(0, "count", flags.groupby(keys).sum().reindex(totals.index).to_numpy())
    totals.insert(1, "not_measured",
                  (1 - flags).groupby(keys).sum().reindex(totals.index).to_numpy())
    totals.index.name = by
    return totals

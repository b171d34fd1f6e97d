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

import functools
import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

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
_POLYGON_OR_MISSING = [-1, int(shapely.GeometryType.POLYGON),
                       int(shapely.GeometryType.MULTIPOLYGON)]


# --- one reprojection per layer, reused ----------------------------------------------------
#
# Measuring a layer, then its coverage, then progress reprojects the same geometries to the
# same plane several times (22 % of a city-wide analysis). Shapely geometries are immutable,
# so the transformed array is a pure function of (the geometry objects, source CRS, target
# CRS): it is kept for the last few layers and reused when the very same objects come back
# (checked by identity on every call; the entry holds references to them, so an identity
# cannot be recycled while the entry lives).


@dataclass(frozen=True)
class _Projected:
    source: object  # the source CRS
    target: object  # the target CRS
    objects: np.ndarray  # the source geometry objects (kept alive)
    ids: np.ndarray  # their identities
    result: np.ndarray  # the transformed geometries


_PROJECTED: list[_Projected] = []
_PROJECTED_KEEP = 3

#: Features handled at once when a large layer is measured or reprojected: the temporary
#: arrays (coordinates, transformed coordinates, ring numbers) are those of one chunk.
CHUNK_FEATURES = 100_000


def _same_crs(a: object, b: object) -> bool:
    return a is b or (a is not None and b is not None and CRS.from_user_input(a)
                      == CRS.from_user_input(b))


def _identities(geoms: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    objects = np.array(geoms.array, dtype=object, copy=True)
    return objects, np.fromiter(map(id, objects), dtype=np.int64, count=len(objects))


def projected(geoms: gpd.GeoSeries, crs: object, *, keep: bool = True) -> np.ndarray:
    """``geoms`` transformed to ``crs`` as a geometry array, reusing an earlier identical call.

    The same geometry objects (identity), source CRS and target CRS give the cached array;
    anything else transforms (a GeoSeries filtered, edited or re-read gives new objects).
    ``keep=False`` transforms without keeping the result for later calls (a whole layer's
    copy is as large as the layer).
    """
    objects, ids = _identities(geoms)
    for entry in _PROJECTED:
        if (len(entry.ids) == len(ids) and _same_crs(entry.target, crs)
                and _same_crs(entry.source, geoms.crs) and np.array_equal(entry.ids, ids)):
            return entry.result
    result = _transform_geometries(geoms, crs)
    if keep:
        _PROJECTED.insert(0, _Projected(geoms.crs, crs, objects, ids, result))
        del _PROJECTED[_PROJECTED_KEEP:]
    return result


def _transform_geometries(geoms: gpd.GeoSeries, crs: object) -> np.ndarray:
    """``geoms.to_crs(crs)`` as an array: 2D layers chunk by chunk, each distinct point of a
    chunk transformed once (:func:`_transform_distinct`, the same doubles)."""
    arr = np.asarray(geoms.array, dtype=object)
    if geoms.crs is None or len(arr) == 0 or shapely.has_z(arr).any():
        return geoms.to_crs(crs).to_numpy()
    transformer = _transformer(CRS.from_user_input(geoms.crs).srs,
                               CRS.from_user_input(crs).srs)
    out = np.empty(len(arr), dtype=object)
    for start in range(0, len(arr), CHUNK_FEATURES):
        part = arr[start:start + CHUNK_FEATURES]
        xy = shapely.get_coordinates(part)
        x, y = _transform_distinct(transformer, xy[:, 0], xy[:, 1])
        del xy
        out[start:start + len(part)] = shapely.set_coordinates(part.copy(),
                                                               np.column_stack([x, y]))
    return out


def projected_finite(geoms: gpd.GeoSeries, crs: object, *, coordinates: bool = False
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The features with a finite geometry (:func:`finite_mask`) transformed to ``crs``, that
    mask, and with ``coordinates`` the transformed geometries' coordinates in
    ``shapely.get_coordinates`` order when every feature is finite (else None): what
    :func:`projected` gives for ``geoms[mask]``, in one read of the coordinates, chunk by
    chunk, nothing kept for later calls."""
    arr = np.asarray(geoms.array, dtype=object)
    if geoms.crs is None or len(arr) == 0 or shapely.has_z(arr).any():
        ok = finite_mask(gpd.GeoDataFrame(geometry=geoms))
        return projected(geoms[ok] if not ok.all() else geoms, crs, keep=False), ok, None
    ok = ~shapely.is_missing(arr)
    ok[ok] = ~shapely.is_empty(arr[ok])
    entry = _remembered(geoms)
    epsg = CRS.from_user_input(crs).to_epsg()
    xy = None if entry is None else entry.plane_xy.pop(epsg, None)  # once (any thread)
    if xy is not None:  # every feature finite
        return _with_coordinates(arr, xy), ok, xy if coordinates else None
    transformer = _transformer(CRS.from_user_input(geoms.crs).srs,
                               CRS.from_user_input(crs).srs)
    out = np.empty(len(arr), dtype=object)
    kept = np.empty((int(shapely.get_num_coordinates(arr).sum()) if coordinates else 0, 2))
    used = 0
    for start in range(0, len(arr), CHUNK_FEATURES):
        part = arr[start:start + CHUNK_FEATURES]
        xy = shapely.get_coordinates(part)
        finite = np.isfinite(xy).all(axis=1)
        if not finite.all():
            index = shapely.get_coordinates(part, return_index=True)[1]
            ok[start + np.unique(index[~finite])] = False
        x, y = _transform_distinct(transformer, xy[:, 0], xy[:, 1])
        del xy, finite
        xy = np.column_stack([x, y])
        del x, y
        out[start:start + len(part)] = shapely.set_coordinates(part.copy(), xy)
        if coordinates:
            kept[used:used + len(xy)] = xy
            used += len(xy)
    if not ok.all():
        return out[ok], ok, None
    return out, ok, kept if coordinates else None


def _with_coordinates(geoms: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Copies of ``geoms`` with these coordinates (``get_coordinates`` order), by chunks."""
    out = np.empty(len(geoms), dtype=object)
    used = 0
    for start in range(0, len(geoms), CHUNK_FEATURES):
        part = geoms[start:start + CHUNK_FEATURES]
        count = int(shapely.get_num_coordinates(part).sum())
        out[start:start + len(part)] = shapely.set_coordinates(part.copy(),
                                                               xy[used:used + count])
        used += count
    if used != len(xy):
        raise ValueError("the coordinates do not belong to these geometries")
    return out


# --- plane areas remembered for the very same geometries ------------------------------------
#
# add_areas measures each feature in its own zone; progress and coverage then ask for the
# plane areas in the layer's plane. Those are the same doubles for every feature measured in
# that plane (zone_plane_area_m2 gives shapely's areas of the reprojected features to the last
# bit), so they are kept (a few arrays, not geometries) under the same identity check as the
# reprojections.


@dataclass(frozen=True)
class _PlaneAreas:
    source: object
    objects: np.ndarray  # the geometry objects (kept alive)
    ids: np.ndarray
    epsgs: np.ndarray  # the plane each feature was measured in (0: not measured)
    area_m2: np.ndarray
    #: When every feature was measured in one plane: {its EPSG: every coordinate of the
    #: layer transformed to it, in ``shapely.get_coordinates`` order}, handed once to
    #: :func:`projected_finite` (the layer's plane geometries without a second transform).
    plane_xy: dict[int, np.ndarray]


_PLANE_AREAS: list[_PlaneAreas] = []


def _remember_plane_areas(geoms: gpd.GeoSeries, epsgs: np.ndarray, area_m2: np.ndarray,
                          plane_xy: dict[int, np.ndarray]) -> None:
    objects, ids = _identities(geoms)
    _PLANE_AREAS.insert(0, _PlaneAreas(geoms.crs, objects, ids, epsgs, area_m2, plane_xy))
    del _PLANE_AREAS[_PROJECTED_KEEP:]


def _remembered(geoms: gpd.GeoSeries) -> _PlaneAreas | None:
    """What add_areas remembered for these very geometry objects, if anything."""
    if not _PLANE_AREAS:
        return None
    _objects, ids = _identities(geoms)
    for entry in _PLANE_AREAS:
        if (len(entry.ids) == len(ids) and _same_crs(entry.source, geoms.crs)
                and np.array_equal(entry.ids, ids)):
            return entry
    return None


def _known_plane_areas(geoms: gpd.GeoSeries, epsg: int
                       ) -> tuple[np.ndarray, np.ndarray] | None:
    """Areas (m²) add_areas measured in ``epsg`` for these very geometry objects, and which
    features it measured there; None when it has not measured them."""
    entry = _remembered(geoms)
    return None if entry is None else (entry.area_m2, entry.epsgs == int(epsg))


def clear_projected() -> None:
    """Drop the reused reprojections and remembered areas (frees their memory)."""
    _PROJECTED.clear()
    _PLANE_AREAS.clear()


def require_polygons(gdf: gpd.GeoDataFrame, *, what: str = "The data") -> None:
    """Refuse points and lines where an area is asked for (they would silently measure 0).

    Null and empty geometries are let through (they measure 0 and are counted).
    """
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    if np.isin(shapely.get_type_id(geoms), _POLYGON_OR_MISSING).all():
        return  # polygons, multipolygons and nulls only (empties are polygons or let through)
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
    type_ids = shapely.get_type_id(geoms[present])
    names = np.array([shapely.GeometryType(i).name for i in range(8)], dtype=object)
    pretty = {"POINT": "Point", "LINESTRING": "LineString", "LINEARRING": "LinearRing",
              "POLYGON": "Polygon", "MULTIPOINT": "MultiPoint",
              "MULTILINESTRING": "MultiLineString", "MULTIPOLYGON": "MultiPolygon",
              "GEOMETRYCOLLECTION": "GeometryCollection"}
    labels = np.array([pretty[n] for n in names], dtype=object)
    return pd.Series(labels[type_ids], dtype="object")


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
    return _equal_area_crs(gdf, finite_mask(gdf) if len(gdf) else None)


def _equal_area_crs(gdf: gpd.GeoDataFrame, ok: np.ndarray | None) -> CRS:
    finite = gdf.geometry if ok is None or ok.all() else gdf.geometry[ok]
    if finite.crs is not None and CRS.from_user_input(finite.crs).to_epsg() == GEOGRAPHIC_EPSG:
        minx, miny, maxx, maxy = finite.total_bounds
    else:
        minx, miny, maxx, maxy = finite.to_crs(GEOGRAPHIC_EPSG).total_bounds
    return _laea_around(minx, miny, maxx, maxy)


def _laea_around(minx: float, miny: float, maxx: float, maxy: float) -> CRS:
    """The GRS80 Lambert azimuthal equal-area CRS centred on a lon/lat box."""
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        minx = maxx = 114.0
        miny = maxy = 31.7
    lon0, lat0 = (minx + maxx) / 2.0, (miny + maxy) / 2.0
    return CRS.from_proj4(
        f"+proj=laea +lat_0={lat0:.6f} +lon_0={lon0:.6f} +x_0=0 +y_0=0 +ellps=GRS80 +units=m"
    )


def plane_area_m2(gdf: gpd.GeoDataFrame, plane: PlaneCRS) -> np.ndarray:
    """Area of each feature in one plane CRS, m² (used where one plane is wanted):
    ``shapely.area`` of the features reprojected, or the same figures :func:`add_areas`
    measured for these very geometries in that plane."""
    known = _known_plane_areas(gdf.geometry, plane.epsg)
    if known is None:
        return shapely.area(projected(gdf.geometry, plane.epsg))
    area_m2, have = known
    if have.all():
        return area_m2.copy()
    out = np.where(have, area_m2, np.nan)
    rest = ~have
    out[rest] = shapely.area(projected(gdf.geometry[rest], plane.epsg, keep=False))
    return out


def ellipsoidal_area_m2(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Area of each feature on the CGCS2000/GRS80 ellipsoid, m² (NaN where not finite)."""
    return _ellipsoidal_area_m2(gdf, finite_mask(gdf))


def _ellipsoidal_area_m2(gdf: gpd.GeoDataFrame, ok: np.ndarray) -> np.ndarray:
    out = np.full(len(gdf), np.nan)
    if ok.any():
        part = gdf.geometry if ok.all() else gdf.geometry[ok]
        out[ok] = transformed_area_m2(part.to_numpy(), part.crs, _equal_area_crs(gdf, ok))
    return out


@functools.lru_cache(maxsize=16)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def transformed_area_m2(geoms: np.ndarray, source: object, target: object) -> np.ndarray:
    """Area of each polygon once its coordinates are transformed, without building the
    transformed geometries: one transform of every coordinate, then the shoelace formula
    per ring (:meth:`_RingLayout.shoelace_m2`), shells minus holes, as GEOS measures a
    valid polygon. Null and empty geometries measure 0."""
    rings = _RingLayout.of(np.asarray(geoms, dtype=object))
    if len(rings.xy) == 0:
        return np.zeros(len(geoms))
    x, y = _transformer(CRS.from_user_input(source).srs, CRS.from_user_input(target).srs
                        ).transform(rings.xy[:, 0], rings.xy[:, 1])
    return rings.shoelace_m2(np.asarray(x), np.asarray(y))


def zone_plane_epsgs(gdf: gpd.GeoDataFrame, *, plane: PlaneCRS | None = None) -> np.ndarray:
    """EPSG code of the plane of each feature: its own 3° zone, or ``plane`` for all.

    0 for features with no finite geometry (they are not measured).
    """
    return _zone_plane_epsgs(gdf, finite_mask(gdf), plane)


def _zone_plane_epsgs(gdf: gpd.GeoDataFrame, ok: np.ndarray, plane: PlaneCRS | None
                      ) -> np.ndarray:
    epsgs = np.zeros(len(gdf), dtype=int)
    if plane is not None:
        epsgs[ok] = plane.epsg
        return epsgs
    zones = np.zeros(len(gdf), dtype=int)
    if ok.all():
        zones = np.asarray(feature_zones(gdf), dtype=int)
    elif ok.any():
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
        part = geoms if rows.all() else geoms[rows]
        if source is not None and source.to_epsg() != int(epsg):
            out[rows] = shapely.area(projected(part, int(epsg)))
        else:
            out[rows] = shapely.area(part.to_numpy())
    return out


def zone_plane_area_m2(gdf: gpd.GeoDataFrame, *, plane: PlaneCRS | None = None
                       ) -> np.ndarray:
    """Each feature's plane area (m²) in its own 3° GK zone, or in ``plane``; NaN where the
    geometry is not finite. The plane half of :func:`add_areas`, without the equal-area
    projection (for callers that report only plane areas, such as the import).

    The figures are those of :func:`plane_areas_by_zone_m2` to the last bit (``shapely.area``
    of each feature reprojected to its zone), computed without building the reprojected
    geometries (:func:`_measure_by_coordinates`).
    """
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    if len(geoms) == 0:
        return np.full(0, np.nan)
    if not _by_coordinates(gdf, geoms):
        return plane_areas_by_zone_m2(gdf.geometry, zone_plane_epsgs(gdf, plane=plane))
    return _measure_by_coordinates(gdf, geoms, plane, ellipsoidal=False)[0]


def _by_coordinates(gdf: gpd.GeoDataFrame, geoms: np.ndarray) -> bool:
    """Whether :func:`_measure_by_coordinates` applies: a CRS, 2D, polygons only."""
    present = ~shapely.is_missing(geoms)
    return not (gdf.crs is None or shapely.has_z(geoms).any() or not np.isin(
        shapely.get_type_id(geoms[present]), _POLYGON_TYPE_IDS).all())


def _measure_by_coordinates(gdf: gpd.GeoDataFrame, geoms: np.ndarray,
                            plane: PlaneCRS | None, *, ellipsoidal: bool
                            ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None,
                                       dict[int, np.ndarray]]:
    """Plane area (m²) and plane EPSG of each feature, and its ellipsoidal area (m²) when
    asked, from coordinates, never building transformed geometries; NaN and EPSG 0 where
    the geometry is not finite. Last, when every feature is finite and measured in one
    plane: {that EPSG: all the coordinates transformed to it} (else empty).

    Chunk by chunk (:data:`CHUNK_FEATURES`): the coordinates are read once, transformed per
    zone with each distinct point once, and measured with GEOS's own ring formula
    (:meth:`_RingLayout.areas`): ``shapely.area`` of the features reprojected, to the last
    bit. Zones come from the bounding boxes of lon/lat features that lie inside one zone
    (their centroid must too); the others, and projected sources, take
    :func:`feature_zones`. The ellipsoidal areas are those of :func:`ellipsoidal_area_m2`
    (the equal-area CRS centred on the finite features' extent, the shoelace per ring);
    they wait for the extent, so the chunks' coordinates are kept until then (no
    geometries).
    """
    n = len(geoms)
    plane_m2 = np.full(n, np.nan)
    epsgs = np.zeros(n, dtype=int)
    source = CRS.from_user_input(gdf.crs)
    lonlat = source.to_epsg() == GEOGRAPHIC_EPSG
    kept: list[tuple[int, _RingLayout, np.ndarray, _Points]] = []
    boxes = []
    plane_xy: list[np.ndarray] | None = []
    for start in range(0, n, CHUNK_FEATURES):
        part = geoms[start:start + CHUNK_FEATURES]
        rings = _RingLayout.of(part)
        ok = rings.finite_features()
        chunk_epsgs = epsgs[start:start + len(part)]
        if plane is not None:
            chunk_epsgs[ok] = plane.epsg
        else:
            zones = _bbox_zones(gpd.GeoSeries(part, crs=gdf.crs), rings, ok)
            for zone in np.unique(zones[zones != 0]):
                chunk_epsgs[zones == zone] = gk3_epsg(int(zone))
        points = _Points(rings.xy[:, 0], rings.xy[:, 1])
        areas, xy = _plane_areas(rings, chunk_epsgs, source, points)
        plane_m2[start:start + len(part)] = areas
        if plane_xy is not None and xy is not None and chunk_epsgs[0] == epsgs[0]:
            plane_xy.append(xy)
        else:
            plane_xy = None
        if ellipsoidal and ok.any():
            kept.append((start, rings, ok, points))
            finite = gpd.GeoSeries(part[ok], crs=gdf.crs)
            boxes.append(finite.total_bounds if lonlat
                         else finite.to_crs(GEOGRAPHIC_EPSG).total_bounds)
        del rings, points, xy
    coordinates = {} if plane_xy is None else {
        int(epsgs[0]): plane_xy[0] if len(plane_xy) == 1 else np.concatenate(plane_xy)}
    del plane_xy
    if not ellipsoidal:
        return plane_m2, epsgs, None, coordinates
    ell_m2 = np.full(n, np.nan)
    if not kept:
        return plane_m2, epsgs, ell_m2, coordinates
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN boxes
        box = np.array(boxes)
        extent = (np.nanmin(box[:, 0]), np.nanmin(box[:, 1]), np.nanmax(box[:, 2]),
                  np.nanmax(box[:, 3]))
    transformer = _transformer(source.srs, _laea_around(*extent).srs)
    while kept:
        start, rings, ok, points = kept.pop(0)
        if ok.all():
            x, y = points.transform(transformer)
        else:
            rings = rings.subset(ok, ok[rings.coord_feature])
            x, y = _transform_distinct(transformer, rings.xy[:, 0], rings.xy[:, 1])
        ell_m2[start:start + len(ok)][ok] = rings.shoelace_m2(x, y)
        del rings, points, x, y
    return plane_m2, epsgs, ell_m2, coordinates


def _plane_areas(rings: _RingLayout, epsgs: np.ndarray, source: CRS, points: _Points
                 ) -> tuple[np.ndarray, np.ndarray | None]:
    """Area (m²) of each feature of ``rings`` in the plane ``epsgs`` gives it (0: NaN);
    when all are in one plane, their coordinates in it (else None). ``points`` are the
    coordinates of ``rings``."""
    out = np.full(rings.n_features, np.nan)
    xy = None
    for epsg in np.unique(epsgs[epsgs != 0]):
        rows = epsgs == epsg
        sub = rings if rows.all() else rings.subset(rows, rows[rings.coord_feature])
        x, y = sub.xy[:, 0], sub.xy[:, 1]
        if source.to_epsg() != int(epsg):
            transformer = _transformer(source.srs, CRS.from_user_input(int(epsg)).srs)
            x, y = points.transform(transformer) if sub is rings else _transform_distinct(
                transformer, x, y)
        x, y = np.asarray(x), np.asarray(y)
        out[rows] = sub.areas(x, y)
        if sub is rings:
            xy = np.column_stack([x, y])
    return out, xy


_POLYGON_TYPE_IDS = [int(shapely.GeometryType.POLYGON), int(shapely.GeometryType.MULTIPOLYGON)]
def _transform_distinct(transformer: Transformer, x: np.ndarray, y: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
    """``transformer.transform(x, y)``, each distinct point transformed once.

    A tiling shares each vertex among about four parcels and every ring repeats its first
    vertex: 100k parcels have 500k coordinates but 100k distinct points. A point always
    transforms to the same values, so the result is the same to the last bit (points with
    a zero coordinate, where 0.0 and -0.0 would be taken as one, and non-finite points,
    which factorize would not number, are transformed as given).
    """
    return _Points(x, y).transform(transformer)


class _Points:
    """Coordinates to transform, each distinct point numbered once for every transform."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x, self.y = x, y
        self._distinct: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._numbered = False

    def _number(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        if not self._numbered:
            self._numbered = True
            xy = np.ascontiguousarray(np.column_stack([self.x, self.y]))
            if len(xy) >= 1024 and (xy != 0).all() and np.isfinite(xy).all():
                codes, uniques = pd.factorize(xy.view(np.complex128).ravel())
                self._distinct = (codes, uniques.real.copy(), uniques.imag.copy())
        return self._distinct

    def transform(self, transformer: Transformer) -> tuple[np.ndarray, np.ndarray]:
        distinct = self._number()
        if distinct is None:
            tx, ty = transformer.transform(self.x, self.y)
            return np.asarray(tx), np.asarray(ty)
        codes, ux, uy = distinct
        tx, ty = transformer.transform(ux, uy)
        return np.asarray(tx)[codes], np.asarray(ty)[codes]


#: A lon/lat bounding box this far (degrees, ~0.1 m) inside one zone holds its centroid.
_ZONE_MARGIN_DEG = 1e-6


def _bbox_zones(gdf: gpd.GeoDataFrame, rings: _RingLayout, ok: np.ndarray) -> np.ndarray:
    """:func:`feature_zones` of the finite features (0 elsewhere), from bounding boxes.

    A lon/lat feature whose box lies in one zone has its centroid there (the zone is
    ``floor(lon / 3 + 0.5)`` of the centroid, which lies inside the box); only features
    whose box straddles a zone edge, and any projected source, need the centroids.
    """
    zones = np.zeros(len(ok), dtype=int)
    if not ok.any():
        return zones
    sure = np.zeros(len(ok), dtype=bool)
    if CRS.from_user_input(gdf.crs).to_epsg() == GEOGRAPHIC_EPSG:
        minx, maxx = rings.x_range()
        with np.errstate(invalid="ignore"):
            lo = np.floor((minx - _ZONE_MARGIN_DEG) / 3.0 + 0.5)
            hi = np.floor((maxx + _ZONE_MARGIN_DEG) / 3.0 + 0.5)
        sure = ok & (lo == hi) & (lo >= 25) & (lo <= 45)  # outside: feature_zones refuses
        zones[sure] = lo[sure]
    rest = ok & ~sure
    if rest.any():
        zones[rest] = feature_zones(gdf if rest.all() else gdf[rest])
    return zones


@dataclass(frozen=True)
class _RingLayout:
    """Every ring's coordinates of a geometry array, and which part and feature owns it."""

    xy: np.ndarray  # (n, 2) coordinates, ring after ring
    offsets: np.ndarray  # ring r is xy[offsets[r]:offsets[r + 1]]
    ring_part: np.ndarray  # polygon (part) of each ring
    shell: np.ndarray  # whether each ring is its polygon's shell
    part_feature: np.ndarray  # feature of each polygon
    n_features: int

    @classmethod
    def of(cls, geoms: np.ndarray) -> _RingLayout:
        simple = (shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON) & (
            shapely.get_num_interior_rings(geoms) == 0)
        if simple.all():
            rings, ring_part = geoms, np.arange(len(geoms))
            part_feature = np.arange(len(geoms))
        else:
            parts, part_feature = shapely.get_parts(geoms, return_index=True)
            rings, ring_part = shapely.get_rings(parts, return_index=True)
        shell = np.ones(len(rings), dtype=bool)
        shell[1:] = ring_part[1:] != ring_part[:-1]
        offsets = np.zeros(len(rings) + 1, dtype=np.int64)
        np.cumsum(shapely.get_num_coordinates(rings), out=offsets[1:])
        xy = shapely.get_coordinates(rings) if len(rings) else np.empty((0, 2))
        return cls(xy, offsets, ring_part, shell, part_feature, len(geoms))

    @property
    def coord_feature(self) -> np.ndarray:
        counts = np.diff(self.offsets)
        return np.repeat(self.part_feature[self.ring_part], counts)

    def finite_features(self) -> np.ndarray:
        """True for features with coordinates, all finite (:func:`finite_mask`)."""
        owner = self.coord_feature
        has = np.bincount(owner, minlength=self.n_features) > 0
        bad = np.bincount(owner[~np.isfinite(self.xy).all(axis=1)],
                          minlength=self.n_features) > 0
        return has & ~bad

    def x_range(self) -> tuple[np.ndarray, np.ndarray]:
        """Per feature: the least and greatest x (NaN for features without coordinates)."""
        owner = self.coord_feature
        lo = np.full(self.n_features, np.nan)
        hi = np.full(self.n_features, np.nan)
        if len(owner):
            starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
            lo[owner[starts]] = np.minimum.reduceat(self.xy[:, 0], starts)
            hi[owner[starts]] = np.maximum.reduceat(self.xy[:, 0], starts)
        return lo, hi

    def subset(self, features: np.ndarray, coords: np.ndarray) -> _RingLayout:
        """The rings of ``features`` (boolean per feature; ``coords`` per coordinate)."""
        parts = features[self.part_feature]
        rings = parts[self.ring_part]
        renumber = np.cumsum(parts) - 1
        counts = np.diff(self.offsets)[rings]
        offsets = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        feature_number = np.cumsum(features) - 1
        return _RingLayout(self.xy[coords], offsets, renumber[self.ring_part[rings]],
                           self.shell[rings], feature_number[self.part_feature[parts]],
                           int(features.sum()))

    def shoelace_m2(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Per feature, shells minus holes, each ring ``|Σ cross| / 2`` of its vertices
        relative to its first one (these transformed coordinates); 0 without rings."""
        n_rings = len(self.offsets) - 1
        if n_rings == 0:
            return np.zeros(self.n_features)
        ring = np.repeat(np.arange(n_rings), np.diff(self.offsets))
        first = self.offsets[:-1][ring]
        dx, dy = x - x[first], y - y[first]
        del first
        same = ring[:-1] == ring[1:]
        cross = dx[:-1] * dy[1:] - dx[1:] * dy[:-1]
        ring_m2 = 0.5 * np.abs(np.bincount(ring[:-1][same], cross[same], minlength=n_rings))
        owner = self.part_feature[self.ring_part]
        return np.bincount(owner, np.where(self.shell, ring_m2, -ring_m2),
                           minlength=self.n_features)

    def areas(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Per feature, the area GEOS gives for these (transformed) coordinates.

        GEOS (``Area::ofRingSigned``): for each ring, ``sum += (x[i] - x[0]) *
        (y[i - 1] - y[i + 1])`` for ``i`` from 1 to n - 2 in order, then ``|sum / 2|``; a
        polygon is its shell minus its holes in order, a multipolygon the sum of its
        polygons in order. ``np.bincount`` adds its weights in input order from 0.0, so the
        same additions happen in the same order: the same doubles.
        """
        n_rings = len(self.offsets) - 1
        if n_rings == 0:
            return np.zeros(self.n_features)
        counts = np.diff(self.offsets)
        ring = np.repeat(np.arange(n_rings), counts)
        pos = np.arange(len(x)) - self.offsets[:-1][ring]
        inner = (pos >= 1) & (pos <= counts[ring] - 2)
        i = np.flatnonzero(inner)
        terms = (x[i] - x[self.offsets[:-1][ring[i]]]) * (y[i - 1] - y[i + 1])
        ring_sum = np.bincount(ring[i], weights=terms, minlength=n_rings)
        ring_area = np.abs(ring_sum / 2.0)
        n_parts = len(self.part_feature)
        part_area = np.bincount(self.ring_part, weights=np.where(self.shell, ring_area,
                                                                 -ring_area),
                                minlength=n_parts)
        return np.bincount(self.part_feature, weights=part_area, minlength=self.n_features)


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
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    if len(geoms) and _by_coordinates(gdf, geoms):
        plane_m2, epsgs, ell_m2, plane_xy = _measure_by_coordinates(gdf, geoms, plane,
                                                                    ellipsoidal=True)
    else:
        ok = finite_mask(gdf)
        epsgs = _zone_plane_epsgs(gdf, ok, plane)
        plane_m2 = plane_areas_by_zone_m2(gdf.geometry, epsgs)
        ell_m2 = _ellipsoidal_area_m2(gdf, ok)
        plane_xy = {}
    _remember_plane_areas(gdf.geometry, epsgs, plane_m2, plane_xy)
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
    codes, inverse = np.unique(epsgs, return_inverse=True)
    names = np.array([f"EPSG:{e}" if e else None for e in codes], dtype=object)
    out[PLANE_COLUMN] = pd.Series(names[inverse], index=out.index, dtype="object")
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

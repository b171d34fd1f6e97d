"""WGS 84 / CGCS2000 ⇄ GCJ-02, the offset coordinates of Gaode (AutoNavi) tiles.

GCJ-02 adds a smooth, position-dependent offset of a few hundred metres inside
mainland China. The forward formulas are the widely published ones (as in the
``eviltransform`` libraries, Krasovsky semi-major axis 6 378 245 m); there is no
closed-form inverse, so :func:`gcj02_to_wgs84` solves it by fixed-point iteration to
well below a millimetre. All functions are vectorised over numpy arrays.

CGCS2000 (EPSG:4490) and WGS 84 differ by centimetres, far below this offset, so the
bundled EPSG:4490 layers are treated as WGS 84 here. This module belongs to the analysis
layer (reading GCJ-02 input); :mod:`geo_app.maps.gcj02` re-exports it for the maps.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

from geo_app.errors import CRSError

_A_M = 6378245.0
_EE = 0.00669342162296594323
_PI = np.pi

Float = float | npt.NDArray[np.float64]


def out_of_china(lon: Float, lat: Float) -> npt.NDArray[np.bool_]:
    """True where the point lies outside the rough box in which GCJ-02 is applied."""
    lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return (lon_a < 72.004) | (lon_a > 137.8347) | (lat_a < 0.8293) | (lat_a > 55.8271)


def _offset_deg(lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64]
                ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The GCJ-02 offset (dlon, dlat) in degrees at WGS 84 positions."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * _PI) + 20.0 * np.sin(2.0 * x * _PI)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    dlat = dlat + common
    dlat = dlat + (20.0 * np.sin(y * _PI) + 40.0 * np.sin(y / 3.0 * _PI)) * 2.0 / 3.0
    dlat = dlat + (160.0 * np.sin(y / 12.0 * _PI) + 320.0 * np.sin(y * _PI / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    dlon = dlon + common
    dlon = dlon + (20.0 * np.sin(x * _PI) + 40.0 * np.sin(x / 3.0 * _PI)) * 2.0 / 3.0
    dlon = dlon + (150.0 * np.sin(x / 12.0 * _PI) + 300.0 * np.sin(x / 30.0 * _PI)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * _PI
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A_M * (1.0 - _EE)) / (magic * sqrt_magic) * _PI)
    dlon = (dlon * 180.0) / (_A_M / sqrt_magic * np.cos(rad_lat) * _PI)
    outside = out_of_china(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def wgs84_to_gcj02(lon: Float, lat: Float) -> tuple[Float, Float]:
    """GCJ-02 ``(lon, lat)`` of WGS 84 positions (arrays or scalars)."""
    lon_a, lat_a = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _offset_deg(lon_a, lat_a)
    return _like(lon, lon_a + dlon), _like(lat, lat_a + dlat)


def gcj02_to_wgs84(lon: Float, lat: Float, *, tol_deg: float = 1e-10,
                   max_iter: int = 30) -> tuple[Float, Float]:
    """WGS 84 ``(lon, lat)`` of GCJ-02 positions, by fixed-point iteration.

    The offset changes by about 1e-5 of itself per metre, so each iteration gains
    about five digits; two or three reach ``tol_deg`` (1e-10° ≈ 0.01 mm).
    """
    g_lon, g_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(max_iter):
        dlon, dlat = _offset_deg(w_lon, w_lat)
        new_lon, new_lat = g_lon - dlon, g_lat - dlat
        change = np.maximum(np.abs(new_lon - w_lon), np.abs(new_lat - w_lat))
        w_lon, w_lat = new_lon, new_lat
        if np.all(change < tol_deg):
            break
    return _like(lon, w_lon), _like(lat, w_lat)


def shift_to_gcj02(geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """New geometries with every vertex moved from WGS 84 to GCJ-02 (lon/lat order)."""

    def _shift(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geoms, _shift)


def shift_to_wgs84(geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """New geometries with every vertex moved from GCJ-02 back to WGS 84 (lon/lat order)."""

    def _unshift(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        lon, lat = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geoms, _unshift)


def gcj02_to_wgs84_gdf(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy of lon/lat data in GCJ-02 with every vertex moved to WGS 84.

    One vectorised pass over all coordinates (``shapely.transform``); null and empty
    geometries stay as they are, non-finite coordinates stay non-finite. The CRS is kept:
    it must be geographic (GCJ-02 is only ever longitude/latitude), CGCS2000 and WGS 84
    being the same at this scale.

    Raises
    ------
    CRSError
        When the data is in a projected CRS (metres): GCJ-02 offsets apply to lon/lat only.
    """
    if gdf.crs is not None and not gdf.crs.is_geographic:
        raise CRSError(
            f"GCJ-02 is only ever longitude/latitude, but the data is in {gdf.crs.name} "
            "(metres); drop --gcj02, or give the lon/lat CRS of the file with --crs."
        )
    out = gdf.copy()
    geoms = np.asarray(out.geometry.array, dtype=object)
    present = ~shapely.is_missing(geoms)
    geoms[present] = shift_to_wgs84(geoms[present])
    out[out.geometry.name] = gpd.GeoSeries(geoms, index=out.index, crs=gdf.crs)
    return out


def _like(template: Float, value: npt.NDArray[np.float64]) -> Float:
    return float(value) if np.ndim(template) == 0 else value

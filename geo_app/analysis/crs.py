"""CRS choice and inference: CGCS2000 Gauss-Krüger planes for Chinese land data."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from geo_app.errors import CRSError

GEOGRAPHIC_EPSG = 4490  # CGCS2000 geographic
WEB_MERCATOR_EPSGS = {3857, 900913, 3785, 102100}


@dataclass(frozen=True)
class PlaneCRS:
    """A projected CRS chosen for plane areas and distances, with the reason said aloud."""

    epsg: int
    reason: str

    @property
    def name(self) -> str:
        return f"EPSG:{self.epsg}"

    @property
    def crs(self) -> CRS:
        return CRS.from_epsg(self.epsg)


def gk3_zone(lon_deg: float) -> int:
    """3-degree Gauss-Krüger zone of a longitude: round(L / 3)."""
    return int(np.floor(lon_deg / 3.0 + 0.5))


def gk3_epsg(zone: int, *, prefixed: bool = False) -> int:
    """EPSG code of the CGCS2000 3° GK plane of a zone (zones 25–45, CM 75–135°E)."""
    if not 25 <= zone <= 45:
        raise CRSError(
            f"3-degree zone {zone} (central meridian {3 * zone}°E) is outside China's "
            "zones 25–45; give the plane CRS explicitly with --crs EPSG:NNNN."
        )
    return (4513 if prefixed else 4534) + (zone - 25)


def parse_crs(text: str) -> CRS:
    """Read a user's CRS (``EPSG:4547``, ``4547``, WKT, PROJ) or say what is wrong."""
    value = text.strip()
    if value.isdigit():
        value = f"EPSG:{value}"
    try:
        return CRS.from_user_input(value)
    except PyprojCRSError as exc:
        raise CRSError(
            f"Cannot read the CRS {text!r}: {exc}. Use a code such as EPSG:4547."
        ) from None


def choose_plane_crs(gdf: gpd.GeoDataFrame, *, override: str | None = None) -> PlaneCRS:
    """The CGCS2000 3° GK plane whose zone holds the centre of the data's extent.

    With ``override`` the user's projected CRS is used instead (never degrees or Web Mercator).
    """
    if override:
        crs = parse_crs(override)
        epsg = crs.to_epsg()
        if crs.is_geographic:
            raise CRSError(
                f"{override} is in degrees; areas need a projected plane such as EPSG:4547."
            )
        if epsg in WEB_MERCATOR_EPSGS or "Pseudo-Mercator" in crs.name:
            raise CRSError(
                f"{override} is Web Mercator, which inflates areas by ~37 % at 31.7°N; "
                "use a Gauss-Krüger plane such as EPSG:4547."
            )
        if epsg is None:
            raise CRSError(f"{override} has no EPSG code; give one such as EPSG:4547.")
        return PlaneCRS(epsg, f"given by the user ({crs.name})")
    if gdf.crs is None:
        raise CRSError("The data has no CRS; set one before computing areas.")
    if len(gdf) == 0:
        raise CRSError("The layer is empty: there is no extent to choose a plane from.")
    minx, _miny, maxx, _maxy = gdf.to_crs(GEOGRAPHIC_EPSG).total_bounds
    lon = (minx + maxx) / 2.0
    zone = gk3_zone(lon)
    epsg = gk3_epsg(zone)
    reason = (
        f"centre of extent {lon:.3f}°E lies in CGCS2000 3-degree Gauss-Krüger zone {zone} "
        f"(central meridian {3 * zone}°E), the land-survey plane"
    )
    if max(abs(minx - 3 * zone), abs(maxx - 3 * zone)) > 1.6:
        reason += "; note: the data spans beyond the zone, plane areas grow less exact"
    return PlaneCRS(epsg, reason)


def infer_crs(gdf: gpd.GeoDataFrame) -> tuple[int, str]:
    """Infer the CRS of data that has none, from its coordinate ranges.

    Returns the EPSG code and the reason (to be shown to the user).
    """
    if len(gdf) == 0:
        raise CRSError("The file has no CRS and no features to infer one from; give --source-crs.")
    minx, miny, maxx, maxy = gdf.total_bounds
    if minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90:
        return GEOGRAPHIC_EPSG, (
            f"no CRS in the file; coordinates {minx:.3f}..{maxx:.3f}, {miny:.3f}..{maxy:.3f} "
            "look like longitude/latitude, read as CGCS2000 (EPSG:4490)"
        )
    if minx >= 1e7 and maxx < 1e8 and 1e6 <= miny < 1e7:
        zone = int(minx // 1e6)
        if zone == int(maxx // 1e6) and 25 <= zone <= 45:
            return gk3_epsg(zone, prefixed=True), (
                f"no CRS in the file; eastings {minx:.0f}..{maxx:.0f} carry zone prefix {zone}, "
                f"read as CGCS2000 3-degree Gauss-Krüger zone {zone} with prefix"
            )
    if minx >= 1e5 and maxx < 1e6 and 1e6 <= miny < 1e7:
        raise CRSError(
            "The file has no CRS and its 6-digit eastings do not say which Gauss-Krüger zone "
            "they are in. Give it with --source-crs (for Suizhou: EPSG:4547, CM 114°E)."
        )
    raise CRSError(
        f"The file has no CRS and its coordinates ({minx:.0f}..{maxx:.0f}, {miny:.0f}..{maxy:.0f}) "
        "identify no known system. Give it with --source-crs EPSG:NNNN."
    )


def ensure_crs(
    gdf: gpd.GeoDataFrame, *, source_crs: str | None = None
) -> tuple[gpd.GeoDataFrame, str | None]:
    """Return data with a CRS: the file's, the user's, or an inferred one (with a note)."""
    if source_crs:
        return gdf.set_crs(parse_crs(source_crs), allow_override=True), None
    if gdf.crs is not None:
        return gdf, None
    epsg, reason = infer_crs(gdf)
    return gdf.set_crs(epsg), reason

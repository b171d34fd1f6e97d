"""CRS resolution, inference and plane choice: CGCS2000 Gauss-Krüger planes for Chinese land data.

Two jobs, said aloud every time:

* :func:`resolve_source_crs` works out what a file's coordinates *are* (the user's ``--crs``,
  else the CRS the file declares, else an inference from the coordinate ranges: lon/lat,
  Gauss-Krüger 3° or 6° with or without a zone prefix, swapped axes, several zones in one
  file) and returns a :class:`CRSSource` saying what was decided and why.
* :func:`feature_zones` / :func:`majority_plane` / :func:`choose_plane_crs` choose the
  plane in which areas are measured: each feature's own 3° zone (central meridian nearest
  its centroid), or one plane for a whole layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as PyprojCRSError
from pyproj.exceptions import ProjError

from geo_app.analysis.gcj02 import gcj02_to_wgs84_gdf, out_of_china
from geo_app.errors import CRSError

GEOGRAPHIC_EPSG = 4490  # CGCS2000 geographic
WEB_MERCATOR_EPSGS = {3857, 900913, 3785, 102100}
#: Longitude of Suizhou's 3° zone (zone 38, EPSG:4547): the zone assumed for bare eastings.
SUIZHOU_CM_DEG = 114.0
#: Legacy datums still found in Chinese survey files (normalised datum-name fragments).
LEGACY_DATUMS = {"xian1980": "1980 Xi'an", "beijing1954": "1954 Beijing"}
_SAMPLE = 4000  # coordinates sampled to check a CRS against the data


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


@dataclass(frozen=True)
class CRSSource:
    """What a file's coordinates were read as, and why.

    Attributes
    ----------
    crs
        The CRS of the returned data, as ``"EPSG:4526"`` (or the CRS name when it has no code).
    reason
        One sentence: given with ``--crs``, declared by the file (and where), or inferred from
        the coordinates (and from what); GCJ-02 conversion is said here too.
    inferred
        True when the CRS was not given by the user or the file but guessed from coordinates.
    notes
        Further things the user must read (assumed zone, legacy datum, a declared CRS that
        did not fit the coordinates, positions outside China).
    """

    crs: str
    reason: str
    inferred: bool
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"crs", "reason", "inferred", "notes"}``."""
        return {"crs": self.crs, "reason": self.reason, "inferred": self.inferred,
                "notes": list(self.notes)}


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


def gk6_epsg(zone: int, *, prefixed: bool = True) -> int:
    """EPSG code of the CGCS2000 6° GK plane of a zone (zones 13–23, CM 75–135°E)."""
    if not 13 <= zone <= 23:
        raise CRSError(f"6-degree zone {zone} is outside China's zones 13–23; give --crs.")
    return (4491 if prefixed else 4502) + (zone - 13)


def crs_label(crs: CRS) -> str:
    """``"EPSG:4547"`` when the CRS has a code, else its name."""
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg is not None else crs.name


def parse_crs(text: str) -> CRS:
    """Read a user's CRS (``EPSG:4547``, ``4547``, WKT, PROJ) or say what is wrong."""
    value = text.strip()
    if value.isdigit():
        value = f"EPSG:{value}"
    try:
        return CRS.from_user_input(value)
    except (PyprojCRSError, ProjError, TypeError, ValueError) as exc:
        raise CRSError(
            f"Cannot read the CRS {text!r}: {exc}. Use a code such as EPSG:4547."
        ) from None


def legacy_datum(crs: CRS | None) -> str | None:
    """``"1980 Xi'an"`` or ``"1954 Beijing"`` when the CRS uses that datum, else None."""
    if crs is None:
        return None
    try:
        name = crs.datum.name if crs.datum is not None else ""
    except (PyprojCRSError, AttributeError):  # pragma: no cover - exotic CRS objects
        name = ""
    key = re.sub(r"[^a-z0-9]", "", f"{name} {crs.name}".lower())
    for fragment, label in LEGACY_DATUMS.items():
        if fragment in key:
            return label
    return None


def legacy_datum_note(crs: CRS | None) -> str | None:
    """The note a 1980 Xi'an / 1954 Beijing CRS gets (no silent datum shift)."""
    label = legacy_datum(crs)
    if crs is None or label is None:
        return None
    return (
        f"{crs_label(crs)} uses the {label} datum, not CGCS2000: no datum shift applied "
        "(it needs the local seven-parameter transformation); positions on a CGCS2000 map "
        "may be off by up to ~100 m; areas in its own plane are unaffected"
    )


# --------------------------------------------------------------------------- coordinates
def finite_coordinates(geoms: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """All finite (x, y) coordinates of the geometries and the index of their geometry."""
    arr = np.asarray(geoms, dtype=object)
    coords, index = shapely.get_coordinates(arr, return_index=True)
    ok = np.isfinite(coords).all(axis=1)
    if ok.all():  # the usual case: no copies
        return coords, index
    return coords[ok], index[ok]


def _ranges(xy: np.ndarray) -> str:
    minx, miny = xy.min(axis=0)
    maxx, maxy = xy.max(axis=0)
    digits = 3 if max(abs(minx), abs(maxx), abs(miny), abs(maxy)) <= 180 else 0
    return f"x {minx:.{digits}f}..{maxx:.{digits}f}, y {miny:.{digits}f}..{maxy:.{digits}f}"


def _are_degrees(xy: np.ndarray) -> bool:
    return bool(np.all(np.abs(xy[:, 0]) <= 180) and np.all(np.abs(xy[:, 1]) <= 90))


def _sample(xy: np.ndarray) -> np.ndarray:
    if len(xy) <= _SAMPLE:
        return xy
    return xy[np.linspace(0, len(xy) - 1, _SAMPLE).astype(int)]


def _to_lonlat(crs: CRS, xy: np.ndarray) -> np.ndarray | None:
    """Sampled coordinates in lon/lat, or None when the CRS gives no valid position."""
    pts = _sample(xy)
    try:
        tr = Transformer.from_crs(crs, GEOGRAPHIC_EPSG, always_xy=True)
        with np.errstate(all="ignore"):
            lon, lat = tr.transform(pts[:, 0], pts[:, 1])
    except ProjError:
        return None
    out = np.column_stack([np.asarray(lon, float), np.asarray(lat, float)])
    if not np.isfinite(out).all() or not _are_degrees(out):
        return None
    return out


def _misfit(crs: CRS, xy: np.ndarray) -> str | None:
    """Why the coordinates cannot be in ``crs`` (None when they can)."""
    if len(xy) == 0:
        return None
    label = crs_label(crs)
    if crs.is_geographic:
        if not _are_degrees(xy):
            return (f"{label} is longitude/latitude (degrees) but the coordinates run "
                    f"{_ranges(xy)}")
        return None
    if _are_degrees(xy):
        return (f"{label} is projected (metres) but the coordinates ({_ranges(xy)}) look like "
                "longitude/latitude degrees")
    if _to_lonlat(crs, xy) is None:
        return f"the coordinates ({_ranges(xy)}) give no valid position in {label}"
    return None


def _outside_china_note(crs: CRS, xy: np.ndarray) -> str | None:
    lonlat = _to_lonlat(crs, xy) if len(xy) else None
    if lonlat is None or not np.any(out_of_china(lonlat[:, 0], lonlat[:, 1])):
        return None
    return (f"in {crs_label(crs)} the features lie at {_ranges(lonlat)}, partly outside China: "
            "check the CRS (--crs)")


# --------------------------------------------------------------------------- inference
@dataclass(frozen=True)
class _Guess:
    epsg: int
    reason: str
    swap: bool = False
    zone_epsg: dict[int, int] | None = None  # per-feature zone → EPSG (several zones)
    feature_zone: np.ndarray | None = None
    notes: tuple[str, ...] = ()


def _between(v: np.ndarray, lo: float, hi: float) -> bool:
    return bool(np.all((v >= lo) & (v < hi)))


def _gk_kind(e: np.ndarray) -> str | None:
    """'3' (prefixed 3° zones 25–45), '6' (prefixed 6° zones 13–23), 'plain' or None."""
    if _between(e, 1e5, 9e5):
        return "plain"
    zone = np.floor(e / 1e6)
    rest = e - zone * 1e6
    if not _between(rest, 1e5, 9e5):
        return None
    if _between(zone, 25, 46):
        return "3"
    if _between(zone, 13, 24):
        return "6"
    return None


def _infer(xy: np.ndarray, index: np.ndarray, n_features: int, *, default_cm_deg: float,
           flag: str) -> _Guess:
    x, y = xy[:, 0], xy[:, 1]
    if _are_degrees(xy):
        return _Guess(GEOGRAPHIC_EPSG, f"no CRS in the file; coordinates {_ranges(xy)} look "
                      "like longitude/latitude, read as CGCS2000 (EPSG:4490)")
    if _between(x, 0.8, 56) and _between(y, 72, 138):
        return _Guess(GEOGRAPHIC_EPSG, f"no CRS in the file; coordinates {_ranges(xy)} are "
                      "latitude/longitude in swapped order (latitudes first): axes swapped, "
                      "read as CGCS2000 longitude/latitude (EPSG:4490)", swap=True)
    swap = False
    if _between(y, 1e6, 1e7):
        east = x
    elif _between(x, 1e6, 1e7) and _gk_kind(y) is not None:
        east, y, swap = y, x, True
    else:
        raise _nothing_fits(xy, flag)
    kind = _gk_kind(east)
    if kind is None or not _between(y, 1e6, 1e7):
        raise _nothing_fits(xy, flag)
    swapped = ("X and Y are swapped (the first coordinate is the northing): axes swapped; "
               if swap else "")
    if kind == "plain":
        zone = gk3_zone(default_cm_deg)
        epsg = gk3_epsg(zone)
        where = ", the zone of Suizhou" if zone == gk3_zone(SUIZHOU_CM_DEG) else ""
        return _Guess(epsg, f"no CRS in the file; {swapped}eastings {east.min():.0f}.."
                      f"{east.max():.0f} (6 digits) and northings {y.min():.0f}..{y.max():.0f} "
                      f"are CGCS2000 Gauss-Krüger metres with no zone prefix: assumed CM "
                      f"{3 * zone}°E (EPSG:{epsg}){where}; give {flag} if the data is elsewhere",
                      swap=swap)
    zones = np.floor(east / 1e6).astype(int)
    width = 3 if kind == "3" else 6
    to_epsg = (lambda z: gk3_epsg(z, prefixed=True)) if kind == "3" else gk6_epsg
    cm = (lambda z: 3 * z) if kind == "3" else (lambda z: 6 * z - 3)
    unique = sorted(set(zones.tolist()))
    if len(unique) == 1:
        zone = unique[0]
        epsg = to_epsg(zone)
        return _Guess(epsg, f"no CRS in the file; {swapped}eastings {east.min():.0f}.."
                      f"{east.max():.0f} carry zone prefix {zone}, read as CGCS2000 {width}-degree "
                      f"Gauss-Krüger zone {zone} with prefix (CM {cm(zone)}°E, EPSG:{epsg})",
                      swap=swap)
    # several zones in one file: each feature in the zone of its own prefix
    lo = np.full(n_features, 10**6)
    hi = np.full(n_features, -1)
    np.minimum.at(lo, index, zones)
    np.maximum.at(hi, index, zones)
    split = np.flatnonzero((hi >= 0) & (lo != hi))
    if len(split):
        shown = ", ".join(str(int(p) + 1) for p in split[:10])
        raise CRSError(
            f"The file has no CRS and its eastings carry several zone prefixes ({unique}); "
            f"feature(s) {shown} mix prefixes within one geometry, which no zone can read. "
            f"Correct those features or give the CRS with {flag} EPSG:NNNN."
        )
    feature_zone = np.where(hi >= 0, hi, unique[0])
    counts = ", ".join(f"{int(((hi >= 0) & (feature_zone == z)).sum())} feature(s) in zone {z} = "
                       f"EPSG:{to_epsg(z)}" for z in unique)
    return _Guess(
        GEOGRAPHIC_EPSG,
        f"no CRS in the file; {swapped}eastings carry {width}-degree zone prefixes "
        f"{', '.join(map(str, unique))}: each feature read in the CGCS2000 Gauss-Krüger zone "
        f"of its own prefix ({counts}) and converted to CGCS2000 longitude/latitude "
        "(EPSG:4490)",
        swap=swap, zone_epsg={z: to_epsg(z) for z in unique}, feature_zone=feature_zone)


def _nothing_fits(xy: np.ndarray, flag: str) -> CRSError:
    return CRSError(
        f"The file has no CRS and its coordinates ({_ranges(xy)}) identify no known system "
        "(not lon/lat, not Gauss-Krüger with or without a zone prefix). "
        f"Give it with {flag} EPSG:NNNN."
    )


def _swap_axes(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    geoms = np.asarray(out.geometry.array, dtype=object)
    present = ~shapely.is_missing(geoms)
    geoms[present] = shapely.transform(geoms[present], lambda c: c[:, ::-1].copy())
    out[out.geometry.name] = gpd.GeoSeries(geoms, index=out.index, crs=gdf.crs)
    return out


def _apply(gdf: gpd.GeoDataFrame, guess: _Guess) -> gpd.GeoDataFrame:
    out = _swap_axes(gdf) if guess.swap else gdf
    if guess.zone_epsg is None:
        return out.set_crs(guess.epsg, allow_override=True)
    assert guess.feature_zone is not None
    geoms = np.asarray(out.geometry.array, dtype=object).copy()
    for zone, epsg in guess.zone_epsg.items():
        rows = guess.feature_zone == zone
        if rows.any():
            part = gpd.GeoSeries(geoms[rows], crs=epsg)
            with np.errstate(all="ignore"):
                geoms[rows] = np.asarray(part.to_crs(GEOGRAPHIC_EPSG).array, dtype=object)
    result = out.copy()
    result[result.geometry.name] = gpd.GeoSeries(geoms, index=out.index, crs=GEOGRAPHIC_EPSG)
    return result.set_crs(GEOGRAPHIC_EPSG, allow_override=True)


# --------------------------------------------------------------------------- resolution
def resolve_source_crs(
    gdf: gpd.GeoDataFrame,
    *,
    declared_reason: str | None = None,
    override: str | None = None,
    gcj02: bool = False,
    default_cm_deg: float = SUIZHOU_CM_DEG,
    flag: str = "--crs",
) -> tuple[gpd.GeoDataFrame, CRSSource]:
    """Give the data the CRS its coordinates are in, and say how that was decided.

    Order: ``override`` (the user's ``--crs``) > the CRS the file declares (``gdf.crs``,
    from ``declared_reason``) > inference from the finite coordinates (NaN, inf and empty
    geometries are ignored). Inference recognises CGCS2000 lon/lat (EPSG:4490), swapped
    lat/lon, Gauss-Krüger 3° (EPSG:4513–4533) and 6° (EPSG:4491–4501) eastings with a zone
    prefix, swapped X/Y, and plain 6-digit eastings, for which the 3° zone of
    ``default_cm_deg`` (114°E, Suizhou: EPSG:4547) is assumed and said. A file whose eastings
    carry several zone prefixes is read per feature, each in its own zone, and converted to
    EPSG:4490. A declared CRS that cannot hold the coordinates (a GeoJSON in metres read as
    EPSG:4326) is set aside, said, and the CRS inferred.

    ``gcj02=True``: the data is GCJ-02 longitude/latitude (Amap-style sources); after the
    CRS is resolved every vertex is moved to WGS 84 before anything else. Projected data
    cannot be GCJ-02 and is refused.

    ``flag`` names the option that overrides the CRS in messages (the CLI's ``--crs`` or
    ``--source-crs``).

    Returns
    -------
    (GeoDataFrame, CRSSource)
        A copy with its CRS set (axes swapped or zones converted when inferred so), and what
        it was read as.

    Raises
    ------
    CRSError
        An override that cannot be read or cannot hold the coordinates, coordinates that fit
        no known system, GCJ-02 declared for projected data. Never a pyproj traceback.
    """
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    xy, index = finite_coordinates(geoms)
    notes: list[str] = []
    inferred = False
    if override:
        crs = parse_crs(override)
        problem = _misfit(crs, xy)
        if problem:
            raise CRSError(f"{flag} {override} cannot be the CRS of this data: {problem}. "
                           "Give the CRS the coordinates are in (EPSG:4490 for lon/lat, "
                           "EPSG:4547 for CM 114°E, EPSG:4526 for zone 38 with prefix).")
        out = gdf.set_crs(crs, allow_override=True)
        reason = f"given with {flag} ({crs_label(crs)}, {crs.name})"
        if gdf.crs is not None and not CRS.from_user_input(gdf.crs).equals(crs):
            notes.append(f"the file declares {crs_label(CRS.from_user_input(gdf.crs))}; "
                         f"{flag} overrides it")
    elif gdf.crs is not None and not _misfit(CRS.from_user_input(gdf.crs), xy):
        crs = CRS.from_user_input(gdf.crs)
        out = gdf
        reason = f"declared by the file ({crs_label(crs)}, {crs.name})"
        if declared_reason:
            reason = f"{reason}: {declared_reason}"
    else:
        said = ""
        if gdf.crs is not None:
            declared = CRS.from_user_input(gdf.crs)
            said = (f"the file declares {crs_label(declared)}"
                    f"{f' ({declared_reason})' if declared_reason else ''}, but "
                    f"{_misfit(declared, xy)}")
            notes.append(f"{said}: the declared CRS was set aside and the CRS inferred instead")
        try:
            out, reason, guess_notes = _inferred(gdf, xy, index, default_cm_deg, flag)
        except CRSError as exc:
            if not said:
                raise
            raise CRSError(f"{said[0].upper()}{said[1:]}. {exc}") from None
        notes.extend(guess_notes)
        crs = CRS.from_user_input(out.crs)
        inferred = True
    # only an inference moves coordinates (swapped axes, zones converted)
    placed = finite_coordinates(np.asarray(out.geometry.array, dtype=object))[0] if (
        inferred) else xy
    for note in (legacy_datum_note(crs), _outside_china_note(crs, _sample(placed))):
        if note:
            notes.append(note)
    if gcj02:
        out, reason = _from_gcj02(out, crs, reason, flag)
    return out, CRSSource(crs_label(crs), reason, inferred, tuple(notes))


def _inferred(gdf: gpd.GeoDataFrame, xy: np.ndarray, index: np.ndarray, default_cm_deg: float,
              flag: str) -> tuple[gpd.GeoDataFrame, str, tuple[str, ...]]:
    if len(xy) == 0:
        reason = ("no CRS in the file and no finite coordinate to infer one from (every "
                  "geometry is empty or not finite): read as CGCS2000 (EPSG:4490); nothing "
                  "can be placed or measured")
        return gdf.set_crs(GEOGRAPHIC_EPSG, allow_override=True), reason, ()
    guess = _infer(xy, index, len(gdf), default_cm_deg=default_cm_deg, flag=flag)
    return _apply(gdf, guess), guess.reason, guess.notes


def _from_gcj02(gdf: gpd.GeoDataFrame, crs: CRS, reason: str, flag: str
                ) -> tuple[gpd.GeoDataFrame, str]:
    if not crs.is_geographic:
        raise CRSError(
            f"--gcj02 declares GCJ-02, which is only ever longitude/latitude, but the data is "
            f"in {crs_label(crs)} ({crs.name}, metres). Drop --gcj02, or give the lon/lat CRS "
            f"with {flag} EPSG:4326."
        )
    out = gcj02_to_wgs84_gdf(gdf)
    before, _ = finite_coordinates(np.asarray(gdf.geometry.array, dtype=object))
    after, _ = finite_coordinates(np.asarray(out.geometry.array, dtype=object))
    shift = ""
    if len(before):
        from pyproj import Geod

        b, a = _sample(before), _sample(after)
        dist = Geod(ellps="WGS84").inv(b[:, 0], b[:, 1], a[:, 0], a[:, 1])[2]
        shift = f" (median shift {float(np.median(dist)):.0f} m)"
    return out, (f"{reason}; declared GCJ-02 (--gcj02): every vertex converted GCJ-02 → "
                 f"WGS 84 before anything else{shift}")


def ensure_crs(
    gdf: gpd.GeoDataFrame, *, source_crs: str | None = None, flag: str = "--source-crs"
) -> tuple[gpd.GeoDataFrame, str | None]:
    """Return data with a CRS: the user's, the file's, or an inferred one (with a note).

    A thin wrapper of :func:`resolve_source_crs` for callers that only want a note: the
    note is the reason and notes when the CRS was inferred, the notes alone otherwise
    (None when there is nothing to say).
    """
    out, source = resolve_source_crs(gdf, override=source_crs, flag=flag)
    said = ([source.reason] if source.inferred else []) + list(source.notes)
    return out, "; ".join(said) if said else None


def infer_crs(gdf: gpd.GeoDataFrame, *, default_cm_deg: float = SUIZHOU_CM_DEG
              ) -> tuple[int, str]:
    """EPSG code and reason inferred from the coordinate ranges of data that has no CRS.

    Only for data that needs no change of coordinates; swapped axes or several zones in one
    file need :func:`resolve_source_crs`, which this refuses to hide.
    """
    xy, index = finite_coordinates(np.asarray(gdf.geometry.array, dtype=object))
    if len(xy) == 0:
        raise CRSError("The file has no CRS and no finite coordinates to infer one from; "
                       "give --crs.")
    guess = _infer(xy, index, len(gdf), default_cm_deg=default_cm_deg, flag="--crs")
    if guess.swap or guess.zone_epsg is not None:
        raise CRSError(f"{guess.reason}: the coordinates need converting; use "
                       "resolve_source_crs.")
    return guess.epsg, guess.reason


# --------------------------------------------------------------------------- planes
def feature_zones(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """3° Gauss-Krüger zone of each feature (central meridian nearest its centroid).

    0 where the feature has no finite centroid (null, empty, NaN or infinite coordinates).
    """
    if gdf.crs is None:
        raise CRSError("The data has no CRS; resolve it before measuring areas.")
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    zones = np.zeros(len(geoms), dtype=int)
    with np.errstate(all="ignore"):
        cen = shapely.centroid(geoms)
        xy = shapely.get_coordinates(cen, return_index=True)
    coords, index = xy
    ok = np.isfinite(coords).all(axis=1)
    coords, index = coords[ok], index[ok]
    if len(coords) == 0:
        return zones
    crs = CRS.from_user_input(gdf.crs)
    if crs.to_epsg() != GEOGRAPHIC_EPSG:
        tr = Transformer.from_crs(crs, GEOGRAPHIC_EPSG, always_xy=True)
        with np.errstate(all="ignore"):
            lon, _lat = tr.transform(coords[:, 0], coords[:, 1])
    else:
        lon = coords[:, 0]
    lon = np.asarray(lon, dtype=float)
    good = np.isfinite(lon)
    zones[index[good]] = np.floor(lon[good] / 3.0 + 0.5).astype(int)
    outside = (zones != 0) & ((zones < 25) | (zones > 45))
    if outside.any():
        first = int(np.flatnonzero(outside)[0])
        raise CRSError(
            f"{int(outside.sum())} feature(s) (first: feature {first + 1}, zone "
            f"{zones[first]}) lie outside China's 3-degree zones 25–45 (75–135°E); give the "
            "plane CRS explicitly with --crs EPSG:NNNN."
        )
    return zones


def majority_plane(zones: np.ndarray) -> PlaneCRS:
    """The plane naming a layer measured per feature: the zone of most features.

    ``zones`` as from :func:`feature_zones` (0 = not measurable, ignored).
    """
    z = np.asarray(zones, dtype=int)
    z = z[z != 0]
    if len(z) == 0:
        raise CRSError("No feature has a finite position: there is no zone to measure in.")
    values, counts = np.unique(z, return_counts=True)
    order = np.lexsort((values, -counts))
    top = int(values[order[0]])
    epsg = gk3_epsg(top)
    reason = (f"each feature in its own 3-degree Gauss-Krüger zone (central meridian nearest "
              f"its centroid); most in zone {top} (central meridian {3 * top}°E, EPSG:{epsg})")
    if len(values) > 1:
        others = ", ".join(f"zone {int(values[i])} (EPSG:{gk3_epsg(int(values[i]))}): "
                           f"{int(counts[i])}" for i in order[1:])
        reason += f", {int(counts[order[0]])} of {len(z)} features; also {others}"
    else:
        reason += ", the CGCS2000 land-survey plane"
    return PlaneCRS(epsg, reason)


def choose_plane_crs(gdf: gpd.GeoDataFrame, *, override: str | None = None) -> PlaneCRS:
    """One plane for a whole layer: the 3° zone holding the centre of the data's extent.

    With ``override`` the user's projected CRS is used instead (never degrees or Web Mercator).
    Used by the analyses that need one plane (coverage, proximity, progress); areas use each
    feature's own zone (:func:`geo_app.analysis.area.add_areas`).
    """
    if override:
        return plane_from_override(override)
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


def plane_from_override(override: str) -> PlaneCRS:
    """The user's ``--crs`` as the one plane for all features (never degrees or Web Mercator)."""
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
    return PlaneCRS(epsg, f"given by the user ({crs.name}): one plane for all features")

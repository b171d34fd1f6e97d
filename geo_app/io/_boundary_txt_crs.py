"""The CRS of a boundary TXT: its header (坐标系, 几度分带, 带号) and the eastings' zone prefix.

Only what the file says is used: the header and the coordinates' own zone prefix. A file
that names no zone and has plain eastings gets no CRS here (the analysis layer infers one,
aloud). Every EPSG code below was checked with pyproj (name, central meridian, false
easting) and is tested in ``tests/io/test_boundary_txt.py``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from pyproj import CRS


class Datum(StrEnum):
    """Geodetic datums a boundary TXT header names."""

    CGCS2000 = "CGCS2000"
    XIAN1980 = "Xian 1980"
    BEIJING1954 = "Beijing 1954"


#: First EPSG code of each family, keyed by (datum, zone width in degrees, prefixed easting).
#: Codes run consecutively from 3° zone 25 (CM 75°E) or 6° zone 13 (CM 75°E) eastwards.
_EPSG_BASE: dict[tuple[Datum, int, bool], int] = {
    (Datum.CGCS2000, 3, True): 4513,
    (Datum.CGCS2000, 3, False): 4534,
    (Datum.CGCS2000, 6, True): 4491,
    (Datum.CGCS2000, 6, False): 4502,
    (Datum.XIAN1980, 3, True): 2349,
    (Datum.XIAN1980, 3, False): 2370,
    (Datum.XIAN1980, 6, True): 2327,
    (Datum.XIAN1980, 6, False): 2338,
    (Datum.BEIJING1954, 3, True): 2401,
    (Datum.BEIJING1954, 3, False): 2422,
    (Datum.BEIJING1954, 6, True): 21413,
    (Datum.BEIJING1954, 6, False): 21473,
}

#: Zones with an EPSG code, per zone width: 3° zones 25–45, 6° zones 13–23 (CM 75–135°E).
ZONE_RANGE: dict[int, range] = {3: range(25, 46), 6: range(13, 24)}


def central_meridian(width: int, zone: int) -> int:
    """Central meridian (°E) of a 3° zone (3·n) or a 6° zone (6·n − 3)."""
    return 3 * zone if width == 3 else 6 * zone - 3


def gk_epsg(datum: Datum, width: int, zone: int, *, prefixed: bool) -> int | None:
    """EPSG code of a Gauss-Krüger plane, or ``None`` outside China's zones."""
    zones = ZONE_RANGE.get(width)
    if zones is None or zone not in zones:
        return None
    return _EPSG_BASE[(datum, width, prefixed)] + zone - zones.start


def parse_datum(text: str) -> Datum | None:
    """The datum a 坐标系 value names (``2000国家大地坐标系``, ``西安80``, ``1954北京坐标系``…)."""
    value = unicodedata.normalize("NFKC", text).lower().replace(" ", "")
    if "2000" in value or "cgcs" in value:
        return Datum.CGCS2000
    if "1980" in value or "西安" in value or "xian" in value or "xi'an" in value:
        return Datum.XIAN1980
    if "1954" in value or "北京" in value or "beijing" in value:
        return Datum.BEIJING1954
    return None


def _first_int(text: str | None) -> int | None:
    if not text:
        return None
    match = re.search(r"[0-9]{1,6}", unicodedata.normalize("NFKC", text))
    return int(match.group()) if match else None


@dataclass
class HeaderCRS:
    """The CRS-related header values as written (``None`` when absent or empty)."""

    coordinate_system: str | None = None
    zone_width: str | None = None
    zone: str | None = None
    central_meridian: str | None = None


@dataclass
class CRSDecision:
    """The CRS chosen for the file, why, and what the user must be told."""

    crs: CRS | None
    reason: str
    notes: list[str] = field(default_factory=list)


def _without_crs(reason: str, notes: list[str], message: str) -> CRSDecision:
    return CRSDecision(None, reason, [*notes, message])


def _legacy_note(datum: Datum, written: str, epsg: int) -> str:
    return (
        f"坐标系={written} is the {datum} datum, NOT CGCS2000: the coordinates are kept in "
        f"their own plane EPSG:{epsg} and no datum shift is applied. Shown on a CGCS2000 map "
        "they may be off by tens to a hundred metres; convert them with official "
        "transformation parameters before comparing with CGCS2000 data."
    )


def decide_crs(header: HeaderCRS, *, prefix: int | None, plain: bool) -> CRSDecision:
    """Build the file's CRS from its header and the eastings' zone prefix.

    Parameters
    ----------
    header
        The 坐标系, 几度分带, 带号 (and 中央经线, if any) values of the header.
    prefix
        The zone number every easting carries (``38`` for 38 441 921.1), or ``None``.
    plain
        True when the eastings carry no prefix (6 digits around 500 000).
    """
    notes: list[str] = []
    said = [
        f"{key}={value}"
        for key, value in (
            ("坐标系", header.coordinate_system),
            ("几度分带", header.zone_width),
            ("带号", header.zone),
            ("中央经线", header.central_meridian),
        )
        if value
    ]
    header_text = ", ".join(said) if said else "no CRS fields"

    if header.coordinate_system:
        datum = parse_datum(header.coordinate_system)
        if datum is None:
            return _without_crs(
                f"the header names an unknown coordinate system ({header_text})",
                notes,
                f"坐标系={header.coordinate_system} is not a coordinate system geo_app "
                "knows (2000国家大地坐标系, 1980西安坐标系, 1954北京坐标系): the file is read "
                "without a CRS; give it with --crs.",
            )
    else:
        datum = Datum.CGCS2000
        notes.append("The header has no 坐标系: read as CGCS2000 (2000国家大地坐标系).")

    width = _first_int(header.zone_width)
    if width not in (None, 3, 6):
        notes.append(f"几度分带={header.zone_width} is neither 3 nor 6: ignored.")
        width = None
    header_zone = _first_int(header.zone)
    cm_given = _first_int(header.central_meridian)
    if header_zone is not None and header_zone > 60:
        # Some files put the central meridian (114) in 带号.
        cm_given, header_zone = cm_given or header_zone, None

    if prefix is not None:
        zone = prefix
        zone_width = width
        if zone_width is None or zone not in ZONE_RANGE[zone_width]:
            fits = [w for w in (3, 6) if zone in ZONE_RANGE[w]]
            if not fits:
                return _without_crs(
                    f"the eastings carry zone prefix {zone}, which is no Chinese zone",
                    notes,
                    f"The eastings carry zone prefix {zone}, which is neither a 3-degree "
                    "zone (25–45) nor a 6-degree zone (13–23): the file is read without a "
                    "CRS; give it with --crs.",
                )
            if zone_width is not None:
                notes.append(
                    f"几度分带={header.zone_width} but the eastings' zone prefix {zone} is a "
                    f"{fits[0]}-degree zone: read as {fits[0]}-degree zones."
                )
            zone_width = fits[0]
        if header_zone is not None and header_zone != zone:
            notes.append(
                f"The header says 带号={header.zone} but the eastings carry the zone prefix "
                f"{zone}: read as zone {zone}, as the coordinates say."
            )
        epsg = _EPSG_BASE[(datum, zone_width, True)] + zone - ZONE_RANGE[zone_width].start
        reason = (
            f"the header ({header_text}) and the eastings' zone prefix {zone}: "
            f"{datum} {zone_width}-degree Gauss-Krüger zone {zone} with prefix (EPSG:{epsg})"
        )
    elif plain:
        if header_zone is None and cm_given is None:
            return _without_crs(
                f"the header names no zone ({header_text}) and the eastings carry no prefix",
                notes,
                "The header has no 带号 and the eastings carry no zone prefix, so the "
                "Gauss-Krüger zone is unknown: the file is read without a CRS (it is "
                "inferred later, or give it with --crs).",
            )
        zone_width = width
        if zone_width is None:
            if header_zone is not None:
                fits = [w for w in (3, 6) if header_zone in ZONE_RANGE[w]]
                zone_width = fits[0] if fits else 3
            else:
                zone_width = 3
            notes.append(f"The header has no 几度分带: read as {zone_width}-degree zones.")
        if header_zone is not None:
            zone = header_zone
            cm = central_meridian(zone_width, zone)
        else:
            cm = cm_given or 0
            zone = cm // 3 if zone_width == 3 else (cm + 3) // 6
            if central_meridian(zone_width, zone) != cm:
                return _without_crs(
                    f"the header's central meridian {cm}°E is no {zone_width}-degree zone's",
                    notes,
                    f"中央经线={header.central_meridian} is not the central meridian of a "
                    f"{zone_width}-degree zone: the file is read without a CRS; give it "
                    "with --crs.",
                )
        epsg = gk_epsg(datum, zone_width, zone, prefixed=False)
        if epsg is None:
            return _without_crs(
                f"the header's zone {zone} is no Chinese {zone_width}-degree zone",
                notes,
                f"Zone {zone} (带号={header.zone or '–'}) is not a Chinese {zone_width}-degree "
                "zone: the file is read without a CRS; give it with --crs.",
            )
        reason = (
            f"the header ({header_text}) with plain eastings: {datum} {zone_width}-degree "
            f"Gauss-Krüger, central meridian {cm}°E (EPSG:{epsg})"
        )
    else:
        return _without_crs(
            "the coordinates are not Gauss-Krüger metres",
            notes,
            "The eastings are neither zone-prefixed (8 digits) nor plain (6 digits around "
            "500 000), so the header's projection does not fit them: the file is read "
            "without a CRS (it is inferred later, or give it with --crs).",
        )

    if datum is not Datum.CGCS2000:
        notes.append(_legacy_note(datum, header.coordinate_system or "", epsg))
    return CRSDecision(CRS.from_epsg(epsg), reason, notes)

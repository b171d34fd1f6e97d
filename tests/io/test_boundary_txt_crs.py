"""The boundary TXT's CRS: built from its header and the eastings' zone prefix, never guessed.

Every EPSG code the reader can produce is checked against pyproj's own definition
(datum, central meridian, false easting), computed here from the zone independently.
"""

from __future__ import annotations

import pytest
from pyproj import CRS

from geo_app.errors import InputError
from geo_app.io._boundary_txt_crs import Datum, gk_epsg
from geo_app.io.boundary_txt import read_boundary_txt_bytes

PYPROJ_DATUM = {
    Datum.CGCS2000: "China 2000",
    Datum.XIAN1980: "Xian 1980",
    Datum.BEIJING1954: "Beijing 1954",
}


def _projection(epsg: int) -> tuple[str, float, float]:
    crs = CRS.from_epsg(epsg)
    params = {p.name: p.value for p in crs.coordinate_operation.params}
    return crs.datum.name, params["Longitude of natural origin"], params["False easting"]


@pytest.mark.parametrize("datum", list(Datum))
@pytest.mark.parametrize(
    ("width", "zones"), [(3, range(25, 46)), (6, range(13, 24))], ids=["3deg", "6deg"]
)
@pytest.mark.parametrize("prefixed", [True, False], ids=["prefixed", "plain"])
def test_every_epsg_code_is_the_plane_pyproj_defines(datum, width, zones, prefixed):
    for zone in zones:
        epsg = gk_epsg(datum, width, zone, prefixed=prefixed)
        cm = 3 * zone if width == 3 else 6 * zone - 3
        false_easting = zone * 1_000_000 + 500_000 if prefixed else 500_000
        assert _projection(epsg) == (PYPROJ_DATUM[datum], cm, false_easting), (zone, epsg)


def test_known_codes_and_zones_outside_china():
    assert gk_epsg(Datum.CGCS2000, 3, 38, prefixed=True) == 4526
    assert gk_epsg(Datum.CGCS2000, 3, 38, prefixed=False) == 4547
    assert gk_epsg(Datum.CGCS2000, 6, 19, prefixed=True) == 4497
    assert gk_epsg(Datum.CGCS2000, 6, 19, prefixed=False) == 4508
    assert gk_epsg(Datum.XIAN1980, 3, 38, prefixed=True) == 2362
    assert gk_epsg(Datum.BEIJING1954, 6, 19, prefixed=False) == 21479
    assert gk_epsg(Datum.CGCS2000, 3, 24, prefixed=True) is None
    assert gk_epsg(Datum.CGCS2000, 6, 24, prefixed=True) is None


def txt(header: list[str], points: list[tuple[str, str]]) -> bytes:
    """One closed parcel from (X, Y) strings as written."""
    lines = ["[属性描述]", *header, "[地块坐标]", f"{len(points) + 1},,P1,地块,面,,,,@"]
    lines += [f"J{i + 1},1,{x},{y}" for i, (x, y) in enumerate(points)]
    lines.append(f"J1,1,{points[0][0]},{points[0][1]}")
    return "\r\n".join(lines).encode("gbk")


PREFIXED_38 = [
    ("3507712.345", "38441921.100"),
    ("3507712.345", "38442121.100"),
    ("3507412.345", "38442121.100"),
]
PLAIN = [(x, y[2:]) for x, y in PREFIXED_38]
PREFIXED_19 = [(x, "19" + y[2:]) for x, y in PREFIXED_38]


def read(data: bytes):
    return read_boundary_txt_bytes(data, source="t.txt")


@pytest.mark.parametrize(
    ("header", "points", "epsg"),
    [
        (["坐标系=2000国家大地坐标系", "几度分带=3", "带号=38"], PREFIXED_38, 4526),
        (["坐标系=2000国家大地坐标系", "几度分带=3", "带号=38"], PLAIN, 4547),
        (["坐标系=CGCS2000", "几度分带=6", "带号=19"], PREFIXED_19, 4497),
        (["坐标系=CGCS2000", "几度分带=6", "带号=19"], PLAIN, 4508),
        (["坐标系=2000国家大地坐标系", "几度分带=3", "中央经线=114"], PLAIN, 4547),
        (["坐标系=2000国家大地坐标系", "几度分带=3", "带号=114"], PLAIN, 4547),
    ],
)
def test_cgcs2000_planes(header, points, epsg):
    result = read(txt(header, points))
    assert result.gdf.crs.to_epsg() == epsg
    assert f"(EPSG:{epsg})" in result.crs_reason
    assert result.notes == []
    first = result.gdf.geometry.iloc[0].exterior.coords[0]
    assert first == (float(points[0][1]), float(points[0][0]))  # easting, northing as written


def test_prefix_alone_is_enough():
    result = read(txt([], PREFIXED_38))
    assert result.gdf.crs.to_epsg() == 4526
    assert result.notes == ["The header has no 坐标系: read as CGCS2000 (2000国家大地坐标系)."]
    assert result.crs_reason == (
        "the header (no CRS fields) and the eastings' zone prefix 38: CGCS2000 3-degree "
        "Gauss-Krüger zone 38 with prefix (EPSG:4526)"
    )


def test_six_degree_prefix_without_zone_width():
    result = read(txt(["坐标系=2000国家大地坐标系"], PREFIXED_19))
    assert result.gdf.crs.to_epsg() == 4497
    assert result.notes == []


def test_header_zone_disagreeing_with_the_prefix_uses_the_prefix_and_says_so():
    result = read(txt(["坐标系=2000国家大地坐标系", "几度分带=3", "带号=39"], PREFIXED_38))
    assert result.gdf.crs.to_epsg() == 4526
    assert result.notes == [
        "The header says 带号=39 but the eastings carry the zone prefix 38: read as zone 38, "
        "as the coordinates say."
    ]


def test_zone_width_contradicted_by_the_prefix():
    result = read(txt(["坐标系=2000国家大地坐标系", "几度分带=3"], PREFIXED_19))
    assert result.gdf.crs.to_epsg() == 4497
    assert result.notes == [
        "几度分带=3 but the eastings' zone prefix 19 is a 6-degree zone: read as 6-degree zones."
    ]


def test_plain_eastings_with_zone_but_no_width_assume_three_degrees():
    result = read(txt(["坐标系=2000国家大地坐标系", "带号=38"], PLAIN))
    assert result.gdf.crs.to_epsg() == 4547
    assert result.notes == ["The header has no 几度分带: read as 3-degree zones."]


def test_plain_eastings_without_zone_have_no_crs():
    result = read(txt(["坐标系=2000国家大地坐标系", "几度分带=3"], PLAIN))
    assert result.gdf.crs is None
    assert result.notes == [
        "The header has no 带号 and the eastings carry no zone prefix, so the Gauss-Krüger zone "
        "is unknown: the file is read without a CRS (it is inferred later, or give it with "
        "--crs)."
    ]
    assert result.gdf.geometry.iloc[0].exterior.coords[0] == (441921.1, 3507712.345)


@pytest.mark.parametrize(
    ("system", "width", "points", "epsg", "name_part"),
    [
        ("1980西安坐标系", "3", PREFIXED_38, 2362, "Xian 1980 / 3-degree Gauss-Kruger zone 38"),
        ("西安80", "3", PLAIN, 2383, "Xian 1980 / 3-degree Gauss-Kruger CM 114E"),
        ("1954北京坐标系", "3", PREFIXED_38, 2414, "Beijing 1954 / 3-degree Gauss-Kruger zone 38"),
        ("北京54", "6", PREFIXED_19, 21419, "Beijing 1954 / Gauss-Kruger zone 19"),
        ("1980西安坐标系", "6", PLAIN, 2344, "Xian 1980 / Gauss-Kruger CM 111E"),
    ],
)
def test_legacy_datums_keep_their_own_plane_with_a_warning(system, width, points, epsg, name_part):
    zone = "19" if width == "6" else "38"
    result = read(txt([f"坐标系={system}", f"几度分带={width}", f"带号={zone}"], points))
    assert result.gdf.crs.to_epsg() == epsg
    assert result.gdf.crs.name == name_part
    datum = "Xian 1980" if "西安" in system else "Beijing 1954"
    assert result.notes == [
        f"坐标系={system} is the {datum} datum, NOT CGCS2000: the coordinates are kept in their "
        f"own plane EPSG:{epsg} and no datum shift is applied. Shown on a CGCS2000 map they may "
        "be off by tens to a hundred metres; convert them with official transformation "
        "parameters before comparing with CGCS2000 data."
    ]
    first = result.gdf.geometry.iloc[0].exterior.coords[0]
    assert first == (float(points[0][1]), float(points[0][0]))  # no shift applied


def test_unknown_coordinate_system_gives_no_crs():
    result = read(txt(["坐标系=WGS84", "几度分带=3", "带号=38"], PREFIXED_38))
    assert result.gdf.crs is None
    assert result.notes == [
        "坐标系=WGS84 is not a coordinate system geo_app knows (2000国家大地坐标系, "
        "1980西安坐标系, 1954北京坐标系): the file is read without a CRS; give it with --crs."
    ]


@pytest.mark.parametrize("points", [PREFIXED_38, PLAIN], ids=["prefixed", "plain"])
def test_swapped_x_and_y_are_read_back_the_right_way(points):
    swapped = [(y, x) for x, y in points]
    header = ["坐标系=2000国家大地坐标系", "几度分带=3", "带号=38"]
    result = read(txt(header, swapped))
    straight = read(txt(header, points))
    assert result.gdf.crs == straight.gdf.crs
    assert result.gdf.geometry.iloc[0].equals_exact(straight.gdf.geometry.iloc[0], 0)
    assert result.notes == [
        "X and Y are swapped in this file (X holds the eastings, Y the northings); they were "
        "read the other way round, X as the northing."
    ]


def test_degrees_in_a_gk_header_give_no_crs():
    degrees = [("31.690", "113.380"), ("31.690", "113.390"), ("31.680", "113.390")]
    result = read(txt(["坐标系=2000国家大地坐标系", "几度分带=3", "带号=38"], degrees))
    assert result.gdf.crs is None
    assert "neither zone-prefixed (8 digits) nor plain" in result.notes[0]


def test_prefix_that_is_no_chinese_zone_gives_no_crs():
    points = [(x, "50" + y[2:]) for x, y in PREFIXED_38]
    result = read(txt(["坐标系=2000国家大地坐标系"], points))
    assert result.gdf.crs is None
    assert (
        "zone prefix 50, which is neither a 3-degree zone (25–45) nor a 6-degree"
        in (result.notes[-1])
    )


def test_mixed_prefixed_and_plain_eastings_are_refused():
    points = [*PREFIXED_38[:2], PLAIN[2]]
    with pytest.raises(InputError, match=r"Line 7: easting 442121.100 \(no zone prefix\) does not"):
        read(txt(["带号=38"], points))


def test_plain_eastings_with_a_zone_outside_china_give_no_crs():
    result = read(txt(["坐标系=2000国家大地坐标系", "几度分带=3", "带号=12"], PLAIN))
    assert result.gdf.crs is None
    assert result.notes == [
        "Zone 12 (带号=12) is not a Chinese 3-degree zone: the file is read without a CRS; "
        "give it with --crs."
    ]

"""Writing the 部标 boundary TXT, and the round trip TXT → store (EPSG:4490) → TXT.

Known answers: the 200 m × 300 m rectangle is 6.0000 ha (hand-computed); the lines a land
office expects are written out here in full.
"""

from __future__ import annotations

import io
import re
from datetime import date

import geopandas as gpd
import pytest
from shapely.geometry import LineString, MultiPolygon, Polygon, box

from geo_app.errors import CRSError, InputError
from geo_app.io.boundary_txt import read_boundary_txt, write_boundary_txt

RECT = [  # (easting, northing) with the zone-38 prefix, clockwise from the north-west corner
    (38441921.100, 3507712.345),
    (38442121.100, 3507712.345),
    (38442121.100, 3507412.345),
    (38441921.100, 3507412.345),
    (38441921.100, 3507712.345),
]
HOLE = [
    (38441971.100, 3507612.345),
    (38442021.100, 3507612.345),
    (38442021.100, 3507562.345),
    (38441971.100, 3507562.345),
    (38441971.100, 3507612.345),
]
APART = [
    (38442621.100, 3507712.345),
    (38442721.100, 3507712.345),
    (38442721.100, 3507612.345),
    (38442621.100, 3507712.345),
]


def layer(geometries, *, crs=4526, **columns) -> gpd.GeoDataFrame:
    data = {"id": [f"QC-{i + 1:02d}" for i in range(len(geometries))], **columns}
    return gpd.GeoDataFrame(data, geometry=geometries, crs=crs)


def written(gdf: gpd.GeoDataFrame, **kwargs) -> tuple[bytes, object]:
    stream = io.BytesIO()
    result = write_boundary_txt(gdf, stream, **kwargs)
    return stream.getvalue(), result


def test_the_standard_layout_in_gbk_with_crlf():
    gdf = layer([Polygon(RECT)], name=["青春化工园一期01"], land_use=["工业用地"])
    data, result = written(gdf, unit_name="随州高新区自然资源和规划分局")
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert "青春化工园一期01".encode("gbk") in data
    text = data.decode("gbk")
    assert text.split("\r\n") == [
        "[属性描述]",
        "格式版本号=1.01",
        "数据产生单位=随州高新区自然资源和规划分局",
        f"数据产生日期={date.today().isoformat()}",
        "坐标系=2000国家大地坐标系",
        "几度分带=3",
        "投影类型=高斯克吕格",
        "计量单位=米",
        "带号=38",
        "精度=0.001",
        "转换参数=,,,,,,",
        "[地块坐标]",
        "5,6.0000,QC-01,青春化工园一期01,面,,工业用地,,@",
        "J1,1,3507712.345,38441921.100",
        "J2,1,3507712.345,38442121.100",
        "J3,1,3507412.345,38442121.100",
        "J4,1,3507412.345,38441921.100",
        "J1,1,3507712.345,38441921.100",
        "",
    ]
    assert (result.parcels, result.zone, result.epsg, result.encoding) == (1, 38, 4526, "gbk")
    assert result.notes == []


def test_hectares_come_from_the_geometry_not_a_declared_column():
    gdf = layer([box(38441000, 3507000, 38441123.456, 3507100)], declared_area_ha=[99.0])
    text = written(gdf)[0].decode("gbk")
    assert "5,1.2346,QC-01,,面,,,,@" in text  # 123.456 m × 100 m = 12 345.6 m² = 1.2346 ha


def test_from_lon_lat_the_zone_is_the_layers_and_coordinates_come_back_to_the_millimetre():
    plane = layer([Polygon(RECT)], name=["一期"])
    lonlat = plane.to_crs(4490)
    text = written(lonlat)[0].decode("gbk")
    assert "带号=38" in text
    assert "J2,1,3507712.345,38442121.100" in text
    assert text == written(plane)[0].decode("gbk")


def test_plain_eastings_layer_is_written_with_the_prefix():
    plane = layer([Polygon([(x - 38_000_000, y) for x, y in RECT])], crs=4547)
    text = written(plane)[0].decode("gbk")
    assert "J1,1,3507712.345,38441921.100" in text


def test_holes_and_parts_are_numbered_rings_with_points_named_per_parcel():
    geometry = MultiPolygon([Polygon(RECT, [HOLE]), Polygon(APART)])
    lines = written(layer([geometry]))[0].decode("gbk").split("\r\n")
    start = lines.index("[地块坐标]") + 1
    assert lines[start:-1] == [
        "14,6.2500,QC-01,,面,,,,@",  # 6 ha − 0.25 ha hole + 0.5 ha triangle
        "J1,1,3507712.345,38441921.100",
        "J2,1,3507712.345,38442121.100",
        "J3,1,3507412.345,38442121.100",
        "J4,1,3507412.345,38441921.100",
        "J1,1,3507712.345,38441921.100",
        "J5,2,3507612.345,38441971.100",
        "J6,2,3507612.345,38442021.100",
        "J7,2,3507562.345,38442021.100",
        "J8,2,3507562.345,38441971.100",
        "J5,2,3507612.345,38441971.100",
        "J9,3,3507712.345,38442621.100",
        "J10,3,3507712.345,38442721.100",
        "J11,3,3507612.345,38442721.100",
        "J9,3,3507712.345,38442621.100",
    ]


def test_utf8_output_and_field_commas_replaced():
    gdf = layer([Polygon(RECT)], name=["一期,东区，北"], land_use=["工业\n用地"])
    data, result = written(gdf, encoding="utf-8")
    text = data.decode("utf-8")
    assert "5,6.0000,QC-01,一期、东区、北,面,,工业、用地,,@" in text
    assert result.encoding == "utf-8"
    assert result.notes == [
        "feature QC-01: commas or line breaks in its fields were replaced by 、."
    ]


def test_other_column_names_and_missing_columns():
    gdf = gpd.GeoDataFrame(
        {"宗地号": [7.0], "地块名称": ["七号"]}, geometry=[Polygon(RECT)], crs=4526
    )
    text = written(gdf, id_column="宗地号", name_column="地块名称")[0].decode("gbk")
    assert "5,6.0000,7,七号,面,,,,@" in text


def test_written_to_a_path(tmp_path):
    path = tmp_path / "out.txt"
    result = write_boundary_txt(layer([Polygon(RECT)]), path)
    assert result.parcels == 1
    assert path.read_bytes().startswith("[属性描述]\r\n".encode("gbk"))
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gdf", "kwargs", "error", "message"),
    [
        (
            layer([Polygon(RECT)], crs=None),
            {},
            CRSError,
            "The layer has no CRS, so its coordinates cannot be placed in a Gauss-Krüger zone.",
        ),
        (
            layer([Polygon(RECT)], crs=2362),
            {},
            CRSError,
            "The layer is in Xian 1980 / 3-degree Gauss-Kruger zone 38 (Xian 1980 datum), but a "
            "boundary TXT is written in CGCS2000",
        ),
        (layer([]), {}, InputError, "The layer has no features: there is nothing to write."),
        (
            layer([LineString(RECT[:2])]),
            {},
            InputError,
            "feature QC-01 is a LineString; a boundary TXT holds polygons only.",
        ),
        (
            layer([Polygon()]),
            {},
            InputError,
            "feature QC-01 has no geometry; remove it or draw it before exporting.",
        ),
        (
            layer([Polygon(RECT)]),
            {"encoding": "big5"},
            InputError,
            "A boundary TXT is written in GBK or UTF-8, not 'big5'.",
        ),
        (
            layer([Polygon(RECT)], name=["😀地块"]),
            {},
            InputError,
            "feature QC-01: '😀地块' has characters GBK cannot hold. Export with --encoding utf-8",
        ),
        (
            layer([Polygon(RECT)]),
            {"zone": 39},
            CRSError,
            "feature QC-01 (113.39–113.39°E) lies more than 1.6° of longitude from zone 39's "
            "central meridian 117°E. A boundary TXT holds one 3-degree zone",
        ),
        (
            layer([Polygon(RECT)]),
            {"zone": 12},
            CRSError,
            "3-degree zone 12 (central meridian 36°E) is not a Chinese zone (25–45)",
        ),
        (
            layer([box(111.0, 31.0, 111.01, 31.01), box(116.5, 31.0, 116.51, 31.01)], crs=4490),
            {},
            CRSError,
            "feature QC-01 (111.00–111.01°E), feature QC-02 (116.50–116.51°E) lie more than 1.6°",
        ),
    ],
)
def test_refusals_say_what_is_wrong(gdf, kwargs, error, message):
    stream = io.BytesIO()
    with pytest.raises(error) as raised:
        write_boundary_txt(gdf, stream, **kwargs)
    assert message in str(raised.value)
    assert stream.getvalue() == b""


def test_unwritable_path_is_refused_and_nothing_left(tmp_path):
    with pytest.raises(InputError, match=r"Cannot write .*missing/out.txt"):
        write_boundary_txt(layer([Polygon(RECT)]), tmp_path / "missing" / "out.txt")
    assert list(tmp_path.iterdir()) == []


# --- round trip: TXT → GeoDataFrame → EPSG:4490 (the store) → TXT → GeoDataFrame -------------

SOURCE = """[属性描述]
格式版本号=1.01
数据产生单位=随州高新区自然资源和规划分局
数据产生日期=2021-12-1
坐标系=2000国家大地坐标系
几度分带=3
投影类型=高斯克吕格
计量单位=米
带号=38
精度=0.001
转换参数=,,,,,,
[地块坐标]
5,6.0000,QC-01,青春化工园一期01,面,,工业用地,,@
J1,1,3507712.345,38441921.100
J2,1,3507712.345,38442121.100
J3,1,3507412.345,38442121.100
J4,1,3507412.345,38441921.100
J1,1,3507712.345,38441921.100
14,5.7500,QC-02,带孔两块,面,,工业用地,,@
J1,1,3508712.345,38441921.101
J2,1,3508712.345,38442121.102
J3,1,3508412.345,38442121.103
J4,1,3508412.345,38441921.104
J1,1,3508712.345,38441921.101
J5,2,3508612.345,38441971.100
J6,2,3508562.345,38441971.100
J7,2,3508562.345,38442021.100
J8,2,3508612.345,38442021.100
J5,2,3508612.345,38441971.100
J9,3,3508712.999,38442621.007
J10,3,3508712.001,38442721.993
J11,3,3508612.456,38442721.789
J9,3,3508712.999,38442621.007
9,0.9900,QC-03,两孔,面,,村庄,,@
J1,1,3509712.345,38441921.100
J2,1,3509412.345,38441921.100
J3,1,3509412.345,38441951.100
J4,1,3509712.345,38441951.100
J1,1,3509712.345,38441921.100
J5,2,3509700.000,38441930.000
J6,2,3509690.000,38441930.000
J7,2,3509690.000,38441940.000
J5,2,3509700.000,38441930.000
J8,3,3509500.000,38441930.000
J9,3,3509490.000,38441930.000
J10,3,3509490.000,38441940.000
J8,3,3509500.000,38441930.000
"""


def point_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"^J\d+,", line)]


def test_round_trip_through_the_store_keeps_every_coordinate_and_ring(tmp_path):
    original = tmp_path / "in.txt"
    original.write_bytes(SOURCE.replace("\n", "\r\n").encode("gbk"))
    first = read_boundary_txt(original)
    assert first.notes == [
        "parcel QC-03 (line 34): the header says 9 points but the file lists 13 counting each "
        "ring's closing point (10 without)."
    ]
    stored = first.gdf.to_crs(4490)  # what the store keeps

    again = tmp_path / "out.txt"
    write_boundary_txt(stored, again, name_column="name", land_use_column="land_use")
    second = read_boundary_txt(again)

    # Every point line (name, ring, X, Y to 0.001 m) comes back identical.
    assert point_lines(again.read_bytes().decode("gbk")) == point_lines(SOURCE)
    # And so does every ring of every parcel, with holes and parts as read from the source.
    assert second.gdf.crs.to_epsg() == 4526
    for before, after in zip(first.gdf.geometry, second.gdf.geometry, strict=True):
        assert after.geom_type == before.geom_type
        assert after.equals_exact(before, tolerance=0.0005)
    kinds = [
        (g.geom_type, [len(p.interiors) for p in getattr(g, "geoms", [g])])
        for g in second.gdf.geometry
    ]
    assert kinds == [("Polygon", [0]), ("MultiPolygon", [1, 0]), ("Polygon", [2])]
    assert list(second.gdf["name"]) == ["青春化工园一期01", "带孔两块", "两孔"]
    # Hectares are recomputed from the geometry (6 ha; 6 − 0.25 + ~0.5 ha; 0.9 − 2 × 0.005 ha).
    assert list(second.gdf["declared_area_ha"]) == list((first.gdf.area / 1e4).round(4))
    assert list(second.gdf["declared_area_ha"]) == pytest.approx([6.0, 6.25, 0.89], abs=0.003)
    assert second.notes == []

"""Reading 部标 boundary TXT files: every variant of FORMAT-boundary-txt.md, hand-written bytes.

Known answers are hand-computed: the rectangle QC-01 is 200 m (easting) × 300 m (northing)
= 60 000 m² = 6.0000 ha in CGCS2000 3-degree zone 38.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon

from geo_app.errors import InputError
from geo_app.io.base import FileFormat
from geo_app.io.boundary_txt import (
    COLUMNS,
    looks_like_boundary_txt,
    read_boundary_txt,
    read_boundary_txt_bytes,
)

HEADER = [
    "[属性描述]",
    "格式版本号=1.01",
    "数据产生单位=随州高新区自然资源和规划分局",
    "数据产生日期=2021-12-1",
    "坐标系=2000国家大地坐标系",
    "几度分带=3",
    "投影类型=高斯克吕格",
    "计量单位=米",
    "带号=38",
    "精度=0.001",
    "转换参数=,,,,,,",
]
RECTANGLE = [
    "5,6.0000,QC-01,青春化工园一期01,面,,工业用地,,@",
    "J1,1,3507712.345,38441921.100",
    "J2,1,3507712.345,38442121.100",
    "J3,1,3507412.345,38442121.100",
    "J4,1,3507412.345,38441921.100",
    "J1,1,3507712.345,38441921.100",
]
#: (easting, northing) of RECTANGLE as written, in file order.
RECTANGLE_XY = [
    (38441921.100, 3507712.345),
    (38442121.100, 3507712.345),
    (38442121.100, 3507412.345),
    (38441921.100, 3507412.345),
    (38441921.100, 3507712.345),
]


def make_txt(
    parcels: list[str],
    *,
    header: list[str] | None = None,
    newline: str = "\r\n",
    encoding: str = "gbk",
) -> bytes:
    """A boundary TXT as bytes: header lines, [地块坐标], parcel lines."""
    lines = [*(HEADER if header is None else header), "[地块坐标]", *parcels]
    return (newline.join(lines) + newline).encode(encoding)


def read(data: bytes, **kwargs: object):
    return read_boundary_txt_bytes(data, source="test.txt", **kwargs)  # type: ignore[arg-type]


def exterior(geometry: Polygon) -> list[tuple[float, float]]:
    return [(round(x, 3), round(y, 3)) for x, y in geometry.exterior.coords]


# --- the standard file ------------------------------------------------------------------------


def test_standard_gbk_crlf_file_reads_every_field_and_coordinate(tmp_path):
    path = tmp_path / "报部.txt"
    path.write_bytes(make_txt(RECTANGLE))
    result = read_boundary_txt(path)

    assert result.format is FileFormat.BOUNDARY_TXT
    assert result.source == "报部.txt"
    assert result.encoding == "gb18030"
    assert "GBK" in (result.encoding_reason or "")
    assert result.gdf.crs.to_epsg() == 4526
    assert "带号=38" in (result.crs_reason or "") and "EPSG:4526" in (result.crs_reason or "")
    assert result.notes == []
    assert result.declared_area_m2_column == "declared_area_m2"
    assert result.metadata["数据产生单位"] == "随州高新区自然资源和规划分局"
    assert result.metadata["转换参数"] == ",,,,,,"
    assert list(result.gdf.columns) == [*COLUMNS, "geometry"]
    row = result.gdf.iloc[0]
    assert row["id"] == "QC-01"
    assert row["name"] == "青春化工园一期01"
    assert row["geometry_kind"] == "面"
    assert row["land_use"] == "工业用地"
    assert pd.isna(row["map_sheet"]) and pd.isna(row["land_class_code"])
    assert row["declared_area_ha"] == pytest.approx(6.0)
    assert row["declared_area_m2"] == pytest.approx(60000.0)
    assert row["point_count_declared"] == 5
    assert isinstance(row.geometry, Polygon)
    assert exterior(row.geometry) == RECTANGLE_XY


def test_known_answer_rectangle_area_matches_declared_hectares():
    result = read(make_txt(RECTANGLE))
    geometry = result.gdf.geometry.iloc[0]
    assert geometry.area == pytest.approx(200.0 * 300.0, abs=1e-6)  # hand-computed
    assert result.gdf["declared_area_m2"].iloc[0] == pytest.approx(geometry.area)
    # The ellipsoidal area (pyproj.Geod) agrees with the GK plane to within 0.01 % here.
    lonlat = result.gdf.to_crs(4490).geometry.iloc[0]
    geodesic_m2, _ = Geod(ellps="GRS80").geometry_area_perimeter(lonlat)
    assert abs(geodesic_m2) == pytest.approx(60000.0, rel=1e-4)


def test_file_name_and_missing_file_message(tmp_path):
    with pytest.raises(InputError, match="nope.txt: no such file"):
        read_boundary_txt(tmp_path / "nope.txt")
    path = tmp_path / "a.txt"
    path.write_bytes(make_txt(RECTANGLE))
    assert read_boundary_txt(path, source="上传.txt").source == "上传.txt"


# --- encodings and line ends ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "bom", "expected_codec", "reason_word"),
    [
        ("gbk", b"", "gb18030", "GBK"),
        ("gb18030", b"", "gb18030", "GBK"),
        ("utf-8", b"", "utf-8", "UTF-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig", "byte-order mark"),
    ],
)
@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_encodings_and_line_ends_read_the_same(codec, bom, expected_codec, reason_word, newline):
    data = bom + make_txt(RECTANGLE, newline=newline, encoding=codec)
    result = read(data)
    assert result.encoding == expected_codec
    assert reason_word in (result.encoding_reason or "")
    assert result.gdf["name"].iloc[0] == "青春化工园一期01"
    assert result.metadata["坐标系"] == "2000国家大地坐标系"
    assert exterior(result.gdf.geometry.iloc[0]) == RECTANGLE_XY
    assert result.notes == []


def test_encoding_override_is_used_and_reported():
    result = read(make_txt(RECTANGLE), encoding="GBK")
    assert result.encoding == "gb18030"
    assert result.encoding_reason == "given with --encoding GBK"
    assert result.gdf["name"].iloc[0] == "青春化工园一期01"


def test_wrong_encoding_override_names_the_line():
    with pytest.raises(InputError, match=r"test.txt: line 1 is not valid utf-8 text.*--encoding"):
        read(make_txt(RECTANGLE), encoding="utf-8")


def test_unknown_encoding_name_is_refused():
    with pytest.raises(InputError, match="'klingon' is not a known text encoding"):
        read(make_txt(RECTANGLE), encoding="klingon")


# --- lenient reading --------------------------------------------------------------------------


def test_full_width_punctuation_and_digits_are_read_but_names_kept():
    parcels = [
        "５，６．００００，QC－01，青春化工园（一期），面，，工业用地，，＠",
        "J1，1，３５０７７１２．３４５，３８４４１９２１．１００",
        "J2，1，3507712.345，38442121.100",
        "J3，1，3507412.345，38442121.100",
        "J4，1，3507412.345，38441921.100",
        "J1，1，3507712.345，38441921.100",
    ]
    header = [line.replace("=", "＝") for line in HEADER]
    result = read(make_txt(parcels, header=header))
    row = result.gdf.iloc[0]
    assert result.gdf.crs.to_epsg() == 4526
    assert result.metadata["带号"] == "38"
    assert exterior(row.geometry) == RECTANGLE_XY
    assert row["declared_area_ha"] == pytest.approx(6.0)
    assert row["point_count_declared"] == 5
    assert row["name"] == "青春化工园（一期）"  # text fields exactly as written
    assert row["id"] == "QC－01"
    assert result.notes == []


def test_blank_lines_spaces_and_other_brackets_are_tolerated():
    lines = [
        "",
        "  【属性描述】 ",
        " 坐标系 = 2000国家大地坐标系 ",
        "",
        "带号=38",
        "\u3000",
        "[ 地块坐标 ]",
        "",
        " 5 , 6.0000 , QC-01 , 青春化工园一期01 , 面 , , 工业用地 , , @ ",
        "",
        " J1 , 1 , 3507712.345 , 38441921.100 ",
        "J2, 1,3507712.345 ,38442121.100",
        "\tJ3,1,3507412.345,38442121.100\t",
        "",
        "J4,1,3507412.345,38441921.100",
        "J1,1,3507712.345,38441921.100",
        "",
    ]
    result = read("\r\n".join(lines).encode("gbk"))
    row = result.gdf.iloc[0]
    assert row["name"] == "青春化工园一期01"
    assert exterior(row.geometry) == RECTANGLE_XY
    assert result.gdf.crs.to_epsg() == 4526
    assert result.metadata["坐标系"] == "2000国家大地坐标系"
    assert result.notes == []


def test_reordered_aliased_and_extra_header_keys():
    header = [
        "[属性描述]",
        "备注=二期报批",
        "投影带号=38",
        "坐标系统=CGCS2000",
        "分带方式=3度带",
        "数据产生单位=随州高新区",
    ]
    result = read(make_txt(RECTANGLE, header=header))
    assert result.gdf.crs.to_epsg() == 4526
    assert result.metadata == {
        "备注": "二期报批",
        "带号": "38",
        "坐标系": "CGCS2000",
        "几度分带": "3度带",
        "数据产生单位": "随州高新区",
    }
    assert result.notes == []


def test_unknown_sections_are_ignored_and_their_text_kept():
    header = [*HEADER, "[项目信息]", "项目名称=青春化工园", "批次=2021-3"]
    parcels = [*RECTANGLE, "[扩展信息]", "某字段=1", "5,不是地块,@"]
    result = read(make_txt(parcels, header=header))
    assert len(result.gdf) == 1
    assert result.extra_sections == {
        "项目信息": "项目名称=青春化工园\n批次=2021-3",
        "扩展信息": "某字段=1\n5,不是地块,@",
    }
    assert "项目名称" not in result.metadata


def test_text_before_the_first_section_is_noted():
    result = read(make_txt(RECTANGLE, header=["界址点坐标文件", *HEADER]))
    assert result.notes == ["Line 1 before the first section is not key=value and was ignored."]


def test_long_parcel_header_keeps_extra_fields_by_position():
    parcels = [
        "5,6.0000,QC-01,青春化工园,面,H-49-G-1,工业用地,0601,随州市,高新区,批次3,@",
        *RECTANGLE[1:],
        "5,6.0000,QC-02,第二块,面,,工业用地,,@",
        *RECTANGLE[1:],
    ]
    gdf = read(make_txt(parcels)).gdf
    assert list(gdf.columns) == [*COLUMNS, "extra_1", "extra_2", "extra_3", "geometry"]
    first, second = gdf.iloc[0], gdf.iloc[1]
    assert first["map_sheet"] == "H-49-G-1"
    assert first["land_class_code"] == "0601"
    assert [first["extra_1"], first["extra_2"], first["extra_3"]] == ["随州市", "高新区", "批次3"]
    assert pd.isna(second["extra_1"]) and pd.isna(second["land_class_code"])


def test_short_parcel_header_leaves_missing_fields_empty():
    parcels = ["5,6.0000,QC-01@", *RECTANGLE[1:]]
    row = read(make_txt(parcels)).gdf.iloc[0]
    assert row["id"] == "QC-01"
    assert pd.isna(row["name"]) and pd.isna(row["land_use"]) and pd.isna(row["geometry_kind"])


@pytest.mark.parametrize(
    "area",
    [
        "6.0000",
        "6.0000公顷",
        "90亩",
        "60000平方米",
        "6ha",
        "6 HA",
        "60000㎡",
        "60000m²",
        "0.06平方公里",
    ],
)
def test_declared_area_with_a_unit(area):
    parcels = [f"5,{area},QC-01,青春化工园,面,,工业用地,,@", *RECTANGLE[1:]]
    result = read(make_txt(parcels, encoding="utf-8"))
    row = result.gdf.iloc[0]
    assert row["declared_area_ha"] == pytest.approx(6.0)
    assert row["declared_area_m2"] == pytest.approx(60000.0)
    assert result.notes == []


def test_declared_area_without_a_known_unit_is_left_empty_with_a_note():
    parcels = ["5,6.0英亩,QC-01,青春化工园,面,,工业用地,,@", *RECTANGLE[1:]]
    result = read(make_txt(parcels))
    assert math.isnan(result.gdf["declared_area_ha"].iloc[0])
    assert math.isnan(result.gdf["declared_area_m2"].iloc[0])
    assert result.notes == [
        "parcel QC-01 (line 13): 地块面积 '6.0英亩' is not an area (hectares, or a number "
        "with 公顷, 亩 or 平方米); the declared area is left empty."
    ]


@pytest.mark.parametrize("count", ["5", "4", ""])
def test_point_count_with_or_without_the_closing_point_is_accepted(count):
    parcels = [f"{count},6.0000,QC-01,青春化工园,面,,工业用地,,@", *RECTANGLE[1:]]
    result = read(make_txt(parcels))
    assert result.notes == []
    value = result.gdf["point_count_declared"].iloc[0]
    assert (str(value) == "<NA>") if count == "" else (value == int(count))


def test_point_count_that_disagrees_is_noted():
    parcels = ["7,6.0000,QC-01,青春化工园,面,,工业用地,,@", *RECTANGLE[1:]]
    result = read(make_txt(parcels))
    assert result.notes == [
        "parcel QC-01 (line 13): the header says 7 points but the file lists 5 counting each "
        "ring's closing point (4 without)."
    ]
    assert len(result.gdf) == 1


def test_numeric_point_names_and_lines_without_ring_number():
    parcels = (
        [RECTANGLE[0]]
        + [line.replace("J", "") for line in RECTANGLE[1:3]]
        + [  # 点号,X,Y: no 圈号
            "3,3507412.345,38442121.100",
            "4,3507412.345,38441921.100",
            "1,3507712.345,38441921.100",
        ]
    )
    result = read(make_txt(parcels))
    assert exterior(result.gdf.geometry.iloc[0]) == RECTANGLE_XY
    assert result.notes == []


def test_record_kind_other_than_polygon_is_noted():
    parcels = ["5,6.0000,QC-01,青春化工园,线,,工业用地,,@", *RECTANGLE[1:]]
    result = read(make_txt(parcels))
    assert result.notes == [
        "parcel QC-01 (line 13): 记录图形属性 is '线', not 面; read as a polygon."
    ]


# --- rings: holes, parts, closure -------------------------------------------------------------

SQUARE_HOLE = [  # 50 m square inside the rectangle
    "J5,2,3507612.345,38441971.100",
    "J6,2,3507612.345,38442021.100",
    "J7,2,3507562.345,38442021.100",
    "J8,2,3507562.345,38441971.100",
    "J5,2,3507612.345,38441971.100",
]
SQUARE_APART = [  # 100 m square 500 m east of the rectangle
    "J5,2,3507712.345,38442621.100",
    "J6,2,3507712.345,38442721.100",
    "J7,2,3507612.345,38442721.100",
    "J8,2,3507612.345,38442621.100",
    "J5,2,3507712.345,38442621.100",
]


def test_a_ring_inside_the_first_is_a_hole():
    parcels = [RECTANGLE[0].replace("5,", "10,", 1), *RECTANGLE[1:], *SQUARE_HOLE]
    result = read(make_txt(parcels))
    geometry = result.gdf.geometry.iloc[0]
    assert isinstance(geometry, Polygon)
    assert len(geometry.interiors) == 1
    assert [(round(x, 3), round(y, 3)) for x, y in geometry.interiors[0].coords][:2] == [
        (38441971.1, 3507612.345),
        (38442021.1, 3507612.345),
    ]
    assert geometry.area == pytest.approx(60000.0 - 2500.0, abs=1e-6)
    assert result.notes == []


def test_a_ring_outside_the_first_is_a_second_part():
    parcels = [RECTANGLE[0].replace("5,", "10,", 1), *RECTANGLE[1:], *SQUARE_APART]
    geometry = read(make_txt(parcels)).gdf.geometry.iloc[0]
    assert isinstance(geometry, MultiPolygon)
    assert len(geometry.geoms) == 2
    assert exterior(geometry.geoms[0]) == RECTANGLE_XY
    assert all(len(part.interiors) == 0 for part in geometry.geoms)
    assert geometry.area == pytest.approx(60000.0 + 10000.0, abs=1e-6)


def test_hole_listed_before_its_shell_and_an_island_inside_the_hole():
    island = [  # 10 m square inside the 50 m hole
        "J9,3,3507592.345,38441991.100",
        "J10,3,3507592.345,38442001.100",
        "J11,3,3507582.345,38442001.100",
        "J12,3,3507582.345,38441991.100",
        "J9,3,3507592.345,38441991.100",
    ]
    hole_first = [line.replace(",2,", ",1,") for line in SQUARE_HOLE]
    shell_second = [line.replace(",1,", ",2,") for line in RECTANGLE[1:]]
    parcels = ["15,5.7600,QC-01,套合,面,,工业用地,,@", *hole_first, *shell_second, *island]
    geometry = read(make_txt(parcels)).gdf.geometry.iloc[0]
    assert isinstance(geometry, MultiPolygon)
    shell, islet = geometry.geoms
    assert exterior(shell) == RECTANGLE_XY
    assert len(shell.interiors) == 1
    assert islet.area == pytest.approx(100.0, abs=1e-6)
    assert geometry.area == pytest.approx(60000.0 - 2500.0 + 100.0, abs=1e-6)


def test_an_unclosed_ring_is_closed_with_a_note():
    result = read(make_txt(RECTANGLE[:-1]))
    assert exterior(result.gdf.geometry.iloc[0]) == RECTANGLE_XY
    assert result.notes == [
        "parcel QC-01 (line 13): ring 圈号 1 from line 14 was not closed; closed it with its "
        "first point."
    ]


def test_several_parcels_per_file():
    second = [line.replace("3507", "3508") for line in RECTANGLE]
    second[0] = "5,6.0000,QC-02,青春化工园一期02,面,,工业用地,,@"
    third = [line.replace("3507", "3509") for line in RECTANGLE]
    third[0] = "5,6.0000,QC-03,青春化工园二期01,面,,工业用地,,@"
    gdf = read(make_txt([*RECTANGLE, *second, *third])).gdf
    assert list(gdf["id"]) == ["QC-01", "QC-02", "QC-03"]
    assert [round(g.bounds[1], 3) for g in gdf.geometry] == [3507412.345, 3508412.345, 3509412.345]
    assert list(gdf.area.round(6)) == [60000.0] * 3


# --- damaged parcels are skipped, said aloud --------------------------------------------------


def test_a_degenerate_hole_is_skipped_and_the_parcel_kept():
    parcels = [
        RECTANGLE[0].replace("5,", "8,", 1),
        *RECTANGLE[1:],
        "J5,2,3507612.345,38441971.100",
        "J6,2,3507612.345,38442021.100",
        "J5,2,3507612.345,38441971.100",
    ]
    result = read(make_txt(parcels))
    geometry = result.gdf.geometry.iloc[0]
    assert isinstance(geometry, Polygon) and len(geometry.interiors) == 0
    assert result.notes == [
        "parcel QC-01 (line 13): ring 圈号 2 from line 19 has fewer than 3 distinct points and "
        "was skipped."
    ]


def test_a_parcel_with_no_usable_ring_is_skipped_and_the_others_read():
    bad = [
        "3,1.0000,QC-BAD,坏地块,面,,工业用地,,@",
        "J1,1,3507712.345,38441921.100",
        "J2,1,3507712.345,38442121.100",
        "J1,1,3507712.345,38441921.100",
    ]
    result = read(make_txt([*bad, *RECTANGLE]))
    assert list(result.gdf["id"]) == ["QC-01"]
    assert "parcel QC-BAD (line 13) was NOT read: no ring has 3 distinct points." in result.notes


def test_a_non_numeric_coordinate_skips_its_parcel_with_the_line_number():
    bad = [line.replace("QC-01", "QC-02") for line in RECTANGLE]
    bad[2] = "J2,1,3507712.345,3844212l.100"
    result = read(make_txt([*RECTANGLE, *bad]))
    assert list(result.gdf["id"]) == ["QC-01"]
    assert result.notes == [
        "parcel QC-02 (line 19) was NOT read: line 21: coordinate '3844212l.100' is not a number."
    ]


def test_a_stray_line_inside_a_parcel_skips_it():
    bad = [*RECTANGLE[:3], "见附图", *RECTANGLE[3:]]
    with pytest.raises(InputError) as error:
        read(make_txt(bad))
    message = str(error.value)
    assert message.startswith("No parcel in test.txt could be read:")
    assert (
        "line 16: '见附图' is neither a point line (点号,圈号,X,Y) nor a parcel header" in message
    )
    assert message.endswith("Fix these lines and read the file again.")


def test_a_bad_ring_number_skips_its_parcel():
    bad = [RECTANGLE[0], "J1,一,3507712.345,38441921.100", *RECTANGLE[2:]]
    second = [line.replace("QC-01", "QC-02") for line in RECTANGLE]
    result = read(make_txt([*bad, *second]))
    assert list(result.gdf["id"]) == ["QC-02"]
    assert result.notes == [
        "parcel QC-01 (line 13) was NOT read: line 14: 圈号 '一' is not a whole number."
    ]


def test_a_parcel_header_without_points_is_noted():
    result = read(make_txt(["1,0.1,EMPTY,空,面,,,,@", *RECTANGLE]))
    assert list(result.gdf["id"]) == ["QC-01"]
    assert result.notes == ["parcel EMPTY (line 13) was NOT read: it has no point lines."]


# --- files that cannot be read: one message each ----------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "test.txt is empty. Choose the boundary TXT that holds the parcels."),
        (b" \r\n\r\n\t", "test.txt is empty."),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "test.txt is a binary file (or UTF-16 text), not a boundary TXT.",
        ),
        (
            "[地块坐标]\r\n".encode("utf-16"),
            "test.txt is a binary file (or UTF-16 text), not a boundary TXT.",
        ),
        (
            b"\xff\xfe\xfd\x81\x30 text",
            "test.txt: line 1 is not valid UTF-8 or GBK/GB18030 text (the file may be "
            "damaged). Give the file's encoding with --encoding (gbk or utf-8), or fix that line.",
        ),
        (
            "\r\n".join(HEADER).encode("gbk"),
            "test.txt has no [地块坐标] section, so it is not a 部标 boundary coordinate file",
        ),
        (
            b"x,y\r\n113.38,31.69\r\n",
            "test.txt has no [地块坐标] section",
        ),
        (
            make_txt([]),
            "test.txt: [地块坐标] holds no parcel (no line ends in @).",
        ),
        (
            make_txt(RECTANGLE[1:]),
            "Line 13: a point line comes before any parcel header line in [地块坐标]. Each parcel "
            "starts with a line such as '5,6.0000,ID,名称,面,,用途,,@'; add it",
        ),
        (
            make_txt(["说明：以下为坐标", *RECTANGLE]),
            "Line 13: '说明：以下为坐标' comes before any parcel header line",
        ),
    ],
)
def test_unreadable_files_give_one_clear_message(data, message):
    with pytest.raises(InputError) as error:
        read(data)
    assert message in str(error.value)


def test_eastings_of_two_zones_are_refused_with_both_lines():
    second = [line.replace("QC-01", "QC-02").replace(",3844", ",3944") for line in RECTANGLE]
    with pytest.raises(InputError) as error:
        read(make_txt([*RECTANGLE, *second]))
    assert str(error.value) == (
        "Line 20: easting 39441921.100 (zone prefix 39) does not match line 14's 38441921.100 "
        "(zone prefix 38). One file holds one Gauss-Krüger zone: correct the coordinate or "
        "split the file by zone."
    )


def test_a_typo_dropping_the_zone_prefix_is_refused_with_its_line():
    bad = list(RECTANGLE)
    bad[3] = "J3,1,3507412.345,442121.100"
    with pytest.raises(InputError, match=r"Line 16: easting 442121.100 \(no zone prefix\)"):
        read(make_txt(bad))


def test_looks_like_boundary_txt():
    assert looks_like_boundary_txt(make_txt(RECTANGLE))
    assert looks_like_boundary_txt(make_txt(RECTANGLE, encoding="utf-8"))
    assert looks_like_boundary_txt("【地块坐标】\n".encode("gbk"))
    assert not looks_like_boundary_txt(b"x,y\n113.38,31.69\n")
    assert not looks_like_boundary_txt("\r\n".join(HEADER).encode("gbk"))


def test_a_damaged_byte_names_its_line():
    data = make_txt(RECTANGLE).replace("青春".encode("gbk"), b"\xff\xfe", 1)
    with pytest.raises(InputError) as error:
        read(data)
    assert str(error.value) == (
        "test.txt: line 13 is not valid UTF-8 or GBK/GB18030 text (the file may be damaged). "
        "Give the file's encoding with --encoding (gbk or utf-8), or fix that line."
    )

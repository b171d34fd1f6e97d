"""Property: no mutation of a valid boundary TXT makes the reader fail with anything but a
GeoAppError (a message for the user), and what it does return is well formed."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS
from shapely.geometry import MultiPolygon, Polygon

from geo_app.errors import GeoAppError
from geo_app.io.boundary_txt import COLUMNS, read_boundary_txt, read_boundary_txt_bytes

VALID = """[属性描述]
格式版本号=1.01
数据产生单位=随州高新区自然资源和规划分局
坐标系=2000国家大地坐标系
几度分带=3
投影类型=高斯克吕格
计量单位=米
带号=38
精度=0.001
转换参数=,,,,,,
[项目信息]
项目名称=青春化工园
[地块坐标]
5,6.0000,QC-01,青春化工园一期01,面,,工业用地,,@
J1,1,3507712.345,38441921.100
J2,1,3507712.345,38442121.100
J3,1,3507412.345,38442121.100
J4,1,3507412.345,38441921.100
J1,1,3507712.345,38441921.100
10,5.7500公顷,QC-02,带孔二期,面,H49,工业用地,0601,扩展1,扩展2,@
J1,1,3508712.345,38441921.100
J2,1,3508712.345,38442121.100
J3,1,3508412.345,38442121.100
J4,1,3508412.345,38441921.100
J1,1,3508712.345,38441921.100
J5,2,3508612.345,38441971.100
J6,2,3508562.345,38441971.100
J7,2,3508562.345,38442021.100
J8,2,3508612.345,38442021.100
J5,2,3508612.345,38441971.100
4,90亩,QC-03,分开两块,面,,村庄,,@
1,1,3509712.345,38441921.100
2,1,3509412.345,38441921.100
3,1,3509412.345,38441951.100
1,1,3509712.345,38441921.100
4,2,3509712.345,38442921.100
5,2,3509412.345,38442921.100
6,2,3509412.345,38442951.100
4,2,3509712.345,38442921.100
"""

CODECS = ["gbk", "gb18030", "utf-8", "utf-8-sig", "utf-16", "big5", "shift_jis", "latin-1"]
PUNCTUATION = list(",，@＠=＝:：[]【】［］.．-－ \t\u3000\r\n\ufeff0１J面")


def base_bytes(codec: str, newline: str) -> bytes:
    return VALID.replace("\n", newline).encode(codec, errors="replace")


mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10_000), st.integers(0, 255)),
    st.tuples(st.just("delete_line"), st.integers(0, 200)),
    st.tuples(st.just("duplicate_line"), st.integers(0, 200)),
    st.tuples(st.just("swap_lines"), st.integers(0, 200), st.integers(0, 200)),
    st.tuples(st.just("truncate"), st.integers(0, 10_000)),
    st.tuples(st.just("insert"), st.integers(0, 10_000), st.sampled_from(PUNCTUATION)),
    st.tuples(st.just("reencode"), st.sampled_from(CODECS)),
)


def mutate(data: bytes, operation: tuple) -> bytes:
    kind = operation[0]
    if kind == "flip" and data:
        index = operation[1] % len(data)
        return data[:index] + bytes([operation[2]]) + data[index + 1 :]
    if kind == "truncate":
        return data[: operation[1] % (len(data) + 1)]
    if kind == "insert":
        index = operation[1] % (len(data) + 1)
        return data[:index] + operation[2].encode("utf-8") + data[index:]
    if kind == "reencode":
        text = data.decode("gb18030", errors="replace")
        return text.encode(operation[1], errors="replace")
    lines = data.split(b"\n")
    if kind == "delete_line" and lines:
        del lines[operation[1] % len(lines)]
    elif kind == "duplicate_line" and lines:
        index = operation[1] % len(lines)
        lines.insert(index, lines[index])
    elif kind == "swap_lines" and lines:
        i, j = operation[1] % len(lines), operation[2] % len(lines)
        lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def check_result(result) -> None:
    gdf = result.gdf
    assert len(gdf) >= 1
    assert list(gdf.columns[: len(COLUMNS)]) == list(COLUMNS)
    assert gdf.geometry.name == "geometry"
    for geometry in gdf.geometry:
        assert isinstance(geometry, Polygon | MultiPolygon)
        assert not geometry.is_empty
    assert gdf.crs is None or CRS.from_user_input(gdf.crs).is_projected
    assert all(isinstance(note, str) and note for note in result.notes)
    assert result.crs_reason


@settings(max_examples=200, deadline=None)
@given(
    codec=st.sampled_from(["gbk", "utf-8", "utf-8-sig", "gb18030"]),
    newline=st.sampled_from(["\r\n", "\n", "\r"]),
    operations=st.lists(mutation, min_size=1, max_size=6),
    override=st.sampled_from([None, None, None, "gbk", "utf-8"]),
)
def test_mutated_files_never_crash_the_reader(codec, newline, operations, override):
    data = base_bytes(codec, newline)
    for operation in operations:
        data = mutate(data, operation)
    try:
        result = read_boundary_txt_bytes(data, encoding=override, source="mutated.txt")
    except GeoAppError as error:
        assert str(error)
    else:
        check_result(result)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes_from_a_file_never_crash_the_reader(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "any.txt"
        path.write_bytes(data)
        try:
            result = read_boundary_txt(path)
        except GeoAppError as error:
            assert str(error)
        else:
            check_result(result)


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.text(alphabet=st.sampled_from(list("0123456789.,J@=[]地块坐标圈 -\t")), max_size=40),
        max_size=30,
    )
)
def test_structured_noise_under_the_section_never_crashes(lines):
    data = ("[地块坐标]\r\n" + "\r\n".join(lines)).encode("gbk")
    try:
        result = read_boundary_txt_bytes(data, source="noise.txt")
    except GeoAppError as error:
        assert str(error)
    else:
        check_result(result)


def test_the_unmutated_base_files_read_cleanly():
    for codec in ("gbk", "gb18030", "utf-8", "utf-8-sig"):
        result = read_boundary_txt_bytes(base_bytes(codec, "\r\n"), source="base.txt")
        check_result(result)
        assert list(result.gdf["id"]) == ["QC-01", "QC-02", "QC-03"]
        kinds = [g.geom_type for g in result.gdf.geometry]
        assert kinds == ["Polygon", "Polygon", "MultiPolygon"]
        assert len(result.gdf.geometry.iloc[1].interiors) == 1
        assert result.gdf["name"].iloc[1] == "带孔二期"
        assert result.extra_sections == {"项目信息": "项目名称=青春化工园"}
        assert result.gdf.crs.to_epsg() == 4526

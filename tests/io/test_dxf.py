"""Reading DXF red-line drawings: drawings generated with ezdxf, known areas by hand.

Known answers: a 100 × 50 rectangle with a semicircle of radius 50 on its top side
(bulge 1) is 5000 + 1250π m²; the same with the semicircle bitten out of a 100 × 100
square (bulge −1) is 10000 − 1250π m². Flattening with 1 mm chords loses at most
(2/3)·arc length·1 mm ≈ 0.105 m² on a semicircle of radius 50.
"""

from __future__ import annotations

import math
from pathlib import Path

import ezdxf
import pytest
from shapely.geometry import Polygon

from geo_app.errors import InputError
from geo_app.io.base import FileFormat
from geo_app.io.dxf import COLUMNS, read_dxf

SEMICIRCLE_LOSS_M2 = 2.0 / 3.0 * math.pi * 50 * 0.001
#: A 200 m × 300 m parcel in CGCS2000 GK zone 38 (zone-prefixed eastings).
E0, N0 = 38441921.100, 3507412.345


def new_doc(version: str = "R2000", *, gbk: bool = True) -> ezdxf.document.Drawing:
    doc = ezdxf.new(version)
    if gbk and version in ("R12", "R2000", "R2004"):
        doc.encoding = "gbk"  # written as $DWGCODEPAGE=ANSI_936, text in GBK bytes
    return doc


def rectangle(x: float, y: float, w: float, h: float) -> list[tuple[float, float]]:
    return [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]


def save(doc: ezdxf.document.Drawing, tmp_path: Path, name: str = "红线图.dxf") -> Path:
    path = tmp_path / name
    doc.saveas(path)
    return path


def test_r2000_gbk_drawing_keeps_chinese_layers_and_labels(tmp_path: Path) -> None:
    doc = new_doc("R2000")
    msp = doc.modelspace()
    msp.add_lwpolyline(rectangle(E0, N0, 200, 300), close=True, dxfattribs={"layer": "用地红线"})
    msp.add_text("青春化工园一期01", dxfattribs={"layer": "标注", "insert": (E0 + 50, N0 + 150)})
    path = save(doc, tmp_path)
    assert "ANSI_936" in path.read_text("latin-1")
    assert "用地红线".encode("gbk") in path.read_bytes()

    result = read_dxf(path)

    assert result.format is FileFormat.DXF
    assert result.source == "红线图.dxf"
    assert list(result.gdf.columns) == [*COLUMNS, "geometry"]
    assert result.gdf.crs is None
    assert result.gdf["layer"].tolist() == ["用地红线"]
    assert result.gdf["name"].tolist() == ["青春化工园一期01"]
    assert result.gdf.geometry[0].area == pytest.approx(60_000.0, abs=1e-6)
    assert result.encoding == "gb18030"
    assert result.encoding_reason == (
        "R2000 DXF ($ACADVER=AC1015) with $DWGCODEPAGE=ANSI_936 (GBK, read as GB18030, "
        "its superset)"
    )
    assert result.crs_reason == (
        "a DXF drawing declares no coordinate system; inferred from the coordinates"
    )
    assert result.notes == []


def test_r2018_drawing_is_utf8(tmp_path: Path) -> None:
    doc = new_doc("R2018")
    msp = doc.modelspace()
    msp.add_lwpolyline(rectangle(0, 0, 10, 10), close=True, dxfattribs={"layer": "红线"})
    msp.add_mtext("二号地块", dxfattribs={"insert": (5, 5)})
    result = read_dxf(save(doc, tmp_path), source="upload.dxf")
    assert result.source == "upload.dxf"
    assert result.encoding == "utf-8"
    assert result.encoding_reason == "R2018 DXF ($ACADVER=AC1032): R2007+ DXF is always UTF-8"
    assert result.gdf["name"].tolist() == ["二号地块"]
    assert result.gdf["layer"].tolist() == ["红线"]


def test_bulge_arc_is_flattened_onto_the_circle(tmp_path: Path) -> None:
    doc = new_doc("R2000")
    # (100, 50) → (0, 50) with bulge 1: a counter-clockwise semicircle above the rectangle
    doc.modelspace().add_lwpolyline(
        [(0, 0, 0), (100, 0, 0), (100, 50, 1), (0, 50, 0)], format="xyb", close=True
    )
    geom = read_dxf(save(doc, tmp_path)).gdf.geometry[0]
    exact = 5000 + 1250 * math.pi
    assert exact - SEMICIRCLE_LOSS_M2 - 1e-6 <= geom.area <= exact
    assert geom.bounds == pytest.approx((0.0, 0.0, 100.0, 100.0), abs=0.001)  # the tolerance
    arc = [(x, y) for x, y in geom.exterior.coords if y > 50]
    assert len(arc) > 100
    assert all(math.hypot(x - 50, y - 50) == pytest.approx(50, abs=1e-9) for x, y in arc)


def test_negative_bulge_bites_into_the_polygon(tmp_path: Path) -> None:
    doc = new_doc("R2018")
    doc.modelspace().add_lwpolyline(
        [(0, 0, 0), (100, 0, 0), (100, 100, -1), (0, 100, 0)], format="xyb", close=True
    )
    geom = read_dxf(save(doc, tmp_path)).gdf.geometry[0]
    exact = 10000 - 1250 * math.pi
    assert exact <= geom.area <= exact + SEMICIRCLE_LOSS_M2 + 1e-6
    assert geom.is_valid


def test_closed_by_repeating_the_first_point_and_2d_3d_polylines(tmp_path: Path) -> None:
    doc = new_doc("R2000")
    msp = doc.modelspace()
    ring = rectangle(0, 0, 10, 20)
    msp.add_lwpolyline([*ring, ring[0]], dxfattribs={"layer": "A"})  # no closed flag
    msp.add_polyline2d(rectangle(100, 0, 30, 10), close=True, dxfattribs={"layer": "B"})
    msp.add_polyline3d([(x, y, 5.0) for x, y in rectangle(200, 0, 4, 5)], close=True,
                       dxfattribs={"layer": "C"})
    result = read_dxf(save(doc, tmp_path))
    assert result.gdf["layer"].tolist() == ["A", "B", "C"]
    assert result.gdf.area.tolist() == pytest.approx([200.0, 300.0, 20.0])
    assert not result.gdf.geometry.has_z.any()


def test_nested_and_adjacent_parcels_get_their_own_labels(tmp_path: Path) -> None:
    doc = new_doc("R2000")
    msp = doc.modelspace()
    msp.add_lwpolyline(rectangle(0, 0, 100, 100), close=True, dxfattribs={"layer": "红线"})
    msp.add_lwpolyline(rectangle(100, 0, 50, 100), close=True, dxfattribs={"layer": "红线"})
    msp.add_lwpolyline(rectangle(20, 20, 10, 10), close=True, dxfattribs={"layer": "保留用地"})
    msp.add_text("甲地块", dxfattribs={"insert": (60, 60)})
    msp.add_text("乙地块", dxfattribs={"insert": (120, 50)})
    msp.add_text("丙", dxfattribs={"insert": (25, 25)})  # inside the small one, also in 甲
    result = read_dxf(save(doc, tmp_path))
    assert result.gdf["name"].tolist() == ["甲地块", "乙地块", "丙"]
    assert result.gdf["layer"].tolist() == ["红线", "红线", "保留用地"]
    assert result.notes == [
        "1 closed polyline(s) lie inside another one; each is kept as its own parcel (not as "
        "a hole). Check whether they are holes or parcels within a parcel."
    ]


def test_several_labels_join_in_reading_order_and_outside_labels_are_noted(
    tmp_path: Path,
) -> None:
    doc = new_doc("R2000")
    msp = doc.modelspace()
    msp.add_lwpolyline(rectangle(0, 0, 100, 100), close=True)
    msp.add_text("DK-07", dxfattribs={"insert": (10, 40)})
    msp.add_text("工业用地", dxfattribs={"insert": (60, 40)})
    msp.add_text("青春化工园", dxfattribs={"insert": (10, 80)})
    msp.add_text("J1", dxfattribs={"insert": (1, 1)})
    msp.add_text("J2", dxfattribs={"insert": (99, 1)})
    for i, text in enumerate(["图例", "比例尺 1:2000", "制图单位", "审核", "日期", "坐标系"]):
        msp.add_text(text, dxfattribs={"insert": (300 + i, 0)})
    result = read_dxf(save(doc, tmp_path))
    assert result.gdf["name"].tolist() == ["青春化工园 DK-07 工业用地"]
    assert result.notes == [
        "6 text label(s) lie outside every closed polyline and name no parcel: '图例', "
        "'比例尺 1:2000', '制图单位', '审核', '日期' ….",
        "2 boundary-point label(s) (J1, J2…) were not used as names.",
    ]


def test_open_lines_are_skipped_with_their_layers(tmp_path: Path) -> None:
    doc = new_doc("R2000")
    msp = doc.modelspace()
    msp.add_lwpolyline(rectangle(0, 0, 10, 10), close=True, dxfattribs={"layer": "红线"})
    msp.add_line((0, 0), (50, 50), dxfattribs={"layer": "道路"})
    msp.add_line((0, 5), (50, 55), dxfattribs={"layer": "道路"})
    msp.add_lwpolyline([(0, 0), (5, 9), (9, 0)], dxfattribs={"layer": "河流"})
    result = read_dxf(save(doc, tmp_path))
    assert len(result.gdf) == 1
    assert result.notes == [
        "Skipped 3 open line(s) (LINE, ARC or unclosed polyline), not parcels, on layer(s) "
        "道路 (2), 河流 (1). If one is a red line, close it in CAD (PEDIT → Close)."
    ]


def test_only_open_lines_is_refused(tmp_path: Path) -> None:
    doc = new_doc("R2000")
    msp = doc.modelspace()
    for a, b in zip(rectangle(0, 0, 10, 10), rectangle(0, 0, 10, 10)[1:], strict=False):
        msp.add_line(a, b, dxfattribs={"layer": "红线"})
    msp.add_lwpolyline([(0, 0), (5, 9), (9, 0)], dxfattribs={"layer": "红线"})
    with pytest.raises(InputError) as err:
        read_dxf(save(doc, tmp_path))
    assert str(err.value) == (
        "红线图.dxf has only open lines (4, on layers 红线 (4)) and no closed polyline. The "
        "red line must be drawn as closed polylines: in CAD, join the lines (PEDIT → Join) "
        "and close them (PEDIT → Close), then save the DXF again."
    )


def test_drawing_without_lines_is_refused(tmp_path: Path) -> None:
    doc = new_doc("R2018")
    doc.modelspace().add_circle((0, 0), 5)
    doc.modelspace().add_text("说明", dxfattribs={"insert": (0, 0)})
    with pytest.raises(InputError) as err:
        read_dxf(save(doc, tmp_path, "a.dxf"))
    assert str(err.value) == (
        "a.dxf has no closed polyline in model space (it holds CIRCLE (1), 1 text labels). "
        "Draw each parcel's red line as a closed polyline and save the DXF again."
    )


def test_closed_polylines_inside_blocks_take_the_insert_layer(tmp_path: Path) -> None:
    doc = new_doc("R2000")
    block = doc.blocks.new("PARCEL")
    block.add_lwpolyline(rectangle(0, 0, 10, 20), close=True)  # on layer 0
    block.add_attdef("DKBH", insert=(2, 2))
    insert = doc.modelspace().add_blockref("PARCEL", (1000, 2000), dxfattribs={"layer": "红线"})
    insert.add_auto_attribs({"DKBH": "宗地0101"})
    result = read_dxf(save(doc, tmp_path))
    assert result.gdf["layer"].tolist() == ["红线"]
    assert result.gdf["name"].tolist() == ["宗地0101"]
    assert result.gdf.geometry[0].equals(Polygon(rectangle(1000, 2000, 10, 20)))
    assert result.notes == ["1 closed polyline(s) come from block references (INSERT)."]


def test_header_says_western_but_bytes_are_gbk(tmp_path: Path) -> None:
    doc = new_doc("R2000")
    doc.modelspace().add_lwpolyline(rectangle(0, 0, 10, 10), close=True,
                                    dxfattribs={"layer": "红线"})
    path = save(doc, tmp_path)
    path.write_bytes(path.read_bytes().replace(b"ANSI_936", b"ANSI_1252"))
    result = read_dxf(path)
    assert result.gdf["layer"].tolist() == ["红线"]
    assert result.encoding == "gb18030"
    assert result.encoding_reason == (
        "R2000 DXF ($ACADVER=AC1015) with $DWGCODEPAGE=ANSI_1252 (Western, cp1252), but the "
        "non-ASCII bytes are not UTF-8 but valid GBK/GB18030: read as gb18030; give "
        "--encoding cp1252 if the labels are Western text"
    )


def test_encoding_override_and_a_wrong_one(tmp_path: Path) -> None:
    doc = new_doc("R2000")
    doc.modelspace().add_lwpolyline(rectangle(0, 0, 10, 10), close=True,
                                    dxfattribs={"layer": "红线"})
    path = save(doc, tmp_path)
    result = read_dxf(path, encoding="GBK")
    assert (result.encoding, result.encoding_reason) == ("gb18030", "given with --encoding GBK")
    assert result.gdf["layer"].tolist() == ["红线"]
    with pytest.raises(InputError) as err:
        read_dxf(path, encoding="utf-8")
    assert str(err.value) == (
        "红线图.dxf: the drawing's text is not valid utf-8 (given with --encoding utf-8). "
        "Give its encoding with --encoding (gbk or utf-8)."
    )


def test_binary_dxf_is_read(tmp_path: Path) -> None:
    doc = new_doc("R2018")
    doc.modelspace().add_lwpolyline(rectangle(0, 0, 10, 10), close=True,
                                    dxfattribs={"layer": "红线"})
    path = tmp_path / "b.dxf"
    doc.saveas(path, fmt="bin")
    result = read_dxf(path)
    assert result.gdf["layer"].tolist() == ["红线"]
    assert result.encoding_reason == "binary DXF (its text encoding is fixed by its version)"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "bad.dxf is empty. Export the drawing again as DXF."),
        (b"AC1032\x00\x00\x00\x00\x01" + bytes(200),
         "bad.dxf is a DWG drawing, not DXF. Save it as DXF in CAD (另存为 → DXF) and import "
         "the .dxf file."),
        (bytes(range(256)) * 8,
         "bad.dxf is not a DXF drawing (it does not start with a DXF SECTION). Export the "
         "drawing from CAD as DXF and import that file."),
        ("名称,经度,纬度\n".encode("gbk"),
         "bad.dxf is not a DXF drawing (it does not start with a DXF SECTION). Export the "
         "drawing from CAD as DXF and import that file."),
    ],
)
def test_files_that_are_not_dxf(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.dxf"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_dxf(path)
    assert str(err.value) == message


def test_truncated_dxf_is_refused(tmp_path: Path) -> None:
    doc = new_doc("R2000")
    doc.modelspace().add_lwpolyline(rectangle(0, 0, 10, 10), close=True)
    path = save(doc, tmp_path, "cut.dxf")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(InputError) as err:
        read_dxf(path)
    assert str(err.value) == (
        "cut.dxf is not a readable DXF drawing (DXFStructureError: missing ENDSEC tag). It "
        "may be damaged or truncated: open it in CAD, save it again as DXF (AutoCAD 2000 or "
        "later) and import that file."
    )


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^No file at .*nothing\.dxf\. Check the path\.$"):
        read_dxf(tmp_path / "nothing.dxf")

"""Reading CSV/TXT tables with WKT or coordinate columns: text written in the tests in
UTF-8 (± BOM) and GBK, with every delimiter the reader accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
from shapely.geometry import Point, Polygon

from geo_app.errors import InputError
from geo_app.io.base import FileFormat
from geo_app.io.csv import read_csv

SQUARE_WKT = "POLYGON ((441921.1 3507412.3, 442121.1 3507412.3, 442121.1 3507712.3, " \
             "441921.1 3507712.3, 441921.1 3507412.3))"
SQUARE = Polygon([(441921.1, 3507412.3), (442121.1, 3507412.3), (442121.1, 3507712.3),
                  (441921.1, 3507712.3)])


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_gbk_lon_lat_table(tmp_path: Path) -> None:
    text = ("村名,经度,纬度,人口,村编号\r\n"
            "挑水村,113.4521,31.7012,2300,0101\r\n"
            "新店村,113.4710,31.7105,1800,0102\r\n")
    result = read_csv(write(tmp_path, text, encoding="gbk", name="村庄.csv"))
    assert result.format is FileFormat.CSV
    assert result.source == "村庄.csv"
    assert result.gdf.crs is None
    assert result.crs_reason == (
        "a CSV declares no coordinate system; inferred from the coordinates (columns '经度' "
        "and '纬度')"
    )
    assert (result.encoding, result.encoding_reason) == (
        "gb18030", "the non-ASCII bytes are not UTF-8 but valid GBK/GB18030"
    )
    assert list(result.gdf.columns) == ["村名", "人口", "村编号", "geometry"]
    assert result.gdf["村名"].tolist() == ["挑水村", "新店村"]
    assert result.gdf["人口"].tolist() == [2300, 1800]
    assert result.gdf["村编号"].tolist() == ["0101", "0102"]  # codes keep their zeros
    assert result.gdf.geometry[0].equals(Point(113.4521, 31.7012))
    assert result.notes == []


def test_utf8_bom_wkt_with_quoted_commas(tmp_path: Path) -> None:
    text = f'\ufeffWKT,name,面积(亩)\n"{SQUARE_WKT}",青春化工园一期,90.0\n'
    result = read_csv(write(tmp_path, text))
    assert result.encoding == "utf-8-sig"
    assert list(result.gdf.columns) == ["name", "面积(亩)", "geometry"]
    assert result.gdf.geometry[0].equals(SQUARE)
    assert result.gdf.geometry[0].area == pytest.approx(200 * 300)
    assert result.gdf["面积(亩)"].tolist() == [90.0]
    assert result.crs_reason == (
        "a CSV declares no coordinate system; inferred from the coordinates (WKT column 'WKT')"
    )


@pytest.mark.parametrize(
    ("delimiter", "header"),
    [("\t", "name\tX\tY"), (";", "name;x;y"), ("，", "name，X，Y"), ("   ", "name   X   Y")],
)
def test_delimiters_and_metre_coordinates(tmp_path: Path, delimiter: str, header: str) -> None:
    row = delimiter.join(["QC-01", "441921.1", "3507412.3"])
    result = read_csv(write(tmp_path, f"{header}\n{row}\n", name="t.txt"))
    assert result.gdf["name"].tolist() == ["QC-01"]
    assert result.gdf.geometry[0].equals(Point(441921.1, 3507412.3))
    assert result.gdf.crs is None


def test_column_names_are_case_insensitive_and_stripped(tmp_path: Path) -> None:
    text = " Longitude , LATITUDE ,Name\n113.38,31.69,随州\n"
    result = read_csv(write(tmp_path, text))
    assert list(result.gdf.columns) == ["Name", "geometry"]
    assert result.gdf.geometry[0].equals(Point(113.38, 31.69))
    assert "columns 'Longitude' and 'LATITUDE'" in result.crs_reason


def test_full_width_digits_are_read(tmp_path: Path) -> None:
    text = "lng,lat\n１１３．３８,３１．６９\n"
    result = read_csv(write(tmp_path, text))
    assert result.gdf.geometry[0].equals(Point(113.38, 31.69))


def test_bad_rows_are_skipped_with_their_row_numbers(tmp_path: Path) -> None:
    rows = ["lon,lat,name", "113.38,31.69,ok"] + [f"abc{i},31.7,bad" for i in range(6)]
    result = read_csv(write(tmp_path, "\n".join(rows) + "\n"))
    assert result.gdf["name"].tolist() == ["ok"]
    assert result.notes == [
        "Skipped 6 row(s) without numeric coordinates in columns 'lon' and 'lat': row 3 "
        "('abc0, 31.7'), row 4 ('abc1, 31.7'), row 5 ('abc2, 31.7'), row 6 ('abc3, 31.7'), "
        "row 7 ('abc4, 31.7') …."
    ]


def test_bad_wkt_rows_are_skipped(tmp_path: Path) -> None:
    text = (f'id\tgeometry\n1\t{SQUARE_WKT}\n2\tPOLYGON ((0 0, 1 0\n3\t\n'
            "4\tPOINT EMPTY\n")
    result = read_csv(write(tmp_path, text))
    assert result.gdf["id"].tolist() == [1]
    assert result.notes == [
        "Skipped 3 row(s) without readable WKT in column 'geometry': row 3 ('POLYGON ((0 0, "
        "1 0'), row 4 (''), row 5 ('POINT EMPTY')."
    ]


def test_amap_style_csv_gets_the_gcj02_hint(tmp_path: Path) -> None:
    text = "名称,经度,纬度,来源\n挑水村,113.45,31.70,高德地图\n"
    result = read_csv(write(tmp_path, text))
    assert result.notes == [
        "This CSV mentions '高德': CSV from Amap (高德)/奥维 is often GCJ-02 (~600 m off): if "
        "shapes sit off the basemap, import with --gcj02."
    ]


def test_encoding_override(tmp_path: Path) -> None:
    path = write(tmp_path, "名称,x,y\n挑水村,1,2\n", encoding="gbk")
    result = read_csv(path, encoding="GBK")
    assert (result.encoding, result.encoding_reason) == ("gb18030", "given with --encoding GBK")
    assert result.gdf["名称"].tolist() == ["挑水村"]
    with pytest.raises(InputError) as err:
        read_csv(path, encoding="utf-8")
    assert str(err.value) == (
        "t.csv: the text is not valid utf-8 (given with --encoding utf-8). Give its encoding "
        "with --encoding (gbk or utf-8)."
    )


def test_no_geometry_columns(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        read_csv(write(tmp_path, "名称,东坐标,北坐标\n挑水村,1,2\n"), source="上传.csv")
    assert str(err.value) == (
        "上传.csv has no geometry columns. Columns found: 名称, 东坐标, 北坐标. Give a WKT "
        "column (named wkt, geometry, geom, shape, the_geom, wkt_geom, geometry_wkt) or "
        "coordinate columns (lon/lng/long/longitude/经度/x with lat/latitude/纬度/y): rename "
        "the columns in the file and import it again."
    )


def test_nothing_usable(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        read_csv(write(tmp_path, "wkt\nPOLYGON((\nnot wkt\n"))
    assert str(err.value) == (
        "t.csv: none of its 2 row(s) has readable WKT in column 'wkt': row 2 ('POLYGON(('), "
        "row 3 ('not wkt'). Fix the values in the file and import it again."
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "t.csv is empty. Export the table again."),
        ("\r\n \n", "t.csv is empty. Export the table again."),
        ("lon,lat\n", "t.csv has a header but no rows. Export the table again."),
        ("lon,lat\n1,2\n3,4,5,6\n",
         "t.csv is not a well-formed table (Expected 2 fields in line 3, saw 4). Check that "
         "every row has as many fields as the header and that quotes are closed."),
        ("lon,lat\n3,4,5,6\n1,2\n",
         "t.csv is not a well-formed table (a row has more fields than the header). Check "
         "that every row has as many fields as the header and that quotes are closed."),
        ('wkt,name\n"POINT (1 2),a\n',
         "t.csv is not a well-formed table (unexpected end of data). Check that every row has "
         "as many fields as the header and that quotes are closed."),
    ],
)
def test_malformed_tables(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        read_csv(write(tmp_path, text))
    assert str(err.value) == message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^No file at .*none\.csv\. Check the path\.$"):
        read_csv(tmp_path / "none.csv")

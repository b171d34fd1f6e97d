"""Shapefile text encodings: .cpg, the DBF code-page byte, detection, --encoding.

Fixtures are real shapefiles written by GDAL (pyogrio) in GBK or UTF-8; the reported
cases are reproduced by deleting the ``.cpg`` and setting DBF byte 29.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import box

from geo_app.errors import InputError
from geo_app.io.shapefile import cpg_codec, read_shapefile, shapefile_encoding

NAMES = ["曾都区", "随州高新区", "淅河镇挑水村"]


def _write(folder: Path, encoding: str, *, cpg: bool = True, ldid: int | None = None,
           prj: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    gdf = gpd.GeoDataFrame(
        {"名称": NAMES, "编号": ["A1", "A2", "A3"]},
        geometry=[box(441_000 + i * 2000, 3_507_000, 442_000 + i * 2000, 3_508_000)
                  for i in range(3)],
        crs=4547,
    )
    shp = folder / "地块.shp"
    pyogrio.write_dataframe(gdf, shp, encoding=encoding)
    if not cpg:
        shp.with_suffix(".cpg").unlink()
    if ldid is not None:
        dbf = bytearray(shp.with_suffix(".dbf").read_bytes())
        dbf[29] = ldid
        shp.with_suffix(".dbf").write_bytes(bytes(dbf))
    if not prj:
        shp.with_suffix(".prj").unlink()
    return shp


def test_gdal_alone_garbles_the_reported_cases(tmp_path):
    """The failures the issue reports, reproduced: what geo_app must not do."""
    utf8 = _write(tmp_path / "u", "UTF-8", cpg=False, ldid=0)
    gbk = _write(tmp_path / "g", "GBK", cpg=False, ldid=0)
    assert pyogrio.read_dataframe(utf8).iloc[0, 0] == "æ\x9b¾é\x83½å\x8cº"
    assert pyogrio.read_dataframe(gbk).iloc[1, 0] == "ËæÖÝ¸ßÐÂÇø"


def test_utf8_without_cpg_and_code_page_0_is_detected(tmp_path):
    result = read_shapefile(_write(tmp_path, "UTF-8", cpg=False, ldid=0))
    assert result.gdf["名称"].tolist() == NAMES
    assert result.encoding == "utf-8"
    assert result.encoding_reason == (
        "no .cpg and DBF code page 0: the field bytes are valid UTF-8")


def test_gbk_without_cpg_and_code_page_0_is_detected(tmp_path):
    result = read_shapefile(_write(tmp_path, "GBK", cpg=False, ldid=0))
    assert result.gdf["名称"].tolist() == NAMES
    assert list(result.gdf.columns[:2]) == ["名称", "编号"]  # field names decode too
    assert result.encoding == "gb18030"
    assert result.encoding_reason == (
        "no .cpg and DBF code page 0: the field bytes are not UTF-8 but valid GBK/GB18030")


@pytest.mark.parametrize("encoding, expected", [("GBK", "GBK"), ("UTF-8", "UTF-8")])
def test_cpg_is_honoured_and_named(tmp_path, encoding, expected):
    result = read_shapefile(_write(tmp_path, encoding))
    assert result.gdf["名称"].tolist() == NAMES
    assert result.encoding_reason == f"the .cpg file says {expected}"


@pytest.mark.parametrize("content", ["936", "ANSI 936", "cp936", "GB2312", "gb18030"])
def test_cpg_spellings_of_gbk(tmp_path, content):
    shp = _write(tmp_path, "GBK")
    shp.with_suffix(".cpg").write_text(content)
    result = read_shapefile(shp)
    assert result.gdf["名称"].tolist() == NAMES
    assert result.encoding == "gb18030"
    assert result.encoding_reason == f"the .cpg file says {content}"


def test_code_page_byte_0x4d_names_gbk(tmp_path):
    result = read_shapefile(_write(tmp_path, "GBK", cpg=False, ldid=0x4D))
    assert result.gdf["名称"].tolist() == NAMES
    assert result.encoding_reason == "the DBF code-page byte 0x4D names GBK (cp936)"


def test_code_page_0x57_ansi_leaves_it_to_the_bytes(tmp_path):
    result = read_shapefile(_write(tmp_path, "GBK", cpg=False, ldid=0x57))
    assert result.gdf["名称"].tolist() == NAMES
    assert result.encoding_reason.startswith("no .cpg and DBF code page 0x57 ('ANSI'")
    assert result.encoding_reason.endswith("not UTF-8 but valid GBK/GB18030")


def test_declared_gbk_over_utf8_bytes_falls_back_to_the_bytes(tmp_path):
    result = read_shapefile(_write(tmp_path, "UTF-8", cpg=False, ldid=0x4D))
    assert result.gdf["名称"].tolist() == NAMES
    assert result.encoding == "utf-8"
    assert result.encoding_reason == (
        "the DBF code-page byte 0x4D names GBK (cp936), but the field bytes are not valid "
        "gb18030: the field bytes are valid UTF-8")


def test_cpg_saying_utf8_over_gbk_bytes_falls_back_to_the_bytes(tmp_path):
    shp = _write(tmp_path, "GBK")
    shp.with_suffix(".cpg").write_text("UTF-8")
    result = read_shapefile(shp)
    assert result.gdf["名称"].tolist() == NAMES
    assert result.encoding == "gb18030"
    assert result.encoding_reason.startswith("the .cpg file says UTF-8, but the field bytes")


def test_encoding_argument_overrides_everything(tmp_path):
    shp = _write(tmp_path, "GBK")
    result = read_shapefile(shp, encoding="gbk")
    assert result.gdf["名称"].tolist() == NAMES
    assert result.encoding == "gb18030"
    assert result.encoding_reason == "given with --encoding gbk"
    with pytest.raises(InputError, match=r"^地块.shp: the attribute text is not valid utf-8 "
                                         r"\(the field names; given with --encoding utf-8\)"):
        read_shapefile(shp, encoding="utf-8")


def test_unknown_encoding_name_is_refused(tmp_path):
    with pytest.raises(InputError, match="'klingon' is not a known text encoding"):
        read_shapefile(_write(tmp_path, "GBK"), encoding="klingon")


def test_ascii_only_shapefile(tmp_path):
    shp = tmp_path / "plain.shp"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"name": ["a"]}, geometry=[box(0, 0, 1, 1)],
                                             crs=4547), shp)
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    decided = shapefile_encoding(shp)
    assert decided.codec == "utf-8"
    assert decided.reason.endswith("the field names and text values are plain ASCII")


def test_value_cut_mid_character_at_the_field_width(tmp_path):
    """A UTF-8 value filling its field and cut inside its last character (as old writers
    cut them) still reads as UTF-8, without the partial character."""
    shp = _write(tmp_path, "UTF-8", cpg=False, ldid=0)
    dbf = bytearray(shp.with_suffix(".dbf").read_bytes())
    header_len = int.from_bytes(dbf[8:10], "little")
    width = dbf[32 + 16]  # the first field, 名称
    prefix = b"a" if (width - 1) % 3 else b"ab"
    slot = prefix + ("曾" * width).encode()[: width - len(prefix)]
    assert len(slot) == width and (width - len(prefix)) % 3 != 0
    dbf[header_len + 1:header_len + 1 + width] = slot
    shp.with_suffix(".dbf").write_bytes(bytes(dbf))
    result = read_shapefile(shp)
    assert result.encoding == "utf-8"
    assert result.gdf["名称"].tolist() == [
        prefix.decode() + "曾" * ((width - len(prefix)) // 3), *NAMES[1:]]


def test_crs_from_prj_or_none(tmp_path):
    with_prj = read_shapefile(_write(tmp_path / "a", "GBK"))
    assert with_prj.gdf.crs.to_epsg() == 4547
    assert with_prj.crs_reason == "the .prj file"
    without = read_shapefile(_write(tmp_path / "b", "GBK", prj=False))
    assert without.gdf.crs is None and without.crs_reason is None


def test_missing_shx_is_one_clear_error(tmp_path):
    shp = _write(tmp_path, "GBK")
    shp.with_suffix(".shx").unlink()
    with pytest.raises(InputError, match=r"^地块.shp: its .shx file is missing\. .*send them"):
        read_shapefile(shp)


def test_truncated_shp_is_refused(tmp_path):
    shp = _write(tmp_path, "GBK")
    data = shp.read_bytes()
    shp.write_bytes(data[:-40])  # GDAL alone reads this silently, the last shape missing
    with pytest.raises(InputError) as err:
        read_shapefile(shp, source="上传.shp")
    assert str(err.value).startswith(
        f"上传.shp: the .shp file is truncated ({len(data) - 40:,} bytes where its header says "
        f"{len(data):,}).")


def test_truncated_dbf_is_refused(tmp_path):
    shp = _write(tmp_path, "GBK")
    dbf = shp.with_suffix(".dbf")
    dbf.write_bytes(dbf.read_bytes()[:-30])
    with pytest.raises(InputError, match=r"^地块.shp: the .dbf file is truncated"):
        read_shapefile(shp)


def test_missing_dbf_reads_geometry_with_a_note(tmp_path):
    shp = _write(tmp_path, "GBK")
    shp.with_suffix(".dbf").unlink()
    result = read_shapefile(shp)
    assert len(result.gdf) == 3
    assert "地块.shp has no .dbf file: the features have no attributes" in result.notes


def test_utf8_field_name_cut_mid_character_by_gdal(tmp_path):
    """GDAL cuts 地块编号 (12 bytes in UTF-8) to 10 bytes, mid-character."""
    shp = tmp_path / "cut.shp"
    gdf = gpd.GeoDataFrame({"地块编号": ["甲1"]}, geometry=[box(0, 0, 1, 1)], crs=4547)
    with pytest.warns(RuntimeWarning, match="laundered field name"):
        pyogrio.write_dataframe(gdf, shp, encoding="UTF-8")
    shp.with_suffix(".cpg").unlink()
    assert shp.with_suffix(".dbf").read_bytes()[32:42] == "地块编号".encode()[:10]
    result = read_shapefile(shp)
    assert list(result.gdf.columns) == ["地块编", "geometry"]
    assert result.gdf["地块编"].tolist() == ["甲1"]
    assert result.encoding == "utf-8"
    assert ("field name '地块编' was cut mid-character at the DBF's 10-byte limit by the "
            "program that wrote the file") in result.notes


@pytest.mark.parametrize("text, codec", [
    ("UTF-8", "utf-8"), ("utf8", "utf-8"), ("65001", "utf-8"), ("GBK", "gb18030"),
    ("ANSI 936", "gb18030"), ("CP936", "gb18030"), ("GB18030", "gb18030"),
    ("\ufeffUTF-8\r\n", "utf-8"), ("1252", "cp1252"), ("nonsense", None), ("", None),
])
def test_cpg_codec(text, codec):
    assert cpg_codec(text) == codec

"""Reading KML/KMZ: files written with pyogrio (LIBKML and KML drivers) and hand-written KML
in the styles of 奥维 (Ovital) and Amap exports."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import MultiPolygon, Point, Polygon

from geo_app.errors import InputError
from geo_app.io.base import FileFormat
from geo_app.io.kml import CRS_REASON, gcj02_hint, read_kml

#: 0.01° squares near Suizhou.
SQUARE_A = Polygon([(113.38, 31.69), (113.39, 31.69), (113.39, 31.70), (113.38, 31.70)])
SQUARE_B = Polygon([(113.40, 31.69), (113.41, 31.69), (113.41, 31.70), (113.40, 31.70)])
HINT = (
    "This KML mentions '{}': KML from Amap (高德)/奥维 is often GCJ-02 (~600 m off): if "
    "shapes sit off the basemap, import with --gcj02."
)


def kml(body: str, *, declaration: str = '<?xml version="1.0" encoding="UTF-8"?>') -> str:
    return (f'{declaration}\n<kml xmlns="http://www.opengis.net/kml/2.2">\n<Document>\n'
            f"{body}\n</Document>\n</kml>\n")


def placemark(name: str, geometry: str, extra: str = "") -> str:
    return f"<Placemark><name>{name}</name>{extra}{geometry}</Placemark>"


def polygon(coords: str) -> str:
    return (f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{coords}</coordinates>"
            "</LinearRing></outerBoundaryIs></Polygon>")


RING_A = "113.38,31.69,0 113.39,31.69,0 113.39,31.70,0 113.38,31.70,0 113.38,31.69,0"


def test_libkml_file_with_two_folders_and_extended_data(tmp_path: Path) -> None:
    path = tmp_path / "地块.kml"
    parcels = gpd.GeoDataFrame(
        {"Name": ["一号地块", "二号地块"], "FCNAME": ["青春化工园一期", "青春化工园二期"],
         "MJ": [1420.0, 1700.0]},
        geometry=[SQUARE_A, SQUARE_B], crs="EPSG:4326",
    )
    pyogrio.write_dataframe(parcels, path, driver="LIBKML", layer="征地地块")
    pyogrio.write_dataframe(parcels.iloc[:1], path, driver="LIBKML", layer="道路", append=True)

    result = read_kml(path)

    assert result.format is FileFormat.KML
    assert result.source == "地块.kml"
    assert result.gdf.crs == "EPSG:4326"
    assert result.crs_reason == CRS_REASON == (
        "KML is defined as WGS 84 longitude/latitude (EPSG:4326)"
    )
    assert result.gdf["folder"].tolist() == ["征地地块", "征地地块", "道路"]
    assert result.gdf["name"].tolist() == ["一号地块", "二号地块", "一号地块"]
    assert result.gdf["FCNAME"].tolist() == ["青春化工园一期", "青春化工园二期", "青春化工园一期"]
    assert result.gdf["MJ"].tolist() == [1420.0, 1700.0, 1420.0]
    assert result.gdf.geometry[1].equals(SQUARE_B)
    assert not result.gdf.geometry.has_z.any()
    assert (result.encoding, result.encoding_reason) == (
        "utf-8", 'the XML declaration says encoding="UTF-8"'
    )
    assert result.notes == []
    assert pyogrio.get_gdal_config_option("LIBKML_NAME_FIELD") is None  # restored


def test_kml_driver_file_keeps_names_and_simple_data(tmp_path: Path) -> None:
    path = tmp_path / "villages.kml"
    villages = gpd.GeoDataFrame({"Name": ["挑水村"], "DKBH": ["XH-01"]},
                                geometry=[SQUARE_A], crs="EPSG:4326")
    pyogrio.write_dataframe(villages, path, driver="KML", layer="村庄")
    result = read_kml(path)
    assert result.gdf["folder"].tolist() == ["村庄"]
    assert result.gdf["name"].tolist() == ["挑水村"]
    assert result.gdf["DKBH"].tolist() == ["XH-01"]
    assert (result.encoding, result.encoding_reason) == (
        "utf-8", 'the XML declaration says encoding="utf-8"'
    )


def test_kmz_written_by_gdal_with_layer_files(tmp_path: Path) -> None:
    path = tmp_path / "export.kmz"
    parcels = gpd.GeoDataFrame({"Name": ["一号"], "NAME_CHN": ["一号地块"]},
                               geometry=[SQUARE_A], crs="EPSG:4326")
    pyogrio.write_dataframe(parcels, path, driver="LIBKML", layer="征地地块")
    assert "doc.kml" in zipfile.ZipFile(path).namelist()
    result = read_kml(path)
    assert result.gdf["folder"].tolist() == ["征地地块"]
    assert result.gdf["NAME_CHN"].tolist() == ["一号地块"]
    assert result.gdf.geometry[0].equals(SQUARE_A)


def test_extended_data_name_does_not_overwrite_the_placemark_name(tmp_path: Path) -> None:
    extended = ('<ExtendedData><Data name="NAME"><value>青春化工园</value></Data>'
                '<Data name="FCNAME"><value>园区</value></Data></ExtendedData>')
    text = kml("<Folder><name>园区</name>"
               + placemark("P-01", polygon(RING_A), "<description>一期</description>" + extended)
               + "</Folder>")
    path = tmp_path / "parks.kml"
    path.write_text(text, encoding="utf-8")
    result = read_kml(path)
    row = result.gdf.drop(columns="geometry").iloc[0].to_dict()
    assert row == {"folder": "园区", "name": "P-01", "description": "一期",
                   "NAME": "青春化工园", "FCNAME": "园区"}


def test_multigeometry_becomes_multipolygon_and_z_is_dropped(tmp_path: Path) -> None:
    ring_b = "113.40,31.69,5 113.41,31.69,5 113.41,31.70,5 113.40,31.70,5 113.40,31.69,5"
    body = placemark("两块", f"<MultiGeometry>{polygon(RING_A)}{polygon(ring_b)}</MultiGeometry>")
    path = tmp_path / "multi.kml"
    path.write_text(kml(body), encoding="utf-8")
    result = read_kml(path)
    geom = result.gdf.geometry[0]
    assert isinstance(geom, MultiPolygon)
    assert not geom.has_z
    assert geom.equals(MultiPolygon([SQUARE_A, SQUARE_B]))
    assert result.gdf["folder"].tolist() == ["multi"]  # an unnamed document: the file's name


@pytest.mark.parametrize(
    ("marker", "where"),
    [
        ("奥维", "<name>奥维互动地图</name>"),
        ("Ovital", "<!-- Generated by Ovital Map -->"),
        ("高德", "<description>高德地图导出</description>"),
        ("AMap", '<Style id="AMapStyle"/>'),
        ("autonavi", "<description>http://www.autonavi.com</description>"),
        ("GCJ", "<description>坐标系:GCJ02</description>"),
    ],
)
def test_amap_and_ovital_files_get_a_gcj02_hint(tmp_path: Path, marker: str, where: str) -> None:
    path = tmp_path / "ovital.kml"
    path.write_text(kml(where + placemark("地块", polygon(RING_A))), encoding="utf-8")
    result = read_kml(path)
    assert result.notes == [HINT.format(marker)]
    assert result.gdf.crs == "EPSG:4326"  # a hint only: the file is still read as declared


def test_hint_for_geojson_and_none_without_markers() -> None:
    assert gcj02_hint('{"source": "amap"}', kind="GeoJSON") == (
        "This GeoJSON mentions 'amap': GeoJSON from Amap (高德)/奥维 is often GCJ-02 (~600 m "
        "off): if shapes sit off the basemap, import with --gcj02."
    )
    assert gcj02_hint("<name>随州高新区</name><coordinates>113.38,31.69</coordinates>") is None


def test_ovital_kmz_with_one_doc_kml(tmp_path: Path) -> None:
    path = tmp_path / "奥维.kmz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("doc.kml", kml("<name>奥维互动地图</name>"
                                        + placemark("一号", polygon(RING_A))))
        archive.writestr("files/icon.png", b"\x89PNG")
    result = read_kml(path)
    assert result.gdf["name"].tolist() == ["一号"]
    assert result.gdf["folder"].tolist() == ["奥维互动地图"]
    assert result.notes == [HINT.format("奥维")]
    assert result.encoding_reason == 'doc.kml: the XML declaration says encoding="UTF-8"'


def test_gb2312_declared_kml_is_decoded(tmp_path: Path) -> None:
    text = kml(placemark("淅河镇挑水村", polygon(RING_A)),
               declaration='<?xml version="1.0" encoding="GB2312"?>')
    path = tmp_path / "gbk.kml"
    path.write_bytes(text.encode("gbk"))
    result = read_kml(path)
    assert result.gdf["name"].tolist() == ["淅河镇挑水村"]
    assert (result.encoding, result.encoding_reason) == (
        "gb18030",
        'the XML declaration says encoding="GB2312" (read as GB18030, its superset)',
    )


def test_kml_without_declaration_in_gbk_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "nodecl.kml"
    path.write_bytes(kml(placemark("挑水村", polygon(RING_A)), declaration="").encode("gbk"))
    result = read_kml(path)
    assert result.gdf["name"].tolist() == ["挑水村"]
    assert result.encoding == "gb18030"
    assert result.encoding_reason == (
        "no encoding in the XML declaration (XML's default is UTF-8); the non-ASCII bytes "
        "are not UTF-8 but valid GBK/GB18030"
    )


def test_placemarks_without_geometry_are_counted(tmp_path: Path) -> None:
    body = (placemark("点", "<Point><coordinates>113.38,31.69</coordinates></Point>")
            + placemark("空", "") + placemark("也空", ""))
    path = tmp_path / "points.kml"
    path.write_text(kml(body), encoding="utf-8")
    result = read_kml(path)
    assert result.gdf["name"].tolist() == ["点"]
    assert result.gdf.geometry[0].equals(Point(113.38, 31.69))
    assert result.notes == ["Skipped 2 placemark(s) without a geometry."]


def test_declared_encoding_that_does_not_match_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "liar.kml"
    path.write_bytes(kml(placemark("挑水村", polygon(RING_A))).encode("gbk"))
    with pytest.raises(InputError) as err:
        read_kml(path)
    assert str(err.value) == (
        'liar.kml: the text is not valid utf-8 (the XML declaration says encoding="UTF-8"). '
        "Fix the encoding in its XML declaration or export the KML again as UTF-8."
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "bad.kml is empty. Export the KML again."),
        (b"<html><body>not kml</body></html>",
         "bad.kml is not a KML file (no <kml> element). Export the layer as KML or KMZ."),
        (kml(placemark("一号", polygon(RING_A)))[:200].encode(),
         "bad.kml is not readable KML (no element found on line 4 at offset 105). It may be "
         "damaged or truncated: export it again."),
        (kml("<name>空</name>").encode(),
         "bad.kml holds no placemarks. Export a layer with features as KML."),
        (kml(placemark("空", "")).encode(),
         "bad.kml has 1 placemark(s) but none with a geometry."),
        (b'<?xml version="1.0" encoding="klingon"?><kml/>',
         'bad.kml: its XML declaration names an unknown encoding "klingon". Export the KML '
         "again as UTF-8."),
    ],
)
def test_bad_kml_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.kml"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_kml(path)
    assert str(err.value) == message


def test_bad_kmz_files(tmp_path: Path) -> None:
    empty_zip = tmp_path / "nokml.kmz"
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(InputError) as err:
        read_kml(empty_zip)
    assert str(err.value) == (
        "nokml.kmz is a zip without a .kml inside, not a KMZ. Export the layer as KML or KMZ."
    )
    truncated = tmp_path / "cut.kmz"
    good = tmp_path / "good.kmz"
    with zipfile.ZipFile(good, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", kml(placemark("一号", polygon(RING_A)) * 50))
    truncated.write_bytes(good.read_bytes()[:300])
    with pytest.raises(InputError) as err:
        read_kml(truncated, source="上传.kmz")
    assert str(err.value) == (
        "上传.kmz is not a readable KMZ (a damaged or truncated zip). Export it again."
    )


def test_kmz_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("geo_app.io.kml.MAX_KML_BYTES", 1024 * 1024)
    path = tmp_path / "bomb.kmz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", kml(" " * (2 * 1024 * 1024)))
    with pytest.raises(InputError) as err:
        read_kml(path)
    assert str(err.value) == (
        "bomb.kmz: its KML expands to 2 MB, over the 1 MB limit. Split the layer into "
        "smaller files."
    )


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^No file at .*none\.kml\. Check the path\.$"):
        read_kml(tmp_path / "none.kml")


def test_extended_data_id_and_display_names_keep_their_names(tmp_path: Path) -> None:
    """An ExtendedData ``ID`` (ArcGIS, 奥维 exports) came out as ``ID2`` beside the
    placemark's own id; ``BEGIN``/``ICON`` beside LIBKML's display fields: now as written,
    and ``ID`` is found as the feature id."""
    extended = ('<ExtendedData><Data name="ID"><value>K-1</value></Data>'
                '<Data name="BEGIN"><value>2021-12-01</value></Data>'
                '<Data name="ICON"><value>厂房</value></Data></ExtendedData>')
    text = kml(placemark("一号", polygon(RING_A), extended))
    path = tmp_path / "ids.kml"
    path.write_text(text, encoding="utf-8")
    row = read_kml(path).gdf.drop(columns="geometry").iloc[0].to_dict()
    assert {k: row[k] for k in ("name", "ID", "BEGIN", "ICON")} == {
        "name": "一号", "ID": "K-1", "BEGIN": "2021-12-01", "ICON": "厂房"}
    assert not [c for c in row if c.endswith("2") or c.startswith("kml_")]
    from geo_app.io.fields import map_fields

    mapped, _ = map_fields(read_kml(path).gdf)
    assert mapped["id"].tolist() == ["K-1"]


@pytest.mark.parametrize("driver", ["KML", "LIBKML"])
@pytest.mark.parametrize("field", ["FCNAME", "NAME", "Name"])
def test_a_name_field_without_placemark_names_becomes_the_name(tmp_path: Path, driver: str,
                                                               field: str) -> None:
    """ArcGIS and GDAL exports without a <name> per placemark carry the name as an
    ExtendedData field: the empty <name> column no longer stands in its way."""
    from geo_app.io.fields import map_fields

    path = tmp_path / "villages.kml"
    villages = gpd.GeoDataFrame({field: ["淅河村", "挑水村"], "乡镇": ["淅河镇", "淅河镇"]},
                                geometry=[SQUARE_A, SQUARE_B], crs="EPSG:4326")
    pyogrio.write_dataframe(villages, path, driver=driver, layer="村庄")
    result = read_kml(path)
    mapped, _ = map_fields(result.gdf)
    assert mapped["name"].tolist() == ["淅河村", "挑水村"]
    assert result.gdf["乡镇"].tolist() == ["淅河镇", "淅河镇"]


def test_placemark_names_stay_when_some_placemarks_have_one(tmp_path: Path) -> None:
    extended = '<ExtendedData><Data name="FCNAME"><value>{}</value></Data></ExtendedData>'
    text = kml(placemark("P-01", polygon(RING_A), extended.format("园区甲"))
               + placemark("", polygon(RING_A), extended.format("园区乙")))
    path = tmp_path / "mixed.kml"
    path.write_text(text, encoding="utf-8")
    gdf = read_kml(path).gdf
    assert gdf["name"].fillna("").tolist() == ["P-01", ""]
    assert gdf["FCNAME"].tolist() == ["园区甲", "园区乙"]

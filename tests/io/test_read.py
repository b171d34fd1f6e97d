"""read_any: format from content and extension, layers, folders and zips, GeoJSON CRS,
and one clear line for every file it cannot read."""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import box

from geo_app.errors import InputError
from geo_app.io.base import FileFormat
from geo_app.io.read import SUPPORTED_FORMATS, read_any
from geo_app.io.vector import read_vector

GK = box(441_000, 3_507_000, 442_000, 3_508_000)  # 1 km² in EPSG:4547


def _frame(crs: int = 4547) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame({"名称": ["东地块"], "id": ["A1"]}, geometry=[GK], crs=4547)
    return gdf.to_crs(crs)


@pytest.fixture
def private_tmp(tmp_path, monkeypatch) -> Path:
    where = tmp_path / "tmpdirs"
    where.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(where))
    return where


def _shapefile(folder: Path, stem: str = "地块") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shp = folder / f"{stem}.shp"
    pyogrio.write_dataframe(_frame(), shp, encoding="GBK")
    return shp


def _zip_folder(folder: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w") as zf:
        for part in sorted(folder.rglob("*")):
            zf.write(part, part.relative_to(folder).as_posix())
    return archive


# --- formats and CRS reasons -------------------------------------------------------------


def test_geopackage(tmp_path):
    path = tmp_path / "a.gpkg"
    pyogrio.write_dataframe(_frame(), path)
    result = read_any(path)
    assert result.format is FileFormat.GEOPACKAGE
    assert result.gdf.crs.to_epsg() == 4547
    assert result.crs_reason == "the GeoPackage's spatial reference"
    assert result.gdf["名称"].tolist() == ["东地块"]
    assert result.gdf.geometry.area.sum() == pytest.approx(1e6)


def test_geopackage_with_two_layers_needs_layer(tmp_path):
    path = tmp_path / "two.gpkg"
    pyogrio.write_dataframe(_frame(), path, layer="parcels")
    pyogrio.write_dataframe(_frame(), path, layer="villages", append=True)
    with pytest.raises(InputError) as err:
        read_any(path)
    assert str(err.value) == ("two.gpkg holds 2 layers (parcels, villages); pick one with "
                              "--layer.")
    assert read_any(path, layer="villages").gdf["id"].tolist() == ["A1"]
    with pytest.raises(InputError, match="two.gpkg has no layer 'x'. Its layers: parcels"):
        read_any(path, layer="x")


def test_flatgeobuf(tmp_path):
    path = tmp_path / "a.fgb"
    pyogrio.write_dataframe(_frame(), path, driver="FlatGeobuf")
    result = read_any(path)
    assert result.format is FileFormat.FLATGEOBUF and result.gdf.crs.to_epsg() == 4547


def test_geojson_with_crs_member(tmp_path):
    path = tmp_path / "gk.geojson"
    pyogrio.write_dataframe(_frame(), path, driver="GeoJSON")
    assert '"crs"' in path.read_text()
    result = read_any(path)
    assert result.format is FileFormat.GEOJSON
    assert result.gdf.crs.to_epsg() == 4547
    assert result.crs_reason == "the GeoJSON crs member"


def _geojson_without_crs(path: Path, xy: tuple[float, float]) -> Path:
    x, y = xy
    feature = {"type": "Feature", "properties": {"名称": "东地块"},
               "geometry": {"type": "Polygon", "coordinates": [[
                   [x, y], [x + 1000, y], [x + 1000, y + 1000], [x, y + 1000], [x, y]]]}}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]},
                               ensure_ascii=False), encoding="utf-8")
    return path


def test_geojson_in_metres_without_crs_is_not_taken_as_degrees(tmp_path):
    path = _geojson_without_crs(tmp_path / "gk.geojson", (441_000, 3_507_000))
    assert pyogrio.read_dataframe(path).crs == "EPSG:4326"  # what GDAL alone says
    result = read_any(path)
    assert result.gdf.crs is None
    assert result.crs_reason is None
    assert ("GeoJSON without crs and coordinates in metres: not WGS 84 as GDAL assumes; the "
            "CRS will be inferred") in result.notes


def test_geojson_in_lonlat_without_crs_is_wgs84_by_rfc7946(tmp_path):
    path = tmp_path / "ll.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {}, "geometry": {
            "type": "Point", "coordinates": [113.38, 31.69]}}]}))
    result = read_any(path)
    assert result.gdf.crs.to_epsg() == 4326
    assert result.crs_reason == "GeoJSON without crs (RFC 7946: WGS 84 longitude/latitude)"
    assert result.notes == []


def test_geojson_from_amap_gets_the_gcj02_hint(tmp_path):
    pytest.importorskip("geo_app.io.kml")
    path = tmp_path / "amap.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "source": "高德地图 amap",
                                "features": [{"type": "Feature", "properties": {},
                                              "geometry": {"type": "Point",
                                                           "coordinates": [113.38, 31.69]}}]},
                               ensure_ascii=False), encoding="utf-8")
    result = read_any(path)
    assert any("GCJ-02" in note and "--gcj02" in note for note in result.notes)


def test_shapefile_by_path_folder_and_zip_say_the_same(tmp_path, private_tmp):
    shp = _shapefile(tmp_path / "parcels")
    archive = _zip_folder(tmp_path / "parcels", tmp_path / "up.zip")
    for given, source in ((shp, "地块.shp"), (shp.parent, "parcels"), (archive, "上传.zip")):
        result = read_any(given, source=None if source != "上传.zip" else source)
        assert result.format is FileFormat.SHAPEFILE
        assert result.gdf["名称"].tolist() == ["东地块"]
        assert result.encoding_reason == "the .cpg file says GBK"
        assert result.crs_reason == "the .prj file"
        assert result.source == source
    assert list(private_tmp.iterdir()) == []


def test_folder_with_two_shapefiles_lists_them(tmp_path):
    _shapefile(tmp_path / "d", "东")
    _shapefile(tmp_path / "d", "西")
    with pytest.raises(InputError) as err:
        read_any(tmp_path / "d")
    assert str(err.value) == ("d holds 2 datasets (东.shp, 西.shp); pick one: give its name "
                              "with --layer (e.g. --layer 东.shp).")
    assert read_any(tmp_path / "d", layer="西").source == "d"


def test_zip_with_two_datasets_asks_and_layer_picks_the_member(tmp_path, private_tmp):
    folder = tmp_path / "two"
    _shapefile(folder, "地块")
    pyogrio.write_dataframe(_frame(), folder / "村庄.gpkg")
    (folder / "说明.txt").write_text("readme, not a dataset", encoding="utf-8")
    archive = _zip_folder(folder, tmp_path / "two.zip")
    with pytest.raises(InputError) as err:
        read_any(archive)
    assert str(err.value).startswith("two.zip holds 2 datasets (地块.shp, 村庄.gpkg); pick one")
    result = read_any(archive, layer="村庄.gpkg")
    assert result.format is FileFormat.GEOPACKAGE and result.source == "two.zip"
    assert result.notes[0] == "read 村庄.gpkg from the zip two.zip"
    with pytest.raises(InputError, match="none is named 'x'"):
        read_any(archive, layer="x")
    assert list(private_tmp.iterdir()) == []


def test_zip_without_dataset(tmp_path, private_tmp):
    archive = tmp_path / "docs.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.md", "hello")
    with pytest.raises(InputError) as err:
        read_any(archive)
    assert str(err.value) == (f"docs.zip: the zip holds no file geo_app can read (readme.md). "
                              f"Give one of: {SUPPORTED_FORMATS}.")
    assert list(private_tmp.iterdir()) == []


# --- content decides over a wrong extension ----------------------------------------------


def test_geopackage_named_geojson_is_read_with_a_note(tmp_path):
    path = tmp_path / "wrong.geojson"
    pyogrio.write_dataframe(_frame(), tmp_path / "right.gpkg")
    (tmp_path / "right.gpkg").rename(path)
    result = read_any(path)
    assert result.format is FileFormat.GEOPACKAGE
    assert result.notes[0] == ("wrong.geojson has the extension .geojson but holds a "
                               "GeoPackage: read as a GeoPackage")


def test_zipped_shapefile_named_dat_is_read(tmp_path, private_tmp):
    shp = _shapefile(tmp_path / "p")
    archive = _zip_folder(shp.parent, tmp_path / "upload.dat")
    result = read_any(archive)
    assert result.format is FileFormat.SHAPEFILE
    assert result.notes == []  # an unknown extension says nothing; content decides
    assert list(private_tmp.iterdir()) == []


def test_geojson_named_txt_is_read_as_geojson(tmp_path):
    path = _geojson_without_crs(tmp_path / "export.txt", (113.38, 31.69))
    result = read_any(path)
    assert result.format is FileFormat.GEOJSON
    assert "export.txt has the extension .txt but holds GeoJSON" in result.notes[0]


def test_boundary_txt_is_dispatched(tmp_path):
    boundary = pytest.importorskip("geo_app.io.boundary_txt")
    text = ("[属性描述]\r\n坐标系=2000国家大地坐标系\r\n几度分带=3\r\n带号=38\r\n"
            "[地块坐标]\r\n4,1000000,1,地块一,面,,,,@\r\n"
            "J1,1,3507000,38441000\r\nJ2,1,3507000,38442000\r\nJ3,1,3508000,38442000\r\n"
            "J4,1,3508000,38441000\r\nJ1,1,3507000,38441000\r\n")
    path = tmp_path / "界址点.txt"
    path.write_bytes(text.encode("gbk"))
    result = read_any(path, source="上传.txt")
    expected = boundary.read_boundary_txt(path, source="上传.txt")
    assert result.format is FileFormat.BOUNDARY_TXT
    assert result.gdf.geometry.area.sum() == pytest.approx(expected.gdf.geometry.area.sum())
    assert result.source == "上传.txt"


def test_dwg_is_refused_with_advice(tmp_path):
    path = tmp_path / "红线.dwg"
    path.write_bytes(b"AC1032" + b"\0" * 200)
    with pytest.raises(InputError, match=r"红线.dwg is a DWG drawing.*save it as DXF"):
        read_any(path)


def test_excel_is_refused_with_advice(tmp_path):
    path = tmp_path / "坐标.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(InputError, match=r"坐标.xlsx is an Office document .* as CSV"):
        read_any(path)


# --- one clear line for what cannot be read ----------------------------------------------


@pytest.mark.parametrize("name, data, message", [
    ("empty.gpkg", b"", "empty.gpkg is empty (0 bytes): copy or export the file again."),
    ("empty.zip", b"", "empty.zip is empty (0 bytes): copy or export the file again."),
    ("junk.gpkg", b"hello world",
     "junk.gpkg is not a valid GeoPackage: its first bytes are not those of a GeoPackage, so "
     "it is damaged, truncated or another kind of file. Export it again."),
    ("junk.zip", b"hello world",
     "junk.zip is not a valid zip archive: its first bytes are not those of a zip archive, "
     "so it is damaged, truncated or another kind of file. Export it again."),
    ("junk.geojson", b"hello world",
     "junk.geojson is not GeoJSON (it does not start with '{'): it is damaged or another "
     "kind of file. Export it again as GeoJSON."),
    ("junk.xyz", b"hello world",
     f"junk.xyz is not a file geo_app can read ({SUPPORTED_FORMATS}). Export the data in "
     "one of these formats."),
    ("bad.geojson", b"{ not json",
     "bad.geojson looks like GeoJSON but is not a vector file GDAL can read ('bad.geojson' "
     "not recognized as being in a supported file format): it is damaged or truncated. "
     "Export it again."),
])
def test_unreadable_files_give_one_line(tmp_path, name, data, message):
    path = tmp_path / "tmp_upload_123"
    path.mkdir()
    path = path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        read_any(path)
    assert str(err.value) == message
    assert "tmp_upload_123" not in str(err.value)  # never the temporary path


def test_truncated_geopackage(tmp_path):
    whole = tmp_path / "whole.gpkg"
    pyogrio.write_dataframe(_frame(), whole)
    cut = tmp_path / "cut.gpkg"
    cut.write_bytes(whole.read_bytes()[:4096])
    with pytest.raises(InputError) as err:
        read_any(cut, source="地块.gpkg")
    message = str(err.value)
    assert message.startswith("地块.gpkg looks like a GeoPackage but is not a vector file")
    assert message.endswith("it is damaged or truncated. Export it again.")
    assert len(message.splitlines()) == 1 and str(tmp_path) not in message


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"^No file at .*nope.gpkg. Check the path.$"):
        read_any(tmp_path / "nope.gpkg")


def test_read_vector_still_returns_the_features(tmp_path):
    path = tmp_path / "a.gpkg"
    pyogrio.write_dataframe(_frame(), path)
    gdf = read_vector(path)
    assert isinstance(gdf, gpd.GeoDataFrame) and gdf["id"].tolist() == ["A1"]


# --- formats other modules read: dispatch only ---------------------------------------------


def test_csv_and_plain_txt_go_to_the_csv_reader(tmp_path):
    pytest.importorskip("geo_app.io.csv")
    table = ("名称,wkt\n"
             '东地块,"POLYGON ((113.38 31.69, 113.39 31.69, 113.39 31.70, 113.38 31.69))"\n')
    for name in ("a.csv", "a.txt"):
        path = tmp_path / name
        path.write_text(table, encoding="utf-8")
        result = read_any(path)
        assert result.format is FileFormat.CSV
        assert result.gdf["名称"].tolist() == ["东地块"]


def test_kml_and_kmz_go_to_the_kml_reader(tmp_path):
    pytest.importorskip("geo_app.io.kml")
    kml = tmp_path / "a.kml"
    pyogrio.write_dataframe(_frame(4326).rename(columns={"名称": "name"}), kml, driver="KML")
    kmz = tmp_path / "a.kmz"
    with zipfile.ZipFile(kmz, "w") as zf:
        zf.write(kml, "doc.kml")
    for path in (kml, kmz):
        result = read_any(path)
        assert result.format is FileFormat.KML
        assert result.gdf["name"].tolist() == ["东地块"]


def test_dxf_goes_to_the_dxf_reader(tmp_path):
    pytest.importorskip("geo_app.io.dxf")
    ezdxf = pytest.importorskip("ezdxf")
    doc = ezdxf.new("R2010")
    doc.modelspace().add_lwpolyline(list(GK.exterior.coords)[:-1], close=True)
    path = tmp_path / "红线.dxf"
    doc.saveas(path)
    result = read_any(path)
    assert result.format is FileFormat.DXF
    assert result.gdf.geometry.area.sum() == pytest.approx(1e6)

"""Layer export: format names, GeoPackage, GeoJSON, KML, boundary TXT, and target checks."""

from __future__ import annotations

import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point, Polygon, box

from geo_app.domain.layers import get_spec
from geo_app.errors import CRSError, InputError
from geo_app.io.export import (
    ExportFormat,
    format_from_path,
    parse_format,
    render_layer,
    write_layer,
)

KML = "{http://www.opengis.net/kml/2.2}"
HOSTILE_NAME = '<b>A & "B"</b> \x01'


@pytest.fixture(scope="module")
def parcels() -> gpd.GeoDataFrame:
    from geo_app.settings import BUNDLED_LAYERS
    from geo_app.storage import GeoPackageStore

    store = GeoPackageStore(BUNDLED_LAYERS)
    try:
        return store.read_layer("parcels")
    finally:
        store.close()


def _render(gdf: gpd.GeoDataFrame, fmt: ExportFormat, **options: object) -> bytes:
    return render_layer(gdf, fmt=fmt, layer_name="parcels", spec=get_spec("parcels"),
                        **options).data


@pytest.mark.parametrize(("name", "fmt"), [
    ("a.gpkg", "gpkg"), ("a.GeoJSON", "geojson"), ("a.json", "geojson"), ("a.zip", "shp"),
    ("a.shp", "shp"), ("a.kml", "kml"), ("a.xlsx", "xlsx"), ("地块.txt", "boundary-txt"),
])
def test_format_from_path(name, fmt):
    assert format_from_path(Path("/x") / name) is ExportFormat(fmt)


@pytest.mark.parametrize("name", ["a.csv", "a", "a.kmz"])
def test_unknown_extension_says_which_to_use(name):
    with pytest.raises(InputError) as err:
        format_from_path(name)
    assert f"Cannot tell the export format of '{name}'" in str(err.value)
    assert ".gpkg" in str(err.value) and "--format gpkg, geojson, shp" in str(err.value)


def test_parse_format_takes_values_and_aliases():
    assert parse_format("Shapefile") is ExportFormat.SHP
    assert parse_format("boundary-txt") is ExportFormat.BOUNDARY_TXT
    with pytest.raises(InputError, match="Unknown export format 'dwg'. Use one of gpkg"):
        parse_format("dwg")


def test_geopackage_holds_the_layer_by_name(parcels, tmp_path):
    out = render_layer(parcels, fmt=ExportFormat.GPKG, layer_name="parcels")
    data, name, mime = out.data, out.file_name, out.mime
    assert (name, mime) == ("parcels.gpkg", "application/geopackage+sqlite3")
    path = tmp_path / name
    path.write_bytes(data)
    assert [n for n, _ in pyogrio.list_layers(path)] == ["parcels"]
    back = pyogrio.read_dataframe(path, layer="parcels")
    assert list(back["name"]) == list(parcels["name"])
    assert back.crs.to_epsg() == 4490
    info = pyogrio.read_info(path, layer="parcels")
    assert dict(zip(info["fields"], info["dtypes"], strict=True))["stage_date"] == "datetime64[D]"


def test_geojson_is_rfc7946_lon_lat_with_readable_chinese(parcels):
    data = _render(parcels, ExportFormat.GEOJSON)
    assert "青春化工园一期01地块".encode() in data  # UTF-8 as is, not \\u escapes
    doc = json.loads(data)
    assert "crs" not in doc and doc["name"] == "parcels"
    assert len(doc["features"]) == len(parcels)
    x, y = doc["features"][0]["geometry"]["coordinates"][0][0]
    assert 113 < x < 114.5 and 31 < y < 32.5
    assert doc["features"][0]["properties"]["name"] == parcels["name"].iloc[0]


def test_geojson_and_kml_are_reprojected_from_a_plane_to_lon_lat():
    gdf = gpd.GeoDataFrame({"name": ["甲"]}, geometry=[box(450000, 3500000, 451000, 3501000)],
                           crs=4547)
    doc = json.loads(render_layer(gdf, fmt=ExportFormat.GEOJSON, layer_name="plots").data)
    xs = [p[0] for p in doc["features"][0]["geometry"]["coordinates"][0]]
    assert all(113.4 < x < 113.6 for x in xs)
    kml = pyogrio.read_dataframe(io.BytesIO(render_layer(gdf, fmt=ExportFormat.KML,
                                                         layer_name="plots").data))
    assert 113.4 < kml.geometry.iloc[0].centroid.x < 113.6


def test_kml_has_names_attributes_and_escaped_text(parcels):
    gdf = parcels.head(3).copy()
    gdf.loc[gdf.index[1], "name"] = HOSTILE_NAME
    data = _render(gdf, ExportFormat.KML)
    root = ET.fromstring(data)
    names = [p.findtext(f"{KML}name") for p in root.iter(f"{KML}Placemark")]
    assert names == [gdf["name"].iloc[0], '<b>A & "B"</b> \ufffd', gdf["name"].iloc[2]]
    data_items = {
        d.get("name"): d.text for d in next(root.iter(f"{KML}Placemark")).iter(f"{KML}SimpleData")
    }
    assert data_items["id"] == gdf["id"].iloc[0] and data_items["stage"] == "net_land"
    back = pyogrio.read_dataframe(io.BytesIO(data))  # GDAL reads names and attributes
    assert list(back["Name"]) == names
    assert "park" in back.columns and set(back["park"]) == {"青春化工园"}
    assert back.geometry.iloc[0].equals_exact(gdf.to_crs(4326).geometry.iloc[0], 1e-8)


def test_kml_writes_holes_multi_parts_and_points():
    shell = [(113.0, 31.0), (113.1, 31.0), (113.1, 31.1), (113.0, 31.1)]
    hole = [(113.02, 31.02), (113.04, 31.02), (113.04, 31.04), (113.02, 31.04)]
    donut = Polygon(shell, [hole])
    gdf = gpd.GeoDataFrame({"名称": ["环", "点"]}, geometry=[donut, Point(113.5, 31.5)],
                           crs=4490)
    data = render_layer(gdf, fmt=ExportFormat.KML, layer_name="mixed").data
    back = pyogrio.read_dataframe(io.BytesIO(data))
    assert list(back["Name"]) == ["环", "点"]  # the 名称 column is taken as the name
    assert back.geometry.iloc[0].area == pytest.approx(donut.area)
    assert back.geometry.iloc[1].equals(Point(113.5, 31.5))


def test_boundary_txt_is_gbk_crlf_zone_prefixed(parcels):
    from geo_app.io.boundary_txt import read_boundary_txt_bytes

    out = render_layer(parcels, fmt=ExportFormat.BOUNDARY_TXT, layer_name="parcels",
                       spec=get_spec("parcels"))
    assert out.file_name == "parcels.txt"
    text = out.data.decode("gbk")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert "带号=38" in text and "青春化工园一期01地块" in text
    assert any("zone 38" in n for n in out.notes)
    back = read_boundary_txt_bytes(out.data, source="parcels.txt").gdf
    assert list(back["id"]) == list(parcels["id"])
    utf8 = render_layer(parcels, fmt=ExportFormat.BOUNDARY_TXT, layer_name="parcels",
                        encoding="utf-8").data
    assert "青春化工园一期01地块".encode() in utf8


def test_encoding_that_does_not_apply_is_said(parcels):
    out = render_layer(parcels, fmt=ExportFormat.GEOJSON, layer_name="parcels", encoding="gbk")
    assert any("GeoJSON is always UTF-8" in n for n in out.notes)


def test_lon_lat_formats_need_a_crs(parcels):
    no_crs = parcels.set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="no CRS, so it cannot be written as KML"):
        render_layer(no_crs, fmt=ExportFormat.KML, layer_name="parcels")


# --- targets ---------------------------------------------------------------------------


def test_write_infers_the_format_and_replaces_atomically(parcels, tmp_path):
    target = tmp_path / "p.geojson"
    target.write_text("old")
    target.chmod(0o640)
    written = write_layer(parcels, target, layer_name="parcels")
    assert written.path == target and written.format is ExportFormat.GEOJSON
    assert written.features == len(parcels)
    assert json.loads(target.read_bytes())["type"] == "FeatureCollection"
    assert (target.stat().st_mode & 0o777) == 0o640  # the replaced file's mode is kept
    fresh = write_layer(parcels, tmp_path / "q.kml", layer_name="parcels").path
    assert (fresh.stat().st_mode & 0o777) == 0o644  # not mkstemp's 0600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.geojson", "q.kml"]  # no temporary


def test_shp_target_becomes_a_zip_beside_it(parcels, tmp_path):
    written = write_layer(parcels, tmp_path / "地块.shp", layer_name="parcels",
                          spec=get_spec("parcels"))
    assert written.path == tmp_path / "地块.zip" and written.path.is_file()
    assert any("zipped into 地块.zip" in n for n in written.notes)


def test_missing_folder_is_refused(parcels, tmp_path):
    with pytest.raises(InputError) as err:
        write_layer(parcels, tmp_path / "nope" / "p.gpkg", layer_name="parcels")
    assert str(err.value) == (f"Folder {tmp_path / 'nope'} does not exist. Create it or choose "
                              "another folder.")


def test_folder_as_target_is_refused(parcels, tmp_path):
    with pytest.raises(InputError, match="is a folder. Give a file name, e.g."):
        write_layer(parcels, tmp_path, fmt=ExportFormat.GPKG, layer_name="parcels")


def test_parent_that_is_a_file_is_refused(parcels, tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match="is a file, not a folder"):
        write_layer(parcels, tmp_path / "f" / "p.kml", layer_name="parcels")


def test_extension_not_matching_the_format_is_refused(parcels, tmp_path):
    with pytest.raises(InputError) as err:
        write_layer(parcels, tmp_path / "p.txt", fmt=ExportFormat.KML, layer_name="parcels")
    assert "'p.txt' does not end in .kml, the extension of a KML file" in str(err.value)


def test_unknown_extension_is_refused_before_writing(parcels, tmp_path):
    with pytest.raises(InputError, match="Cannot tell the export format of 'p.dwg'"):
        write_layer(parcels, tmp_path / "p.dwg", layer_name="parcels")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root can write into a read-only folder")
def test_unwritable_folder_is_refused(parcels, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(InputError, match=r"Cannot write .*p.gpkg: Permission denied"):
            write_layer(parcels, folder / "p.gpkg", layer_name="parcels")
    finally:
        folder.chmod(0o755)


def test_unwritable_target_is_refused(parcels, tmp_path, monkeypatch):
    """A write that fails (disk full, permission) leaves nothing behind and says why."""
    import geo_app.io.export as export

    def refuse(src: str, dst: Path) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(export.os, "replace", refuse)
    with pytest.raises(InputError) as err:
        write_layer(parcels, tmp_path / "p.kml", layer_name="parcels")
    assert str(err.value) == f"Cannot write {tmp_path / 'p.kml'}: Permission denied."
    assert list(tmp_path.iterdir()) == []


def test_a_refused_value_writes_nothing(tmp_path):
    gdf = gpd.GeoDataFrame({"name": ["🏠"]}, geometry=[box(113.4, 31.6, 113.41, 31.61)],
                           crs=4490)
    with pytest.raises(InputError, match="Field 'name', row 1"):
        write_layer(gdf, tmp_path / "p.zip", layer_name="plots", encoding="gbk")
    assert list(tmp_path.iterdir()) == []

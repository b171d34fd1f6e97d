"""Zipped Shapefile export: GBK and UTF-8 DBFs with .cpg, LDID, .prj, 10-byte field names."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point, box

from geo_app.domain.layers import get_spec
from geo_app.errors import InputError
from geo_app.io.export import ExportFormat, render_layer
from geo_app.io.shp_write import LDID_GBK, dbf_field_names

SIDE_FILES = {"shp", "shx", "dbf", "prj", "cpg"}


@pytest.fixture(scope="module")
def parcels() -> gpd.GeoDataFrame:
    from geo_app.settings import BUNDLED_LAYERS
    from geo_app.storage import GeoPackageStore

    store = GeoPackageStore(BUNDLED_LAYERS)
    try:
        return store.read_layer("parcels")
    finally:
        store.close()


def _shp(gdf: gpd.GeoDataFrame, encoding: str, layer: str = "parcels") -> tuple[bytes, list[str]]:
    out = render_layer(gdf, fmt=ExportFormat.SHP, layer_name=layer, encoding=encoding,
                       spec=get_spec(layer))
    assert out.file_name == f"{layer}.zip" and out.mime == "application/zip"
    return out.data, out.notes


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name.rsplit(".", 1)[-1].lower(): zf.read(name) for name in zf.namelist()}


@pytest.mark.parametrize(("encoding", "cpg", "codec", "ldid"), [
    ("gbk", b"GBK", "gbk", LDID_GBK),
    ("utf-8", b"UTF-8", "utf-8", 0),
])
def test_chinese_names_survive_in_both_encodings(parcels, encoding, cpg, codec, ldid):
    data, _ = _shp(parcels, encoding)
    parts = _members(data)
    assert set(parts) == SIDE_FILES
    assert parts["cpg"] == cpg
    assert parts["dbf"][29] == ldid
    assert "青春化工园一期01地块".encode(codec) in parts["dbf"]
    assert b"China_Geodetic_Coordinate_System_2000" in parts["prj"]
    back = pyogrio.read_dataframe(io.BytesIO(data))
    assert list(back["name"]) == list(parcels["name"])
    assert list(back["land_use"]) == list(parcels["land_use"])


def test_gbk_dbf_is_read_right_without_its_cpg_thanks_to_the_code_page_byte(parcels, tmp_path):
    data, _ = _shp(parcels, "gbk")
    for suffix, content in _members(data).items():
        if suffix != "cpg":
            (tmp_path / f"p.{suffix}").write_bytes(content)
    back = pyogrio.read_dataframe(tmp_path / "p.shp")
    assert list(back["name"]) == list(parcels["name"])


def test_dates_are_dbf_dates_and_long_names_are_reported(parcels):
    data, notes = _shp(parcels, "utf-8")
    info = pyogrio.read_info(io.BytesIO(data))
    dtypes = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert dtypes["stage_date"] == "datetime64[D]"
    assert "declared_a" in dtypes and "declared_area_mu" not in dtypes
    assert any("declared_area_mu → declared_a" in n for n in notes)
    back = pyogrio.read_dataframe(io.BytesIO(data))
    assert [d.date() for d in back["stage_date"]] == list(parcels["stage_date"])


def test_field_names_fit_ten_bytes_and_collisions_are_renamed_deterministically():
    columns = ["declared_area_mu", "declared_a", "declared_area_ha", "Name", "NAME",
               "地块名称字段", "ok"]
    gbk = dbf_field_names(columns, "gbk")
    assert gbk == {
        "declared_area_mu": "declared_1",  # the name that already fits keeps priority
        "declared_a": "declared_a",
        "declared_area_ha": "declared_2",
        "Name": "Name",
        "NAME": "NAME_1",  # DBF names ignore case
        "地块名称字段": "地块名称字",  # 12 bytes in GBK → 5 characters (10 bytes)
        "ok": "ok",
    }
    utf8 = dbf_field_names(columns, "utf-8")
    assert utf8["地块名称字段"] == "地块名"  # 3 bytes a character in UTF-8
    assert all(len(name.encode("utf-8")) <= 10 for name in utf8.values())
    assert dbf_field_names(columns, "gbk") == gbk  # same input, same names


def test_renamed_fields_hold_their_values_in_the_file():
    gdf = gpd.GeoDataFrame(
        {"declared_area_mu": [1.5], "declared_a": ["kept"], "地块名称字段": ["挑水村"]},
        geometry=[box(113.4, 31.6, 113.41, 31.61)], crs=4490,
    )
    for encoding, long_name in (("gbk", "地块名称字"), ("utf-8", "地块名")):
        data, notes = _shp(gdf, encoding, layer="plots")
        back = pyogrio.read_dataframe(io.BytesIO(data))
        assert back.loc[0, "declared_1"] == 1.5
        assert back.loc[0, "declared_a"] == "kept"
        assert back.loc[0, long_name] == "挑水村"
        assert f"地块名称字段 → {long_name}" in notes[0]


def test_text_gbk_cannot_hold_names_the_field_and_row():
    gdf = gpd.GeoDataFrame(
        {"id": ["V-01", "V-02"], "name": ["挑水村", "新店村🏠"]},
        geometry=[box(113.4, 31.6, 113.41, 31.61), box(113.5, 31.6, 113.51, 31.61)], crs=4490,
    )
    with pytest.raises(InputError) as err:
        _shp(gdf, "gbk", layer="plots")
    message = str(err.value)
    assert "Field 'name', row 2 (id 'V-02')" in message
    assert "GBK cannot hold" in message and "--encoding utf-8" in message
    data, _ = _shp(gdf, "utf-8", layer="plots")  # the suggested fix works
    assert list(pyogrio.read_dataframe(io.BytesIO(data))["name"]) == ["挑水村", "新店村🏠"]


def test_unsupported_encoding_and_mixed_geometries_are_refused(parcels):
    with pytest.raises(InputError, match="GBK or UTF-8, not 'latin-1'"):
        _shp(parcels, "latin-1")
    mixed = gpd.GeoDataFrame({"id": ["a", "b"]},
                             geometry=[Point(113.4, 31.6), box(113.4, 31.6, 113.5, 31.7)],
                             crs=4490)
    with pytest.raises(InputError, match="one kind of geometry.*Point, Polygon"):
        _shp(mixed, "utf-8", layer="plots")


def test_long_text_values_are_cut_to_the_dbf_limit_with_a_note():
    gdf = gpd.GeoDataFrame({"note": ["随" * 200]}, geometry=[box(113.4, 31.6, 113.41, 31.61)],
                           crs=4490)
    data, notes = _shp(gdf, "gbk", layer="plots")
    back = pyogrio.read_dataframe(io.BytesIO(data))
    assert back.loc[0, "note"] == "随" * 127  # 254 bytes in GBK, cut on a character
    assert any("longer than 254 bytes" in n for n in notes)


def test_temporary_folder_is_removed(parcels, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    _shp(parcels, "gbk")
    assert list(Path(tmp_path).iterdir()) == []

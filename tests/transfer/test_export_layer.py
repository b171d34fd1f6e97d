"""``export_layer``: every format from the store, read back with the real readers; Excel areas
against independent known answers (shapely in EPSG:4547, pyproj.Geod, a hand-made rectangle)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pyproj import Geod
from shapely.geometry import box

from geo_app.domain.stages import ParcelStage
from geo_app.errors import InputError
from geo_app.io.export import ExportFormat
from geo_app.storage import GeoPackageStore
from geo_app.transfer.export import export_layer, export_layer_bytes, prepare_layer_file

M2_PER_MU = 10000 / 15
GRS80 = Geod(ellps="GRS80")


def _read_back(path: Path, fmt: ExportFormat) -> gpd.GeoDataFrame:
    if fmt is ExportFormat.BOUNDARY_TXT:
        from geo_app.io.boundary_txt import read_boundary_txt

        return read_boundary_txt(path).gdf
    return pyogrio.read_dataframe(path)


@pytest.mark.parametrize("fmt", [f for f in ExportFormat if f is not ExportFormat.XLSX])
def test_every_format_holds_every_parcel(bundled_store, tmp_path, fmt):
    parcels = bundled_store.read_layer("parcels")
    result = export_layer(bundled_store, "parcels", tmp_path / f"out{fmt.suffix}",
                          encoding="gbk" if fmt is ExportFormat.SHP else None)
    assert result.format is fmt and result.features == len(parcels)
    assert result.path == tmp_path / f"out{fmt.suffix}" and result.path.is_file()
    back = _read_back(result.path, fmt)
    name = "Name" if fmt is ExportFormat.KML else "name"
    assert sorted(back[name]) == sorted(parcels["name"])


def _sheet(path: Path) -> Worksheet:
    return load_workbook(path).worksheets[0]


def _column(ws: Worksheet, header_start: str) -> int:
    return next(c.column for c in ws[1] if str(c.value).startswith(header_start))


def test_excel_totals_equal_independent_areas(bundled_store, tmp_path):
    parcels = bundled_store.read_layer("parcels")
    result = export_layer(bundled_store, "parcels", tmp_path / "p.xlsx")
    ws = _sheet(result.path)
    total_row = len(parcels) + 2
    assert ws.cell(row=total_row, column=1).value == len(parcels)
    plane_mu = parcels.to_crs(4547).area.sum() / M2_PER_MU  # all of them lie in zone 38
    geodesic_mu = sum(abs(GRS80.geometry_area_perimeter(g)[0])
                      for g in parcels.geometry) / M2_PER_MU
    plane_total = ws.cell(row=total_row, column=_column(ws, "平面面积(亩)")).value
    ellipsoid_total = ws.cell(row=total_row, column=_column(ws, "椭球面积(亩)")).value
    assert plane_total == pytest.approx(plane_mu, rel=1e-9)
    assert ellipsoid_total == pytest.approx(geodesic_mu, rel=1e-6)
    ha_total = ws.cell(row=total_row, column=_column(ws, "平面面积(公顷)")).value
    assert ha_total == pytest.approx(plane_mu / 15, rel=1e-9)
    planes = {ws.cell(row=r, column=_column(ws, "面积平面坐标系")).value
              for r in range(2, total_row)}
    assert planes == {"EPSG:4547"}
    assert any("EPSG:4547" in n for n in result.notes)


def test_excel_stage_names_are_chinese(bundled_store, tmp_path):
    ws = _sheet(export_layer(bundled_store, "parcels", tmp_path / "p.xlsx").path)
    col = _column(ws, "征地阶段")
    shown = {ws.cell(row=r, column=col).value for r in range(2, ws.max_row)}
    assert shown <= {s.label_zh for s in ParcelStage} and "净地" in shown


def test_excel_areas_of_hand_made_rectangles(sample_gpkg, tmp_path):
    store = GeoPackageStore(sample_gpkg)
    rectangles = gpd.GeoDataFrame(
        {"id": ["R1", "R2"], "name": ["三百乘四百", "百米见方"]},
        geometry=[box(450000, 3500000, 450300, 3500400), box(451000, 3500000, 451100, 3500100)],
        crs=4547,
    )
    store.write_layer("plots", rectangles)
    ws = _sheet(export_layer(store, "plots", tmp_path / "plots.xlsx").path)
    mu = _column(ws, "平面面积(亩)")
    m2 = _column(ws, "平面面积(平方米)")
    assert ws.cell(row=2, column=m2).value == pytest.approx(120_000.0, abs=1e-4)
    assert ws.cell(row=2, column=mu).value == pytest.approx(180.0, abs=1e-6)  # 120 000 m²
    assert ws.cell(row=3, column=mu).value == pytest.approx(15.0, abs=1e-6)  # 10 000 m²
    assert ws.cell(row=4, column=mu).value == pytest.approx(195.0, abs=1e-6)
    assert ws.cell(row=4, column=_column(ws, "平面面积(公顷)")).value == pytest.approx(13.0)


def test_points_get_no_area_columns(bundled_store, tmp_path):
    result = export_layer(bundled_store, "projects", tmp_path / "k.xlsx")
    headers = [c.value for c in _sheet(result.path)[1]]
    assert not any("面积" in str(h) for h in headers)
    assert "类别\nCategory" in headers
    assert result.notes == ("The layer holds no polygons, so the sheet has no area columns.",)


def test_bytes_for_the_app(bundled_store):
    data, name, mime = export_layer_bytes(bundled_store, "villages", fmt=ExportFormat.SHP,
                                          encoding="gbk")
    assert (name, mime) == ("villages.zip", "application/zip")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.read("villages.cpg") == b"GBK"
    prepared = prepare_layer_file(bundled_store, "parcels", fmt=ExportFormat.GEOJSON)
    assert prepared.features == 32 and prepared.file_name == "parcels.geojson"
    assert len(json.loads(prepared.data)["features"]) == 32


def test_unknown_layer_says_which_exist(bundled_store, tmp_path):
    with pytest.raises(InputError, match="No layer 'nope' in .* Layers here: .*parcels"):
        export_layer(bundled_store, "nope", tmp_path / "x.gpkg")
    assert list(tmp_path.iterdir()) == []


class _NoRead:
    def read_layer(self, name: str) -> gpd.GeoDataFrame:
        raise AssertionError("the target must be checked before the layer is read")


@pytest.mark.parametrize(("target", "message"), [
    ("missing/x.gpkg", "Folder {tmp}/missing does not exist. Create it or choose another folder."),
    ("x.dwg", "Cannot tell the export format of 'x.dwg' ('.dwg')."),
])
def test_bad_target_is_refused_before_reading(tmp_path, target, message):
    with pytest.raises(InputError) as err:
        export_layer(_NoRead(), "parcels", tmp_path / target)  # type: ignore[arg-type]
    assert str(err.value).startswith(message.format(tmp=tmp_path))


ROUND_TRIP_TXT = """[属性描述]
格式版本号=1.01
坐标系=2000国家大地坐标系
几度分带=3
投影类型=高斯克吕格
计量单位=米
带号=38
精度=0.001
[地块坐标]
5,6.0000,T-01,挑水村地块,面,,工业用地,,@
J1,1,3507712.345,38441921.100
J2,1,3507712.345,38442121.100
J3,1,3507412.345,38442121.100
J4,1,3507412.345,38441921.100
J1,1,3507712.345,38441921.100
14,1.1100,T-02,带孔两块,面,,农用地,,@
J1,1,3508000.001,38443000.007
J2,1,3508000.001,38443100.007
J3,1,3507900.001,38443100.007
J4,1,3507900.001,38443000.007
J1,1,3508000.001,38443000.007
J5,2,3507980.001,38443020.007
J6,2,3507960.001,38443020.007
J7,2,3507960.001,38443040.007
J8,2,3507980.001,38443040.007
J5,2,3507980.001,38443020.007
J9,3,3508000.001,38443200.999
J10,3,3508000.001,38443230.999
J11,3,3507970.001,38443230.999
J9,3,3508000.001,38443200.999
"""


def _point_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"^J\d+,", line)]


def test_boundary_txt_round_trip_through_the_store_keeps_coordinates_and_rings(sample_gpkg,
                                                                               tmp_path):
    from geo_app.io.boundary_txt import read_boundary_txt_bytes

    source = ROUND_TRIP_TXT.replace("\n", "\r\n").encode("gbk")
    first = read_boundary_txt_bytes(source, source="in.txt").gdf
    store = GeoPackageStore(sample_gpkg)
    store.write_layer("plots", first[["id", "name", "land_use", "geometry"]].to_crs(4490))
    result = export_layer(store, "plots", tmp_path / "out.txt")
    text = result.path.read_bytes().decode("gbk")
    assert "\r\n" in text and "带号=38" in text
    assert _point_lines(text) == _point_lines(ROUND_TRIP_TXT)  # every point to 0.001 m
    again = read_boundary_txt_bytes(result.path.read_bytes(), source="out.txt").gdf
    for before, after in zip(first.geometry, again.geometry, strict=True):
        assert after.equals_exact(before, tolerance=0.0005)
    assert [g.geom_type for g in again.geometry] == ["Polygon", "MultiPolygon"]
    assert list(again["name"]) == ["挑水村地块", "带孔两块"]
    assert list(again["declared_area_ha"]) == pytest.approx([6.0, 1.0 - 0.04 + 0.045],
                                                            abs=1e-4)

"""The export widget (layer-table and map pages): bytes only after "prepare", valid files."""

from __future__ import annotations

import io
import zipfile

import geopandas as gpd
import pyogrio
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from geo_app.ui import loaders
from geo_app.ui.export_widget import export_bytes

TIMEOUT_S = 60.0
KEY = "t"


def _widget_script(location: str, layer: str) -> None:
    from geo_app.ui import loaders
    from geo_app.ui.export_widget import export_widget
    from geo_app.ui.i18n import Lang

    export_widget(location, loaders.store_token(location), layer, Lang.ZH, key="t")


@pytest.fixture
def widget(sample_gpkg) -> AppTest:
    at = AppTest.from_function(_widget_script, args=(str(sample_gpkg), "parcels"),
                               default_timeout=TIMEOUT_S).run()
    assert not at.exception, at.exception
    return at


def _prepare(at: AppTest, fmt: str, encoding: str | None = None) -> AppTest:
    at.selectbox(key=f"{KEY}_format").set_value(fmt).run()
    if encoding is not None:
        at.selectbox(key=f"{KEY}_encoding").set_value(encoding).run()
    at.button(key=f"{KEY}_prepare").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _bytes(sample_gpkg, fmt: str, encoding: str | None) -> tuple[bytes, str, str]:
    location = str(sample_gpkg)
    return export_bytes(location, loaders.store_token(location), "parcels", fmt, encoding)


def _parcel_ids(sample_gpkg) -> list[str]:
    return sorted(gpd.read_file(sample_gpkg, layer="parcels")["id"])


def test_nothing_is_made_before_prepare(widget):
    assert not widget.get("download_button")
    assert {s.key for s in widget.selectbox} == {f"{KEY}_format"}  # no encoding for gpkg


def test_shapefile_download_is_a_zip_with_prj_and_cpg(widget, sample_gpkg):
    at = _prepare(widget, "shp", "gbk")
    (button,) = at.get("download_button")
    data, name, mime = _bytes(sample_gpkg, "shp", "gbk")
    assert name.endswith(".zip") and name in button.proto.label and "zip" in mime
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        suffixes = {n.rsplit(".", 1)[-1].lower() for n in zf.namelist()}
        cpg = next(n for n in zf.namelist() if n.lower().endswith(".cpg"))
        assert "GBK" in zf.read(cpg).decode("ascii").upper()
    assert {"shp", "shx", "dbf", "prj", "cpg"} <= suffixes
    back = pyogrio.read_dataframe(io.BytesIO(data))
    assert sorted(back["id"]) == _parcel_ids(sample_gpkg)


def test_excel_download_is_a_workbook_with_every_parcel(widget, sample_gpkg):
    at = _prepare(widget, "xlsx")
    assert len(at.get("download_button")) == 1
    data, name, _mime = _bytes(sample_gpkg, "xlsx", None)
    assert name.endswith(".xlsx")
    book = load_workbook(io.BytesIO(data), read_only=True)
    cells = {str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
             for c in row if c is not None}
    assert set(_parcel_ids(sample_gpkg)) <= cells


def test_a_new_choice_needs_a_new_prepare(widget):
    at = _prepare(widget, "geojson")
    assert len(at.get("download_button")) == 1
    at.selectbox(key=f"{KEY}_format").set_value("kml").run()
    assert not at.get("download_button")  # the GeoJSON is not offered as KML


@pytest.mark.parametrize("page", ["layers", "map"])
def test_pages_have_the_export_widget(app_page, page, sample_gpkg, monkeypatch):
    monkeypatch.setenv("GEO_APP_STORE", str(sample_gpkg))
    at = app_page(page).run()
    assert not at.exception, at.exception
    prefix = "table_export" if page == "layers" else "map_export"
    at.selectbox(key=f"{prefix}_format").set_value("geojson").run()
    at.button(key=f"{prefix}_prepare").click().run()
    assert not at.exception, at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert any(label.endswith(".geojson") for label in labels), labels

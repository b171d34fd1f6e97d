"""The Import page: the check/confirm functions on generated files, and the page in AppTest
(upload through ``st.file_uploader``, check, report, confirm).

Known answers are computed here with shapely in EPSG:4547 (the 3° Gauss-Krüger zone of
113.5°E), never with the functions the page calls.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from shapely.geometry import Polygon, box

from geo_app.errors import GeoAppError, InputError
from geo_app.storage import GeoPackageStore
from geo_app.storage.base import ImportMode
from geo_app.transfer.importer import ImportOptions
from geo_app.ui.pages.importing import KEEP, NEW_LAYER
from geo_app.ui.pages.importing._check import (
    check_upload,
    confirm_upload,
    content_digest,
    safe_file_name,
)
from geo_app.ui.pages.importing._state import ImportKey, constant_key, field_key

MU = 10000 / 15
X0, Y0 = 451_600.0, 3_503_100.0  # EPSG:4547 (CM 114°E): about 113.49°E 31.65°N, in the zone
LAYER = "survey_2024"
HOSTILE = '<img src=x onerror=alert(1)>![p](http://example.invalid/x.png)'


def _squares_4547() -> list[Polygon]:
    """Two 100 m squares and a 100 m bow-tie (two 2,500 m² triangles once repaired)."""
    bow_tie = Polygon([(X0 + 400, Y0), (X0 + 500, Y0 + 100), (X0 + 500, Y0),
                       (X0 + 400, Y0 + 100)])
    return [box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 200, Y0, X0 + 300, Y0 + 100), bow_tie]


def _frame(names: list[str] | None = None) -> gpd.GeoDataFrame:
    geoms = _squares_4547()
    return gpd.GeoDataFrame(
        {"id": ["A1", "A2", "A3"], "name": names or ["东地块", "西地块", "蝴蝶地块"]},
        geometry=geoms, crs=4547).to_crs(4490)


def _geojson_bytes(tmp_path: Path, names: list[str] | None = None) -> bytes:
    path = tmp_path / "fixture.geojson"
    pyogrio.write_dataframe(_frame(names), path, driver="GeoJSON")
    return path.read_bytes()


def _shapefile_zip_bytes(tmp_path: Path) -> bytes:
    """A GBK shapefile (with .cpg and .prj, in EPSG:4547) zipped as a land office sends it."""
    folder = tmp_path / "shp"
    folder.mkdir()
    frame = _frame().to_crs(4547).rename(columns={"name": "地块名称"})
    pyogrio.write_dataframe(frame, folder / "地块.shp", encoding="GBK")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for part in sorted(folder.iterdir()):
            zf.write(part, part.name)
    return buf.getvalue()


def _known_area_mu() -> float:
    return sum(shapely.make_valid(g).area for g in _squares_4547()) / MU


def _layers(path: Path) -> dict[str, int]:
    return {name: len(pyogrio.read_dataframe(path, layer=name, read_geometry=False))
            for name, _ in pyogrio.list_layers(path)}


@pytest.fixture
def store_path(sample_gpkg, monkeypatch):
    monkeypatch.setenv("GEO_APP_STORE", str(sample_gpkg))
    return sample_gpkg


@pytest.fixture
def private_tmp(tmp_path, monkeypatch) -> Path:
    """Where tempfile makes folders during the test (to prove they are removed)."""
    where = tmp_path / "tmpdirs"
    where.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(where))
    return where


# --- the check and confirm functions ---------------------------------------------------------


def test_check_reports_a_geojson_and_writes_nothing(tmp_path, store_path, private_tmp):
    before = store_path.read_bytes()
    checked = check_upload(_geojson_bytes(tmp_path), "地块.geojson", str(store_path),
                           ImportOptions(layer=LAYER))
    report = checked.report
    assert report.format == "geojson"
    assert report.source == "地块.geojson"
    assert report.features_read == 3
    assert report.area_mu_plane == pytest.approx(_known_area_mu(), rel=1e-3)
    assert report.problem_positions() == [2]  # the bow-tie
    assert [i.feature_id for i in report.issues if i.position == 2][:1] == ["A3"]
    # the preview draws all three, the bow-tie flagged, in lon/lat
    assert checked.preview["problem"].tolist() == [False, False, True]
    assert checked.preview.crs.to_epsg() == 4490
    minx, miny, maxx, maxy = checked.preview.total_bounds
    assert 113.4 < minx < maxx < 113.6 and 31.6 < miny < maxy < 31.7
    assert set(checked.columns) >= {"id", "name"}
    assert store_path.read_bytes() == before  # nothing written by a check
    assert list(private_tmp.iterdir()) == []  # the upload's folder is gone


def test_check_reads_a_gbk_shapefile_zip(tmp_path, store_path, private_tmp):
    checked = check_upload(_shapefile_zip_bytes(tmp_path), "地块.zip", str(store_path),
                           ImportOptions(layer=LAYER))
    report = checked.report
    assert report.format == "shapefile"
    assert report.features_read == 3
    assert "4547" in (report.crs or "")
    assert "地块名称" in checked.columns  # the GBK field name, not mojibake
    assert checked.preview["name"].tolist() == ["东地块", "西地块", "蝴蝶地块"]
    assert report.area_mu_plane == pytest.approx(_known_area_mu(), rel=1e-3)
    assert list(private_tmp.iterdir()) == []


def test_oversize_upload_is_refused_before_anything_else(tmp_path, store_path, private_tmp,
                                                         monkeypatch):
    monkeypatch.setenv("GEO_APP_MAX_UPLOAD_MB", "1")
    data = _geojson_bytes(tmp_path) + b" " * (1024 * 1024 + 1)
    with pytest.raises(InputError) as err:
        check_upload(data, "big.geojson", str(store_path), ImportOptions(layer=LAYER))
    message = str(err.value)
    assert "MB" in message and "1" in message
    assert list(private_tmp.iterdir()) == []  # not even saved


def test_unreadable_file_gives_the_library_message_and_cleans_up(store_path, private_tmp):
    with pytest.raises(GeoAppError) as err:
        check_upload(b"this is not a GeoPackage", "broken.gpkg", str(store_path),
                     ImportOptions(layer=LAYER))
    assert str(err.value)  # a message for the user, not a traceback
    assert list(private_tmp.iterdir()) == []


def test_confirm_writes_the_features_and_their_provenance(tmp_path, store_path):
    data = _geojson_bytes(tmp_path)
    checked = check_upload(data, "地块.geojson", str(store_path), ImportOptions(layer=LAYER))
    assert checked.report.ok
    outcome = confirm_upload(checked, data, "地块.geojson", " 王建国 ")
    assert outcome.report is not None and outcome.report.written == 3
    written = gpd.read_file(store_path, layer=LAYER)
    assert sorted(written["id"]) == ["A1", "A2", "A3"]
    area = written.to_crs(4547).area.sum() / MU
    assert area == pytest.approx(_known_area_mu(), rel=1e-3)  # the bow-tie went in repaired
    ledger = GeoPackageStore(store_path).read_provenance()
    mine = ledger[ledger["layer"] == LAYER]
    assert sorted(mine["feature_id"]) == ["A1", "A2", "A3"]
    assert set(mine["source_file"]) == {"地块.geojson"}
    assert set(mine["officer"]) == {"王建国"}
    assert set(mine["kind"]) == {"imported"}


def test_confirm_needs_an_officer_and_the_same_file(tmp_path, store_path):
    data = _geojson_bytes(tmp_path)
    checked = check_upload(data, "地块.geojson", str(store_path), ImportOptions(layer=LAYER))
    before = _layers(store_path)
    with pytest.raises(InputError, match="officer"):
        confirm_upload(checked, data, "地块.geojson", "   ")
    with pytest.raises(InputError, match="Check again"):
        confirm_upload(checked, data + b"\n", "地块.geojson", "王建国")
    assert _layers(store_path) == before


def test_confirm_after_the_store_changed_checks_again(tmp_path, store_path):
    """Someone imports the same ids between the check and the confirm: nothing is written
    twice, the new report (ids already in the layer) is returned to review."""
    data = _geojson_bytes(tmp_path)
    options = ImportOptions(layer=LAYER, mode=ImportMode.APPEND)
    first = check_upload(data, "a.geojson", str(store_path), options)
    second = check_upload(data, "a.geojson", str(store_path), options)
    assert confirm_upload(first, data, "a.geojson", "王建国").report.written == 3
    outcome = confirm_upload(second, data, "a.geojson", "李四")
    assert outcome.report is None and outcome.rechecked is not None
    assert not outcome.rechecked.report.ok
    assert {i.kind for i in outcome.rechecked.report.errors} == {"id_exists"}
    assert len(gpd.read_file(store_path, layer=LAYER)) == 3


@pytest.mark.parametrize(("name", "expected"), [
    ("地块.zip", "地块.zip"),
    ("../../etc/passwd.gpkg", "passwd.gpkg"),
    ("C:\\Users\\x\\红线.DXF", "红线.dxf"),
    ("a b;rm -rf $(x).geojson", "a_b_rm_-rf_x_.geojson"),
    ("..", "upload"),
    ("", "upload"),
])
def test_uploaded_file_names_become_harmless_local_names(name, expected):
    assert safe_file_name(name) == expected


# --- the page ---------------------------------------------------------------------------------


def _texts(at) -> str:
    """Everything rendered as markdown (where a raw ``<img`` or link would be live)."""
    parts = [e.value for e in (*at.markdown, *at.caption, *at.title, *at.subheader,
                                *at.info, *at.error, *at.warning, *at.success)]
    return "\n".join(str(p) for p in parts)


def _upload(at, name: str, data: bytes):
    at.file_uploader(key=ImportKey.UPLOAD).set_value((name, data, "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def page(app_page, store_path):
    at = app_page("import").run()
    assert not at.exception, at.exception
    return at


def test_page_renders_without_a_file(page):
    assert page.title[0].value == "导入"
    assert not page.error
    assert page.file_uploader(key=ImportKey.UPLOAD).allowed_type  # the formats it accepts
    assert ImportKey.CHECK not in [b.key for b in page.button]  # nothing to check yet


def test_page_checks_shows_the_report_and_writes_only_on_confirm(page, tmp_path, store_path):
    names = ["东地块", HOSTILE, "蝴蝶地块"]
    at = _upload(page, f"{HOSTILE}.geojson", _geojson_bytes(tmp_path, names))
    at.selectbox(key=ImportKey.LAYER).set_value(NEW_LAYER).run()
    at.text_input(key=ImportKey.NEW_LAYER).input(LAYER).run()
    at.button(key=ImportKey.CHECK).click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["读取要素"] == "3"
    assert metrics["面积（亩，平面）"] == f"{_known_area_mu():,.2f}"
    issues = at.dataframe[-1].value
    assert issues["要素"].dropna().astype(int).tolist()[:1] == [3]
    assert "A3" in issues["编号"].tolist()
    # the preview map is there, the bow-tie outlined in red; file text only as data
    (component,) = [c for c in at.get("component_instance")
                    if "streamlit_folium" in c.proto.component_name]
    assert "geo-import-problem" in component.proto.json_args
    shown = _texts(at)
    assert "<img" not in shown.replace("\\<img", "") and "](http" not in shown
    # nothing written yet; confirm is disabled until an officer is given
    assert LAYER not in _layers(store_path)
    assert at.button(key=ImportKey.CONFIRM).disabled
    at.text_input(key=ImportKey.OFFICER).input("王建国").run()
    assert not at.button(key=ImportKey.CONFIRM).disabled
    at.button(key=ImportKey.CONFIRM).click().run()
    assert not at.exception, at.exception
    assert "已导入 3 个要素" in _texts(at)
    assert _layers(store_path)[LAYER] == 3


def test_page_shows_the_library_message_for_a_broken_file(page, store_path):
    at = _upload(page, "broken.gpkg", b"not a geopackage at all")
    at.button(key=ImportKey.CHECK).click().run()
    assert not at.exception, at.exception
    assert at.error and at.error[0].value
    assert not at.get("metric")  # no report
    assert ImportKey.CONFIRM not in [b.key for b in at.button]


def test_field_mapping_after_a_check_marks_the_report_stale_until_checked_again(
        page, tmp_path):
    frame = _frame().rename(columns={"name": "名称"})
    path = tmp_path / "mapped.geojson"
    pyogrio.write_dataframe(frame, path, driver="GeoJSON")
    data = path.read_bytes()
    at = _upload(page, "mapped.geojson", data)
    at.selectbox(key=ImportKey.LAYER).set_value("parcels").run()
    at.button(key=ImportKey.CHECK).click().run()
    assert not at.exception, at.exception
    columns = at.session_state[ImportKey.CHECKED].columns
    box = at.selectbox(key=field_key(content_digest(data), columns.index("名称")))
    assert box.value == "name"  # mapped by alias: 名称 → name
    box.set_value(KEEP).run()
    assert "文件或选项已在检查后修改" in _texts(at)
    assert at.button(key=ImportKey.CONFIRM).disabled
    at.button(key=ImportKey.CHECK).click().run()
    assert not at.exception, at.exception
    assert at.session_state[ImportKey.CHECKED].plan.options.field_map == {"名称": "名称"}
    assert "文件或选项已在检查后修改" not in _texts(at)


def test_one_value_for_all_fills_the_layer_fields_the_file_lacks(page, tmp_path, store_path):
    frame = _frame().iloc[:2].rename(columns={"name": "名称"})  # the two squares
    path = tmp_path / "parcels.geojson"
    pyogrio.write_dataframe(frame, path, driver="GeoJSON")
    data = path.read_bytes()
    at = _upload(page, "parcels.geojson", data)
    at.selectbox(key=ImportKey.LAYER).set_value("parcels").run()
    at.button(key=ImportKey.CHECK).click().run()
    assert not at.session_state[ImportKey.CHECKED].report.ok  # park, phase, … missing
    digest = content_digest(data)
    values = {"park": "青春化工园", "phase": "2", "stage": "pre_notice",
              "stage_date": "2024-05-01", "declared_area_mu": "15", "land_use": "工业用地"}
    for column, value in values.items():
        at.text_input(key=constant_key(digest, column)).input(value)
    at.button(key=ImportKey.CHECK).click().run()
    assert not at.exception, at.exception
    checked = at.session_state[ImportKey.CHECKED]
    assert dict(checked.plan.options.constants) == values
    assert checked.report.ok, [i.message for i in checked.report.errors]
    at.text_input(key=ImportKey.OFFICER).input("王建国").run()
    at.button(key=ImportKey.CONFIRM).click().run()
    assert not at.exception, at.exception
    parcels = gpd.read_file(store_path, layer="parcels")
    mine = parcels[parcels["id"].isin(["A1", "A2"])]
    assert sorted(mine["name"]) == ["东地块", "西地块"]
    assert set(mine["park"]) == {"青春化工园"} and set(mine["phase"]) == {2}


def test_record_the_files_stages_starts_the_parcels_history(page, tmp_path, store_path):
    """The parcels layer offers 'record the file's stages'; ticked, each new parcel's ledger
    starts with its stage and date in the file; the report said what happens either way."""
    frame = _frame().iloc[:2]
    for column, value in {"park": "青春化工园", "phase": 2, "stage": "status_survey",
                          "stage_date": "2024-05-01", "declared_area_mu": 15.0,
                          "land_use": "工业用地"}.items():
        frame[column] = value
    path = tmp_path / "parcels.geojson"
    pyogrio.write_dataframe(frame, path, driver="GeoJSON")
    at = _upload(page, "parcels.geojson", path.read_bytes())
    at.selectbox(key=ImportKey.LAYER).set_value("parcels").run()
    at.button(key=ImportKey.CHECK).click().run()
    kinds = [i.kind for i in at.session_state[ImportKey.CHECKED].report.issues]
    assert "no_stage_history" in kinds
    at.checkbox(key=ImportKey.RECORD_STAGES).check().run()
    at.button(key=ImportKey.CHECK).click().run()
    checked = at.session_state[ImportKey.CHECKED]
    assert checked.plan.options.record_stages and checked.report.opening_stages == 2
    assert "no_stage_history" not in [i.kind for i in checked.report.issues]
    at.text_input(key=ImportKey.OFFICER).input("王建国").run()
    at.button(key=ImportKey.CONFIRM).click().run()
    assert not at.exception, at.exception
    events = GeoPackageStore(store_path).read_events()
    mine = events[events["parcel_id"].isin(["A1", "A2"])]
    assert sorted(mine["parcel_id"]) == ["A1", "A2"]
    assert set(mine["to_stage"]) == {"status_survey"} and set(mine["officer"]) == {"王建国"}

"""No red boxes: every page and view over odd stores runs without an exception and says why
it has little to show, in the user's language.

The stores are built here with pyogrio and raw sqlite3 (as another tool would leave them):
no parcels, every layer empty, no stage_events table, a ledger row with an unknown stage,
only the district boundary, no parcels layer.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pyogrio
import pytest
from _parcel_box import parcel_box

from geo_app.settings import BUNDLED_LAYERS
from geo_app.ui.i18n import Lang
from geo_app.ui.state import Key

UNKNOWN_STAGE = "demolition_permit"
UNKNOWN_PARCEL = "QC2-20"


def _layers(path: Path) -> list[str]:
    return [str(n) for n, t in pyogrio.list_layers(path) if t is not None]


def _copy_layers(target: Path, keep: Callable[[str], bool], *, empty: bool = False) -> Path:
    """A new GeoPackage with the bundled layers ``keep`` accepts (emptied if ``empty``)."""
    for name in _layers(BUNDLED_LAYERS):
        if not keep(name):
            continue
        gdf = pyogrio.read_dataframe(BUNDLED_LAYERS, layer=name)
        pyogrio.write_dataframe(gdf.iloc[:0] if empty else gdf, target, layer=name,
                                driver="GPKG", append=target.exists())
    return target


def _copy(target: Path) -> Path:
    shutil.copyfile(BUNDLED_LAYERS, target)
    return target


def _no_parcels(path: Path) -> Path:
    """The bundled store with every parcel deleted (raw SQL); the stage history stays."""
    _copy(path)
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM parcels")
    return path


def _empty_layers(path: Path) -> Path:
    return _copy_layers(path, lambda n: True, empty=True)


def _no_events_table(path: Path) -> Path:
    _copy(path)
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE stage_events")
        conn.execute("DELETE FROM gpkg_contents WHERE table_name = 'stage_events'")
        conn.execute("DELETE FROM gpkg_ogr_contents WHERE table_name = 'stage_events'")
    return path


def insert_unknown_stage(path: Path, parcel: str = UNKNOWN_PARCEL,
                         stage: str = UNKNOWN_STAGE) -> None:
    """One ledger row another tool wrote, with a ``to_stage`` no release knows."""
    with sqlite3.connect(path) as conn:
        (last_id,) = conn.execute("SELECT max(event_id) FROM stage_events").fetchone()
        (last_stage,) = conn.execute(
            "SELECT to_stage FROM stage_events WHERE parcel_id = ? ORDER BY event_id DESC",
            (parcel,)).fetchone()
        conn.execute(
            "INSERT INTO stage_events (event_id, parcel_id, from_stage, to_stage, "
            "effective_date, officer, note, evidence, recorded_at, is_correction) "
            "VALUES (?, ?, ?, ?, '2021-12-01', 'other tool', '', NULL, "
            "'2021-12-01T08:00:00', 0)",
            (int(last_id) + 1, parcel, last_stage, stage))


def _unknown_stage(path: Path) -> Path:
    _copy(path)
    insert_unknown_stage(path)
    return path


def _boundary_only(path: Path) -> Path:
    return _copy_layers(path, lambda n: n == "boundary")


def _no_parcels_layer(path: Path) -> Path:
    return _copy_layers(path, lambda n: n != "parcels")


STORES: dict[str, Callable[[Path], Path]] = {
    "no_parcels": _no_parcels,
    "empty_layers": _empty_layers,
    "no_events_table": _no_events_table,
    "unknown_stage": _unknown_stage,
    "boundary_only": _boundary_only,
    "no_parcels_layer": _no_parcels_layer,
}
PAGES = ("map", "dashboard", "acquisition", "layers", "import", "terrain", "present")
ACQ_VIEWS = ("record", "as_of", "compare", "trend")


@pytest.fixture(params=list(STORES))
def odd_store(request, tmp_path, monkeypatch) -> tuple[str, Path]:
    path = STORES[request.param](tmp_path / f"{request.param}.gpkg")
    monkeypatch.setenv("GEO_APP_STORE", str(path))
    return request.param, path


def _explained(at) -> str:
    return "\n".join(str(e.value) for e in (*at.info, *at.warning, *at.caption))


def _no_red(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("lang", [Lang.ZH, Lang.EN])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_an_odd_store(app_page, odd_store, page, lang):
    at = app_page(page)
    at.session_state[Key.LANG] = lang
    at.run()
    _no_red(at)
    if page == "acquisition":
        for view in ACQ_VIEWS:
            buttons = [b for b in at.button_group if b.key == Key.ACQ_VIEW]
            if not buttons:
                break
            buttons[0].set_value(view).run()
            _no_red(at)


#: (store, page, acquisition view or None) → what the page says instead of figures (zh).
EXPLAINED: list[tuple[str, str, str | None, str]] = [
    ("no_parcels", "acquisition", None, "“征地地块”图层中还没有要素"),
    ("no_parcels", "dashboard", None, "“征地地块”图层中还没有要素"),
    ("empty_layers", "map", None, "图层中还没有要素，地图暂为空白"),
    ("empty_layers", "dashboard", None, "“村庄”图层中还没有要素"),
    ("boundary_only", "acquisition", None, "本数据库没有“征地地块”图层"),
    ("boundary_only", "dashboard", None, "本数据库没有“重点项目”图层"),
    ("no_parcels_layer", "acquisition", None, "本数据库没有“征地地块”图层"),
    ("no_parcels_layer", "dashboard", None, "本数据库没有“征地地块”图层"),
    ("no_events_table", "acquisition", "as_of", "本数据库尚无办理记录"),
    ("no_events_table", "acquisition", "compare", "暂不能查看随时间的变化"),
    ("no_events_table", "acquisition", "trend", "暂不能查看随时间的变化"),
    ("unknown_stage", "acquisition", None, "1 条记录的阶段无法识别（demolition\\_permit）"),
]


@pytest.mark.parametrize(("store", "page", "view", "said"), EXPLAINED)
def test_the_page_says_why_it_has_little_to_show(app_page, tmp_path, monkeypatch, store, page,
                                                  view, said):
    path = STORES[store](tmp_path / f"{store}.gpkg")
    monkeypatch.setenv("GEO_APP_STORE", str(path))
    at = app_page(page).run()
    if view is not None:
        at.button_group(key=Key.ACQ_VIEW).set_value(view).run()
    _no_red(at)
    assert said in _explained(at)
    assert "--" not in _explained(at)  # never a CLI flag


def test_the_english_page_says_it_in_english(app_page, tmp_path, monkeypatch):
    path = _no_parcels_layer(tmp_path / "no_parcels_layer.gpkg")
    monkeypatch.setenv("GEO_APP_STORE", str(path))
    at = app_page("acquisition")
    at.session_state[Key.LANG] = Lang.EN
    at.run()
    _no_red(at)
    assert [i.value for i in at.info] == [
        "This store has no Acquisition parcels layer, so there is nothing to show here. "
        "Import it on the Import page."]


def test_a_store_without_history_shows_todays_stages_as_of_today(app_page, tmp_path,
                                                                  monkeypatch):
    path = _no_events_table(tmp_path / "no_events.gpkg")
    monkeypatch.setenv("GEO_APP_STORE", str(path))
    at = app_page("acquisition").run()
    _no_red(at)
    # the record view's progress: the bundled parcels layer's own stages (phase 1 net land)
    parcels = pyogrio.read_dataframe(path, layer="parcels").to_crs(4547)
    net = parcels[(parcels["phase"] == 1) & parcels["stage"].isin(["net_land", "supplied"])]
    bars = [p.proto.text for p in at.get("progress")]
    assert bars[0].startswith(f"一期：净地 {net.area.sum() / (10000 / 15):,.0f} 亩")


def test_a_parcel_with_an_unknown_stage_row_is_shown_and_the_row_skipped(app_page, tmp_path,
                                                                          monkeypatch):
    path = _unknown_stage(tmp_path / "unknown.gpkg")
    monkeypatch.setenv("GEO_APP_STORE", str(path))
    at = app_page("acquisition").run()
    parcel_box(at).set_value(UNKNOWN_PARCEL).run()
    _no_red(at)
    markdown = "\n".join(str(m.value) for m in at.markdown)
    assert "**当前阶段**：拟征收公告（2021-10-12 起）" in markdown  # the unknown row skipped
    assert "**版本**：2（已登记 2 条记录）" in markdown  # but counted in the version
    history = at.dataframe[0].value
    assert list(history["阶段"]) == ["未知阶段（demolition_permit）", "拟征收公告"]
    assert list(history["生效"]) == [False, True]
    assert "其他程序写入" in _explained(at)
    # the next stage is still offered from the known current stage
    assert at.selectbox(key=Key.ACQ_TO_STAGE).value == "status_survey"

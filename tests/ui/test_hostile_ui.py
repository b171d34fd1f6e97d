"""Markdown injection: names, layer names and ledger text that look like markdown images,
links or HTML are shown as text on every page, never as images, links or markup.

The store is a copy of the bundled layers with hostile values written by raw SQL (names),
pyogrio (a layer with a hostile name) and the ledger's own function (officer, note,
evidence: they pass its text rules, which refuse control characters only). Every markdown
body the app sends (markdown, captions, alerts, headers, metric and widget labels, pill
options) is checked for constructs that survived unescaped.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from _parcel_box import parcel_box

from geo_app.domain.stages import ParcelStage
from geo_app.settings import BUNDLED_LAYERS
from geo_app.storage import GeoPackageStore
from geo_app.storage.events import record_stage_change
from geo_app.ui.models import Selection
from geo_app.ui.state import Key
from geo_app.ui.text import card_title, md_line, md_text

IMAGE = "![t](http://127.0.0.1:8799/md.png)"
LINK = "[x](javascript:alert(1))"
HTML = '<img src=x onerror="alert(1)">'
SCRIPT = "<script>alert(1)</script>"
PARCEL = "QC2-20"
PARCEL_NAME = f"地块{IMAGE}{LINK}"
PARK_NAME = f"园区{HTML}"
VILLAGE_NAME = f"村{SCRIPT}{IMAGE}"
LAYER = "pts_x![t](http://127.0.0.1:8799/layer.png)"
OFFICER = f"{LINK}王"

#: A markdown image or link, or raw HTML, that a markdown renderer would act on: an
#: unescaped ``](`` or ``<`` followed by a tag name.
LIVE = re.compile(r"(?<!\\)\]\s*\(|(?<!\\)<\s*/?\s*(img|script|a)\b", re.IGNORECASE)


def _hostile_store(path: Path) -> Path:
    shutil.copyfile(BUNDLED_LAYERS, path)
    parcels = pyogrio.read_dataframe(path, layer="parcels")
    parcels.loc[parcels["id"] == PARCEL, ["name", "park"]] = [PARCEL_NAME, PARK_NAME]
    pyogrio.write_dataframe(parcels, path, layer="parcels", driver="GPKG")
    villages = pyogrio.read_dataframe(path, layer="villages")
    villages.loc[villages.index[0], ["name", "name_en"]] = [VILLAGE_NAME, VILLAGE_NAME]
    pyogrio.write_dataframe(villages, path, layer="villages", driver="GPKG")
    points = gpd.GeoDataFrame({"id": ["p1"], "name": [IMAGE]},
                              geometry=[shapely.Point(113.40, 31.70)], crs=4490)
    pyogrio.write_dataframe(points, path, layer=LAYER, driver="GPKG")
    record_stage_change(GeoPackageStore(path), PARCEL, ParcelStage.STATUS_SURVEY,
                        effective_date=dt.date(2021, 11, 1), officer=OFFICER, note=SCRIPT,
                        evidence=IMAGE)
    return path


@pytest.fixture
def hostile(tmp_path, monkeypatch) -> Path:
    path = _hostile_store(tmp_path / "hostile.gpkg")
    monkeypatch.setenv("GEO_APP_STORE", str(path))
    return path


def _bodies(at) -> list[str]:
    """Every markdown body of the page: texts, alerts, headers, labels, pill options."""
    bodies = [str(e.value) for e in (*at.markdown, *at.caption, *at.title, *at.header,
                                     *at.subheader, *at.info, *at.warning, *at.error,
                                     *at.success)]
    bodies += [m.label for m in at.metric]
    for kind in ("selectbox", "multiselect", "text_input", "text_area", "checkbox",
                 "date_input", "radio", "button"):
        bodies += [str(w.label) for w in at.get(kind) if hasattr(w, "label")]
    for group in at.get("button_group"):
        bodies += [o.content for o in group.proto.options]
    return bodies


def _assert_nothing_live(at) -> None:
    assert not at.exception, at.exception
    live = [b for b in _bodies(at) if LIVE.search(b)]
    assert not live, live


def test_the_acquisition_card_shows_a_hostile_name_as_text(app_page, hostile):
    at = app_page("acquisition").run()
    parcel_box(at).set_value(PARCEL).run()
    _assert_nothing_live(at)
    assert at.subheader[0].value == card_title(PARCEL, PARCEL_NAME)
    assert md_text(IMAGE) in at.subheader[0].value  # escaped, so shown as written
    assert any(md_text(PARK_NAME) in c.value for c in at.caption)
    # the ledger's text is in a table (rendered as text), verbatim
    history = at.dataframe[0].value
    assert history["经办人"].iloc[0] == OFFICER
    assert history["备注"].iloc[0] == SCRIPT
    assert history["依据文件"].iloc[0] == IMAGE


def test_a_conflict_message_quotes_a_hostile_officer_as_text(app_page, hostile):
    at = app_page("acquisition").run()
    parcel_box(at).set_value(PARCEL).run()
    record_stage_change(GeoPackageStore(hostile), PARCEL, ParcelStage.RISK_ASSESSMENT,
                        effective_date=dt.date(2021, 11, 5), officer=OFFICER,
                        expected_version=2)
    at.text_input(key=Key.ACQ_OFFICER).input("王建国")
    at.button(key=Key.ACQ_SUBMIT).click().run()
    _assert_nothing_live(at)
    (error,) = [e.value for e in at.error]
    assert f"{md_text(OFFICER)} 于" in error


def test_the_recorded_message_and_history_of_a_hostile_parcel(app_page, hostile):
    at = app_page("acquisition").run()
    parcel_box(at).set_value(PARCEL).run()
    at.text_input(key=Key.ACQ_OFFICER).input(OFFICER)
    at.text_area(key=Key.ACQ_NOTE).input(HTML)
    at.button(key=Key.ACQ_SUBMIT).click().run()
    _assert_nothing_live(at)
    assert len(at.success) == 1
    assert at.dataframe[0].value["备注"].iloc[0] == HTML


def test_map_details_of_a_hostile_village_and_a_hostile_layer_name(app_page, hostile):
    with sqlite3.connect(hostile) as conn:
        (village,) = conn.execute("SELECT id FROM villages WHERE name = ?",
                                  (VILLAGE_NAME,)).fetchone()
    at = app_page("map")
    at.session_state[Key.SELECTION] = Selection("villages", str(village))
    at.run()
    _assert_nothing_live(at)
    assert f"**{md_text(VILLAGE_NAME)}**" in [m.value for m in at.markdown]
    pills = [o.content for g in at.get("button_group") if g.proto.id.endswith(
        Key.VISIBLE_LAYERS) or Key.VISIBLE_LAYERS in g.proto.id for o in g.proto.options]
    assert md_line(LAYER) in pills
    # the search box echoes a hostile query as text
    at.text_input(key=Key.SEARCH).input(IMAGE).run()
    _assert_nothing_live(at)


def test_map_details_of_a_feature_in_a_hostile_layer(app_page, hostile):
    at = app_page("map")
    at.session_state[Key.SELECTION] = Selection(LAYER, "p1")
    at.run()
    _assert_nothing_live(at)
    assert any(md_text(LAYER) in c.value for c in at.caption)


@pytest.mark.parametrize("page", ["dashboard", "layers", "import", "terrain", "present"])
def test_other_pages_over_the_hostile_store(app_page, hostile, page):
    at = app_page(page).run()
    _assert_nothing_live(at)


def test_the_layers_page_on_the_hostile_layer(app_page, hostile):
    at = app_page("layers").run()
    at.selectbox(key=Key.TABLE_LAYER).set_value(LAYER).run()
    _assert_nothing_live(at)
    assert at.dataframe[0].value["name"].iloc[0] == IMAGE


def test_md_text_escapes_what_markdown_would_act_on():
    for hostile_text in (IMAGE, LINK, HTML, SCRIPT, LAYER):
        assert not LIVE.search(md_text(hostile_text))
        assert LIVE.search(hostile_text)  # the pattern does catch the raw text
    assert md_line("a\nb|c") == "a b\\|c"
    assert card_title("QC-1", float("nan")) == "QC\\-1"
    assert card_title("QC-1", None) == "QC\\-1"

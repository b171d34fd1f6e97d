"""The printable brief on the pages that offer it: the map (searched or clicked village or
park, the one park kept by the filter), the dashboard (progress, a chosen park) and the
Acquisition page's as-of view (progress on the page's date).

Pressing "make the brief" gives a one-page PDF and a PNG, without an exception; the as-of
brief's net land equals the page's for the same date, both checked against a known answer
computed here from the event log and shapely areas in EPSG:4547.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator

import geopandas as gpd
import pytest
import shapely
from known_cases import net_land_mu_on
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from geo_app.ui import loaders
from geo_app.ui.brief_widget import BriefTarget, brief_bytes, brief_targets, brief_title
from geo_app.ui.models import Selection
from geo_app.ui.state import Key

DAY = dt.date(2021, 6, 30)  # phase 1 part way to its target


@pytest.fixture
def store_path(sample_gpkg, monkeypatch):
    monkeypatch.setenv("GEO_APP_STORE", str(sample_gpkg))
    return sample_gpkg


def _blocks(node) -> Iterator[Block]:
    if isinstance(node, Block):
        yield node
        for child in node.children.values():
            yield from _blocks(child)


def _popovers(at: AppTest) -> list[str]:
    return [b.proto.popover.label for b in _blocks(at.main) if b.type == "popover"]


def _make(at: AppTest, key: str) -> AppTest:
    """Press "make the brief" of the widget ``key``: its PDF and PNG downloads appear."""
    def labels() -> list[str]:
        return [b.proto.label for b in at.get("download_button")]

    before = labels()
    at.button(key=f"{key}_prepare").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    after = labels()
    for label in ("下载简报 PDF", "下载简报 PNG"):
        assert after.count(label) == before.count(label) + 1
    return at


def _bytes_ok(path, kind: str, name: str | None, as_of: dt.date | None = None,
              lang: str = "zh") -> str:
    """The widget's bytes for this choice: a one-page PDF and a PNG; the PDF's text."""
    location = str(path)
    pdf, png = brief_bytes(location, loaders.store_token(location), kind, name, as_of, lang,
                           "a4")
    assert pdf.startswith(b"%PDF")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


# --- which briefs the map offers (pure) --------------------------------------------------------


def _layers() -> dict[str, gpd.GeoDataFrame]:
    point = shapely.Point(113.4, 31.6)
    villages = gpd.GeoDataFrame(
        {"id": ["V-1", "V-2", "V-3"], "name": ["新店村", "同名村", "同名村"],
         "name_en": ["Xindian", None, "Tongming"]}, geometry=[point] * 3, crs=4490)
    parks = gpd.GeoDataFrame({"id": ["P-1", "P-2"], "name": ["青春化工园", "铁北片区"],
                              "name_en": ["Qingchun", "Tiebei"]}, geometry=[point] * 2,
                             crs=4490)
    return {"villages": villages, "parks": parks}


def test_a_selected_village_is_briefed_by_name_or_by_id_when_names_repeat():
    layers = _layers()
    assert brief_targets(layers, Selection("villages", "V-1"), (), "en", key="k") == [
        BriefTarget("village", "新店村", "Xindian", "k_sel")]
    assert brief_targets(layers, Selection("villages", "V-2"), (), "en", key="k") == [
        BriefTarget("village", "V-2", "同名村", "k_sel")]
    assert brief_targets(layers, Selection("roads", "R-1"), (), "zh", key="k") == []
    assert brief_targets(layers, Selection("villages", "V-9"), (), "zh", key="k") == []


def test_the_filtered_park_is_offered_once_and_only_when_one_is_chosen():
    layers = _layers()
    park = BriefTarget("park", "青春化工园", "青春化工园", "k_park")
    assert brief_targets(layers, None, ("青春化工园",), "zh", key="k") == [park]
    assert brief_targets(layers, None, ("青春化工园", "铁北片区"), "zh", key="k") == []
    assert brief_targets(layers, Selection("parks", "P-1"), ("青春化工园",), "zh",
                         key="k") == [BriefTarget("park", "青春化工园", "青春化工园", "k_sel")]


def test_a_hostile_name_on_the_popover_is_inert_markdown():
    name = "**x**](javascript:1)<b>"
    title = brief_title("village", name, "zh")
    assert re.sub(r"\\(.)", r"\1", title) == f"村庄简报：{name}"  # reads as typed
    assert not re.search(r"(?<!\\)[*\[\]()<>]", title)  # no markup character left raw
    assert brief_title("progress", None, "en", as_of=DAY) == (
        "Acquisition progress brief (2021-06-30)")


# --- the map ---------------------------------------------------------------------------------


def test_map_offers_the_searched_villages_brief(app_page, store_path):
    at = app_page("map").run()
    assert not at.exception, at.exception
    assert not [p for p in _popovers(at) if "简报" in p]  # nothing selected: no brief
    at.text_input(key=Key.SEARCH).input("挑水村").run()
    assert not at.exception, at.exception
    assert "村庄简报：挑水村" in _popovers(at)
    _make(at, "map_brief_sel")
    text = _bytes_ok(store_path, "village", "挑水村")
    assert "挑水村" in text


def test_map_offers_a_clicked_parks_brief_and_the_filtered_park_once(app_page, store_path):
    at = app_page("map")
    at.session_state[Key.SELECTION] = Selection("parks", "P-QC")
    at.run()
    assert not at.exception, at.exception
    assert "园区简报：青春化工园" in _popovers(at)
    at.multiselect(key=Key.FILTER_PARKS).set_value(["青春化工园"]).run()
    assert not at.exception, at.exception
    assert [p for p in _popovers(at) if "简报" in p] == ["园区简报：青春化工园"]
    at.multiselect(key=Key.FILTER_PARKS).set_value(["铁北片区"]).run()
    assert [p for p in _popovers(at) if "简报" in p] == [
        "园区简报：青春化工园", "园区简报：铁北片区"]
    _make(at, "map_brief_park")
    assert "铁北片区" in _bytes_ok(store_path, "park", "铁北片区")


# --- the dashboard ---------------------------------------------------------------------------


def test_dashboard_offers_the_progress_and_a_chosen_parks_brief(app_page, store_path):
    at = app_page("dashboard").run()
    assert not at.exception, at.exception
    assert "征地进度简报" in _popovers(at)
    assert "园区简报：青春化工园" in _popovers(at)  # the park being acquired comes first
    at.selectbox(key="dash_brief_park").set_value("P-TB").run()
    assert "园区简报：铁北片区" in _popovers(at)
    at.selectbox(key="dash_brief_park").set_value("P-QC").run()
    _make(at, "dash_progress_brief")
    _make(at, "dash_park_brief")
    assert "青春化工园" in _bytes_ok(store_path, "park", "青春化工园")
    _bytes_ok(store_path, "progress", None)


# --- the Acquisition page, as of a date --------------------------------------------------------


def test_the_as_of_brief_has_the_pages_net_land_for_that_date(app_page, store_path):
    at = app_page("acquisition").run()
    at.button_group(key=Key.ACQ_VIEW).set_value("as_of").run()
    at.select_slider(key=Key.ACQ_AS_OF).set_value(DAY).run()
    assert not at.exception, at.exception
    assert f"征地进度简报（截至 {DAY.isoformat()}）" in _popovers(at)
    expected = net_land_mu_on(store_path, DAY)
    assert 0 < expected[1] < 1420
    bars = [p.proto.text for p in at.get("progress")]  # what the page shows
    assert bars[0].startswith(f"一期：净地 {expected[1]:,.0f} 亩 / 目标 1,420 亩")
    assert bars[1].startswith(f"二期：净地 {expected[2]:,.0f} 亩 / 目标 1,700 亩")
    _make(at, "acq_as_of_brief")
    text = _bytes_ok(store_path, "progress", None, DAY)
    assert DAY.isoformat() in text
    for phase, target in ((1, "1,420"), (2, "1,700")):
        found = re.findall(rf"([\d,]+\.\d\d) / {target} 亩", text)
        assert len(found) == 1, (phase, text)
        assert float(found[0].replace(",", "")) == pytest.approx(expected[phase], abs=0.006)


def test_the_as_of_brief_in_english_after_the_language_switch(app_page, store_path):
    at = app_page("acquisition").run()
    at.sidebar.radio(key=Key.LANG).set_value("en").run()
    at.button_group(key=Key.ACQ_VIEW).set_value("as_of").run()
    at.select_slider(key=Key.ACQ_AS_OF).set_value(DAY).run()
    assert not at.exception, at.exception
    assert f"Acquisition progress brief ({DAY.isoformat()})" in _popovers(at)
    at.button(key="acq_as_of_brief_prepare").click().run()
    assert not at.exception, at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download brief (PDF)" in labels and "Download brief (PNG)" in labels
    expected = net_land_mu_on(store_path, DAY)
    text = _bytes_ok(store_path, "progress", None, DAY, lang="en")
    found = re.findall(r"([\d,]+\.\d\d) / 1,420 mu", text)
    assert len(found) == 1, text
    assert float(found[0].replace(",", "")) == pytest.approx(expected[1], abs=0.006)

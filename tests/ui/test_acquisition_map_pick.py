"""A parcel clicked on the Acquisition page's map stays picked when the browser's next
rerun still carries the parcel box's old value.

The map component reports more than once per click; a report sent before the browser had the
box's new value reached the server after the pick and emptied the box (seen in CI: the box
showed QC2-20, the page the "click a parcel" hint). The browser's widget states are replayed
here as the browser sends them, through AppTest's own runner (``_run`` with the states).
"""

from __future__ import annotations

import json

import geopandas as gpd
from _parcel_box import parcel_box
from streamlit.proto.WidgetStates_pb2 import WidgetStates

from geo_app.settings import BUNDLED_LAYERS
from geo_app.ui.text import card_title

PARCEL = "QC2-20"


def _elements(node):
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    for child in children.values():
        yield from _elements(child)


def _map_component_id(at) -> str:
    (component,) = [e for e in _elements(at.main) if e.type == "component_instance"]
    return component.proto.id


def _with_click(states: WidgetStates, component_id: str, lat: float, lon: float) -> WidgetStates:
    """``states`` plus the map's report of a click at (lat, lon), as st_folium sends it."""
    sent = WidgetStates()
    sent.CopyFrom(states)
    report = sent.widgets.add()
    report.id = component_id
    report.json_value = json.dumps({
        "last_object_clicked": {"lat": lat, "lng": lon}, "last_active_drawing": None,
        "center": {"lat": lat, "lng": lon}, "zoom": 15})
    return sent


def _click_point() -> tuple[float, float]:
    parcels = gpd.read_file(BUNDLED_LAYERS, layer="parcels").to_crs(4326)
    point = parcels.loc[parcels["id"] == PARCEL, "geometry"].iloc[0].representative_point()
    return point.y, point.x


def _card_titles(at) -> list[str]:
    return [s.value for s in at.subheader]


def _clicked(at) -> WidgetStates:
    """What the browser sends when the parcel is clicked on the page ``at`` shows."""
    return _with_click(at._tree.get_widget_states(), _map_component_id(at), *_click_point())


def _assert_picked(at) -> None:
    assert not at.exception, at.exception
    assert parcel_box(at).value == PARCEL
    assert card_title(PARCEL, "青春化工园二期20地块") in _card_titles(at)


def test_a_clicked_parcel_survives_a_rerun_with_the_boxs_old_value(app_page):
    at = app_page("acquisition").run()
    assert parcel_box(at).value is None
    click = _clicked(at)  # sent with what the browser holds before the click
    at._run(click)  # the click: the parcel is picked, the page reruns with it
    _assert_picked(at)
    at._run(click)  # the map's second report, sent before the browser saw the new box value
    _assert_picked(at)


def test_a_clicked_parcel_survives_a_rerun_before_the_new_box_has_a_value(app_page):
    at = app_page("acquisition").run()
    at._run(_clicked(at))
    _assert_picked(at)
    sent = at._tree.get_widget_states()
    (box,) = [w for w in sent.widgets if w.id == parcel_box(at).id]
    box.ClearField("string_value")  # a box the browser has drawn but not yet given its value
    at._run(sent)
    _assert_picked(at)


def test_the_box_picks_another_parcel_after_a_map_click(app_page):
    at = app_page("acquisition").run()
    at._run(_clicked(at))
    parcel_box(at).set_value("QC1-01").run()
    assert parcel_box(at).value == "QC1-01"
    assert any(title.startswith("QC1\\-01") for title in _card_titles(at))
    at.run()  # and it stays picked on the next rerun
    assert parcel_box(at).value == "QC1-01"
    assert any(title.startswith("QC1\\-01") for title in _card_titles(at))

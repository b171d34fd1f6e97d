"""Typed session state: every key is a :class:`Key`, every value has an accessor."""

from __future__ import annotations

from enum import StrEnum

import streamlit as st

from geo_app.ui.i18n import Lang
from geo_app.ui.models import MapView, Selection


class Key(StrEnum):
    """Session-state and widget keys (never spelled as raw strings elsewhere)."""

    LANG = "lang"
    MAP_VIEW = "map_view"
    SELECTION = "selection"
    LAST_CLICK = "last_click"
    REPORTED_VIEW = "reported_view"
    MAP_IDENTITY = "map_identity"
    FILTER_PARKS = "filter_parks"
    FILTER_PHASES = "filter_phases"
    FILTER_STAGES = "filter_stages"
    FILTER_VILLAGE_PLANS = "filter_village_plans"
    FILTER_PROJECT_STATUSES = "filter_project_statuses"
    VISIBLE_LAYERS = "visible_layers"
    BASEMAP = "basemap"
    SEARCH = "search"
    SEARCH_PICK = "search_pick"
    SEARCH_DONE = "search_done"
    MAP_WIDGET = "zone_map"
    TABLE_LAYER = "table_layer"
    CLEAR_SELECTION = "clear_selection"
    # acquisition page (the modules of geo_app/ui/pages/acquisition/ keep their accessors)
    ACQ_VIEW = "acq_view"
    ACQ_PARCEL = "acq_parcel"
    ACQ_PARCEL_BOX = "acq_parcel_box"
    ACQ_PARCEL_BOX_GEN = "acq_parcel_box_gen"
    ACQ_LAST_CLICK = "acq_last_click"
    ACQ_MAP_VIEW = "acq_map_view"
    ACQ_REPORTED_VIEW = "acq_reported_view"
    ACQ_MAP_IDENTITY = "acq_map_identity"
    ACQ_MAP_WIDGET = "acq_map"
    ACQ_SEEN = "acq_seen"
    ACQ_FORM_PARCEL = "acq_form_parcel"
    ACQ_RESET_FORM = "acq_reset_form"
    ACQ_FLASH = "acq_flash"
    ACQ_REFUSED = "acq_refused"
    ACQ_FORM = "acq_form"
    ACQ_CORRECTION = "acq_correction"
    ACQ_TO_STAGE = "acq_to_stage"
    ACQ_DATE = "acq_date"
    ACQ_OFFICER = "acq_officer"
    ACQ_NOTE = "acq_note"
    ACQ_EVIDENCE = "acq_evidence"
    ACQ_REASON = "acq_reason"
    ACQ_SUBMIT = "acq_submit"
    ACQ_AS_OF = "acq_as_of"
    ACQ_AS_OF_MAP_WIDGET = "acq_as_of_map"
    ACQ_DAY_A = "acq_day_a"
    ACQ_DAY_B = "acq_day_b"
    ACQ_MAP_A_WIDGET = "acq_map_a"
    ACQ_MAP_B_WIDGET = "acq_map_b"


def lang() -> Lang:
    return Lang(st.session_state.get(Key.LANG, Lang.ZH))


def map_view() -> MapView | None:
    view = st.session_state.get(Key.MAP_VIEW)
    return view if isinstance(view, MapView) else None


def set_map_view(view: MapView | None) -> None:
    st.session_state[Key.MAP_VIEW] = view


def selection() -> Selection | None:
    sel = st.session_state.get(Key.SELECTION)
    return sel if isinstance(sel, Selection) else None


def set_selection(sel: Selection | None) -> None:
    st.session_state[Key.SELECTION] = sel


def reported_view() -> MapView | None:
    """The view the map itself last reported; a different report means the user moved it."""
    view = st.session_state.get(Key.REPORTED_VIEW)
    return view if isinstance(view, MapView) else None


def set_reported_view(view: MapView | None) -> None:
    st.session_state[Key.REPORTED_VIEW] = view


def map_identity() -> str | None:
    """Which map (store version, filters, language, basemap, layers) is on screen."""
    identity = st.session_state.get(Key.MAP_IDENTITY)
    return identity if isinstance(identity, str) else None


def set_map_identity(identity: str) -> None:
    st.session_state[Key.MAP_IDENTITY] = identity


def last_click() -> tuple[float, float] | None:
    """The last map click already handled (lat, lon), so a rerun does not handle it again."""
    click = st.session_state.get(Key.LAST_CLICK)
    return click if isinstance(click, tuple) else None


def set_last_click(click: tuple[float, float] | None) -> None:
    st.session_state[Key.LAST_CLICK] = click


def search_done() -> str | None:
    """The search (query, pick) whose match the map last zoomed to."""
    done = st.session_state.get(Key.SEARCH_DONE)
    return done if isinstance(done, str) else None


def set_search_done(token: str | None) -> None:
    st.session_state[Key.SEARCH_DONE] = token


def widget_value(key: Key, default: object = None) -> object:
    """The current value of a keyed widget (before or after it is drawn)."""
    return st.session_state.get(key, default)


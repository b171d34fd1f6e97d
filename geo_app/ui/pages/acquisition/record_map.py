"""Picking the parcel to record: the parcel box, and the map a parcel can be clicked on."""

from __future__ import annotations

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from geo_app.ui.i18n import Lang, t
from geo_app.ui.models import MapView
from geo_app.ui.pages.acquisition import _cached, _widgets
from geo_app.ui.selection import click_tolerance_m, feature_at, selection_of_feature
from geo_app.ui.state import Key

#: The parcel map sends back the click, the clicked feature (``id``/``layer``) and its view.
RETURNED = ["last_object_clicked", "last_active_drawing", "center", "zoom"]


def parcel_picker(parcels: gpd.GeoDataFrame, lang: Lang) -> str | None:
    """The parcel box, showing the picked parcel (``Key.ACQ_PARCEL``); a choice in it is the
    new pick. Its labels leave out the stage: labels that change with a recorded stage would
    make a new widget, and the browser would drop the choice."""
    ids = parcels["id"].astype(str).tolist()
    names = dict(zip(ids, parcels.get("name", parcels["id"]).astype(str), strict=True))

    def label(pid: str) -> str:
        return f"{pid} · {names.get(pid, '')}"

    picked = st.session_state.get(Key.ACQ_PARCEL)
    index = ids.index(picked) if picked in ids else None
    chosen = st.selectbox(t("acq.pick", lang), ids, index=index, key=_box_key(),
                          format_func=label, placeholder=t("acq.pick.placeholder", lang))
    chosen = str(chosen) if chosen else None
    st.session_state[Key.ACQ_PARCEL] = chosen
    return chosen


def _pick_parcel(pid: str) -> None:
    """Make ``pid`` the picked parcel from code (a map click), for the next run.

    The box then is a new widget (a new key) whose default is ``pid``. The browser may send a
    rerun with the old box's value (the map reports more than once per click), or with no
    value yet for a box it has just drawn; Streamlit takes either over a value set in session
    state, which dropped the pick. Now a value for the old key is ignored, and no value means
    the default: only a choice made in the new box changes the pick.
    """
    st.session_state[Key.ACQ_PARCEL] = pid
    st.session_state[Key.ACQ_PARCEL_BOX_GEN] = st.session_state.get(Key.ACQ_PARCEL_BOX_GEN, 0) + 1


def _box_key() -> str:
    """The parcel box's widget key: new each time code picks a parcel."""
    return f"{Key.ACQ_PARCEL_BOX}.{st.session_state.get(Key.ACQ_PARCEL_BOX_GEN, 0)}"


def parcel_map_widget(location: str, token: str, lang: Lang, pid: str | None,
                      parcels: gpd.GeoDataFrame) -> None:
    """The parcels map with ``pid`` outlined; a click on another parcel picks it (rerun)."""
    drawn = _cached.parcel_map(location, token, lang, pid)
    view = _requested_view(drawn.identity)
    out = st_folium(drawn.fresh(), key=Key.ACQ_MAP_WIDGET, height=_cached.MAP_HEIGHT_PX,
                    use_container_width=True, returned_objects=RETURNED,
                    center=view.center if view else None, zoom=view.zoom if view else None)
    _widgets.stage_legend(lang, selected=pid is not None)
    clicked = _handle_map_output(out, parcels)
    if clicked is not None and clicked != pid:
        _pick_parcel(clicked)
        st.rerun()


def _requested_view(identity: str) -> MapView | None:
    """The view passed to the map: where the user last was when a new map is drawn.

    (The pattern of the Map page: the component moves the map only when this value
    changes, so it stays put while the user pans; a new map, e.g. with another parcel
    outlined, opens where the user was instead of zooming out.)
    """
    if st.session_state.get(Key.ACQ_MAP_IDENTITY) != identity:
        st.session_state[Key.ACQ_MAP_IDENTITY] = identity
        reported = st.session_state.get(Key.ACQ_REPORTED_VIEW)
        if isinstance(reported, MapView):
            st.session_state[Key.ACQ_MAP_VIEW] = reported
    view = st.session_state.get(Key.ACQ_MAP_VIEW)
    return view if isinstance(view, MapView) else None


def _handle_map_output(out: dict | None, parcels: gpd.GeoDataFrame) -> str | None:
    """Remember the map's view; return the id of a newly clicked parcel, if any."""
    if not out:
        return None
    center, zoom = out.get("center"), out.get("zoom")
    if center and zoom is not None:
        st.session_state[Key.ACQ_REPORTED_VIEW] = MapView(
            (float(center["lat"]), float(center["lng"])), int(zoom))
    clicked = out.get("last_object_clicked")
    if not clicked:
        return None
    click = (float(clicked["lat"]), float(clicked["lng"]))
    if click == st.session_state.get(Key.ACQ_LAST_CLICK):
        return None  # the component repeats its last click on every rerun
    st.session_state[Key.ACQ_LAST_CLICK] = click
    picked = selection_of_feature(out.get("last_active_drawing"))
    if picked is None or picked.layer != "parcels":
        tolerance = click_tolerance_m(zoom if isinstance(zoom, int) else None, click[0])
        picked = feature_at({"parcels": parcels}, click[0], click[1], tolerance_m=tolerance)
    return picked.feature_id if picked is not None and picked.layer == "parcels" else None

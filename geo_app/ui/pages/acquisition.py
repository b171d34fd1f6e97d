"""Land acquisition: a parcel's history and its next stage, progress as of a date,
two dates compared, and net land over time against the targets.

The page reads widgets and shows what library functions return:
:func:`geo_app.storage.events.record_stage_change` writes (workflow rules, versions),
:mod:`geo_app.analysis.progress` and :mod:`geo_app.analysis.timeline` compute the figures,
:func:`geo_app.maps.build_zone_map` draws, :func:`geo_app.io.excel.progress_excel_bytes`
exports.
"""

from __future__ import annotations

import datetime as dt
import html
from enum import StrEnum

import altair as alt
import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit_folium import st_folium

from geo_app.analysis.dashboard import stage_label, stage_mu_table
from geo_app.analysis.progress import NOT_STARTED, PhaseProgress, progress, stages_as_of
from geo_app.analysis.timeline import (
    DateComparison,
    compare_dates,
    month_ends,
    net_land_by_month,
    parcel_timeline,
)
from geo_app.domain.stages import STAGE_ORDER, ParcelStage
from geo_app.domain.workflow import derive_states, steps_between
from geo_app.errors import GeoAppError
from geo_app.io.excel import progress_excel_bytes
from geo_app.maps.build import SELECTED_HEX, build_zone_map
from geo_app.maps.style import NOT_STARTED_HEX, STAGE_HEX, Basemap
from geo_app.storage import open_store
from geo_app.storage.events import record_stage_change
from geo_app.ui import loaders, state
from geo_app.ui.components import error_boundary, store_caption
from geo_app.ui.i18n import Lang, phase_label, t
from geo_app.ui.map_cache import ASSET_BASE_URL, DrawnMap
from geo_app.ui.models import MapView
from geo_app.ui.search import view_for_bounds
from geo_app.ui.selection import click_tolerance_m, feature_at, selection_of_feature
from geo_app.ui.state import Key

MAP_HEIGHT_PX = 520
SMALL_MAP_HEIGHT_PX = 360
#: The parcel map sends back the click, the clicked feature (``id``/``layer``) and its view.
RETURNED = ["last_object_clicked", "last_active_drawing", "center", "zoom"]
PHASE_HEX = ("#1d91c0", "#e6550d", "#31a354", "#756bb1")
#: These maps show parcels only, with one stage legend under them (:func:`_stage_legend`):
#: the in-map legend and layer switch would cover the parcels.
_PLAIN_MAP_CSS = (
    "<style>.geo-legend, .leaflet-control-layers { display: none !important; }</style>"
)


class View(StrEnum):
    RECORD = "record"
    AS_OF = "as_of"
    COMPARE = "compare"
    TREND = "trend"


def render() -> None:
    lang = state.lang()
    st.title(t("page.acquisition", lang))
    with error_boundary(lang):
        location, token = loaders.current_store()
        data = loaders.load_store(location, token)
        data.layer("parcels")
        store_caption(location, lang)
        view = st.segmented_control(
            t("acq.view", lang), list(View), default=View.RECORD, key=Key.ACQ_VIEW,
            format_func=lambda v: t(f"acq.view.{v}", lang), label_visibility="collapsed",
            required=True)
        {
            View.RECORD: _record_view,
            View.AS_OF: _as_of_view,
            View.COMPARE: _compare_view,
            View.TREND: _trend_view,
        }[View(view or View.RECORD)](location, token, lang)


# --- cached figures and maps (keyed by store location and version) -------------------------


def _context_layers(data: loaders.StoreData, parcels: gpd.GeoDataFrame
                    ) -> dict[str, gpd.GeoDataFrame]:
    """The parks the parcels lie in (for orientation), then the parcels."""
    layers: dict[str, gpd.GeoDataFrame] = {}
    parks = data.layers.get("parks")
    if parks is not None and "park" in parcels.columns and "name" in parks.columns:
        mine = parks[parks["name"].isin(parcels["park"].dropna().unique())]
        if len(mine):
            layers["parks"] = mine
    layers["parcels"] = parcels
    return layers


def _draw(layers: dict[str, gpd.GeoDataFrame], lang: str, identity: str,
          selected: tuple[str, str] | None = None, *, height_px: int = MAP_HEIGHT_PX
          ) -> DrawnMap:
    """The parcels (zoomed to them, not to the whole park) with their parks around."""
    parcels = layers["parcels"]
    view = None
    if len(parcels):
        bounds = parcels.geometry.to_crs(4490).total_bounds
        view = view_for_bounds(tuple(float(b) for b in bounds), width_px=700,
                               height_px=height_px)
    m = build_zone_map(layers, lang=lang, basemap=Basemap.NONE, selected=selected,
                       center=view.center if view else None, zoom=view.zoom if view else None,
                       asset_base_url=ASSET_BASE_URL)
    m.get_root().header.add_child(folium.Element(_PLAIN_MAP_CSS), name="geo_app_plain_map")
    return DrawnMap(pristine=m, identity=identity)


def _stage_legend(lang: Lang, *, selected: bool = False) -> None:
    """The colours of the stages (and of a parcel with none yet), in one line of swatches."""
    entries = [(stage_label(NOT_STARTED, lang), f"background:{NOT_STARTED_HEX}")]
    entries += [(s.label(lang), f"background:{STAGE_HEX[s]}") for s in STAGE_ORDER]
    if selected:
        entries.append((t("acq.legend.selected", lang),
                        f"background:transparent;border:3px solid {SELECTED_HEX}"))
    items = "".join(
        '<span style="display:inline-flex;align-items:center;margin:0 14px 6px 0;'
        'font-size:0.85rem;white-space:nowrap">'
        f'<span style="display:inline-block;width:14px;height:14px;margin-right:5px;'
        f'border:1px solid #333;{css}"></span>{html.escape(label)}</span>'
        for label, css in entries)
    st.markdown(f'<div style="line-height:1.2">{items}</div>', unsafe_allow_html=True)


@st.cache_resource(show_spinner=False, max_entries=8)
def _parcel_map(location: str, token: str, lang: str, selected: str | None) -> DrawnMap:
    data = loaders.load_store(location, token)
    parcels = data.layer("parcels")
    return _draw(_context_layers(data, parcels), lang, f"{location}|{token}|{lang}|{selected}",
                 ("parcels", selected) if selected else None)


@st.cache_resource(show_spinner=False, max_entries=16)
def _as_of_map(location: str, token: str, lang: str, as_of: dt.date,
               height_px: int = MAP_HEIGHT_PX) -> DrawnMap:
    """Parcels coloured by their stage on ``as_of`` (grey: not started)."""
    data = loaders.load_store(location, token)
    parcels = data.layer("parcels")
    then = parcels.drop(columns=[c for c in ("stage_date",) if c in parcels.columns])
    then["stage"] = stages_as_of(parcels["id"], data.events, as_of).to_numpy()
    return _draw(_context_layers(data, then), lang, f"{location}|{token}|{lang}|{as_of}",
                 height_px=height_px)


@st.cache_data(show_spinner=False, max_entries=32)
def _progress_on(location: str, token: str, as_of: dt.date) -> list[PhaseProgress]:
    data = loaders.load_store(location, token)
    return progress(data.layer("parcels"), as_of=as_of, events=data.events,
                    plane=data.planes.get("parcels"))


@st.cache_data(show_spinner=False, max_entries=8)
def _monthly(location: str, token: str) -> pd.DataFrame:
    data = loaders.load_store(location, token)
    return net_land_by_month(data.layer("parcels"), data.events,
                             plane=data.planes.get("parcels"))


@st.cache_data(show_spinner=False, max_entries=16)
def _comparison(location: str, token: str, day_a: dt.date, day_b: dt.date) -> DateComparison:
    data = loaders.load_store(location, token)
    return compare_dates(data.layer("parcels"), data.events, day_a, day_b,
                         plane=data.planes.get("parcels"))


@st.cache_data(show_spinner=False, max_entries=8)
def _excel(location: str, token: str, as_of: dt.date) -> bytes:
    data = loaders.load_store(location, token)
    events = data.events[data.events["effective_date"] <= as_of.isoformat()]
    return progress_excel_bytes(_progress_on(location, token, as_of), events, as_of=as_of)


def _event_days(events: pd.DataFrame) -> tuple[dt.date, dt.date] | None:
    if len(events) == 0:
        return None
    days = events["effective_date"]
    return dt.date.fromisoformat(min(days)), dt.date.fromisoformat(max(days))


# --- record a stage ------------------------------------------------------------------------


def _record_view(location: str, token: str, lang: Lang) -> None:
    data = loaders.load_store(location, token)
    parcels = data.layer("parcels")
    _apply_pending_parcel()
    left, right = st.columns([3, 2], gap="medium")
    with left:
        pid = _parcel_picker(parcels, lang)
        _parcel_map_widget(location, token, lang, pid, parcels)
    with right:
        if pid is None:
            st.info(t("acq.pick.hint", lang))
            st.subheader(t("acq.today", lang))
            _progress_bars(_progress_on(location, token, dt.date.today()), lang)
            return
        history = _fresh_history(location, pid)
        slot = st.empty()
        _parcel_card(parcels, pid, history, lang)
        _stage_form(location, pid, history, lang)
        _flash(slot, pid, len(history))
    _history(history, lang)


def _flash(slot: DeltaGenerator, pid: str, version: int) -> None:
    """The message of the change just recorded, while the parcel is still at that version
    and no other change was tried (the map redrawn with the new stage reruns the page by
    itself, so a message shown only once would flash by)."""
    flash = st.session_state.get(Key.ACQ_FLASH)
    if isinstance(flash, tuple) and flash[:2] == (pid, version):
        slot.success(flash[2])
    else:
        st.session_state.pop(Key.ACQ_FLASH, None)


def _parcel_picker(parcels: gpd.GeoDataFrame, lang: Lang) -> str | None:
    """The parcel box. Its labels leave out the stage: labels that change with a recorded
    stage would make a new widget, and the browser would drop the choice."""
    ids = parcels["id"].astype(str).tolist()
    names = dict(zip(ids, parcels.get("name", parcels["id"]).astype(str), strict=True))

    def label(pid: str) -> str:
        return f"{pid} · {names.get(pid, '')}"

    picked = st.selectbox(t("acq.pick", lang), ids, index=None, key=Key.ACQ_PARCEL,
                          format_func=label, placeholder=t("acq.pick.placeholder", lang))
    return str(picked) if picked else None


def _apply_pending_parcel() -> None:
    """A parcel clicked on the map in the last run becomes the picked one (before the box)."""
    pending = st.session_state.pop(Key.ACQ_PENDING_PARCEL, None)
    if isinstance(pending, str):
        st.session_state[Key.ACQ_PARCEL] = pending


def _parcel_map_widget(location: str, token: str, lang: Lang, pid: str | None,
                       parcels: gpd.GeoDataFrame) -> None:
    drawn = _parcel_map(location, token, lang, pid)
    view = _requested_view(drawn.identity)
    out = st_folium(drawn.fresh(), key=Key.ACQ_MAP_WIDGET, height=MAP_HEIGHT_PX,
                    use_container_width=True, returned_objects=RETURNED,
                    center=view.center if view else None, zoom=view.zoom if view else None)
    _stage_legend(lang, selected=pid is not None)
    clicked = _handle_map_output(out, parcels)
    if clicked is not None and clicked != pid:
        st.session_state[Key.ACQ_PENDING_PARCEL] = clicked
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


def _fresh_history(location: str, pid: str) -> pd.DataFrame:
    """The parcel's events read now (not cached): the version the officer sees is current."""
    store = open_store(location)
    try:
        return store.read_events(pid)
    finally:
        store.close()


def _parcel_card(parcels: gpd.GeoDataFrame, pid: str, history: pd.DataFrame,
                 lang: Lang) -> None:
    row = parcels[parcels["id"].astype(str) == pid].iloc[0]
    st.subheader(f"{pid} {row.get('name', '')}")
    parts = [phase_label(int(row["phase"]), lang)] if "phase" in row else []
    if isinstance(row.get("park"), str):
        parts.append(row["park"])
    st.caption(" · ".join(parts))
    current = derive_states(history).get(pid)
    stage = current.stage.value if current and current.stage else NOT_STARTED
    stage_text = stage_label(stage, lang)
    if current and current.stage_date:
        stage_text += t("acq.since", lang, date=current.stage_date.isoformat())
    version = current.version if current else 0
    sep = "：" if lang == Lang.ZH else ": "
    lines = [f"**{t('acq.stage_now', lang)}**{sep}{stage_text}",
             f"**{t('acq.version', lang)}**{sep}{t('acq.version.value', lang, version=version)}"]
    if "area_mu_plane" in row:
        lines.append(f"**{t('acq.area', lang)}**{sep}"
                     f"{t('acq.area.value', lang, mu=float(row['area_mu_plane']))}")
    st.markdown("  \n".join(lines))


def _reset_form_state(pid: str) -> None:
    """Empty the form for a new parcel, or after a recorded change (the officer stays).

    Values are set, not deleted: only a value set in the session state reaches a widget
    the browser already shows.
    """
    if (st.session_state.get(Key.ACQ_FORM_PARCEL) != pid
            or st.session_state.pop(Key.ACQ_RESET_FORM, False)):
        for key in (Key.ACQ_NOTE, Key.ACQ_EVIDENCE, Key.ACQ_REASON):
            st.session_state[key] = ""
        st.session_state[Key.ACQ_CORRECTION] = False
        st.session_state[Key.ACQ_DATE] = dt.date.today()
        st.session_state.pop(Key.ACQ_TO_STAGE, None)
        st.session_state[Key.ACQ_FORM_PARCEL] = pid


def _ensure_value(key: Key, allowed: list[object] | None, default: object) -> None:
    """Give a widget ``default`` when it has no value yet, or one no longer allowed."""
    value = st.session_state.get(key)
    if value is None or (allowed is not None and value not in allowed):
        st.session_state[key] = default


def _stage_options(current: ParcelStage | None, correction: bool) -> list[ParcelStage]:
    """Forward stages (the next one first in line), or every other stage for a correction."""
    if correction:
        return [s for s in STAGE_ORDER if s is not current]
    last = STAGE_ORDER[-1]
    return steps_between(current, last) if current is not last else []


def _stage_form(location: str, pid: str, history: pd.DataFrame,
                lang: Lang) -> None:
    _reset_form_state(pid)
    state_now = derive_states(history).get(pid)
    current = state_now.stage if state_now else None
    version = state_now.version if state_now else 0
    seen = st.session_state.get(Key.ACQ_SEEN)
    seen_version = seen[1] if isinstance(seen, tuple) and seen[0] == pid else version
    st.markdown(f"**{t('acq.form.title', lang)}**")
    correction = st.checkbox(t("acq.form.correction", lang), key=Key.ACQ_CORRECTION)
    options = _stage_options(current, correction)
    if not options:
        st.info(t("acq.form.final", lang))
        st.session_state[Key.ACQ_SEEN] = (pid, version)
        return
    next_stage = steps_between(current, STAGE_ORDER[-1])[:1]
    _ensure_value(Key.ACQ_TO_STAGE, list(options),
                  next_stage[0] if next_stage and next_stage[0] in options else options[0])
    today = dt.date.today()
    earliest = state_now.stage_date if state_now and state_now.stage_date else None
    earliest = earliest or dt.date(1990, 1, 1)
    days = st.session_state.get(Key.ACQ_DATE)
    if not isinstance(days, dt.date) or not earliest <= days <= today:
        st.session_state[Key.ACQ_DATE] = today
    for key in (Key.ACQ_OFFICER, Key.ACQ_NOTE, Key.ACQ_EVIDENCE, Key.ACQ_REASON):
        _ensure_value(key, None, "")
    with st.form(Key.ACQ_FORM, border=True):
        to_stage = st.selectbox(t("acq.form.to_stage", lang), options,
                                key=Key.ACQ_TO_STAGE, help=t("acq.form.to_stage.help", lang),
                                format_func=lambda s: ParcelStage(s).label(lang))
        date_col, officer_col = st.columns(2)
        day = date_col.date_input(t("acq.form.date", lang), max_value=today,
                                  min_value=earliest, key=Key.ACQ_DATE,
                                  help=t("acq.form.date.help", lang), format="YYYY-MM-DD")
        officer = officer_col.text_input(t("acq.form.officer", lang), key=Key.ACQ_OFFICER)
        evidence = st.text_input(t("acq.form.evidence", lang), key=Key.ACQ_EVIDENCE)
        note = st.text_area(t("acq.form.note", lang), key=Key.ACQ_NOTE, height=68)
        reason = (st.text_input(t("acq.form.reason", lang), key=Key.ACQ_REASON)
                  if correction else None)
        submitted = st.form_submit_button(t("acq.form.submit", lang), type="primary",
                                          key=Key.ACQ_SUBMIT)
        st.caption(t("acq.form.based_on", lang, version=version))
    if submitted:
        _submit(location, pid, ParcelStage(to_stage), day, officer, note, evidence,
                reason if correction else None, seen_version, lang)
    st.session_state[Key.ACQ_SEEN] = (pid, version)


def _submit(location: str, pid: str, to_stage: ParcelStage, day: dt.date,
            officer: str, note: str, evidence: str, reason: str | None, seen_version: int,
            lang: Lang) -> None:
    """Record the change; on success refresh every view of the store, else say why not."""
    st.session_state.pop(Key.ACQ_FLASH, None)
    store = open_store(location)
    try:
        recorded = record_stage_change(
            store, pid, to_stage, effective_date=day, officer=officer or "", note=note or "",
            evidence=evidence or None,
            correction_reason=(reason or "") if reason is not None else None,
            expected_version=seen_version)
    except GeoAppError as exc:
        st.error(f"{t('acq.form.refused', lang)}\n\n{exc}")
        return
    finally:
        store.close()
    loaders.note_write()  # every page reads the store again (a database's token changes)
    st.session_state[Key.ACQ_FLASH] = (pid, seen_version + 1, t(
        "acq.form.done", lang, parcel=pid, stage=to_stage.label(lang),
        date=str(recorded["effective_date"].iloc[0]), version=seen_version + 1))
    st.session_state[Key.ACQ_RESET_FORM] = True
    st.session_state[Key.ACQ_PENDING_PARCEL] = pid  # stays picked whatever the box does
    st.rerun()




def _history(history: pd.DataFrame, lang: Lang) -> None:
    st.subheader(t("acq.history", lang))
    if history.empty:
        st.caption(t("acq.history.none", lang))
        return
    tl = parcel_timeline(history, str(history["parcel_id"].iloc[0]))
    label_col = "to_label_zh" if lang == Lang.ZH else "to_label_en"
    date_t, stage_t = t("acq.col.date", lang), t("acq.col.stage", lang)
    chart_data = pd.DataFrame({
        date_t: tl["effective_date"], stage_t: tl[label_col],
        "order": tl["stage_order"],
        t("acq.col.officer", lang): tl["officer"],
        t("acq.col.evidence", lang): tl["evidence"].fillna(""),
        "kind": [t("acq.col.correction", lang) if c else t("acq.col.stage", lang)
                 for c in tl["is_correction"]],
    })
    ladder = [s.label(lang) for s in reversed(STAGE_ORDER)]  # progress climbs
    base = alt.Chart(chart_data).encode(
        x=alt.X(f"{date_t}:T", title=date_t, axis=alt.Axis(format="%Y-%m-%d", labelAngle=0)),
        y=alt.Y(f"{stage_t}:N", title=None, sort=ladder, scale=alt.Scale(domain=ladder),
                axis=alt.Axis(labelLimit=240)),
    )
    line = base.mark_line(interpolate="step-after", color="#7f7f7f", strokeWidth=1.5)
    dots = base.mark_point(filled=True, size=90).encode(
        color=alt.Color("kind:N", title=None,
                        scale=alt.Scale(range=["#1d91c0", "#d62728"]),
                        legend=alt.Legend(orient="top") if tl["is_correction"].any() else None),
        tooltip=[alt.Tooltip(f"{date_t}:T", format="%Y-%m-%d"), f"{stage_t}:N",
                 f"{t('acq.col.officer', lang)}:N", f"{t('acq.col.evidence', lang)}:N"])
    st.altair_chart((line + dots).properties(height=280), width="stretch")
    table = pd.DataFrame({
        date_t: tl["effective_date"].dt.date,
        stage_t: tl[label_col],
        t("acq.col.officer", lang): tl["officer"],
        t("acq.col.note", lang): tl["note"].fillna(""),
        t("acq.col.evidence", lang): tl["evidence"].fillna(""),
        t("acq.col.correction", lang): [t("acq.yes", lang) if c else "" for c in
                                        tl["is_correction"]],
        t("acq.col.reason", lang): tl["correction_reason"].fillna(""),
        t("acq.col.recorded", lang): tl["recorded_at"].dt.strftime("%Y-%m-%d %H:%M"),
        t("acq.col.in_effect", lang): tl["in_effect"],
    }).iloc[::-1]  # newest first
    styled = table.style.apply(
        lambda r: ["color: #9e9e9e" if not r[t("acq.col.in_effect", lang)] else ""] * len(r),
        axis=1)
    st.dataframe(styled, hide_index=True, width="stretch", column_config={
        date_t: st.column_config.DateColumn(format="YYYY-MM-DD")})
    if not tl["in_effect"].all():
        st.caption(t("acq.history.superseded", lang))


# --- as of a date --------------------------------------------------------------------------


def _as_of_options(events: pd.DataFrame) -> list[dt.date]:
    span = _event_days(events)
    today = dt.date.today()
    if span is None:
        return [today]
    return month_ends(span[0], max(today, span[1]))


def _as_of_view(location: str, token: str, lang: Lang) -> None:
    data = loaders.load_store(location, token)
    options = _as_of_options(data.events)
    if st.session_state.get(Key.ACQ_AS_OF) not in options:
        st.session_state.pop(Key.ACQ_AS_OF, None)
    as_of = st.select_slider(t("acq.as_of", lang), options, value=options[-1],
                             key=Key.ACQ_AS_OF, format_func=lambda d: d.isoformat())
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.markdown(f"**{t('acq.as_of.map', lang, date=as_of.isoformat())}**")
        st_folium(_as_of_map(location, token, lang, as_of).fresh(),
                  key=Key.ACQ_AS_OF_MAP_WIDGET, height=MAP_HEIGHT_PX,
                  use_container_width=True, returned_objects=[])
        _stage_legend(lang)
    with right:
        phases = _progress_on(location, token, as_of)
        st.subheader(t("acq.as_of.figures", lang, date=as_of.isoformat()))
        _progress_bars(phases, lang)
        _stage_table(phases, lang)
        st.download_button(
            t("acq.excel", lang), data=lambda: _excel(location, token, as_of),
            file_name=f"acquisition_progress_{as_of.isoformat()}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click="ignore", icon=":material/download:", help=t("acq.excel.help", lang))


def _progress_bars(phases: list[PhaseProgress], lang: Lang) -> None:
    for phase in phases:
        name = phase_label(phase.phase, lang)
        if phase.target_mu:
            share = phase.share_net_land or 0.0
            st.progress(min(share, 1.0), text=t("dash.phase_net", lang, phase=name,
                                                net=phase.net_land_mu, target=phase.target_mu,
                                                share=share))
        started = phase.total_mu - phase.by_stage_mu.get(NOT_STARTED, 0.0)
        st.caption(t("acq.phase_started", lang, started=started, total=phase.total_mu,
                     count=phase.parcel_count))


def _stage_table(phases: list[PhaseProgress], lang: Lang) -> None:
    long = stage_mu_table(phases, lang=lang)
    if long.empty:
        return
    wide = long.pivot_table(index=["stage_order", "stage_label"], columns="phase",
                            values="area_mu", aggfunc="sum", fill_value=0.0)
    wide.columns = [phase_label(int(p), lang) for p in wide.columns]
    wide = wide.reset_index(level="stage_order", drop=True)
    wide.index.name = t("acq.col.stage", lang)
    st.markdown(f"**{t('acq.stage_table', lang)}**")
    st.dataframe(wide.reset_index(), hide_index=True, width="stretch", column_config={
        c: st.column_config.NumberColumn(format="%.1f") for c in wide.columns})


# --- two dates compared --------------------------------------------------------------------


def _compare_view(location: str, token: str, lang: Lang) -> None:
    data = loaders.load_store(location, token)
    span = _event_days(data.events)
    today = dt.date.today()
    day_b_default = span[1] if span else today
    day_a_default = max((pd.Timestamp(day_b_default) - pd.DateOffset(months=6)).date(),
                        span[0] if span else dt.date(1990, 1, 1))
    col_a, col_b = st.columns(2)
    day_a = col_a.date_input(t("acq.cmp.a", lang), value=day_a_default, max_value=today,
                             key=Key.ACQ_DAY_A, format="YYYY-MM-DD")
    day_b = col_b.date_input(t("acq.cmp.b", lang), value=day_b_default, max_value=today,
                             key=Key.ACQ_DAY_B, format="YYYY-MM-DD")
    cmp = _comparison(location, token, day_a, day_b)
    a_txt, b_txt = day_a.isoformat(), day_b.isoformat()
    for row in cmp.phases.itertuples():
        name = phase_label(int(row.phase), lang)
        c1, c2, c3 = st.columns(3)
        c1.metric(t("acq.cmp.net_on", lang, phase=name, date=a_txt),
                  t("acq.cmp.mu", lang, mu=row.net_land_mu_a))
        c2.metric(t("acq.cmp.net_on", lang, phase=name, date=b_txt),
                  t("acq.cmp.mu", lang, mu=row.net_land_mu_b),
                  delta=_delta(row.net_land_diff_mu, lang))
        c3.metric(t("acq.cmp.started_on", lang, phase=name, date=b_txt),
                  t("acq.cmp.mu", lang, mu=row.started_mu_b),
                  delta=_delta(row.started_mu_b - row.started_mu_a, lang))
    left, right = st.columns([4, 5], gap="medium")
    with left:
        st.markdown(f"**{t('acq.cmp.stages', lang)}**")
        _compare_stage_table(cmp, lang)
    with right:
        _changed_parcels(cmp, lang)
    st.markdown(f"**{t('acq.cmp.maps', lang)}**")
    map_a, map_b = st.columns(2, gap="small")
    for col, day, key in ((map_a, day_a, Key.ACQ_MAP_A_WIDGET),
                          (map_b, day_b, Key.ACQ_MAP_B_WIDGET)):
        with col:
            st.caption(t("acq.as_of.map", lang, date=day.isoformat()))
            st_folium(_as_of_map(location, token, lang, day, SMALL_MAP_HEIGHT_PX).fresh(),
                      key=key, height=SMALL_MAP_HEIGHT_PX, use_container_width=True,
                      returned_objects=[])
    _stage_legend(lang)


def _delta(mu: float, lang: Lang) -> str | None:
    """The change as a metric delta, or none (no arrow) when it rounds to zero."""
    return t("acq.cmp.delta", lang, mu=mu) if abs(mu) >= 0.05 else None


def _table_height(rows: int, *, max_rows: int = 14) -> int:
    """Pixels for a dataframe showing ``rows`` rows (header included) without a scrollbar."""
    return 35 * (min(rows, max_rows) + 1) + 3


def _compare_stage_table(cmp: DateComparison, lang: Lang) -> None:
    shown = cmp.stages[(cmp.stages["mu_a"] > 0) | (cmp.stages["mu_b"] > 0)]
    a_col, b_col = t("acq.col.mu_a", lang), t("acq.col.mu_b", lang)
    change = t("acq.col.change_mu", lang)
    table = pd.DataFrame({
        t("acq.phase", lang): [phase_label(int(p), lang) for p in shown["phase"]],
        t("acq.col.stage", lang): [stage_label(s, lang) for s in shown["stage"]],
        a_col: shown["mu_a"], b_col: shown["mu_b"], change: shown["diff_mu"],
    })
    st.dataframe(table, hide_index=True, width="stretch", height=_table_height(len(table)),
                 column_config={c: st.column_config.NumberColumn(format="%.1f")
                                for c in (a_col, b_col, change)})


def _changed_parcels(cmp: DateComparison, lang: Lang) -> None:
    changed = cmp.changed
    st.markdown(f"**{t('acq.cmp.changed', lang, count=len(changed))}**")
    if changed.empty:
        st.caption(t("acq.cmp.none", lang))
        return
    area = t("acq.col.area_mu", lang)
    table = pd.DataFrame({
        t("acq.col.parcel", lang): changed["parcel_id"],
        t("acq.col.name", lang): changed["name"],
        area: changed["area_mu"],
        t("acq.col.stage_on", lang, date=cmp.day_a.isoformat()):
            [stage_label(s, lang) for s in changed["stage_a"]],
        t("acq.col.stage_on", lang, date=cmp.day_b.isoformat()):
            [stage_label(s, lang) for s in changed["stage_b"]],
    })
    st.dataframe(table, hide_index=True, width="stretch", height=_table_height(len(table)),
                 column_config={area: st.column_config.NumberColumn(format="%.1f")})


# --- progress over time --------------------------------------------------------------------


def _trend_view(location: str, token: str, lang: Lang) -> None:
    monthly = _monthly(location, token)
    st.subheader(t("acq.trend.title", lang))
    latest = monthly.sort_values("month_end").groupby("phase").tail(1)
    for col, row in zip(st.columns(max(len(latest), 1)), latest.itertuples(), strict=False):
        share = ("" if pd.isna(row.share_of_target)
                 else t("acq.trend.of_target", lang, share=row.share_of_target))
        col.metric(t("acq.trend.latest", lang, phase=phase_label(int(row.phase), lang),
                     date=row.month_end.date().isoformat()),
                   t("acq.cmp.mu", lang, mu=row.net_land_mu) + share)
    month_t, net_t = t("acq.trend.month", lang), t("acq.trend.net", lang)
    phase_t, share_t = t("acq.phase", lang), t("acq.trend.share", lang)
    data = pd.DataFrame({
        month_t: monthly["month_end"],
        phase_t: [phase_label(int(p), lang) for p in monthly["phase"]],
        net_t: monthly["net_land_mu"],
        share_t: monthly["share_of_target"],
    })
    names = list(dict.fromkeys(data[phase_t]))
    colours = alt.Scale(domain=names, range=list(PHASE_HEX[: len(names)]))
    lines = alt.Chart(data).mark_line(point=True, interpolate="step-after").encode(
        x=alt.X(f"{month_t}:T", title=month_t, axis=alt.Axis(format="%Y-%m")),
        y=alt.Y(f"{net_t}:Q", title=net_t),
        color=alt.Color(f"{phase_t}:N", title=phase_t, scale=colours,
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip(f"{month_t}:T", format="%Y-%m-%d"), f"{phase_t}:N",
                 alt.Tooltip(f"{net_t}:Q", format=",.1f"),
                 alt.Tooltip(f"{share_t}:Q", format=".0%")],
    )
    targets = monthly.dropna(subset=["target_mu"]).groupby("phase", as_index=False)[
        "target_mu"].first()
    chart = lines
    if not targets.empty:
        goal = pd.DataFrame({
            phase_t: [phase_label(int(p), lang) for p in targets["phase"]],
            "target_mu": targets["target_mu"],
            "label": [t("acq.trend.target", lang, phase=phase_label(int(p), lang), target=v)
                      for p, v in zip(targets["phase"], targets["target_mu"], strict=True)],
        })
        rules = alt.Chart(goal).mark_rule(strokeDash=[6, 4], strokeWidth=2).encode(
            y="target_mu:Q", color=alt.Color(f"{phase_t}:N", scale=colours, legend=None))
        text = alt.Chart(goal).mark_text(align="left", dx=6, dy=-8, fontSize=13).encode(
            x=alt.value(0), y="target_mu:Q", text="label:N",
            color=alt.Color(f"{phase_t}:N", scale=colours, legend=None))
        chart = lines + rules + text
    st.altair_chart(chart.properties(height=420), width="stretch")
    st.caption(t("acq.trend.caption", lang))
    with st.expander(t("acq.trend.table", lang)):
        table = data.assign(**{month_t: data[month_t].dt.date})
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            net_t: st.column_config.NumberColumn(format="%.1f"),
            share_t: st.column_config.ProgressColumn(format="percent", min_value=0.0,
                                                     max_value=1.0)})


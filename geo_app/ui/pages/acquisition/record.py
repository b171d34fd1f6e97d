"""Record a stage: pick a parcel (box or map), read its card and history, record its next
stage (or a correction) in the form."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo_app.analysis.dashboard import stage_label
from geo_app.analysis.progress import NOT_STARTED
from geo_app.analysis.timeline import parcel_timeline
from geo_app.domain.workflow import derive_states
from geo_app.storage import open_store
from geo_app.ui import loaders
from geo_app.ui.charts import history_chart
from geo_app.ui.gaps import split_unknown_stages
from geo_app.ui.i18n import Lang, phase_label, t
from geo_app.ui.pages.acquisition import _cached, _widgets
from geo_app.ui.pages.acquisition.record_form import stage_form
from geo_app.ui.pages.acquisition.record_map import parcel_map_widget, parcel_picker
from geo_app.ui.tables import history_table
from geo_app.ui.text import card_title, md_text


def render(location: str, token: str, lang: Lang) -> None:
    data = loaders.load_store(location, token)
    parcels = data.layer("parcels")
    left, right = st.columns([3, 2], gap="medium")
    with left:
        pid = parcel_picker(parcels, lang)
    with right:  # before the map: see _parcel_panel
        history = _parcel_panel(location, token, parcels, pid, lang)
    with left:
        parcel_map_widget(location, token, lang, pid, parcels)
    if history is not None:
        _history(history, lang)


def _parcel_panel(location: str, token: str, parcels: gpd.GeoDataFrame, pid: str | None,
                  lang: Lang) -> pd.DataFrame | None:
    """The picked parcel's card and form (its history returned), or today's progress.

    Drawn before the map, so that a press of 登记 is handled before the map is drawn: the map
    reports its view after every redraw, and a rerun it requests stops the run under way,
    dropping a button press that run had not reached yet.
    """
    if pid is None:
        st.info(t("acq.pick.hint", lang))
        st.subheader(t("acq.today", lang))
        _widgets.progress_bars(_cached.progress_on(location, token, dt.date.today()), lang)
        return None
    history = _fresh_history(location, pid)
    _parcel_card(parcels, pid, history, lang)
    if "record_stage" in loaders.capabilities(location, token):
        stage_form(location, pid, history, lang)
    else:  # a viewer's role: say why there is no form instead of a refusal later
        st.info(t("role.no_record", lang))
    return history


def _fresh_history(location: str, pid: str) -> pd.DataFrame:
    """The parcel's events read now (not cached): the version the officer sees is current."""
    store = open_store(location)
    try:
        return store.read_events(pid)
    finally:
        store.close()


def _parcel_card(parcels: gpd.GeoDataFrame, pid: str, history: pd.DataFrame,
                 lang: Lang) -> None:
    """The parcel's name, phase and park, current stage (since when), version and area."""
    row = parcels[parcels["id"].astype(str) == pid].iloc[0]
    st.subheader(card_title(pid, row.get("name")))
    parts = [phase_label(int(row["phase"]), lang)] if "phase" in row else []
    if isinstance(row.get("park"), str):
        parts.append(row["park"])
    st.caption(" · ".join(md_text(p) for p in parts))
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


def _history(history: pd.DataFrame, lang: Lang) -> None:
    """The parcel's stage over time, then its events, newest first (superseded ones grey)."""
    st.subheader(t("acq.history", lang))
    if history.empty:
        st.caption(t("acq.history.none", lang))
        return
    known, unknown = split_unknown_stages(history)
    tl = parcel_timeline(known, str(history["parcel_id"].iloc[0]))
    if len(tl):
        st.altair_chart(history_chart(tl, lang), width="stretch")
    table = history_table(tl, lang, unknown)
    in_effect = t("acq.col.in_effect", lang)
    styled = table.style.apply(
        lambda r: ["color: #9e9e9e" if not r[in_effect] else ""] * len(r), axis=1)
    st.dataframe(styled, hide_index=True, width="stretch", column_config={
        t("acq.col.date", lang): st.column_config.DateColumn(format="YYYY-MM-DD")})
    if len(tl) and not tl["in_effect"].all():
        st.caption(t("acq.history.superseded", lang))
    if len(unknown):
        st.caption(t("acq.history.unknown", lang))

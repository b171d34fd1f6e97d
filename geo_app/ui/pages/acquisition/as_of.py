"""As of a date: the parcels' stages on a month end on the map, each phase's progress, the
area by stage, and the Excel download of that date."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo_app.analysis.progress import PhaseProgress
from geo_app.analysis.timeline import as_of_choices_in_span
from geo_app.ui import loaders
from geo_app.ui.brief_widget import brief_buttons
from geo_app.ui.i18n import Lang, t
from geo_app.ui.pages.acquisition import _cached, _widgets
from geo_app.ui.state import Key
from geo_app.ui.tables import stage_area_table

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render(location: str, token: str, lang: Lang) -> None:
    data = loaders.load_store(location, token)
    if not _cached.has_history(data):
        st.info(t("gap.no_history", lang))
    options = as_of_choices_in_span(_cached.span(location, token), today=dt.date.today())
    if st.session_state.get(Key.ACQ_AS_OF) not in options:
        st.session_state.pop(Key.ACQ_AS_OF, None)
    as_of = st.select_slider(t("acq.as_of", lang), options, value=options[-1],
                             key=Key.ACQ_AS_OF, format_func=lambda d: d.isoformat())
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.markdown(f"**{t('acq.as_of.map', lang, date=as_of.isoformat())}**")
        _widgets.as_of_map_widget(location, token, lang, as_of, key=Key.ACQ_AS_OF_MAP_WIDGET)
        _widgets.stage_legend(lang)
    with right:
        phases = _cached.progress_on(location, token, as_of)
        st.subheader(t("acq.as_of.figures", lang, date=as_of.isoformat()))
        _widgets.progress_bars(phases, lang)
        _stage_table(phases, lang)
        st.download_button(
            t("acq.excel", lang), data=lambda: _cached.progress_excel(location, token, as_of),
            file_name=f"acquisition_progress_{as_of.isoformat()}.xlsx", mime=XLSX_MIME,
            on_click="ignore", icon=":material/download:", help=t("acq.excel.help", lang))
        brief_buttons("progress", None, lang, as_of=as_of, key="acq_as_of_brief")


def _stage_table(phases: list[PhaseProgress], lang: Lang) -> None:
    table = stage_area_table(phases, lang)
    if table.empty:
        return
    st.markdown(f"**{t('acq.stage_table', lang)}**")
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        c: st.column_config.NumberColumn(format="%.1f") for c in table.columns[1:]})

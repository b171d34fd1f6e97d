"""Two dates compared: each phase's net land and started area on both, the area by stage,
the parcels whose stage changed, and both dates on the map."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo_app.analysis.timeline import DateComparison, comparison_days_in_span
from geo_app.ui import loaders
from geo_app.ui.i18n import Lang, phase_label, t
from geo_app.ui.pages.acquisition import _cached, _widgets
from geo_app.ui.state import Key
from geo_app.ui.tables import changed_parcels_table, comparison_stage_table


def render(location: str, token: str, lang: Lang) -> None:
    data = loaders.load_store(location, token)
    if not _cached.has_history(data):
        st.info(t("gap.no_history.over_time", lang))
        return
    today = dt.date.today()
    day_a_default, day_b_default = comparison_days_in_span(_cached.span(location, token),
                                                           today=today)
    col_a, col_b = st.columns(2)
    day_a = col_a.date_input(t("acq.cmp.a", lang), value=day_a_default, max_value=today,
                             key=Key.ACQ_DAY_A, format="YYYY-MM-DD")
    day_b = col_b.date_input(t("acq.cmp.b", lang), value=day_b_default, max_value=today,
                             key=Key.ACQ_DAY_B, format="YYYY-MM-DD")
    cmp = _cached.comparison(location, token, day_a, day_b)
    _phase_metrics(cmp, lang)
    left, right = st.columns([4, 5], gap="medium")
    with left:
        st.markdown(f"**{t('acq.cmp.stages', lang)}**")
        _stage_table(cmp, lang)
    with right:
        _changed_parcels(cmp, lang)
    st.markdown(f"**{t('acq.cmp.maps', lang)}**")
    map_a, map_b = st.columns(2, gap="small")
    for col, day, key in ((map_a, day_a, Key.ACQ_MAP_A_WIDGET),
                          (map_b, day_b, Key.ACQ_MAP_B_WIDGET)):
        with col:
            st.caption(t("acq.as_of.map", lang, date=day.isoformat()))
            _widgets.as_of_map_widget(location, token, lang, day, key=key,
                               height_px=_cached.SMALL_MAP_HEIGHT_PX)
    _widgets.stage_legend(lang)


def _phase_metrics(cmp: DateComparison, lang: Lang) -> None:
    """Per phase: net land on A, net land on B (with the change), started on B."""
    a_txt, b_txt = cmp.day_a.isoformat(), cmp.day_b.isoformat()
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


def _delta(mu: float, lang: Lang) -> str | None:
    """The change as a metric delta, or none (no arrow) when it rounds to zero."""
    return t("acq.cmp.delta", lang, mu=mu) if abs(mu) >= 0.05 else None


def _stage_table(cmp: DateComparison, lang: Lang) -> None:
    table = comparison_stage_table(cmp, lang)
    numbers = (t("acq.col.mu_a", lang), t("acq.col.mu_b", lang), t("acq.col.change_mu", lang))
    st.dataframe(table, hide_index=True, width="stretch",
                 height=_widgets.table_height(len(table)),
                 column_config={c: st.column_config.NumberColumn(format="%.1f")
                                for c in numbers})


def _changed_parcels(cmp: DateComparison, lang: Lang) -> None:
    st.markdown(f"**{t('acq.cmp.changed', lang, count=len(cmp.changed))}**")
    if cmp.changed.empty:
        st.caption(t("acq.cmp.none", lang))
        return
    table = changed_parcels_table(cmp, lang)
    area = t("acq.col.area_mu", lang)
    st.dataframe(table, hide_index=True, width="stretch",
                 height=_widgets.table_height(len(table)),
                 column_config={area: st.column_config.NumberColumn(format="%.1f")})

"""Dashboard: acquisition progress, park coverage, villages, key projects, loop-road belt."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from geo_app.domain.categories import VillagePlan, WorksProgramme
from geo_app.domain.targets import ACQUISITION_PARK, LOOP_BELT_M
from geo_app.ui import loaders, state
from geo_app.ui.brief_widget import brief_buttons, brief_target
from geo_app.ui.charts import show_progress
from geo_app.ui.components import error_boundary, section_boundary, store_caption
from geo_app.ui.gaps import gap_message, layer_gaps
from geo_app.ui.i18n import t


def render() -> None:
    lang = state.lang()
    st.title(t("page.dashboard", lang))
    with error_boundary(lang):
        location, token = loaders.current_store()
        data = loaders.load_store(location, token)
        store_caption(location, lang)
        for title_key, section, needed in SECTIONS:
            st.header(t(title_key, lang))
            gaps = layer_gaps(data.layers, needed)
            if gaps:
                st.info(gap_message(gaps, lang))
                continue
            with section_boundary(lang):
                section(location, token, lang)


def _progress(location: str, token: str, lang: str) -> None:
    phases, stages = loaders.progress_figures(location, token, lang)
    show_progress(phases, stages, lang)
    brief_buttons("progress", None, lang, key="dash_progress_brief")


def _coverage(location: str, token: str, lang: str) -> None:
    table = loaders.coverage_figures(location, token)
    names = table["name"] if lang == "zh" else table["name_en"]
    mu_columns = {"dash.park_area_mu": "area_mu_plane", "dash.covered_mu": "covered_mu_plane",
                  "dash.covered_ell_mu": "covered_mu_ellipsoidal"}
    # shown to 0.1 mu with thousands separators and no trailing ".0" (22,680 / 3,119.8)
    view = pd.DataFrame({
        t("dash.park", lang): names,
        **{t(key, lang): table[col].round(1) for key, col in mu_columns.items()},
        t("dash.share", lang): table["share_covered"],
        t("dash.parcel_count", lang): table["parcel_count"],
    })
    # the share column draws the bar of each park
    st.dataframe(
        view, hide_index=True, width="stretch",
        column_config={
            **{t(key, lang): st.column_config.NumberColumn(format="localized")
               for key in mu_columns},
            t("dash.share", lang): st.column_config.ProgressColumn(
                format="percent", min_value=0.0, max_value=1.0, width="medium"),
        },
    )
    _park_brief(location, token, table, lang)


def _park_brief(location: str, token: str, table: pd.DataFrame, lang: str) -> None:
    """A park chooser and the chosen park's printable brief."""
    names = table["name"] if lang == "zh" else table["name_en"].fillna(table["name"])
    labels = dict(zip(table["id"].astype(str), names.astype(str), strict=True))
    ids = list(labels)
    acquiring = [i for i, name in zip(ids, table["name"], strict=True)
                 if name == ACQUISITION_PARK]
    pick, button = st.columns([2, 3], vertical_alignment="bottom")
    park_id = pick.selectbox(t("brief.park_pick", lang), ids, key="dash_brief_park",
                             index=ids.index(acquiring[0]) if acquiring else 0,
                             format_func=lambda i: labels[i])
    target = brief_target(loaders.load_store(location, token).layers, "park", str(park_id),
                          lang, key="dash_park_brief") if park_id is not None else None
    if target is not None:
        with button:
            brief_buttons(target.kind, target.name, lang, key=target.key, label=target.label)


def _villages(location: str, token: str, lang: str) -> None:
    summary, _table = loaders.village_figures(location, token, lang)
    cols = st.columns(4)
    cols[0].metric(t("dash.villages_total", lang), summary.total)
    for col, plan in zip(cols[1:], VillagePlan, strict=True):
        col.metric(plan.label(lang), summary.plan_count(plan))
    st.subheader(t("dash.works", lang))
    works = [w for w in WorksProgramme if w is not WorksProgramme.NONE]
    wcols = st.columns(4)
    for col, programme in zip(wcols, works, strict=False):
        col.metric(programme.label(lang), summary.works_count(programme))


def _projects(location: str, token: str, lang: str) -> None:
    summary, by_status, by_category = loaders.project_figures(location, token, lang)
    cols = st.columns(3)
    cols[0].metric(t("dash.projects_total", lang), summary.total)
    cols[1].metric(t("dash.projects_infra", lang), summary.infrastructure)
    cols[2].metric(t("dash.projects_new_big", lang, year=summary.year,
                     min=summary.min_investment_10k_cny), summary.newly_started_big)
    count_title, invest_title = t("dash.count", lang), t("dash.investment", lang)
    left, right = st.columns(2)
    for col, table, title, group_title in (
        (left, by_status, t("dash.by_status", lang), t("dash.status", lang)),
        (right, by_category, t("dash.by_category", lang), t("dash.category", lang)),
    ):
        with col:
            st.subheader(title)
            view = pd.DataFrame({group_title: table["label"], count_title: table["count"],
                                 invest_title: table["investment_10k_cny"]})
            bars = alt.Chart(view).mark_bar(color="#f16913").encode(
                x=alt.X(f"{count_title}:Q"),
                y=alt.Y(f"{group_title}:N", sort=None, title=None),
                tooltip=[group_title, count_title,
                         alt.Tooltip(f"{invest_title}:Q", format=",.0f")],
            )
            st.altair_chart(bars.properties(height=40 * len(view) + 40), width="stretch")
            st.dataframe(view, hide_index=True, width="stretch", column_config={
                invest_title: st.column_config.NumberColumn(format="localized")})


def _loop_belt(location: str, token: str, lang: str) -> None:
    belt = loaders.belt_figures(location, token)
    st.metric(t("dash.loop_count", lang, km=LOOP_BELT_M / 1000.0), len(belt))
    names = belt["name"] if lang == "zh" or "name_en" not in belt else (
        belt["name_en"] + " (" + belt["name"] + ")")
    view = pd.DataFrame({
        t("dash.village", lang): names,
        t("dash.town", lang): belt.get("town"),
        t("dash.distance_m", lang): belt["distance_m"].round(0),
    })
    st.dataframe(view, hide_index=True, width="stretch", column_config={
        t("dash.distance_m", lang): st.column_config.NumberColumn(format="%.0f")})


#: The sections in page order: title, what draws it, the layers it needs (missing or empty
#: ones are said instead of the figures).
SECTIONS: tuple[tuple[str, Callable[[str, str, str], None], tuple[str, ...]], ...] = (
    ("dash.progress", _progress, ("parcels",)),
    ("dash.coverage", _coverage, ("parks", "parcels")),
    ("dash.villages", _villages, ("villages",)),
    ("dash.projects", _projects, ("projects",)),
    ("dash.loop", _loop_belt, ("villages", "roads")),
)

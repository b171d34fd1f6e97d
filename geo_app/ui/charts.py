"""Progress displays shared by the dashboard and the acquisition page (Altair, streamlit)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from geo_app.analysis.dashboard import stage_label
from geo_app.analysis.progress import NOT_STARTED, PhaseProgress
from geo_app.domain.stages import ParcelStage
from geo_app.maps.style import STAGE_HEX
from geo_app.ui.i18n import phase_label, t

NOT_STARTED_HEX = "#d9d9d9"


def stage_colours(lang: str) -> tuple[list[str], list[str]]:
    """Stage labels in workflow order (``not started`` first) and the map's colours."""
    labels = [stage_label(NOT_STARTED, lang), *(s.label(lang) for s in ParcelStage)]
    return labels, [NOT_STARTED_HEX, *(STAGE_HEX[s] for s in ParcelStage)]


def phase_bars(phases: list[PhaseProgress], lang: str) -> None:
    """One progress bar per phase: net land against the target, and mu started."""
    columns = st.columns(max(len(phases), 1))
    for col, phase in zip(columns, phases, strict=False):
        with col:
            name = phase_label(phase.phase, lang)
            if phase.target_mu:
                share = phase.share_net_land or 0.0
                st.progress(min(share, 1.0), text=t("dash.phase_net", lang, phase=name,
                                                    net=phase.net_land_mu,
                                                    target=phase.target_mu, share=share))
            st.caption(t("dash.phase_started", lang, total=phase.total_mu,
                         count=phase.parcel_count))


def stage_chart(phases: list[PhaseProgress], stages: pd.DataFrame, lang: str) -> alt.Chart:
    """Stacked bars of mu by stage per phase (workflow order), target ticks on top."""
    chart_data = stages.assign(phase_label=[phase_label(p, lang) for p in stages["phase"]])
    domain, colours = stage_colours(lang)
    stage_title, mu_title = t("dash.stage", lang), t("dash.area_mu", lang)
    bars = alt.Chart(chart_data).mark_bar().encode(
        x=alt.X("sum(area_mu):Q", title=mu_title),
        y=alt.Y("phase_label:N", title=t("dash.phase", lang), sort=None),
        color=alt.Color("stage_label:N", title=stage_title,
                        scale=alt.Scale(domain=domain, range=colours),
                        legend=alt.Legend(symbolLimit=0, labelLimit=260)),
        order=alt.Order("stage_order:Q"),
        tooltip=[alt.Tooltip("phase_label:N", title=t("dash.phase", lang)),
                 alt.Tooltip("stage_label:N", title=stage_title),
                 alt.Tooltip("area_mu:Q", title=mu_title, format=",.1f")],
    )
    targets = pd.DataFrame(
        [{"phase_label": phase_label(p.phase, lang), "target_mu": p.target_mu}
         for p in phases if p.target_mu],
        columns=["phase_label", "target_mu"],
    )
    chart = bars
    if not targets.empty:
        ticks = alt.Chart(targets).mark_tick(color="#222222", thickness=3, size=34).encode(
            x="target_mu:Q", y=alt.Y("phase_label:N", sort=None),
            tooltip=[alt.Tooltip("target_mu:Q", format=",.0f")])
        chart = bars + ticks
    # tall enough for the legend of all eleven stages (a bottom legend breaks the layout)
    return chart.properties(height=max(250, 70 * len(phases)))


def show_progress(phases: list[PhaseProgress], stages: pd.DataFrame, lang: str) -> None:
    """Progress bars and the stage chart."""
    phase_bars(phases, lang)
    if not stages.empty:
        st.subheader(t("dash.stage_chart", lang))
        st.altair_chart(stage_chart(phases, stages, lang), width="stretch")


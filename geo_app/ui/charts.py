"""Progress displays of the dashboard and the acquisition page (Altair, streamlit)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from geo_app.analysis.dashboard import stage_label
from geo_app.analysis.progress import NOT_STARTED, PhaseProgress
from geo_app.domain.stages import STAGE_ORDER, ParcelStage
from geo_app.maps.style import STAGE_HEX
from geo_app.ui.i18n import Lang, phase_label, t
from geo_app.ui.tables import trend_table

NOT_STARTED_HEX = "#d9d9d9"
#: Line colours of the phases in the progress-over-time chart, in phase order.
PHASE_HEX = ("#1d91c0", "#e6550d", "#31a354", "#756bb1")


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


def history_chart(timeline: pd.DataFrame, lang: str) -> alt.LayerChart:
    """A parcel's stage over time (:func:`~geo_app.analysis.timeline.parcel_timeline`): a
    step line climbing the workflow, a dot per event, corrections in red."""
    label_col = "to_label_zh" if lang == Lang.ZH else "to_label_en"
    date_t, stage_t = t("acq.col.date", lang), t("acq.col.stage", lang)
    chart_data = pd.DataFrame({
        date_t: timeline["effective_date"], stage_t: timeline[label_col],
        "order": timeline["stage_order"],
        t("acq.col.officer", lang): timeline["officer"],
        t("acq.col.evidence", lang): timeline["evidence"].fillna(""),
        "kind": [t("acq.col.correction", lang) if c else t("acq.col.stage", lang)
                 for c in timeline["is_correction"]],
    })
    ladder = [s.label(lang) for s in reversed(STAGE_ORDER)]  # progress climbs
    base = alt.Chart(chart_data).encode(
        x=alt.X(f"{date_t}:T", title=date_t, axis=alt.Axis(format="%Y-%m-%d", labelAngle=0)),
        y=alt.Y(f"{stage_t}:N", title=None, sort=ladder, scale=alt.Scale(domain=ladder),
                axis=alt.Axis(labelLimit=240)),
    )
    line = base.mark_line(interpolate="step-after", color="#7f7f7f", strokeWidth=1.5)
    legend = alt.Legend(orient="top") if timeline["is_correction"].any() else None
    dots = base.mark_point(filled=True, size=90).encode(
        color=alt.Color("kind:N", title=None,
                        scale=alt.Scale(range=["#1d91c0", "#d62728"]), legend=legend),
        tooltip=[alt.Tooltip(f"{date_t}:T", format="%Y-%m-%d"), f"{stage_t}:N",
                 f"{t('acq.col.officer', lang)}:N", f"{t('acq.col.evidence', lang)}:N"])
    return (line + dots).properties(height=280)


def trend_chart(monthly: pd.DataFrame, lang: str) -> alt.Chart | alt.LayerChart:
    """Net land per phase at each month end (:func:`~geo_app.analysis.timeline.
    net_land_by_month`) as step lines, each phase's target a dashed, labelled rule."""
    data = trend_table(monthly, lang, month_as_date=False)
    month_t, net_t = t("acq.trend.month", lang), t("acq.trend.net", lang)
    phase_t, share_t = t("acq.phase", lang), t("acq.trend.share", lang)
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
    chart: alt.Chart | alt.LayerChart = lines
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
    return chart.properties(height=420)

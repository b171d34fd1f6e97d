"""Progress over time: net land per phase at each month end against the targets."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo_app.analysis.timeline import latest_by_phase
from geo_app.ui import loaders
from geo_app.ui.charts import trend_chart
from geo_app.ui.i18n import Lang, phase_label, t
from geo_app.ui.pages.acquisition import _cached
from geo_app.ui.tables import trend_table


def render(location: str, token: str, lang: Lang) -> None:
    st.subheader(t("acq.trend.title", lang))
    if not _cached.has_history(loaders.load_store(location, token)):
        st.info(t("gap.no_history.over_time", lang))
        return
    monthly = _cached.monthly(location, token)
    latest = latest_by_phase(monthly)
    for col, row in zip(st.columns(max(len(latest), 1)), latest.itertuples(), strict=False):
        share = ("" if pd.isna(row.share_of_target)
                 else t("acq.trend.of_target", lang, share=row.share_of_target))
        col.metric(t("acq.trend.latest", lang, phase=phase_label(int(row.phase), lang),
                     date=row.month_end.date().isoformat()),
                   t("acq.cmp.mu", lang, mu=row.net_land_mu) + share)
    st.altair_chart(trend_chart(monthly, lang), width="stretch")
    st.caption(t("acq.trend.caption", lang))
    with st.expander(t("acq.trend.table", lang)):
        net_t, share_t = t("acq.trend.net", lang), t("acq.trend.share", lang)
        st.dataframe(trend_table(monthly, lang), hide_index=True, width="stretch",
                     column_config={
                         net_t: st.column_config.NumberColumn(format="%.1f"),
                         share_t: st.column_config.ProgressColumn(
                             format="percent", min_value=0.0, max_value=1.0)})

"""Land acquisition: a parcel's history and its next stage, progress as of a date,
two dates compared, and net land over time against the targets.

The page reads widgets and shows what library functions return:
:func:`geo_app.storage.events.record_stage_change` writes (workflow rules, versions),
:mod:`geo_app.analysis.progress` and :mod:`geo_app.analysis.timeline` compute the figures,
:func:`geo_app.maps.build_zone_map` draws, :func:`geo_app.io.excel.progress_excel_bytes`
exports; :mod:`geo_app.ui.tables` and :mod:`geo_app.ui.charts` shape them for reading.

One module per view (:mod:`.record`, :mod:`.as_of`, :mod:`.compare`, :mod:`.trend`),
each with ``render(location, token, lang)``; :mod:`._cached` holds the figures and maps
computed once per store version, :mod:`._widgets` the pieces the views share.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import streamlit as st

from geo_app.ui import loaders, state
from geo_app.ui.components import error_boundary, store_caption
from geo_app.ui.gaps import gap_message, layer_gaps, unknown_events_message
from geo_app.ui.i18n import Lang, t
from geo_app.ui.pages.acquisition import as_of, compare, record, trend
from geo_app.ui.state import Key


class View(StrEnum):
    RECORD = "record"
    AS_OF = "as_of"
    COMPARE = "compare"
    TREND = "trend"


_VIEWS: dict[View, Callable[[str, str, Lang], None]] = {
    View.RECORD: record.render,
    View.AS_OF: as_of.render,
    View.COMPARE: compare.render,
    View.TREND: trend.render,
}


def render() -> None:
    lang = state.lang()
    st.title(t("page.acquisition", lang))
    with error_boundary(lang):
        location, token = loaders.current_store()
        data = loaders.load_store(location, token)
        store_caption(location, lang)
        gaps = layer_gaps(data.layers, ["parcels"])
        if gaps:
            st.info(gap_message(gaps, lang))
            return
        unknown = loaders.unknown_events(location, token)
        if len(unknown):
            st.warning(unknown_events_message(unknown, lang))
        view = st.segmented_control(
            t("acq.view", lang), list(View), default=View.RECORD, key=Key.ACQ_VIEW,
            format_func=lambda v: t(f"acq.view.{v}", lang), label_visibility="collapsed",
            required=True)
        _VIEWS[View(view or View.RECORD)](location, token, lang)

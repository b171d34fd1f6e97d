"""Pieces the acquisition views share: the stage legend, the as-of map, the phase bars."""

from __future__ import annotations

import datetime as dt

import streamlit as st
from streamlit_folium import st_folium

from geo_app.analysis.dashboard import stage_label
from geo_app.analysis.progress import NOT_STARTED, PhaseProgress
from geo_app.maps.build import SELECTED_HEX
from geo_app.maps.style import layer_style, swatch_css
from geo_app.ui.components import swatch_legend
from geo_app.ui.i18n import Lang, phase_label, t
from geo_app.ui.pages.acquisition import _cached
from geo_app.ui.state import Key


def stage_legend(lang: Lang, *, selected: bool = False) -> None:
    """The stages (and a parcel with none yet) in one line of swatches drawn like the map."""
    style = layer_style("parcels")
    entries = [(stage_label(NOT_STARTED, lang), swatch_css(style.other, style.symbol))]
    entries += [(style.label_of(key, lang), swatch_css(s, style.symbol))
                for key, s in style.classes.items()]
    if selected:
        entries.append((t("acq.legend.selected", lang),
                        f"background:transparent;border:3px solid {SELECTED_HEX}"))
    swatch_legend(entries)


def as_of_map_widget(location: str, token: str, lang: Lang, day: dt.date, *, key: Key,
              height_px: int = _cached.MAP_HEIGHT_PX) -> None:
    """The parcels in their stage on ``day``, a map that reports nothing back."""
    st_folium(_cached.as_of_map(location, token, lang, day, height_px).fresh(),
              key=key, height=height_px, use_container_width=True, returned_objects=[])


def progress_bars(phases: list[PhaseProgress], lang: Lang) -> None:
    """Per phase: net land against the target (if it has one), then the mu started."""
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


def table_height(rows: int, *, max_rows: int = 14) -> int:
    """Pixels for a dataframe showing ``rows`` rows (header included) without a scrollbar."""
    return 35 * (min(rows, max_rows) + 1) + 3

"""Download a one-page brief (PDF or PNG) of a village, a park or the acquisition progress.

One widget for any page (the lead wires it in)::

    from geo_app.ui.brief_widget import brief_buttons

    brief_buttons("village", "挑水村", lang, key="map_brief")
    brief_buttons("park", selected_park, lang, key="dash_park_brief")
    brief_buttons("progress", None, lang, as_of=day, key="acq_brief")

It reads the store the app reads (:func:`geo_app.ui.loaders.load_store`, cached), so the
brief's figures are the dashboard's. Nothing is drawn until the user presses "make the
brief"; the PDF and PNG bytes are then made once per store version, brief, language and
page size (:func:`brief_bytes`, cached) and offered by two download buttons.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import streamlit as st

from geo_app.briefs import BriefData, BriefKind, PageSize, build_brief, render_pages
from geo_app.errors import GeoAppError
from geo_app.ui import loaders
from geo_app.ui.i18n import t
from geo_app.ui.text import md_text


@st.cache_data(show_spinner=False, max_entries=16)
def brief_bytes(location: str, token: str, kind: str, name: str | None,
                as_of: dt.date | None, lang: str, size: str) -> tuple[bytes, bytes]:
    """The brief as (PDF bytes, PNG bytes), made once per store version and choice."""
    data = loaders.load_store(location, token)
    events = loaders.stage_events(location, token)
    page = build_brief(BriefData(data.layers, data.planes, events), kind, name,
                       as_of=as_of, lang=lang)
    pdf, png = io.BytesIO(), io.BytesIO()
    render_pages([page], pdf, size=size, fmt="pdf")
    render_pages([page], png, size=size, fmt="png")
    return pdf.getvalue(), png.getvalue()


def brief_file_stem(kind: str, name: str | None, as_of: dt.date | None) -> str:
    """``brief-village-挑水村``: letters, digits and CJK kept, anything else ``_``."""
    label = name if name else (as_of.isoformat() if as_of else "now")
    safe = re.sub(r"[^\w\u3400-\u9fff-]+", "_", label, flags=re.UNICODE).strip("_")[:60]
    return f"brief-{kind}-{safe or 'x'}"


def brief_buttons(kind: BriefKind | str, name: str | None, lang: str, *,
                  as_of: dt.date | None = None, key: str) -> None:
    """A popover: page size, "make the brief", then "download PDF" and "download PNG".

    ``kind`` is ``village``, ``park`` or ``progress``; ``name`` the village or park
    (Chinese name, English name or id; ``None`` for progress); ``as_of`` the date of a
    progress brief (``None``: now); ``key`` prefixes the widget keys (one per page).
    Errors (unknown name, no CJK font) are shown as a message, never a traceback.
    """
    kind = BriefKind(kind)
    with st.popover(t("brief.title", lang), icon=":material/picture_as_pdf:"):
        if kind is not BriefKind.PROGRESS and not name:
            st.info(t("brief.no_name", lang))
            return
        size = st.radio(t("brief.size", lang), [s.value for s in PageSize], horizontal=True,
                        key=f"{key}_size", format_func=lambda s: t(f"brief.size.{s}", lang))
        location, token = loaders.current_store()
        choice = (location, token, kind.value, name, as_of, str(lang), str(size))
        ready_key = f"{key}_ready"
        if st.button(t("brief.prepare", lang), key=f"{key}_prepare"):
            st.session_state[ready_key] = choice
        if st.session_state.get(ready_key) != choice:
            return
        try:
            pdf, png = brief_bytes(*choice)
        except GeoAppError as exc:
            st.error(md_text(exc))
            return
        stem = brief_file_stem(kind.value, name, as_of)
        left, right = st.columns(2)
        left.download_button(t("brief.download_pdf", lang), data=pdf, file_name=f"{stem}.pdf",
                             mime="application/pdf", on_click="ignore", key=f"{key}_pdf",
                             icon=":material/download:", type="primary")
        right.download_button(t("brief.download_png", lang), data=png, file_name=f"{stem}.png",
                              mime="image/png", on_click="ignore", key=f"{key}_png",
                              icon=":material/download:")

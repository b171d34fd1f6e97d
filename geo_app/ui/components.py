"""Pieces every page shares: page style, the language switch, error display, the store caption."""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from geo_app.domain.messages import render
from geo_app.errors import GeoAppError
from geo_app.secrets import mask_url
from geo_app.storage import display_location
from geo_app.ui import state
from geo_app.ui.i18n import Lang, t
from geo_app.ui.state import Key
from geo_app.ui.text import md_text

#: A few touches on Streamlit's layout: less empty space above the page title, and unit or
#: field names in the first column of small markdown tables kept on one line.
PAGE_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.25rem; }
[data-testid="stMarkdownContainer"] table td:first-child,
[data-testid="stMarkdownContainer"] table th:first-child { white-space: nowrap; }
</style>"""


def page_style() -> None:
    """Apply :data:`PAGE_CSS` (style only: it takes no room on the page)."""
    st.html(PAGE_CSS)


def language_switch() -> Lang:
    """The sidebar language choice (中文 by default); returns the current language."""
    st.sidebar.radio(
        t("app.language", state.lang()),
        options=list(Lang),
        format_func=lambda lang: Lang(lang).display,
        key=Key.LANG,
        horizontal=True,
    )
    return state.lang()


@contextmanager
def error_boundary(lang: str) -> Iterator[None]:
    """Show a GeoAppError as a message with what to do, never as a traceback."""
    try:
        yield
    except GeoAppError as exc:
        st.error(md_text(mask_url(render(exc, lang))))
        st.caption(t("app.error_hint", lang))


@contextmanager
def section_boundary(lang: str) -> Iterator[None]:
    """A part of a page that cannot be drawn from the store's data says why (a warning,
    in ``lang`` when the error has a message code) and the rest of the page goes on."""
    try:
        yield
    except GeoAppError as exc:
        st.warning(t("gap.section", lang, reason=md_text(render(exc, lang))))


def store_caption(location: str, lang: str) -> None:
    st.sidebar.caption(t("app.store", lang, location=md_text(display_location(location))))


def swatch_legend(entries: list[tuple[str, str]]) -> None:
    """One line of map-like swatches: ``(label, css)`` pairs; labels are HTML-escaped.

    ``css`` must come from the program (``maps.style.swatch_css`` or a fixed string), never
    from a file or a user: it goes into a ``style`` attribute as is.
    """
    items = "".join(
        '<span style="display:inline-flex;align-items:center;margin:0 14px 6px 0;'
        'font-size:0.85rem;white-space:nowrap">'
        f'<span style="display:inline-block;width:14px;height:14px;margin-right:5px;'
        f'{css}"></span>{html.escape(label)}</span>'
        for label, css in entries)
    st.markdown(f'<div style="line-height:1.2">{items}</div>', unsafe_allow_html=True)


#: The smallest map height (CSS px) however short the window.
MIN_MAP_HEIGHT_PX = 420


def full_height_map(top_offset_px: int) -> None:
    """Stretch the page's map component to the bottom of the window (style only).

    ``top_offset_px`` is the room taken above the map (and the little kept below it);
    the map is never lower than :data:`MIN_MAP_HEIGHT_PX`. Leaflet follows the resize.
    """
    offset = int(top_offset_px)
    st.html(
        "<style>"
        '[data-testid="stMain"] iframe[title="streamlit_folium.st_folium"] '
        f"{{ height: max({MIN_MAP_HEIGHT_PX}px, calc(100vh - {offset}px)) !important; }}"
        '[data-testid="stMainBlockContainer"] { padding-bottom: 0.25rem; }'
        "</style>"
    )

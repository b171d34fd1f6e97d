"""Present: a storyboard one slide at a time, for a projector (1920×1080), offline.

Thin: the storyboard is read and checked by :mod:`geo_app.present`, the figures and
tables come from its registry, the map is the app's zone map (:func:`build_slide_map`,
exported as one self-contained document, as in the HTML deck) and the progress slide's
animation a self-contained document too; this page only lays them
out, keeps the slide number and wires the keys (→ ← PageDown PageUp N) to its buttons.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from enum import StrEnum

import streamlit as st
import streamlit.components.v1 as components
from streamlit.delta_generator import DeltaGenerator

from geo_app.maps.build import export_map_html
from geo_app.present import (
    SlideContent,
    Storyboard,
    bundled_storyboards,
    check_storyboard,
    export_deck_html,
    parse_storyboard,
    slide_content,
    story_data_from,
)
from geo_app.present.animate import progress_animation_html
from geo_app.present.export import table_html
from geo_app.present.figures import StoryData
from geo_app.present.model import Animation
from geo_app.present.view import build_slide_map
from geo_app.textsafe import html_text
from geo_app.ui import loaders, state
from geo_app.ui.components import error_boundary, section_boundary
from geo_app.ui.i18n import t
from geo_app.ui.map_cache import ASSET_BASE_URL

#: Height of the slide's map or animation: the slide fills a 1920×1080 screen.
VISUAL_HEIGHT_PX = 840
UPLOADED = "__uploaded__"


class PresentKey(StrEnum):
    """Session-state and widget keys of this page."""

    SLIDE = "present_slide"
    BOARD_ID = "present_board_id"
    CHOICE = "present_choice"
    UPLOAD = "present_upload"
    PREV = "present_prev"
    NEXT = "present_next"
    NOTES = "present_notes"
    VISUAL = "present_visual"


@dataclass(frozen=True)
class _Board:
    name: str
    text: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]


# --- cached work (all of it in geo_app.present) --------------------------------------------


def _story(location: str, token: str) -> StoryData:
    data = loaders.load_store(location, token)
    return story_data_from(data.layers, loaders.stage_events(location, token), data.planes)


@st.cache_data(show_spinner=False, max_entries=16)
def _parsed(name: str, text: str, location: str, token: str, lang: str) -> Storyboard:
    return parse_storyboard(text, source=name)


@st.cache_data(show_spinner=False, max_entries=16)
def _checked(name: str, text: str, location: str, token: str, lang: str) -> bool:
    """Check the storyboard against the store (raises what is missing); cached when fine."""
    check_storyboard(_parsed(name, text, location, token, lang), _story(location, token),
                     lang=lang)
    return True


@st.cache_data(show_spinner=False, max_entries=64)
def _content(name: str, text: str, index: int, location: str, token: str,
             lang: str) -> SlideContent:
    board = _parsed(name, text, location, token, lang)
    data = _story(location, token).with_as_of(board.as_of)
    return slide_content(data, board.slides[index], lang=lang)


@st.cache_data(show_spinner=False, max_entries=32)
def _map_html(name: str, text: str, index: int, location: str, token: str, lang: str) -> str:
    """The slide's map as the app's self-contained map document (Leaflet inlined): the
    same document as in the exported deck, shown in a component with a fixed height (a
    streamlit-folium iframe that is new on every slide starts with no height, and Leaflet
    cannot fit a view in a box of no size)."""
    board = _parsed(name, text, location, token, lang)
    m = build_slide_map(_story(location, token), board.slides[index].view, lang=lang,
                        asset_base_url=ASSET_BASE_URL)
    return export_map_html(m)


@st.cache_data(show_spinner=False, max_entries=8)
def _animation(name: str, text: str, location: str, token: str, lang: str) -> str:
    board = _parsed(name, text, location, token, lang)
    return progress_animation_html(_story(location, token), lang=lang, end=board.as_of)


@st.cache_data(show_spinner=False, max_entries=4)
def _deck_html(name: str, text: str, location: str, token: str, lang: str) -> str:
    board = _parsed(name, text, location, token, lang)
    return export_deck_html(board, _story(location, token), lang=lang)


@st.cache_data(show_spinner=False, max_entries=2)
def _deck_pdf(name: str, text: str, location: str, token: str, lang: str) -> bytes:
    from geo_app.present.pdf import export_deck_pdf

    board = _parsed(name, text, location, token, lang)
    out = io.BytesIO()
    export_deck_pdf(board, _story(location, token), out, lang=lang)
    return out.getvalue()


# --- the page ---------------------------------------------------------------------------------


def render() -> None:
    lang = state.lang()
    st.html(_CSS)
    with error_boundary(lang):
        location, token = loaders.current_store()
        title_col, nav_col = st.columns([13, 7], vertical_alignment="center")
        nav = nav_col.container(horizontal=True, vertical_alignment="center",
                                horizontal_alignment="right")
        with nav:
            chosen = _storyboard_choice(lang)
        if chosen is None:
            st.info(t("present.upload.none", lang))
            return
        board = _parsed(chosen.name, chosen.text, location, token, lang)  # mistakes: red
        index = _slide_index(chosen, len(board.slides))
        _header(board, index, lang, title_col, nav)
        with section_boundary(lang):  # what the store lacks: said, not an error
            _checked(chosen.name, chosen.text, location, token, lang)
            _slide(chosen, board, index, location, token, lang)
    st.html(_KEYS_JS, unsafe_allow_javascript=True)


def _slide(chosen: _Board, board: Storyboard, index: int, location: str, token: str,
           lang: str) -> None:
    """The slide below the header: map or animation, figures and table, notes, downloads."""
    slide = board.slides[index]
    content = _content(chosen.name, chosen.text, index, location, token, lang)
    left, right = st.columns([7, 3], gap="medium")
    with left, st.container(key=PresentKey.VISUAL):
        if slide.animate is Animation.PROGRESS:
            components.html(_animation(chosen.name, chosen.text, location, token, lang),
                            height=VISUAL_HEIGHT_PX)
        else:
            components.html(_map_html(chosen.name, chosen.text, index, location, token,
                                      lang), height=VISUAL_HEIGHT_PX)
    with right:
        st.html(_figures_html(content))
        if board.as_of is not None:
            st.caption(t("present.as_of", lang, date=board.as_of.isoformat()))
    with st.container(key=PresentKey.NOTES), st.expander(t("present.notes", lang)):
        if slide.notes.strip():
            st.text(slide.notes.strip())
        else:
            st.caption(t("present.no_notes", lang))
    _downloads(chosen, location, token, lang)


def _storyboard_choice(lang: str) -> _Board | None:
    """The storyboard picked in the settings popover: a bundled one or an upload."""
    bundled = bundled_storyboards()
    options = [*bundled, UPLOADED]
    with st.popover(t("present.settings", lang), icon=":material/settings:"):
        pick = st.selectbox(
            t("present.storyboard", lang), options, key=PresentKey.CHOICE,
            format_func=lambda n: (t("present.uploaded_choice", lang) if n == UPLOADED
                                   else t("present.bundled", lang, name=n)))
        upload = st.file_uploader(t("present.upload", lang), type=["toml"],
                                  key=PresentKey.UPLOAD, help=t("present.upload.help", lang))
        st.caption(t("present.keys", lang))
        st.html(f'<a href="./" target="_self">{html_text(t("present.exit", lang))}</a>')
    if pick != UPLOADED:
        path = bundled[pick]
        return _Board(path.name, path.read_text(encoding="utf-8"))
    if upload is None:
        return None
    raw = upload.getvalue()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        from geo_app.errors import InputError

        raise InputError(f"{upload.name} is not UTF-8 text (byte {exc.start}); save it as "
                         "UTF-8 and upload it again.") from None
    return _Board(upload.name, text)


def _slide_index(board: _Board, count: int) -> int:
    """The slide shown: kept per storyboard, back to the first for another storyboard."""
    if st.session_state.get(PresentKey.BOARD_ID) != board.digest:
        st.session_state[PresentKey.BOARD_ID] = board.digest
        st.session_state[PresentKey.SLIDE] = 0
    index = int(st.session_state.get(PresentKey.SLIDE, 0))
    index = max(0, min(count - 1, index))
    st.session_state[PresentKey.SLIDE] = index
    return index


def _step(delta: int, count: int) -> None:
    index = int(st.session_state.get(PresentKey.SLIDE, 0)) + delta
    st.session_state[PresentKey.SLIDE] = max(0, min(count - 1, index))


def _header(board: Storyboard, index: int, lang: str, title_col: DeltaGenerator,
            nav: DeltaGenerator) -> None:
    slide, count = board.slides[index], len(board.slides)
    subtitle = (f'<p class="present-subtitle">{html_text(slide.subtitle)}</p>'
                if slide.subtitle else "")
    title_col.html(f'<h1 class="present-title">{html_text(slide.title)}</h1>{subtitle}')
    with nav:
        st.button(t("present.prev", lang), key=PresentKey.PREV, on_click=_step,
                  args=(-1, count), disabled=index == 0)
        st.html(f'<div class="present-counter">{index + 1} / {count}</div>', width="content")
        st.button(t("present.next", lang), key=PresentKey.NEXT, on_click=_step,
                  args=(1, count), disabled=index == count - 1)


def _figures_html(content: SlideContent) -> str:
    figures = "".join(
        f'<div class="present-figure"><div class="present-value">{html_text(f.text)}'
        f'<span class="present-unit">{html_text(f.unit)}</span></div>'
        f'<div class="present-label">{html_text(f.label)}</div></div>'
        for f in content.figures)
    table = table_html(content.table, content.table_title, css_class="present-table")
    return f'<div class="present-side">{figures}{table}</div>'


def _downloads(board: _Board, location: str, token: str, lang: str) -> None:
    stem = board.name.rsplit(".", 1)[0]
    row = st.container(horizontal=True)
    row.download_button(
        t("present.download_html", lang),
        data=lambda: _deck_html(board.name, board.text, location, token, lang),
        file_name=f"{stem}.html", mime="text/html", on_click="ignore",
        icon=":material/download:", key="present_download_html")
    row.download_button(
        t("present.download_pdf", lang),
        data=lambda: _deck_pdf(board.name, board.text, location, token, lang),
        file_name=f"{stem}.pdf", mime="application/pdf", on_click="ignore",
        icon=":material/download:", key="present_download_pdf")


_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stSidebarNav"] { display: none !important; }
header[data-testid="stHeader"] { background: transparent; height: 0; }
[data-testid="stMainBlockContainer"] { padding: 0.6rem 1.6rem 0.5rem; max-width: 100%; }
.present-title { font-size: 48px !important; line-height: 1.15; margin: 0; padding: 0;
  font-weight: 700; }
.present-subtitle { font-size: 28px; color: #444; margin: 4px 0 0; }
.present-counter { font-size: 30px; font-weight: 700; min-width: 110px; text-align: center; }
.st-key-present_prev button, .st-key-present_next button { font-size: 22px; padding: 6px 18px; }
.st-key-present_prev button p, .st-key-present_next button p { font-size: 22px; }
.st-key-present_visual iframe { border: 1px solid #ccc; border-radius: 6px; }
.present-side { display: flex; flex-direction: column; gap: 16px; }
.present-value { font-size: 54px; font-weight: 700; line-height: 1.05; color: #0c4a6e; }
.present-unit { font-size: 28px; font-weight: 400; margin-left: 6px; color: #333; }
.present-label { font-size: 24px; color: #333; }
.present-table { border-collapse: collapse; font-size: 21px; width: 100%; }
.present-table caption { text-align: left; font-size: 22px; font-weight: 700;
  padding-bottom: 4px; caption-side: top; }
.present-table th, .present-table td { border-bottom: 1px solid #ddd; padding: 3px 8px;
  text-align: left; }
.present-table td.num { text-align: right; }
.present-table.long { font-size: 18px; }
.present-table.long th, .present-table.long td { padding: 1px 8px; }
.st-key-present_notes [data-testid="stText"] { font-size: 22px; }
</style>"""

#: Arrow keys and PageUp/PageDown click the page's buttons, N opens the notes; also while
#: the map (same-origin iframe) has the focus, and from the animation (it posts the key).
_KEYS_JS = """<script>
(function () {
  var w = window, doc = document;
  function press(key) {
    var sel = null;
    if (key === 'ArrowRight' || key === 'PageDown') { sel = '.st-key-present_next button'; }
    else if (key === 'ArrowLeft' || key === 'PageUp') { sel = '.st-key-present_prev button'; }
    else if (key === 'n' || key === 'N') { sel = '.st-key-present_notes summary'; }
    var el = sel && doc.querySelector(sel);
    if (el && !el.disabled) { el.click(); return true; }
    return false;
  }
  function onKey(e) {
    var t = e.target, tag = t && t.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' ||
        (t && t.isContentEditable)) { return; }
    if (['ArrowRight', 'ArrowLeft', 'PageDown', 'PageUp', 'n', 'N'].indexOf(e.key) < 0) {
      return;
    }
    e.preventDefault();
    press(e.key);
  }
  function onMessage(e) {
    if (e.data && typeof e.data.presentKey === 'string') { press(e.data.presentKey); }
  }
  if (w.__presentKeys) {
    doc.removeEventListener('keydown', w.__presentKeys.key, true);
    w.removeEventListener('message', w.__presentKeys.msg);
    clearInterval(w.__presentKeys.timer);
  }
  function hookFrames() {
    doc.querySelectorAll('iframe').forEach(function (f) {
      try {
        var d = f.contentDocument;
        if (d && !d.__presentHooked) {
          d.__presentHooked = true;
          d.addEventListener('keydown', function (e) { onKey(e); }, true);
        }
      } catch (err) { /* another origin: it cannot be listened to */ }
    });
  }
  w.__presentKeys = {key: onKey, msg: onMessage, timer: setInterval(hookFrames, 700)};
  doc.addEventListener('keydown', onKey, true);
  w.addEventListener('message', onMessage);
  doc.documentElement.setAttribute('data-present-keys', '1');  /* listening (tests wait) */
})();
</script>"""

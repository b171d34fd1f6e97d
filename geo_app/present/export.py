"""The whole storyboard as ONE self-contained HTML file that opens with no network.

Each slide has its title, figures, table and speaker notes in the page and its map in an
iframe whose document is the app's own exported map (:func:`geo_app.maps.build.export_map_html`:
Leaflet inlined, a Content-Security-Policy that forbids every request); the progress slide
shows the month-by-month animation (:mod:`geo_app.present.animate`) the same way. A map
document is placed in its iframe when its slide is first shown (Leaflet needs a visible
box to fit its view). Keys: → / PageDown / Space next, ← / PageUp previous, Home / End,
N shows or hides the notes; they work while a map has the focus too (the map forwards
them). Every text from the storyboard or the layers is escaped (:mod:`geo_app.textsafe`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo_app.maps.build import export_map_html
from geo_app.present.animate import progress_animation_html
from geo_app.present.figures import Figure, StoryData, compute_figure, compute_table
from geo_app.present.model import Animation, Slide, Storyboard
from geo_app.present.view import build_slide_map
from geo_app.textsafe import html_text, script_json

#: Keys that drive the deck; a map or the animation forwards them to the page.
DECK_KEYS = ("ArrowLeft", "ArrowRight", "PageUp", "PageDown", "Home", "End", "n", "N", " ")

#: Tables longer than this are set tighter so that they fit beside the map.
LONG_TABLE_ROWS = 8

_FORWARD_KEYS = (
    "<script>document.addEventListener('keydown',function(e){"
    "if(" + script_json(list(DECK_KEYS)) + ".indexOf(e.key)>=0){e.preventDefault();"
    "window.parent.postMessage({presentKey:e.key},'*');}});</script>"
)


@dataclass(frozen=True)
class SlideContent:
    """A slide's text, computed figures and table (cells as text), ready to show."""

    slide: Slide
    figures: list[Figure]
    table: pd.DataFrame | None
    table_title: str


def slide_content(data: StoryData, slide: Slide, *, lang: str = "zh") -> SlideContent:
    from geo_app.present.figures import TABLES  # the table's title

    figures = [compute_figure(data, key, lang) for key in slide.figures]
    table = compute_table(data, slide.table, lang) if slide.table else None
    title = TABLES[slide.table].label[0 if lang == "zh" else 1] if slide.table else ""
    return SlideContent(slide, figures, table, title)


def slide_document(data: StoryData, slide: Slide, *, lang: str = "zh",
                   end_date: object = None) -> str:
    """The self-contained document in a slide's visual frame: its map or its animation."""
    if slide.animate is Animation.PROGRESS:
        return progress_animation_html(data, lang=lang, end=data.as_of)
    m = build_slide_map(data, slide.view, lang=lang)
    return export_map_html(m)


def _with_key_forwarding(document: str) -> str:
    at = document.rfind("</body>")
    if at < 0:
        return document + _FORWARD_KEYS
    return document[:at] + _FORWARD_KEYS + document[at:]


_CSS = """
*{box-sizing:border-box}
html,body{margin:0;height:100%;overflow:hidden;background:#fff;color:#1a1a1a;
 font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif}
.slide{position:absolute;inset:0 0 56px 0;display:flex;flex-direction:column;padding:18px 32px 8px}
.slide[hidden]{display:none}
.slide header{flex:none}
.slide h1{font-size:48px;line-height:1.15;margin:0}
.slide .subtitle{font-size:28px;color:#444;margin:6px 0 0}
.slide .body{flex:1;min-height:0;display:flex;gap:28px;margin-top:14px}
.slide .visual{flex:1 1 68%;min-width:0;border:1px solid #ccc;border-radius:6px;overflow:hidden}
.slide .visual iframe{width:100%;height:100%;border:0;display:block}
.slide aside{flex:0 1 32%;min-width:300px;overflow:auto;display:flex;flex-direction:column;gap:18px}
.slide aside:empty{display:none}
.figure .value{font-size:54px;font-weight:700;line-height:1.05;color:#0c4a6e}
.figure .unit{font-size:28px;font-weight:400;margin-left:6px;color:#333}
.figure .label{font-size:24px;color:#333}
.slide table{border-collapse:collapse;font-size:21px;width:100%}
.slide caption{text-align:left;font-size:22px;font-weight:700;padding-bottom:6px}
.slide th,.slide td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}
.slide td.num{text-align:right}
.slide table.long{font-size:18px}
.slide table.long th,.slide table.long td{padding:1px 8px}
.notes{position:absolute;left:32px;right:32px;bottom:8px;max-height:40%;overflow:auto;
 background:#fffbe6;border:2px solid #e6b800;border-radius:6px;padding:10px 16px;
 font-size:24px;white-space:pre-wrap;z-index:5}
.notes[hidden]{display:none}
nav{position:absolute;left:0;right:0;bottom:0;height:56px;display:flex;align-items:center;
 justify-content:center;gap:24px;border-top:1px solid #ddd;background:#fafafa}
nav button{font-size:22px;padding:4px 20px;cursor:pointer}
#counter{font-size:26px;font-weight:700;min-width:110px;text-align:center}
#deck-title{position:absolute;left:24px;font-size:18px;color:#555}
"""

_JS = """
(function () {
  var docs = JSON.parse(document.getElementById('slide-documents').textContent);
  var slides = Array.prototype.slice.call(document.querySelectorAll('.slide'));
  var counter = document.getElementById('counter'), current = 0, notesOn = false;
  function show(i) {
    current = Math.max(0, Math.min(slides.length - 1, i));
    slides.forEach(function (s, k) { s.hidden = k !== current; });
    var frame = slides[current].querySelector('iframe');
    if (frame && !frame.getAttribute('data-loaded')) {
      frame.setAttribute('data-loaded', '1');
      frame.srcdoc = docs[current];
    }
    slides[current].querySelector('.notes').hidden = !notesOn;
    counter.textContent = (current + 1) + ' / ' + slides.length;
    document.body.setAttribute('data-slide', String(current + 1));
    var hash = '#' + (current + 1);
    if (location.hash !== hash) { history.replaceState(null, '', hash); }
  }
  function key(k) {
    if (k === 'ArrowRight' || k === 'PageDown' || k === ' ') { show(current + 1); }
    else if (k === 'ArrowLeft' || k === 'PageUp') { show(current - 1); }
    else if (k === 'Home') { show(0); }
    else if (k === 'End') { show(slides.length - 1); }
    else if (k === 'n' || k === 'N') {
      notesOn = !notesOn; slides[current].querySelector('.notes').hidden = !notesOn;
    }
  }
  document.addEventListener('keydown', function (e) {
    if (e.target && e.target.tagName === 'BUTTON' && e.key === ' ') { return; }
    if (%(keys)s.indexOf(e.key) >= 0) { e.preventDefault(); key(e.key); }
  });
  window.addEventListener('message', function (e) {
    var ours = slides.some(function (s) {
      var f = s.querySelector('iframe'); return f && f.contentWindow === e.source;
    });
    if (ours && e.data && typeof e.data.presentKey === 'string') { key(e.data.presentKey); }
  });
  document.getElementById('prev').addEventListener('click', function () { show(current - 1); });
  document.getElementById('next').addEventListener('click', function () { show(current + 1); });
  document.getElementById('notes-toggle').addEventListener('click', function () { key('n'); });
  var start = parseInt((location.hash || '#1').slice(1), 10);
  show(isNaN(start) ? 0 : start - 1);
})();
"""


def _figures_html(figures: list[Figure]) -> str:
    return "".join(
        f'<div class="figure" data-key="{html_text(f.key)}"><div class="value">'
        f'{html_text(f.text)}<span class="unit">{html_text(f.unit)}</span></div>'
        f'<div class="label">{html_text(f.label)}</div></div>'
        for f in figures
    )


def table_html(table: pd.DataFrame | None, title: str, *, css_class: str = "") -> str:
    """A slide's table as escaped HTML; numbers right-aligned (``td.num``), a long table
    marked ``long``."""
    if table is None:
        return ""
    head = "".join(f"<th>{html_text(c)}</th>" for c in table.columns)
    rows = []
    for values in table.itertuples(index=False):
        cells = []
        for v in values:
            text = str(v)
            numeric = text.replace(",", "").replace(".", "").replace("%", "").isdigit()
            cls = ' class="num"' if numeric else ""
            cells.append(f"<td{cls}>{html_text(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    classes = " ".join(c for c in (css_class, "long" if len(table) > LONG_TABLE_ROWS else "")
                       if c)
    cls = f' class="{classes}"' if classes else ""
    return (f"<table{cls}><caption>{html_text(title)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def export_deck_html(board: Storyboard, data: StoryData, *, lang: str = "zh") -> str:
    """``board`` as one self-contained HTML page (figures as of ``board.as_of``)."""
    data = data.with_as_of(board.as_of)
    sections, documents = [], []
    total = len(board.slides)
    for i, slide in enumerate(board.slides):
        content = slide_content(data, slide, lang=lang)
        documents.append(_with_key_forwarding(slide_document(data, slide, lang=lang)))
        label = ("幻灯片地图" if lang == "zh" else "Slide map") + f" {i + 1}"
        subtitle = (f'<p class="subtitle">{html_text(slide.subtitle)}</p>'
                    if slide.subtitle else "")
        sections.append(
            f'<section class="slide" data-index="{i + 1}" hidden>'
            f"<header><h1>{html_text(slide.title)}</h1>{subtitle}</header>"
            f'<div class="body"><div class="visual"><iframe title="{html_text(label)}">'
            f"</iframe></div><aside>{_figures_html(content.figures)}"
            f"{table_html(content.table, content.table_title)}</aside></div>"
            f'<div class="notes" hidden>{html_text(slide.notes.strip())}</div></section>'
        )
    zh = lang == "zh"
    as_of = (f" · {'数据截至' if zh else 'as of'} {board.as_of.isoformat()}"
             if board.as_of else "")
    nav = (
        f'<nav><span id="deck-title">{html_text(board.title)}{html_text(as_of)}</span>'
        f'<button id="prev" type="button" aria-label="{"上一页" if zh else "Previous"}">◀</button>'
        f'<span id="counter">1 / {total}</span>'
        f'<button id="next" type="button" aria-label="{"下一页" if zh else "Next"}">▶</button>'
        f'<button id="notes-toggle" type="button">{"备注 (N)" if zh else "Notes (N)"}</button>'
        "</nav>"
    )
    policy = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
              "img-src data: blob:; font-src data:; connect-src 'none'; form-action 'none'; "
              "base-uri 'none'")
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if zh else "en"}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html_text(board.title)}</title><style>{_CSS}</style></head><body>"
        + "".join(sections) + nav
        + f'<script type="application/json" id="slide-documents">{script_json(documents)}'
        "</script>"
        + f"<script>{_JS.replace('%(keys)s', script_json(list(DECK_KEYS)))}</script>"
        "</body></html>"
    )

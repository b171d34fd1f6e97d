"""Printable one-page briefs (PDF, PNG) and the static page renderer behind them.

Why matplotlib: it draws geopandas geometries directly in a metric plane (true scale bar
with ``matplotlib-scalebar``), embeds a subset of the CJK font in PDFs as TrueType
(searchable Chinese), needs no browser and no network, and renders a page in about a
second; an HTML → PDF route would need headless Chromium per page.

The API, for briefs and for anyone turning other content (storyboard slides) into pages::

    from geo_app.briefs import BriefPage, MapLayer, PageSize, StaticMapSpec, render_pages

    page = BriefPage(
        title="青春化工园", subtitle="征地进度", date=dt.date(2021, 12, 31), lang="zh",
        map=StaticMapSpec(
            layers=(MapLayer("boundary", boundary), MapLayer("parks", parks, labels=True),
                    MapLayer("parcels", parcels, labels=True)),
            fit=parcels,                 # features to frame (None: all but the boundary)
            highlight=park_row_gdf, highlight_label="青春化工园"),
        figures=(("一期净地", "1,420.00 / 1,420 亩（100.0%）"),),
        table=frame, table_title="各阶段面积（亩）", notes="…")
    render_pages([page, ...], "deck.pdf", size=PageSize.SLIDE)   # multi-page PDF
    render_pages([page], "brief.png")                            # one page, PNG

- :class:`MapLayer` ``(name, data, labels=False, label_column=None, label_priority=0)``:
  ``name`` picks the style of :data:`geo_app.maps.style.LAYER_STYLES` (the interactive
  map's colours per class); ``data`` is already filtered (any CRS).
- :class:`StaticMapSpec` ``(layers, fit=None, highlight=None, highlight_label="",
  margin=0.08, min_span_m=1500)``: drawn in the CGCS2000 3° GK plane of the view's zone
  (EPSG:4547 here), with the district boundary as context, collision-aware labels (higher
  priority first), a legend of the classes actually drawn, a scale bar, a north arrow and
  the CRS note.
- :class:`BriefPage` ``(title, subtitle, date, map, figures, table, table_title, notes,
  source, lang)``: figures are ``(label, value text)``; the table a small DataFrame (floats
  printed with 2 decimals); ``source`` defaults to the illustrative-data line.
- :func:`render_pages(pages, out, *, size=PageSize.A4 | SLIDE, fmt=None)
  <geo_app.briefs.render.render_pages>`: PDF (one page each, fonts embedded as Type 42) or
  PNG (one page; A4 at 150 dpi, a slide at 1920 × 1080). ``out`` is a path (format from the
  extension, written atomically) or a binary stream with ``fmt``.
- :func:`write_brief` / :func:`build_brief`: the village, park and progress briefs.

All text is drawn literally (no mathtext, no markup); characters the font lacks become
``\\uXXXX`` escapes instead of empty boxes. A missing CJK font is a
:class:`~geo_app.briefs.fonts.FontMissingError` naming ``apt-get install fonts-noto-cjk``.
"""

from __future__ import annotations

from geo_app.briefs.build import (
    BriefData,
    BriefKind,
    build_brief,
    load_brief_data,
    park_brief,
    progress_brief,
    village_brief,
    write_brief,
)
from geo_app.briefs.fonts import CJKFont, FontMissingError, default_cjk_font, find_cjk_font
from geo_app.briefs.page import (
    BriefPage,
    MapLayer,
    OutputFormat,
    PageSize,
    StaticMapSpec,
    output_format,
)
from geo_app.briefs.render import draw_page, render_pages

__all__ = [
    "BriefData",
    "BriefKind",
    "BriefPage",
    "CJKFont",
    "FontMissingError",
    "MapLayer",
    "OutputFormat",
    "PageSize",
    "StaticMapSpec",
    "build_brief",
    "default_cjk_font",
    "draw_page",
    "find_cjk_font",
    "load_brief_data",
    "output_format",
    "park_brief",
    "progress_brief",
    "render_pages",
    "village_brief",
    "write_brief",
]

"""Lay out and write pages: :func:`render_pages` → one PDF (any number of pages) or one PNG.

Layout (both sizes): header (title, subtitle, date) · a strip of key figures · the map
(left) with the legend and the table beside it (right) · CRS note and source line at the
foot. Fonts are embedded in PDFs as TrueType (Type 42), so the text stays searchable and
extractable (pypdf reads the Chinese back). Files are written atomically: on any error
nothing is left at ``out``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.legend import Legend

from geo_app.briefs._texts import tr
from geo_app.briefs.fonts import CJKFont, default_cjk_font, inert_text
from geo_app.briefs.page import BriefPage, OutputFormat, PageSize, output_format
from geo_app.briefs.static_map import DrawnMap, draw_map
from geo_app.domain.messages import refusal
from geo_app.errors import InputError

MARGIN = 0.03
INK = "#1f1f1f"
MUTED = "#5c5c5c"
RULE = "#b0b0b0"
#: Table rows shown at most (the rest summarised in one "…" row).
MAX_TABLE_ROWS = 12
FIGURES_PER_ROW = 4


def _rc(font: CJKFont) -> dict[str, object]:
    return {
        "pdf.fonttype": 42, "ps.fonttype": 42, "font.family": [font.family],
        "text.parse_math": False, "text.usetex": False, "axes.unicode_minus": False,
        "lines.scale_dashes": False, "svg.fonttype": "none",
    }


def render_pages(
    pages: Sequence[BriefPage],
    out: str | Path | BinaryIO,
    *,
    size: PageSize | str = PageSize.A4,
    fmt: OutputFormat | str | None = None,
    font: CJKFont | None = None,
) -> None:
    """Write ``pages`` to ``out``: a PDF with one page each, or a PNG of the single page.

    ``fmt`` defaults to the extension of ``out`` (``.pdf``/``.png``; anything else is an
    :class:`InputError`); give it when ``out`` is a binary stream. A PNG holds exactly one
    page. ``font`` defaults to the installed CJK font (missing: a clear error).
    """
    size = PageSize(size)
    if fmt is None:
        if not isinstance(out, str | Path):
            raise refusal(InputError, "brief.stream_format", {})
        fmt = output_format(out)
    fmt = OutputFormat(fmt)
    if not pages:
        raise refusal(InputError, "brief.no_pages", {})
    if fmt is OutputFormat.PNG and len(pages) != 1:
        raise refusal(InputError, "brief.png_pages", {"pages": len(pages)})
    font = font or default_cjk_font()
    if isinstance(out, str | Path):
        _write_atomic(Path(out), lambda stream: _write(pages, stream, size, fmt, font))
    else:
        _write(pages, out, size, fmt, font)


def _write_atomic(path: Path, write: Callable[[BinaryIO], None]) -> None:
    folder = path.expanduser().resolve().parent
    if not folder.is_dir():
        raise refusal(InputError, "brief.folder_missing", {"folder": str(folder)})
    fd, tmp = tempfile.mkstemp(prefix=".brief-", suffix=path.suffix, dir=folder)
    try:
        with os.fdopen(fd, "wb") as stream:
            write(stream)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write(pages: Sequence[BriefPage], stream: BinaryIO, size: PageSize, fmt: OutputFormat,
           font: CJKFont) -> None:
    with rc_context(_rc(font)):
        if fmt is OutputFormat.PNG:
            fig = draw_page(pages[0], size=size, font=font)
            fig.savefig(stream, format="png", dpi=size.png_dpi, facecolor="white")
            return
        metadata = {"Title": inert_text(pages[0].title, font), "Creator": "geo_app briefs"}
        with PdfPages(stream, metadata=metadata) as pdf:
            for page in pages:
                pdf.savefig(draw_page(page, size=size, font=font), facecolor="white")


def draw_page(page: BriefPage, *, size: PageSize = PageSize.A4,
              font: CJKFont | None = None) -> Figure:
    """One page as a matplotlib Figure (Agg canvas), ready to save."""
    font = font or default_cjk_font()
    fig = Figure(figsize=size.inches, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    lang = page.lang
    top = _header(fig, page, font, renderer)
    n_fig = len(page.figures)
    rows = math.ceil(n_fig / FIGURES_PER_ROW) if n_fig else 0
    strip_h = 0.085 * rows
    _figures(fig, page, font, renderer, top=top, height=strip_h)
    body_top = top - strip_h - (0.015 if rows else 0.0)
    body_bottom = 0.085
    panel_x = 0.655 if page.map is not None else MARGIN
    drawn: DrawnMap | None = None
    if page.map is not None:
        ax = fig.add_axes((MARGIN, body_bottom, panel_x - MARGIN - 0.02, body_top - body_bottom))
        drawn = draw_map(ax, page.map, lang=lang, font=font, renderer=renderer)
        for spine in ax.spines.values():
            spine.set_edgecolor("#7a7a7a")
            spine.set_linewidth(0.8)
    _panel(fig, page, drawn, font, renderer, x0=panel_x, top=body_top, bottom=body_bottom)
    _footer(fig, page, drawn, font)
    return fig


def _text(fig: Figure, x: float, y: float, value: object, font: CJKFont, *, size: float,
          bold: bool = False, color: str = INK, ha: str = "left", va: str = "baseline"
          ) -> object:
    return fig.text(x, y, inert_text(value, font), fontproperties=font.font_properties(
        bold=bold, size=size), color=color, ha=ha, va=va, parse_math=False)


def _header(fig: Figure, page: BriefPage, font: CJKFont, renderer: RendererBase) -> float:
    width_px = fig.get_figwidth() * fig.dpi
    title = _text(fig, MARGIN, 0.935, page.title, font, size=20, bold=True)
    _fit_size(fig, title, renderer, (1 - 2 * MARGIN - 0.2) * width_px, 20, floor=11)
    if page.subtitle:
        sub = _text(fig, MARGIN, 0.895, page.subtitle, font, size=11, color=MUTED)
        _fit_size(fig, sub, renderer, (1 - 2 * MARGIN) * width_px, 11, floor=7)
    if page.date is not None:
        day = page.date.isoformat() if isinstance(page.date, dt.date) else str(page.date)
        _text(fig, 1 - MARGIN, 0.935, tr("made", page.lang, date=day), font, size=10,
              color=MUTED, ha="right")
    fig.add_artist(_rule(fig, 0.878))
    return 0.868


def _rule(fig: Figure, y: float) -> object:
    from matplotlib.lines import Line2D

    return Line2D([MARGIN, 1 - MARGIN], [y, y], transform=fig.transFigure, color=RULE,
                  linewidth=0.8)


def _fit_size(fig: Figure, text: object, renderer: RendererBase, width_px: float,
              start: float, floor: float = 7.0) -> None:
    """Shrink ``text`` from ``start`` pt until it fits ``width_px``; at ``floor`` pt, cut it
    and end it with "…"."""
    size = start
    while (wide := text.get_window_extent(renderer).width) > width_px:  # type: ignore[attr-defined]
        if size > floor:
            size = max(floor, min(size - 0.5, size * width_px / wide))
            text.set_fontsize(size)  # type: ignore[attr-defined]
            continue
        shown = text.get_text().rstrip("…")  # type: ignore[attr-defined]
        if len(shown) <= 1:
            return
        keep = min(len(shown) - 1, int(len(shown) * width_px / wide))
        text.set_text(shown[:max(keep, 1)] + "…")  # type: ignore[attr-defined]


def _figures(fig: Figure, page: BriefPage, font: CJKFont, renderer: RendererBase, *,
             top: float, height: float) -> None:
    if not page.figures:
        return
    cols = FIGURES_PER_ROW  # cells keep one width, however many figures there are
    cell_w = (1 - 2 * MARGIN) / cols
    row_h = 0.085
    fig_w_px = fig.get_figwidth() * fig.dpi
    values = []
    for i, (label, value) in enumerate(page.figures):
        r, c = divmod(i, cols)
        x = MARGIN + c * cell_w
        y = top - r * row_h
        box = fig.add_artist(_cell_box(fig, x + 0.004, y - row_h + 0.008, cell_w - 0.008,
                                       row_h - 0.012))
        del box
        _text(fig, x + 0.012, y - 0.026, label, font, size=9.5, color=MUTED)
        shown = _text(fig, x + 0.012, y - 0.063, value, font, size=15, bold=True)
        _fit_size(fig, shown, renderer, (cell_w - 0.03) * fig_w_px, 15)
        values.append(shown)
    # one size for every value, the smallest any needed, so the strip reads evenly
    smallest = min(v.get_fontsize() for v in values)  # type: ignore[attr-defined]
    for v in values:
        v.set_fontsize(smallest)  # type: ignore[attr-defined]
    del height


def _cell_box(fig: Figure, x: float, y: float, w: float, h: float) -> object:
    from matplotlib.patches import FancyBboxPatch

    return FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.006",
                          transform=fig.transFigure, facecolor="#f5f6f8",
                          edgecolor="#d5d8dd", linewidth=0.7)


def _panel(fig: Figure, page: BriefPage, drawn: DrawnMap | None, font: CJKFont,
           renderer: RendererBase, *, x0: float, top: float, bottom: float) -> None:
    """Legend then table then notes, stacked down the right-hand panel."""
    width = 1 - MARGIN - x0
    y = top
    fig_h_px = fig.get_figheight() * fig.dpi
    if drawn is not None and drawn.legend:
        ax = fig.add_axes((x0, bottom, width, top - bottom))
        ax.set_axis_off()
        leg = _legend(ax, drawn, page.lang, font, renderer,
                      max_w_px=width * fig.get_figwidth() * fig.dpi,
                      max_h_px=0.58 * (top - bottom) * fig_h_px)
        y = top - (leg.get_window_extent(renderer).height / fig_h_px) - 0.03
    if page.table is not None and len(page.table.columns):
        y = _table(fig, page, font, renderer, x0=x0, width=width, top=y, bottom=bottom)
    if page.notes:
        _text(fig, x0, y - 0.01, tr("notes", page.lang), font, size=9.5, bold=True, va="top")
        wrapped = _wrap(inert_text(page.notes, font), width * fig.get_figwidth() * 72 / 9)
        line_h = 9 * 1.4 / 72 / fig.get_figheight()  # one line, as a share of the page
        room = max(int((y - 0.04 - bottom) / line_h), 1)
        lines = wrapped.split("\n")
        if len(lines) > room:  # what does not fit is cut, and says so
            wrapped = "\n".join([*lines[:room - 1], lines[room - 1][:-1] + "…"])
        fig.text(x0, y - 0.04, wrapped, fontproperties=font.font_properties(size=9),
                 color=MUTED, va="top", ha="left", parse_math=False, linespacing=1.4)


def _legend(ax: Axes, drawn: DrawnMap, lang: str, font: CJKFont, renderer: RendererBase,
            *, max_w_px: float, max_h_px: float) -> Legend:
    """The legend in the panel: the first layout (columns, type size) that fits its box."""
    entries = drawn.legend
    labels = [inert_text(e.label, font) for e in entries]
    layouts = [(1, 9.0), (2, 9.0), (2, 8.0), (2, 7.0), (3, 7.0)] if len(entries) <= 9 else \
        [(2, 9.0), (1, 9.0), (2, 8.0), (2, 7.0), (3, 7.0)]

    def make(ncol: int, size: float) -> Legend:
        leg = ax.legend(
            [e.handle() for e in entries], labels,
            loc="upper left", bbox_to_anchor=(0.0, 1.0), ncols=ncol, frameon=True,
            title=tr("legend", lang), prop=font.font_properties(size=size),
            title_fontproperties=font.font_properties(bold=True, size=size + 1),
            alignment="left", borderaxespad=0.0, handlelength=1.8, handleheight=1.0,
            columnspacing=1.0, labelspacing=0.45, edgecolor="#c8c8c8", fancybox=False,
        )
        leg.get_frame().set_linewidth(0.6)
        for text in leg.get_texts():
            text.set_parse_math(False)
        return leg

    for ncol, size in layouts[:-1]:
        leg = make(ncol, size)
        box = leg.get_window_extent(renderer)
        if box.width <= max_w_px and box.height <= max_h_px:
            return leg
        leg.remove()
    return make(*layouts[-1])


def _wrap(text: str, width_em: float) -> str:
    """Wrap by width in ems (CJK one em, other characters about half)."""
    lines: list[str] = []
    for para in text.split("\n"):
        line, used = "", 0.0
        for ch in para:
            w = 1.0 if ord(ch) > 0x2E80 else 0.55
            if used + w > width_em and line:
                lines.append(line)
                line, used = "", 0.0
            line += ch
            used += w
        lines.append(line)
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float | np.floating):
        return "" if not np.isfinite(value) else f"{value:,.2f}"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    return "" if value is None or value is pd.NA else str(value)


def _table(fig: Figure, page: BriefPage, font: CJKFont, renderer: RendererBase, *,
           x0: float, width: float, top: float, bottom: float) -> float:
    table = page.table
    if table is None:
        return top
    rows = table.head(MAX_TABLE_ROWS)
    y = top
    if page.table_title:
        _text(fig, x0, y - 0.01, page.table_title, font, size=10, bold=True, va="top")
        y -= 0.04
    n = len(rows) + 1
    row_h = 0.034
    height = min(row_h * n, max(y - bottom - 0.01, row_h * 2))
    ax = fig.add_axes((x0, y - height, width, height))
    ax.set_axis_off()
    cells = [[inert_text(_cell(v), font) for v in row] for row in rows.itertuples(index=False)]
    header = [inert_text(c, font) for c in table.columns]
    numeric = [pd.api.types.is_numeric_dtype(table[c]) for c in table.columns]
    tab = ax.table(cellText=cells or [[""] * len(header)], colLabels=header, loc="upper left",
                   bbox=(0, 0, 1, 1), cellLoc="left", edges="horizontal")
    tab.auto_set_font_size(False)
    for (r, c), cell in tab.get_celld().items():
        text = cell.get_text()
        text.set_fontproperties(font.font_properties(bold=r == 0, size=8.5))
        text.set_parse_math(False)
        cell.set_edgecolor("#d0d0d0")
        cell.set_linewidth(0.5)
        if c < len(numeric) and numeric[c]:
            cell._loc = "right"  # matplotlib has no public setter
            text.set_horizontalalignment("right")
        if r == 0:
            cell.set_facecolor("#eef0f3")
    widths = _column_widths(header, cells)
    for (_r, c), cell in tab.get_celld().items():
        cell.set_width(widths[c])
    if len(table) > MAX_TABLE_ROWS:
        _text(fig, x0, y - height - 0.02, f"… (+{len(table) - MAX_TABLE_ROWS})", font,
              size=8, color=MUTED, va="top")
    return y - height - 0.04


def _column_widths(header: list[str], cells: list[list[str]]) -> list[float]:
    def em(text: str) -> float:
        return sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in text) + 1.2
    need = [max([em(h)] + [em(row[i]) for row in cells]) for i, h in enumerate(header)]
    total = sum(need) or 1.0
    return [n / total for n in need]


def _footer(fig: Figure, page: BriefPage, drawn: DrawnMap | None, font: CJKFont) -> None:
    lang = page.lang
    if drawn is not None:
        epsg = drawn.plane.epsg
        if 4534 <= epsg <= 4554:
            note = tr("crs", lang, zone=epsg - 4534 + 25, epsg=epsg)
        else:
            note = tr("crs_other", lang, epsg=epsg)
        _text(fig, MARGIN, 0.058, note, font, size=8.5, color=MUTED)
    source = page.source if page.source is not None else tr("source", lang)
    _text(fig, MARGIN, 0.028, source, font, size=8.5, color=MUTED)

"""The storyboard as a multi-page 16:9 PDF: one page per slide, drawn by geo_app.briefs.

Each slide becomes a :class:`~geo_app.briefs.BriefPage` with the same layers, filters,
labels, fit, figures, table and notes as on screen; the progress slide shows the parcels
at their stage on the storyboard's ``as_of`` date (the animation's last frame).
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from geo_app.analysis.dashboard import parcels_as_of
from geo_app.errors import InputError
from geo_app.present.export import slide_content
from geo_app.present.figures import StoryData
from geo_app.present.model import Animation, Slide, Storyboard
from geo_app.present.view import slide_layers


def _briefs():  # the module, imported only when a PDF is asked for
    try:
        import geo_app.briefs as briefs
    except ImportError:
        raise InputError("This installation cannot write PDF slides (geo_app.briefs is "
                         "missing); export --out deck.html instead.") from None
    return briefs


def slide_page(data: StoryData, slide: Slide, *, date: object = None, lang: str = "zh"):
    """The :class:`geo_app.briefs.BriefPage` of one slide."""
    briefs = _briefs()
    layers = slide_layers(data, slide.view)
    if (slide.animate is Animation.PROGRESS and data.as_of is not None and len(data.events)
            and "parcels" in layers):
        layers["parcels"] = parcels_as_of(layers["parcels"], data.events, data.as_of)
    map_layers = tuple(
        briefs.MapLayer(name, gdf, labels=name in slide.view.labels)
        for name, gdf in layers.items() if len(gdf)
    )
    fit = layers.get(slide.view.fit) if slide.view.fit else None
    content = slide_content(data, slide, lang=lang)
    figures = tuple((f.label, f"{f.text} {f.unit}".strip()) for f in content.figures)
    return briefs.BriefPage(
        title=slide.title, subtitle=slide.subtitle, date=date,
        map=briefs.StaticMapSpec(layers=map_layers, fit=fit if fit is not None and len(fit)
                                 else None) if map_layers else None,
        figures=figures, table=content.table, table_title=content.table_title,
        notes=slide.notes.strip(), lang=lang,
    )


def export_deck_pdf(board: Storyboard, data: StoryData, out: str | Path | BinaryIO, *,
                    lang: str = "zh") -> int:
    """Write ``board`` to ``out`` as a 16:9 PDF, one page per slide; return the page count."""
    briefs = _briefs()
    data = data.with_as_of(board.as_of)
    pages = [slide_page(data, s, date=board.as_of, lang=lang) for s in board.slides]
    briefs.render_pages(pages, out, size=briefs.PageSize.SLIDE,
                        fmt=None if isinstance(out, str | Path) else "pdf")
    return len(pages)

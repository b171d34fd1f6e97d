"""What a page shows: :class:`BriefPage`, its :class:`StaticMapSpec` and map layers.

Plain frozen dataclasses, built by the brief builders (:mod:`geo_app.briefs.build`) or by
any caller (the storyboard turns each slide into one page), and drawn by
:func:`geo_app.briefs.render.render_pages`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo_app.domain.messages import refusal
from geo_app.errors import InputError


class PageSize(StrEnum):
    """Paper: A4 landscape (297 × 210 mm) or a 16:9 slide (13.33 × 7.5 in, 1920 × 1080 PNG)."""

    A4 = "a4"
    SLIDE = "slide"

    @property
    def inches(self) -> tuple[float, float]:
        return (297 / 25.4, 210 / 25.4) if self is PageSize.A4 else (13.333, 7.5)

    @property
    def png_dpi(self) -> float:
        """A4 at 150 dpi (1754 × 1240 px); a slide at exactly 1920 × 1080 px."""
        return 150.0 if self is PageSize.A4 else 1920 / 13.333


class OutputFormat(StrEnum):
    PDF = "pdf"
    PNG = "png"


def output_format(path: str | Path) -> OutputFormat:
    """The format named by the file's extension (``.pdf`` or ``.png``), else InputError."""
    suffix = Path(path).suffix.lower().lstrip(".")
    try:
        return OutputFormat(suffix)
    except ValueError:
        file = Path(path).name
        if suffix:
            raise refusal(InputError, "brief.format_unknown",
                          {"file": file, "suffix": suffix}) from None
        raise refusal(InputError, "brief.format_missing", {"file": file}) from None


def parse_page_size(text: str) -> PageSize:
    """``a4`` or ``slide`` (any case, spaces ignored), else an InputError naming both."""
    try:
        return PageSize(str(text).strip().lower())
    except ValueError:
        raise refusal(InputError, "brief.size_unknown", {"size": str(text)}) from None


@dataclass(frozen=True)
class MapLayer:
    """One layer drawn on a static map, in the interactive map's style.

    Parameters
    ----------
    name
        The layer's name in the store (``villages``, ``parcels``…): picks its style in
        :data:`geo_app.maps.style.LAYER_STYLES` (a user's layer gets the neutral style).
    data
        The features to draw, already filtered, in any CRS.
    labels
        Draw each feature's name (collision-aware; see ``label_priority``).
    label_column
        Column holding the label; default ``name`` (``name_en`` in English when present).
    label_priority
        Higher priorities are placed first; a label overlapping a placed one is skipped.
    """

    name: str
    data: gpd.GeoDataFrame
    labels: bool = False
    label_column: str | None = None
    label_priority: int = 0


@dataclass(frozen=True)
class StaticMapSpec:
    """A static map: layers (bottom to top by :data:`~geo_app.maps.style.Z_ORDER`), the view
    and what stands out.

    Parameters
    ----------
    layers
        The layers to draw. The district boundary (layer ``boundary``) is context: drawn,
        never fitted to.
    fit
        Features to fit the view to (any CRS); ``None`` fits every non-boundary layer.
    highlight
        Features drawn with a thick outline on top (the village or park of a brief).
    highlight_label
        The legend entry of the highlight (e.g. the village's name).
    margin
        Space around ``fit`` as a share of its size.
    min_span_m
        The view is at least this wide and high (a single point still shows its context).
    """

    layers: tuple[MapLayer, ...]
    fit: gpd.GeoDataFrame | None = None
    highlight: gpd.GeoDataFrame | None = None
    highlight_label: str = ""
    margin: float = 0.08
    min_span_m: float = 1500.0


@dataclass(frozen=True)
class BriefPage:
    """One printed page: header, map, figures, a small table, source line.

    Parameters
    ----------
    title, subtitle
        Header lines (drawn literally, never as markup or mathtext).
    date
        Shown top right (a date or ready text); ``None`` for none.
    map
        The map, or ``None`` for a text-only page (figures and table take the width).
    figures
        Key figures as ``(label, value text)``, values already formatted with their unit.
    table
        A small table (≤ ~12 rows show); column names are its header.
    table_title
        Caption above the table.
    notes
        Speaker notes or remarks, printed under the figures.
    source
        The source line at the foot (default: the illustrative-data statement).
    lang
        ``zh`` or ``en``: language of the legend, scale bar, north arrow and CRS note.
    """

    title: str
    subtitle: str = ""
    date: dt.date | str | None = None
    map: StaticMapSpec | None = None
    figures: tuple[tuple[str, str], ...] = ()
    table: pd.DataFrame | None = None
    table_title: str = ""
    notes: str = ""
    source: str | None = None
    lang: str = "zh"

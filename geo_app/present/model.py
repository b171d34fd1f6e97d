"""A storyboard as values: the deck and its slides, each slide's map view and content."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Animation(StrEnum):
    """What a slide can animate."""

    PROGRESS = "progress"


@dataclass(frozen=True)
class MapView:
    """What a slide's map shows.

    ``layers`` in drawing order as given (empty: every layer of the store); ``filters``
    layer → column → values kept; ``labels`` the layers whose names are written on the
    map; ``fit`` a layer whose (filtered) features fill the view, or ``center`` (lat, lon)
    and ``zoom``; neither: every feature shown.
    """

    layers: tuple[str, ...] = ()
    filters: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    labels: tuple[str, ...] = ()
    fit: str | None = None
    center: tuple[float, float] | None = None
    zoom: int | None = None


@dataclass(frozen=True)
class Slide:
    """One slide: text, map view, figures (registry keys), a table key, speaker notes."""

    title: str
    subtitle: str = ""
    view: MapView = field(default_factory=MapView)
    figures: tuple[str, ...] = ()
    table: str | None = None
    notes: str = ""
    animate: Animation | None = None
    #: Line of the slide's ``[[slides]]`` header in its file (1-based), and of each key.
    line: int = 0
    key_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


@dataclass(frozen=True)
class Storyboard:
    """A deck: title, subtitle, the date its figures are as of, the slides in order."""

    title: str
    slides: tuple[Slide, ...]
    subtitle: str = ""
    as_of: dt.date | None = None
    #: The file it was read from, for messages.
    source: str = "storyboard"

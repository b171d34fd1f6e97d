"""Greedy, collision-aware name labels: higher priority first, overlapping ones skipped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text
from matplotlib.transforms import Bbox

#: Where a point label may sit, tried in order: offset (points) and alignment.
_POINT_SLOTS: tuple[tuple[float, float, str, str], ...] = (
    (6, 0, "left", "center"), (-6, 0, "right", "center"),
    (0, 6, "center", "bottom"), (0, -6, "center", "top"),
)
#: A frame's label: under the anchor (its top edge), else just above it.
_TOP_SLOTS: tuple[tuple[float, float, str, str], ...] = (
    (0, -4, "center", "top"), (0, 3, "center", "bottom"),
)
#: A polygon's or line's label: at its anchor, else nudged up or down.
_AREA_SLOTS: tuple[tuple[float, float, str, str], ...] = (
    (0, 0, "center", "center"), (0, 9, "center", "bottom"), (0, -9, "center", "top"),
)
_HALO = [patheffects.withStroke(linewidth=2.6, foreground="white")]


@dataclass(frozen=True)
class LabelCandidate:
    """A label to place: map position (data units), inert text, priority, look."""

    x: float
    y: float
    text: str
    priority: int
    size_pt: float
    bold: bool = False
    point: bool = False
    #: Hang below the anchor (a park's name under its top edge).
    top: bool = False
    color: str = "#222222"


def place_labels(
    ax: Axes,
    candidates: Sequence[LabelCandidate],
    renderer: RendererBase,
    *,
    family: str,
    obstacles: Sequence[Bbox] = (),
    pad_px: float = 2.0,
) -> list[Text]:
    """Draw the labels that fit, highest priority first, and return them.

    A label is skipped when its box (padded by ``pad_px``) overlaps a placed label or an
    obstacle (scale bar, north arrow) or leaves the axes; a point's label tries four sides.
    Ties keep the candidates' order. Text is drawn with ``parse_math=False``.
    """
    frame = ax.get_window_extent(renderer)
    placed: list[Bbox] = list(obstacles)
    drawn: list[Text] = []
    order = sorted(range(len(candidates)), key=lambda i: -candidates[i].priority)
    for i in order:
        c = candidates[i]
        if not c.text:
            continue
        font = FontProperties(family=family, size=c.size_pt,
                              weight="bold" if c.bold else "normal")
        slots = _POINT_SLOTS if c.point else _TOP_SLOTS if c.top else _AREA_SLOTS
        for dx, dy, ha, va in slots:
            text = ax.annotate(
                c.text, (c.x, c.y), xytext=(dx, dy), textcoords="offset points",
                ha=ha, va=va, fontproperties=font, color=c.color, zorder=50,
                annotation_clip=True, parse_math=False, path_effects=_HALO,
            )
            box = text.get_window_extent(renderer).padded(pad_px)
            inside = (box.x0 >= frame.x0 and box.x1 <= frame.x1
                      and box.y0 >= frame.y0 and box.y1 <= frame.y1)
            if inside and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                drawn.append(text)
                break
            text.remove()
    return drawn

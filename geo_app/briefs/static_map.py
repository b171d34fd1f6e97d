"""A static map in the interactive map's styles, drawn with matplotlib in a metric plane.

Layers are projected to one CGCS2000 3° Gauss-Krüger plane (the zone holding the view's
centre, :func:`geo_app.analysis.crs.choose_plane_crs`), so the scale bar measures true
metres on the plane. Each class is drawn with the colour, opacity, width and dashes of
:data:`geo_app.maps.style.LAYER_STYLES` (Leaflet pixels read as 0.75 pt); the legend
lists only the classes drawn in the view. No tiles, no network.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path
from matplotlib.transforms import Bbox
from matplotlib_scalebar.scalebar import ScaleBar
from shapely.geometry.polygon import orient

from geo_app.analysis.crs import GEOGRAPHIC_EPSG, PlaneCRS, choose_plane_crs
from geo_app.briefs._texts import tr
from geo_app.briefs.fonts import CJKFont, inert_text
from geo_app.briefs.labels import LabelCandidate, place_labels
from geo_app.briefs.page import MapLayer, StaticMapSpec
from geo_app.domain.messages import refusal
from geo_app.errors import InputError
from geo_app.maps.style import (
    BACKGROUND_HEX,
    OTHER_CLASS,
    Z_ORDER,
    LayerStyle,
    PathStyle,
    Symbol,
    layer_label,
    layer_style,
)

#: Leaflet CSS pixels to points (96 px per inch, 72 pt per inch).
PX_PT = 0.75
HIGHLIGHT_HEX = "#111111"
#: Label look per layer: (size pt, bold, default priority).
_LABEL_LOOK: dict[str, tuple[float, bool, int]] = {
    "parks": (10.5, True, 40), "villages": (9.0, False, 30), "sites": (8.5, False, 25),
    "facilities": (8.0, False, 20), "projects": (8.0, False, 15), "parcels": (8.0, False, 10),
    "roads": (9.0, False, 35),
}


@dataclass(frozen=True)
class LegendEntry:
    """One legend row: what it looks like (style and symbol) and its label."""

    label: str
    symbol: Symbol
    style: PathStyle
    highlight: bool = False

    def handle(self) -> Artist:
        s = self.style
        if self.highlight:
            return Patch(facecolor="none", edgecolor=HIGHLIGHT_HEX, linewidth=2.2)
        if self.symbol == "line":
            return Line2D([], [], color=s.color, alpha=s.opacity,
                          linewidth=max(s.weight * PX_PT, 1.5), linestyle=_dashes(s))
        if self.symbol == "point":
            return Line2D([], [], linestyle="", marker="o", markersize=(s.radius or 5) * 1.6,
                          markerfacecolor=to_rgba(s.fill_color, s.fill_opacity),
                          markeredgecolor=s.color, markeredgewidth=s.weight * PX_PT)
        return Patch(facecolor=to_rgba(s.fill_color, max(s.fill_opacity, 0.15)),
                     edgecolor=to_rgba(s.color, s.opacity),
                     linewidth=min(max(s.weight * PX_PT, 0.8), 2.0), linestyle=_dashes(s))


@dataclass(frozen=True)
class DrawnMap:
    """What :func:`draw_map` drew: the plane, the view (plane metres) and the legend."""

    plane: PlaneCRS
    bounds_m: tuple[float, float, float, float]
    legend: tuple[LegendEntry, ...]
    labels: tuple[str, ...]


def _dashes(s: PathStyle) -> str | tuple[float, tuple[float, ...]]:
    if not s.dash_array:
        return "solid"
    parts = tuple(float(v) * PX_PT for v in s.dash_array.replace(",", " ").split())
    return (0.0, parts)


def _symbol(gdf: gpd.GeoDataFrame) -> Symbol:
    types = set(gdf.geom_type.dropna())
    if types and types <= {"Point", "MultiPoint"}:
        return "point"
    if types and types <= {"LineString", "MultiLineString", "LinearRing"}:
        return "line"
    return "polygon"


def _ordered(layers: tuple[MapLayer, ...]) -> list[MapLayer]:
    def rank(layer: MapLayer) -> int:
        if layer.name in Z_ORDER:
            return Z_ORDER.index(layer.name) * 2
        return Z_ORDER.index("parcels") * 2 - 1
    return sorted(layers, key=rank)


def map_plane(spec: StaticMapSpec) -> PlaneCRS:
    """The plane the map is drawn in: the 3° GK zone holding the centre of its fit."""
    return choose_plane_crs(_fit_frame(spec))


def _fit_frame(spec: StaticMapSpec) -> gpd.GeoDataFrame:
    if spec.fit is not None and len(spec.fit):
        frames = [spec.fit]
    else:
        frames = [m.data for m in spec.layers if m.name != "boundary" and len(m.data)]
        if not frames:
            frames = [m.data for m in spec.layers if len(m.data)]
    if not frames:
        raise refusal(InputError, "brief.map_empty", {})
    parts = [f.geometry.to_crs(GEOGRAPHIC_EPSG) for f in frames if f.crs is not None]
    if len(parts) != len(frames):
        raise refusal(InputError, "brief.map_no_crs", {})
    geoms = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(geometry=geoms[~(geoms.isna() | geoms.is_empty)],
                            crs=GEOGRAPHIC_EPSG)


def view_bounds(spec: StaticMapSpec, plane: PlaneCRS, aspect: float
                ) -> tuple[float, float, float, float]:
    """The view in plane metres: the fit plus margin, at least ``min_span_m``, widened to
    the axes' ``aspect`` (width / height) so the map fills its frame."""
    fit = _fit_frame(spec).to_crs(plane.epsg)
    x0, y0, x1, y1 = fit.total_bounds
    if not np.all(np.isfinite([x0, y0, x1, y1])):
        raise refusal(InputError, "brief.map_no_coordinates", {})
    w, h = x1 - x0, y1 - y0
    w, h = max(w * (1 + 2 * spec.margin), spec.min_span_m), max(h * (1 + 2 * spec.margin),
                                                               spec.min_span_m)
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _class_keys(gdf: gpd.GeoDataFrame, style: LayerStyle) -> np.ndarray:
    if style.column is None or style.column not in gdf.columns:
        return np.full(len(gdf), OTHER_CLASS, dtype=object)
    values = gdf[style.column].astype("object").to_numpy()
    return np.array([v if isinstance(v, str) and v in style.classes else OTHER_CLASS
                     for v in values], dtype=object)


def _polygon_path(geom: shapely.Geometry) -> Path:
    """One compound path of a (multi)polygon: every ring, holes wound against the outer
    ring so they stay empty under either fill rule."""
    rings = []
    for part in getattr(geom, "geoms", [geom]):
        if part.is_empty:
            continue
        part = orient(part, 1.0)  # outer ring counter-clockwise, holes clockwise: cut out
        rings.append(Path(np.asarray(part.exterior.coords)[:, :2], closed=True))
        rings += [Path(np.asarray(r.coords)[:, :2], closed=True) for r in part.interiors]
    return Path.make_compound_path(*rings) if rings else Path(np.zeros((0, 2)))


def _draw_class(ax: Axes, part: gpd.GeoSeries, symbol: Symbol, s: PathStyle, z: float) -> None:
    """Draw one class as one matplotlib collection (no per-call redraw, unlike
    ``GeoSeries.plot``, which redraws the whole figure each time)."""
    geoms = [g for g in part if g is not None and not g.is_empty]
    if symbol == "polygon":
        polys = [g for g in geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        ax.add_collection(PathCollection(
            [_polygon_path(g) for g in polys], facecolors=[to_rgba(s.fill_color,
                                                                  s.fill_opacity)],
            edgecolors=[to_rgba(s.color, s.opacity)], linewidths=s.weight * PX_PT,
            linestyles=_dashes(s), zorder=z), autolim=False)
    elif symbol == "line":
        segments = [np.asarray(line.coords)[:, :2] for g in geoms
                    for line in getattr(g, "geoms", [g]) if not line.is_empty]
        ax.add_collection(LineCollection(
            segments, colors=[to_rgba(s.color, s.opacity)], linewidths=s.weight * PX_PT,
            linestyles=_dashes(s), zorder=z, capstyle="round", joinstyle="round"),
            autolim=False)
    else:
        xy = shapely.get_coordinates(np.asarray(geoms, dtype=object))
        size_pt = (s.radius or 5.0) * 2 * PX_PT * 1.25
        ax.scatter(xy[:, 0], xy[:, 1], s=size_pt ** 2, marker="o",
                   facecolors=[to_rgba(s.fill_color, s.fill_opacity)], edgecolors=[s.color],
                   linewidths=s.weight * PX_PT, zorder=z)


def _label_text(layer: MapLayer, row: pd.Series, lang: str, font: CJKFont) -> str:
    column = layer.label_column
    if column is None:
        column = "id" if layer.name == "parcels" else "name"
        if lang != "zh" and "name_en" in row.index and isinstance(row.get("name_en"), str) \
                and row["name_en"].strip():
            column = "name_en"
    value = row.get(column)
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return ""
    return inert_text(value, font)


def _anchor(geom: shapely.Geometry, symbol: Symbol, *, top: bool = False
            ) -> tuple[float, float]:
    """Where a label goes: the point; the middle of a line; inside a polygon (its centre,
    or for a frame-like area such as a park, the middle of its top edge)."""
    if top and symbol == "polygon":
        minx, _miny, maxx, maxy = geom.bounds
        return (minx + maxx) / 2, maxy
    if symbol == "point":
        p = geom if geom.geom_type == "Point" else geom.centroid
    elif symbol == "line":
        p = shapely.line_interpolate_point(shapely.line_merge(geom), 0.5, normalized=True) \
            if geom.geom_type != "MultiLineString" else geom.geoms[0].interpolate(
                0.5, normalized=True)
    else:
        p = geom.representative_point() if not geom.centroid.within(geom) else geom.centroid
    return float(p.x), float(p.y)


def draw_map(
    ax: Axes,
    spec: StaticMapSpec,
    *,
    lang: str,
    font: CJKFont,
    renderer: RendererBase,
) -> DrawnMap:
    """Draw ``spec`` into ``ax`` (an empty axes): layers, highlight, labels, scale bar and
    north arrow. Returns the plane, the view and the legend entries of what was drawn."""
    plane = map_plane(spec)
    pos = ax.get_window_extent(renderer)
    x0, y0, x1, y1 = view_bounds(spec, plane, pos.width / pos.height)
    view = shapely.box(x0, y0, x1, y1)
    ax.set_facecolor(BACKGROUND_HEX)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    legend: list[LegendEntry] = []
    candidates: list[LabelCandidate] = []
    # the highlighted features' own labels come first, a little larger and bold
    focus = ({str(v) for v in spec.highlight["id"]} if spec.highlight is not None
             and "id" in spec.highlight.columns else set())
    for n, layer in enumerate(_ordered(spec.layers)):
        if not len(layer.data):
            continue
        data = layer.data[~(layer.data.geometry.isna() | layer.data.geometry.is_empty)]
        data = data.to_crs(plane.epsg)
        symbol = _symbol(data)
        # an unfilled polygon (the district outline) shows only where its edge is in view
        probe = (data.geometry.boundary if symbol == "polygon"
                 and layer_style(layer.name, symbol).other.fill_opacity == 0 else data.geometry)
        data = data[probe.intersects(view).to_numpy()]
        if data.empty:
            continue
        style = layer_style(layer.name, symbol)
        keys = _class_keys(data, style)
        present = set(keys)
        z = 2 + n
        for key in [*style.classes, OTHER_CLASS]:
            if key not in present:
                continue
            s = style.classes.get(key, style.other)
            _draw_class(ax, data.geometry[keys == key], symbol, s, z)
            label = (style.label_of(key, lang) if style.classes
                     else layer_label(layer.name, lang))
            if layer.name == "boundary":
                label = style.label_of(key if key in style.labels else "曾都区", lang)
            legend.append(LegendEntry(label, symbol, s))
        if layer.labels:
            size, bold, prio = _LABEL_LOOK.get(layer.name, (8.0, False, 5))
            top = layer.name == "parks"
            for geom, (_, row) in zip(data.geometry, data.iterrows(), strict=True):
                visible = geom if symbol == "point" else geom.intersection(view)
                if visible.is_empty:
                    continue
                ax_, ay_ = _anchor(visible, symbol, top=top)
                rank = layer.label_priority or prio
                if layer.name == "parks" and row.get("kind") == "park":
                    rank += 2  # a park before the district around it
                star = str(row.get("id")) in focus
                candidates.append(LabelCandidate(
                    ax_, ay_, _label_text(layer, row, lang, font), rank + 100 * star,
                    size + 1.5 * star, bold or star, point=symbol == "point", top=top))
    if spec.highlight is not None and len(spec.highlight):
        hl = spec.highlight.to_crs(plane.epsg).geometry
        kind = _symbol(spec.highlight)
        for colour, width, z in (("white", 4.6, 40), (HIGHLIGHT_HEX, 2.4, 41)):
            if kind == "point":  # a ring around the point
                ring = PathStyle(colour, "none", weight=width / PX_PT, fill_opacity=0.0,
                                 radius=9.0)
                _draw_class(ax, hl, "point", ring, z)
            else:
                edge = PathStyle(colour, "none", weight=width / PX_PT, fill_opacity=0.0)
                _draw_class(ax, hl.boundary if kind == "polygon" else hl, "line", edge, z)
        legend.append(LegendEntry(inert_text(spec.highlight_label, font), "polygon",
                                  PathStyle(HIGHLIGHT_HEX, "none"), highlight=True))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("")
    ax.set_ylabel("")
    obstacles = _furniture(ax, lang, font, renderer)
    placed = place_labels(ax, candidates, renderer, family=font.family, obstacles=obstacles)
    return DrawnMap(plane, (x0, y0, x1, y1), tuple(legend),
                    tuple(t.get_text() for t in placed))


def _furniture(ax: Axes, lang: str, font: CJKFont, renderer: RendererBase) -> list[Bbox]:
    """Scale bar (lower left) and north arrow (upper right); their boxes, for the labels."""
    bar = ScaleBar(1.0, "m", location="lower left", length_fraction=0.22, box_alpha=0.85,
                   pad=0.4, border_pad=0.8, sep=3,
                   font_properties={"family": font.family, "size": 9})
    bar.set_zorder(70)  # above the highlight outline and the labels
    ax.add_artist(bar)
    arrow = ax.annotate(
        tr("north", lang), xy=(0.955, 0.95), xytext=(0.955, 0.855), xycoords="axes fraction",
        ha="center", va="center", fontproperties=font.font_properties(bold=True, size=11),
        parse_math=False, zorder=60,
        arrowprops={"arrowstyle": "-|>,head_width=0.45,head_length=0.9", "color": "#222222",
                    "linewidth": 1.6},
        bbox={"boxstyle": "circle,pad=0.25", "facecolor": "white", "edgecolor": "#888888",
              "linewidth": 0.6, "alpha": 0.9},
    )
    boxes = [bar.get_window_extent(renderer).padded(4)]
    frame = ax.get_window_extent(renderer)
    w, h = frame.width, frame.height
    boxes.append(Bbox.from_extents(frame.x0 + 0.91 * w, frame.y0 + 0.80 * h,
                                   frame.x1, frame.y1))
    del arrow
    return boxes

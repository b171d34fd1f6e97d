"""Colours and symbols of every layer, shared by the map, its legend and future briefs.

One table (:data:`LAYER_STYLES`) says, for each layer, which column classifies its
features and the constant Leaflet path style of each class. The map draws one layer per
class with exactly that style and the legend reads the same table, so the two cannot
disagree.

Parcels follow the ten acquisition stages in workflow order: a warm ramp from pale
yellow to deep purple for the eight stages still in progress, then two blues for the
stages where the land is acquired (净地) or supplied (供地), so acquired land reads at a
glance on a projector and for red-green colour-blind viewers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from geo_app.domain.categories import (
    FacilityKind,
    ParkKind,
    ProjectStatus,
    RoadKind,
    SiteKind,
    VillagePlan,
    WorksProgramme,
)
from geo_app.domain.layers import LAYER_SPECS
from geo_app.domain.stages import ParcelStage

Symbol = Literal["polygon", "line", "point"]

#: Key of the class that collects values missing from the enum (or empty).
OTHER_CLASS = "__other__"
OTHER_LABELS = ("其他", "Other")
#: Background of the map when no basemap is shown.
BACKGROUND_HEX = "#f4f3ef"


class Basemap(StrEnum):
    """Tiles under the overlays. The first two work with no internet: ``HILLSHADE`` (the
    app's first choice) is the store's DEM shaded, drawn by the app as an image under the
    layers (a plain background where the store has no DEM); ``NONE`` the plain background.
    ``build_zone_map`` draws no hillshade itself: its caller adds it (it knows the store)."""

    HILLSHADE = "hillshade"
    NONE = "none"
    OSM = "osm"
    TIANDITU_VEC = "tianditu_vec"
    TIANDITU_IMG = "tianditu_img"
    GAODE = "gaode"

    @property
    def label_zh(self) -> str:
        return _BASEMAP_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _BASEMAP_LABELS[self][1]

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en

    @property
    def offline(self) -> bool:
        """Needs no internet (no tile server)."""
        return self in (Basemap.NONE, Basemap.HILLSHADE)


_BASEMAP_LABELS: dict[Basemap, tuple[str, str]] = {
    Basemap.NONE: ("无底图（离线）", "None (offline)"),
    Basemap.HILLSHADE: ("地形晕渲（离线）", "Hillshade (offline)"),
    Basemap.OSM: ("OpenStreetMap", "OpenStreetMap"),
    Basemap.TIANDITU_VEC: ("天地图矢量", "Tianditu vector"),
    Basemap.TIANDITU_IMG: ("天地图影像", "Tianditu imagery"),
    Basemap.GAODE: ("高德地图", "Gaode (AutoNavi)"),
}


@dataclass(frozen=True)
class PathStyle:
    """A constant Leaflet path style; ``hex`` is the colour the legend shows."""

    color: str
    fill_color: str
    weight: float = 1.0
    opacity: float = 1.0
    fill_opacity: float = 0.7
    dash_array: str | None = None
    radius: float | None = None
    #: ``False`` for context drawn under everything (the district boundary): no tooltip,
    #: popup or click, so the features beneath stay clickable.
    interactive: bool = True

    @property
    def hex(self) -> str:
        return self.fill_color

    def leaflet_options(self, symbol: Symbol) -> dict[str, object]:
        """Options for ``L.path`` / ``L.circleMarker`` (camelCase keys)."""
        options: dict[str, object] = {
            "color": self.color,
            "weight": self.weight,
            "opacity": self.opacity,
        }
        if symbol == "line" or self.fill_opacity <= 0:
            options["fill"] = False
        else:
            options["fillColor"] = self.fill_color
            options["fillOpacity"] = self.fill_opacity
        if self.dash_array:
            options["dashArray"] = self.dash_array
        if symbol == "point":
            options["radius"] = self.radius or POINT_RADIUS_PX
        if not self.interactive:
            options["interactive"] = False
        return options


@dataclass(frozen=True)
class LayerStyle:
    """How one layer is classified and drawn."""

    layer: str
    symbol: Symbol
    column: str | None
    classes: dict[str, PathStyle]
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    other: PathStyle = PathStyle("#555555", "#bdbdbd")

    def style_of(self, key: str) -> PathStyle:
        return self.classes.get(key, self.other)

    def label_of(self, key: str, lang: str) -> str:
        zh, en = self.labels.get(key, OTHER_LABELS)
        return zh if lang == "zh" else en


def _labels(enum: type[StrEnum]) -> dict[str, tuple[str, str]]:
    return {m.value: (m.label_zh, m.label_en) for m in enum}  # type: ignore[attr-defined]


STAGE_HEX: dict[ParcelStage, str] = {
    ParcelStage.PRE_NOTICE: "#fed976",
    ParcelStage.STATUS_SURVEY: "#feb24c",
    ParcelStage.RISK_ASSESSMENT: "#fd8d3c",
    ParcelStage.COMPENSATION_PLAN: "#fc4e2a",
    ParcelStage.AGREEMENTS_SIGNED: "#e31a1c",
    ParcelStage.APPROVED: "#bd0026",
    ParcelStage.ACQUISITION_NOTICE: "#800026",
    ParcelStage.COMPENSATION_PAID: "#4a1486",
    ParcelStage.NET_LAND: "#1d91c0",
    ParcelStage.SUPPLIED: "#0c2c84",
}

_PARCEL_EDGE = "#333333"
#: Parcels whose acquisition has not started (no stage event yet).
NOT_STARTED_HEX = "#d9d9d9"
_POINT_EDGE = "#ffffff"


def _area(color: str, *, fill_opacity: float, weight: float = 2.0,
          dash: str | None = None) -> PathStyle:
    return PathStyle(color, color, weight=weight, fill_opacity=fill_opacity, dash_array=dash)


#: Point markers stay small (a white ring keeps them legible) so that parcels under a
#: cluster of projects, as in 青春化工园 at the zone-wide view, still show.
POINT_RADIUS_PX = 5.0


def _point(fill: str, radius: float = POINT_RADIUS_PX) -> PathStyle:
    return PathStyle(_POINT_EDGE, fill, weight=1.5, fill_opacity=0.95, radius=radius)


#: The district outline: a thin dashed line, no fill, not clickable.
BOUNDARY_STYLE = PathStyle("#4d4d4d", "#4d4d4d", weight=1.5, opacity=0.9, fill_opacity=0.0,
                           dash_array="8 5", interactive=False)

LAYER_STYLES: dict[str, LayerStyle] = {
    "boundary": LayerStyle(
        "boundary", "line", "name",
        {"曾都区": BOUNDARY_STYLE},
        {"曾都区": ("曾都区界", "Zengdu district boundary")},
        other=BOUNDARY_STYLE,
    ),
    "parks": LayerStyle(
        "parks", "polygon", "kind",
        {
            ParkKind.DISTRICT.value: _area("#5f5f5f", fill_opacity=0.04, dash="6 4"),
            ParkKind.PARK.value: _area("#6a3d9a", fill_opacity=0.10, weight=2.5),
        },
        _labels(ParkKind),
    ),
    "villages": LayerStyle(
        "villages", "polygon", "plan_category",
        {
            VillagePlan.DEMONSTRATION.value: _area("#d95f02", fill_opacity=0.22),
            VillagePlan.REMEDIATION.value: _area("#7570b3", fill_opacity=0.22),
            VillagePlan.PLANNED.value: _area("#8c8c8c", fill_opacity=0.12, weight=1.5),
        },
        _labels(VillagePlan),
    ),
    "sites": LayerStyle(
        "sites", "polygon", "kind",
        {
            SiteKind.ECOLOGICAL.value: _area("#1b9e77", fill_opacity=0.35),
            SiteKind.SCENIC.value: _area("#e7298a", fill_opacity=0.35),
            SiteKind.AGRICULTURAL_BASE.value: _area("#a6761d", fill_opacity=0.35),
            SiteKind.CONTRACT_FARMLAND.value: _area("#e6ab02", fill_opacity=0.30),
        },
        _labels(SiteKind),
    ),
    "parcels": LayerStyle(
        "parcels", "polygon", "stage",
        {
            stage.value: PathStyle(_PARCEL_EDGE, hex_, weight=1.0, fill_opacity=0.78)
            for stage, hex_ in STAGE_HEX.items()
        },
        # a parcel with no stage (yet, on an as-of map) is "not started", drawn grey
        _labels(ParcelStage) | {OTHER_CLASS: ("未启动", "Not started")},
        other=PathStyle(_PARCEL_EDGE, NOT_STARTED_HEX, weight=1.0, fill_opacity=0.6),
    ),
    "roads": LayerStyle(
        "roads", "line", "kind",
        {RoadKind.TOURISM_LOOP.value: PathStyle("#c51b7d", "#c51b7d", weight=4.0, opacity=0.9)},
        _labels(RoadKind),
        other=PathStyle("#666666", "#666666", weight=3.0),
    ),
    "facilities": LayerStyle(
        "facilities", "point", "kind",
        {FacilityKind.SEWAGE_PLANT.value: _point("#0570b0", radius=5.5)},
        _labels(FacilityKind),
        other=_point("#737373"),
    ),
    "projects": LayerStyle(
        "projects", "point", "status",
        {
            ProjectStatus.PREPARING.value: _point("#9e9e9e"),
            ProjectStatus.NEWLY_STARTED.value: _point("#6baed6"),
            ProjectStatus.UNDER_CONSTRUCTION.value: _point("#f16913"),
            ProjectStatus.TRIAL_PRODUCTION.value: _point("#74c476"),
            ProjectStatus.IN_PRODUCTION.value: _point("#006d2c"),
        },
        _labels(ProjectStatus),
        other=_point("#737373"),
    ),
}

#: Villages coloured by works programme (二期示范工程 / 巩固提升 / none) instead of plan
#: category: the three phase-2 demonstration villages stand out in a strong red.
VILLAGE_WORKS_STYLE = LayerStyle(
    "villages", "polygon", "works_programme",
    {
        WorksProgramme.PHASE2_DEMONSTRATION.value: _area("#d7301f", fill_opacity=0.38,
                                                         weight=3.0),
        WorksProgramme.CONSOLIDATION.value: _area("#fc8d59", fill_opacity=0.28),
        WorksProgramme.NONE.value: _area("#9e9e9e", fill_opacity=0.08, weight=1.2),
    },
    _labels(WorksProgramme),
)


class VillageTheme(StrEnum):
    """Which column colours the villages."""

    PLAN = "plan_category"
    WORKS = "works_programme"

    def label(self, lang: str = "zh") -> str:
        zh, en = {VillageTheme.PLAN: ("规划类别", "Plan category"),
                  VillageTheme.WORKS: ("建设工程", "Works programme")}[self]
        return zh if lang == "zh" else en


def village_style(theme: VillageTheme | str) -> LayerStyle:
    """The villages' style for a :class:`VillageTheme`."""
    return VILLAGE_WORKS_STYLE if VillageTheme(theme) is VillageTheme.WORKS else (
        LAYER_STYLES["villages"])


#: The derived layer of the 2 km belt either side of the loop road
#: (:mod:`geo_app.maps.belt`): the belt (dashed, faint fill) and the villages it reaches
#: (a thick outline over their own colours). Context only: not clickable.
BELT_LAYER = "loop_belt"
BELT_HEX = "#c51b7d"
LAYER_STYLES[BELT_LAYER] = LayerStyle(
    BELT_LAYER, "polygon", "kind",
    {
        "belt": PathStyle(BELT_HEX, BELT_HEX, weight=1.5, fill_opacity=0.07, dash_array="7 5",
                          interactive=False),
        "village": PathStyle(BELT_HEX, BELT_HEX, weight=3.5, fill_opacity=0.0,
                             interactive=False),
    },
    {"belt": ("环线两侧 2 公里范围", "2 km either side of the loop road"),
     "village": ("范围内村庄", "Villages within the belt")},
)
_EXTRA_LAYER_LABELS = {BELT_LAYER: ("环线 2 公里带", "Loop-road 2 km belt")}

#: Drawing order, bottom to top; layers not listed go between sites and parcels.
Z_ORDER: tuple[str, ...] = (
    "boundary", "parks", "villages", BELT_LAYER, "sites", "parcels", "roads", "facilities",
    "projects",
)


def layer_style(layer: str, symbol: Symbol = "polygon") -> LayerStyle:
    """The style of a known layer, or one neutral class for a user's own layer."""
    if layer in LAYER_STYLES:
        return LAYER_STYLES[layer]
    neutral = {
        "polygon": _area("#3f6fb5", fill_opacity=0.3),
        "line": PathStyle("#3f6fb5", "#3f6fb5", weight=3.0),
        "point": _point("#3f6fb5"),
    }[symbol]
    return LayerStyle(layer, symbol, None, {}, {}, other=neutral)


def layer_label(layer: str, lang: str) -> str:
    """The display name of a layer (片区/园区, Acquisition parcels, ...)."""
    spec = LAYER_SPECS.get(layer)
    if spec is None:
        zh, en = _EXTRA_LAYER_LABELS.get(layer, (layer, layer))
        return zh if lang == "zh" else en
    return spec.zh if lang == "zh" else spec.en


def swatch_css(s: PathStyle, symbol: Symbol) -> str:
    """CSS for a legend swatch that looks like the drawn feature (same fill opacity)."""
    if symbol == "line":
        dash = "dashed" if s.dash_array else "solid"
        return f"border-top: {max(s.weight, 2):g}px {dash} {s.color}; width: 22px;"
    border = "dashed" if s.dash_array else "solid"
    fill = _rgba(s.fill_color, max(s.fill_opacity, 0.15) if symbol == "polygon" else 1.0)
    edge_px = 1.5 if symbol == "point" else min(max(s.weight, 1.0), 2.5)
    return f"background: {fill}; border: {edge_px:g}px {border} {s.color};"


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha:g})"


def legend_entries(layer: str, lang: str) -> list[tuple[str, str]]:
    """``(label, hex colour)`` of each class of ``layer`` in the colours the map uses.

    The colour is the fill colour of polygons and points and the stroke of lines.
    A user's own layer has one entry named after the layer.
    """
    style = layer_style(layer)
    if not style.classes:
        return [(layer_label(layer, lang), style.other.hex)]
    return [(style.label_of(key, lang), s.hex) for key, s in style.classes.items()]

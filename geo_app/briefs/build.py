"""The three briefs (village, park, acquisition progress) as :class:`BriefPage` objects.

Every figure comes from the analysis functions the dashboard uses, on the layers read and
measured as the app reads them (:func:`load_brief_data`: areas from
:func:`~geo_app.analysis.area.add_areas`, the plane of each layer passed on), never typed
in. :func:`write_brief` is the one use case shared by ``geo-app brief`` and the app.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_app.analysis.area import add_areas
from geo_app.analysis.crs import GEOGRAPHIC_EPSG, PlaneCRS, choose_plane_crs
from geo_app.analysis.dashboard import (
    acquisition_progress,
    loop_belt_villages,
    park_coverage,
    stage_label,
)
from geo_app.analysis.progress import NOT_STARTED, PhaseProgress, progress, stages_as_of
from geo_app.analysis.proximity import nearest
from geo_app.analysis.terrain_classes import CROPLAND, DEFAULT_CLASSES, LandCoverClass
from geo_app.analysis.terrain_report import layer_terrain
from geo_app.analysis.timeline import progress_from_stages, stages_on
from geo_app.analysis.units import M2_PER_MU
from geo_app.analysis.zonal import RasterKind
from geo_app.briefs._texts import tr
from geo_app.briefs.page import (
    BriefPage,
    MapLayer,
    OutputFormat,
    PageSize,
    StaticMapSpec,
    output_format,
)
from geo_app.briefs.render import render_pages
from geo_app.domain.categories import (
    FacilityKind,
    ParkKind,
    ProjectStatus,
    RoadKind,
    VillagePlan,
)
from geo_app.domain.categories import WorksProgramme as Works
from geo_app.domain.messages import refusal
from geo_app.domain.phases import phase_label
from geo_app.domain.stages import ParcelStage
from geo_app.domain.targets import ACQUISITION_PARK, LOOP_BELT_M
from geo_app.errors import GeoAppError, InputError
from geo_app.raster.service import ResolvedRaster, store_rasters
from geo_app.storage.base import LayerStore

#: Neighbouring villages listed in a village brief.
NEIGHBOURS = 6


class BriefKind(StrEnum):
    VILLAGE = "village"
    PARK = "park"
    PROGRESS = "progress"


#: Layers each brief reads.
NEEDED: dict[BriefKind, tuple[str, ...]] = {
    BriefKind.VILLAGE: ("boundary", "villages", "roads", "facilities", "sites"),
    BriefKind.PARK: ("boundary", "parks", "parcels", "projects"),
    BriefKind.PROGRESS: ("boundary", "parks", "parcels"),
}


@dataclass(frozen=True)
class BriefData:
    """Layers in CGCS2000 lon/lat (polygons with the six area columns), the plane each
    layer's figures are computed in, and the stage events with a known stage."""

    layers: Mapping[str, gpd.GeoDataFrame]
    planes: Mapping[str, PlaneCRS] = field(default_factory=dict)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: The store's as-of stages (``parcel_id``, ``stage`` on a date, known stages only,
    #: computed in SQL: :meth:`~geo_app.storage.base.LayerStore.stages_as_of`) and whether
    #: its ledger holds a known stage: when given, the progress brief asks the store
    #: instead of replaying ``events`` (which :func:`load_brief_data` then leaves empty).
    stages_on: Callable[[dt.date], pd.DataFrame] | None = field(default=None, compare=False)
    has_history: bool = False
    #: The store's DEM and land cover (:func:`geo_app.raster.service.store_rasters`): the
    #: village and park briefs add their terrain figures when given.
    dem: Path | None = None
    landcover: Path | None = None
    classes: tuple[LandCoverClass, ...] = DEFAULT_CLASSES

    def layer(self, name: str) -> gpd.GeoDataFrame:
        if name not in self.layers:
            raise refusal(InputError, "brief.layer_missing", {"layer": name})
        return self.layers[name]

    def optional(self, name: str) -> gpd.GeoDataFrame | None:
        return self.layers.get(name)


def load_brief_data(store: LayerStore, layers: tuple[str, ...]) -> BriefData:
    """Read ``layers`` (those the store has) as the app does; stages as of a date are asked
    of the store (in SQL, known stages only) when a brief needs them, never by reading every
    event. The store must stay open while the briefs are built."""
    have = {i.name: i for i in store.list_layers()}
    out: dict[str, gpd.GeoDataFrame] = {}
    planes: dict[str, PlaneCRS] = {}
    for name in layers:
        if name not in have:
            continue
        gdf = store.read_layer(name)
        if "polygon" in (have[name].geometry_type or "").lower() and len(gdf):
            gdf, planes[name] = add_areas(gdf)
        if gdf.crs is not None and gdf.crs.to_epsg() not in (GEOGRAPHIC_EPSG, 4326):
            gdf = gdf.to_crs(GEOGRAPHIC_EPSG)
        out[name] = gdf
    def stages_on(day: dt.date) -> pd.DataFrame:
        return store.stages_as_of(day, known_only=True)

    return BriefData(out, planes, stages_on=stages_on,
                     has_history=store.event_span(known_only=True) is not None,
                     **terrain_sources(store_rasters(store)))


def terrain_sources(rasters: Mapping[RasterKind, ResolvedRaster | None]) -> dict[str, object]:
    """``BriefData`` keywords (dem, landcover, classes) from the store's default rasters."""
    dem, lc = rasters.get(RasterKind.DEM), rasters.get(RasterKind.LANDCOVER)
    return {"dem": dem.path if dem else None, "landcover": lc.path if lc else None,
            "classes": lc.classes if lc else DEFAULT_CLASSES}


def terrain_figures(feature: gpd.GeoDataFrame, data: BriefData, lang: str
                    ) -> list[tuple[str, str]]:
    """Mean elevation and slope, and cropland (mu and share), of one feature: the Terrain
    page's figures (exactextract, fractional cells); none without rasters or coverage."""
    if data.dem is None and data.landcover is None:
        return []
    try:
        table = layer_terrain(feature, dem=data.dem, landcover=data.landcover,
                              classes=data.classes, what="the brief's feature")
    except GeoAppError:
        return []  # the feature lies outside the rasters: the brief goes without terrain
    row = table.frame.iloc[0]
    out: list[tuple[str, str]] = []
    elev, slope = row.get("elev_mean"), row.get("slope_mean_deg")
    if elev is not None and slope is not None and np.isfinite(elev) and np.isfinite(slope):
        out.append((tr("terrain", lang),
                    tr("terrain_value", lang, elev=f"{float(elev):,.0f}",
                       slope=f"{float(slope):.1f}")))
    mu = row.get("landcover_mu")
    share = row.get("landcover_share")
    if isinstance(mu, Mapping) and CROPLAND in mu and isinstance(share, Mapping):
        out.append((tr("cropland", lang),
                    tr("cropland_value", lang, mu=_mu(float(mu[CROPLAND]), lang),
                       share=f"{float(share[CROPLAND]):.1%}")))
    return out


# --- finding a feature by name ------------------------------------------------------------


def find_feature(gdf: gpd.GeoDataFrame, name: str, *, what: str) -> pd.Series:
    """The feature named ``name`` (Chinese name, English name or id), else an InputError
    listing the nearest names."""
    wanted = name.strip()
    for column in ("name", "name_en", "id"):
        if column not in gdf.columns:
            continue
        values = gdf[column].astype("object").map(lambda v: "" if v is None else str(v))
        hit = values.str.casefold() == wanted.casefold()
        if hit.any():
            return gdf[hit.to_numpy()].iloc[0]
    names = [str(v) for v in gdf.get("name", pd.Series(dtype=object)).dropna()]
    near = [n for n in names if wanted and (wanted in n or n in wanted)]
    near += [n for n in difflib.get_close_matches(wanted, names, n=5, cutoff=0.3)
             if n not in near]
    if near:
        raise refusal(InputError, f"brief.{what}_unknown_near",
                      {"name": wanted, "near": near[:5]})
    raise refusal(InputError, f"brief.{what}_unknown", {"name": wanted, "count": len(names)})


# --- formatting ---------------------------------------------------------------------------


def _mu(value: float, lang: str) -> str:
    return tr("mu", lang, value=f"{value:,.2f}")


def _m(value: float, lang: str) -> str:
    if not np.isfinite(value):
        return "—"
    return tr("m", lang, value=f"{value:,.0f}")


def _name(row: pd.Series, lang: str) -> str:
    en = row.get("name_en")
    if lang != "zh" and isinstance(en, str) and en.strip():
        return en
    return str(row.get("name", row.get("id", "")))


def _one(row: pd.Series, crs: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame([row.drop(labels="geometry")], geometry=[row.geometry], crs=crs)


# --- village ------------------------------------------------------------------------------


def village_brief(data: BriefData, name: str, *, lang: str = "zh",
                  today: dt.date | None = None) -> BriefPage:
    """A village: population, plan, works, area (mu), loop-road distance and belt,
    nearest sewage plant; the village on the map among its neighbours."""
    villages = data.layer("villages")
    row = find_feature(villages, name, what="village")
    village = _one(row, villages.crs)
    plane = data.planes.get("villages") or choose_plane_crs(villages)
    roads = data.optional("roads")
    loop = (roads[roads["kind"] == RoadKind.TOURISM_LOOP.value]
            if roads is not None and "kind" in roads.columns else None)
    figures: list[tuple[str, str]] = []
    pop = pd.to_numeric(pd.Series([row.get("population")]), errors="coerce").iloc[0]
    if pd.notna(pop):
        figures.append((tr("village.population", lang),
                        tr("people", lang, value=f"{int(pop):,}")))
    figures.append((tr("village.area", lang), _mu(float(row["area_mu_plane"]), lang)))
    figures.append((tr("village.area_ell", lang),
                    _mu(float(row["area_mu_ellipsoidal"]), lang)))
    plan = _label(VillagePlan, row.get("plan_category"), lang)
    works = _label(Works, row.get("works_programme"), lang)
    figures.append((tr("village.plan", lang), plan))
    figures.append((tr("village.works", lang), works))
    if loop is not None and len(loop):
        dist = float(nearest(village, loop, plane=plane)["distance_m"].iloc[0])
        belt = loop_belt_villages(villages, roads, plane=plane)
        inside = str(row["id"]) in set(belt["id"].astype(str))
        figures.append((tr("village.loop", lang), _m(dist, lang)))
        figures.append((tr("village.in_belt", lang, km=f"{LOOP_BELT_M / 1000:g}"),
                        tr("yes" if inside else "no", lang)))
    facilities = data.optional("facilities")
    if facilities is not None and len(facilities) and "kind" in facilities.columns:
        plants = facilities[facilities["kind"] == FacilityKind.SEWAGE_PLANT.value]
        if len(plants):
            near = nearest(village, plants, plane=plane).iloc[0]
            gap = float(near["distance_m"])
            figures.append((tr("village.sewage", lang), tr(
                "village.sewage_value", lang, name=near["nearest_name"],
                distance=tr("village.inside", lang) if gap == 0 else _m(gap, lang))))
    figures.extend(terrain_figures(village, data, lang))
    table, neighbours = _neighbours(villages, row, plane, lang)
    layers = [MapLayer("boundary", data.layer("boundary")) if "boundary" in data.layers
              else None,
              MapLayer("villages", villages, labels=True),
              MapLayer("sites", data.optional("sites"), labels=True)
              if data.optional("sites") is not None else None,
              MapLayer("roads", roads, labels=True) if roads is not None else None,
              MapLayer("facilities", facilities) if facilities is not None else None]
    fit = pd.concat([village, neighbours.head(4)], ignore_index=True)
    spec = StaticMapSpec(
        layers=tuple(m for m in layers if m is not None),
        fit=gpd.GeoDataFrame(fit, geometry="geometry", crs=villages.crs),
        highlight=village, highlight_label=_name(row, lang), margin=0.1, min_span_m=4000.0)
    town = row.get("town") or ""
    return BriefPage(
        title=tr("village.title", lang, name=_name(row, lang)),
        subtitle=tr("village.subtitle", lang, town=town, plan=plan, works=works),
        date=today or dt.date.today(), map=spec, figures=tuple(figures),
        table=table, table_title=tr("village.table", lang), lang=lang)


def _label(enum: type[StrEnum], code: object, lang: str) -> str:
    try:
        return enum(str(code)).label(lang)  # type: ignore[attr-defined]
    except ValueError:
        return str(code) if code is not None else tr("none", lang)


def _neighbours(villages: gpd.GeoDataFrame, row: pd.Series, plane: PlaneCRS, lang: str
                ) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    others = villages[villages["id"].astype(str) != str(row["id"])]
    if others.empty:
        return pd.DataFrame(), others
    here = gpd.GeoSeries([row.geometry], crs=villages.crs).to_crs(plane.epsg).iloc[0]
    dist = others.geometry.to_crs(plane.epsg).distance(here).to_numpy()
    order = np.argsort(dist, kind="stable")[:NEIGHBOURS]
    near = others.iloc[order]
    table = pd.DataFrame({
        tr("col.village", lang): [_name(r, lang) for _, r in near.iterrows()],
        tr("col.plan", lang): [_label(VillagePlan, v, lang) for v in near["plan_category"]],
        tr("col.area_mu", lang): near["area_mu_plane"].to_numpy(dtype=float),
        tr("col.distance_m", lang): np.round(dist[order]).astype(int),
    })
    return table, near


# --- park ---------------------------------------------------------------------------------


def park_brief(data: BriefData, name: str, *, lang: str = "zh",
               today: dt.date | None = None) -> BriefPage:
    """A park or district: area, parcel coverage (the dashboard's), its registered
    projects; the park with its parcels (by stage) and projects on the map."""
    parks = data.layer("parks")
    parcels = data.layer("parcels")
    row = find_feature(parks, name, what="park")
    park = _one(row, parks.crs)
    plane = data.planes.get("parks") or choose_plane_crs(parks)
    cov = park_coverage(parks, parcels, plane=plane)
    c = cov[cov["id"].astype(str) == str(row["id"])].iloc[0]
    projects = data.optional("projects")
    mine = (projects[projects["park"].astype(str) == str(row["name"])]
            if projects is not None and "park" in projects.columns else None)
    figures = [
        (tr("park.area", lang), _mu(float(c["area_mu_plane"]), lang)),
        (tr("park.covered", lang), _mu(float(c["covered_mu_plane"]), lang)),
        (tr("park.covered_ell", lang), _mu(float(c["covered_mu_ellipsoidal"]), lang)),
        (tr("park.share", lang), f"{float(c['share_covered']):.1%}"),
        (tr("park.parcels", lang), f"{int(c['parcel_count'])}"),
    ]
    if mine is not None:
        invest = pd.to_numeric(mine["investment_10k_cny"], errors="coerce").sum()
        figures.append((tr("park.projects", lang), f"{len(mine)}"))
        figures.append((tr("park.investment", lang),
                        tr("park.investment_value", lang, value=f"{invest:,.0f}")))
    figures.extend(terrain_figures(park, data, lang))
    table, title = _park_table(park, parcels, mine, plane, lang)
    kind = _label(ParkKind, row.get("kind"), lang)
    parent = row.get("parent")
    parent_text = ""
    if isinstance(parent, str) and parent.strip():
        rows = parks[parks["name"].astype(str) == parent]
        shown = _name(rows.iloc[0], lang) if len(rows) else parent
        parent_text = tr("park.parent", lang, parent=shown)
    layers = [MapLayer("boundary", data.layer("boundary")) if "boundary" in data.layers
              else None,
              MapLayer("parks", parks, labels=True),
              MapLayer("parcels", parcels, labels=True),
              MapLayer("projects", mine if mine is not None else projects, labels=True)
              if projects is not None else None]
    spec = StaticMapSpec(layers=tuple(m for m in layers if m is not None), fit=park,
                         highlight=park, highlight_label=_name(row, lang), margin=0.1,
                         min_span_m=500.0)
    return BriefPage(
        title=tr("park.title", lang, name=_name(row, lang)),
        subtitle=tr("park.subtitle", lang, kind=kind, parent=parent_text),
        date=today or dt.date.today(), map=spec, figures=tuple(figures), table=table,
        table_title=title, lang=lang)


def parcel_mu_in(park: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame, plane: PlaneCRS
                 ) -> np.ndarray:
    """Each parcel's area inside ``park`` (one polygon), mu, in ``plane``."""
    shape = park.geometry.to_crs(plane.epsg).iloc[0]
    inside = parcels.geometry.to_crs(plane.epsg).intersection(shape)
    return inside.area.to_numpy() / M2_PER_MU


def _park_table(park: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame,
                projects: gpd.GeoDataFrame | None, plane: PlaneCRS, lang: str
                ) -> tuple[pd.DataFrame | None, str]:
    mu = parcel_mu_in(park, parcels, plane)
    hit = mu > 1e-6
    if hit.any():
        frame = pd.DataFrame({"stage": parcels["stage"].astype("object").to_numpy()[hit],
                              "mu": mu[hit]})
        grouped = frame.groupby("stage", sort=False)["mu"].agg(["count", "sum"])
        order = [s for s in [NOT_STARTED, *(x.value for x in _stages())] if s in grouped.index]
        order += [s for s in grouped.index if s not in order]
        table = pd.DataFrame({
            tr("col.stage", lang): [stage_label(s, lang) for s in order],
            tr("col.parcels", lang): [int(grouped.loc[s, "count"]) for s in order],
            tr("col.area_mu", lang): [float(grouped.loc[s, "sum"]) for s in order],
        })
        return table, tr("park.table", lang)
    if projects is not None and len(projects):
        counts = projects["status"].value_counts()
        table = pd.DataFrame({
            tr("col.status", lang): [s.label(lang) for s in ProjectStatus
                                     if counts.get(s.value, 0)],
            tr("col.count", lang): [int(counts[s.value]) for s in ProjectStatus
                                    if counts.get(s.value, 0)],
        })
        return table, tr("park.table_projects", lang)
    return None, ""


def _stages() -> list[ParcelStage]:
    return list(ParcelStage)


# --- progress -----------------------------------------------------------------------------


def progress_brief(data: BriefData, *, as_of: dt.date | None = None, lang: str = "zh",
                   today: dt.date | None = None) -> BriefPage:
    """Acquisition progress per phase (net land against 1420 / 1700 mu) now or on
    ``as_of`` (from the stage history), the parcels coloured by their stage then."""
    parcels = data.layer("parcels")
    plane = data.planes.get("parcels") or choose_plane_crs(parcels)
    history = data.has_history if data.stages_on is not None else len(data.events) > 0
    if as_of is not None and history and data.stages_on is not None:
        stages = data.stages_on(as_of)
        phases = progress_from_stages(parcels, stages, plane=plane)
        shown = parcels.copy()
        shown["stage"] = stages_on(parcels["id"], stages)
        subtitle = tr("progress.subtitle", lang, date=as_of.isoformat())
    elif as_of is not None and history:
        phases = progress(parcels, as_of=as_of, events=data.events, plane=plane)
        shown = parcels.copy()
        shown["stage"] = stages_as_of(parcels["id"], data.events, as_of).to_numpy()
        subtitle = tr("progress.subtitle", lang, date=as_of.isoformat())
    else:
        phases = acquisition_progress(parcels, plane=plane)
        shown = parcels
        subtitle = tr("progress.subtitle_now", lang)
        if as_of is not None:
            subtitle = tr("progress.no_history", lang)
    figures: list[tuple[str, str]] = []
    for p in phases:
        label = phase_label(p.phase, lang)
        figures.append((tr("progress.net", lang, phase=label), _net_text(p, lang)))
    for p in phases:
        figures.append((tr("progress.total", lang, phase=phase_label(p.phase, lang)),
                        tr("progress.total_value", lang, count=p.parcel_count,
                           mu=f"{p.total_mu:,.2f}")))
    parks = data.optional("parks")
    layers = [MapLayer("boundary", data.layer("boundary")) if "boundary" in data.layers
              else None,
              MapLayer("parks", parks, labels=True) if parks is not None else None,
              MapLayer("parcels", shown, labels=True)]
    spec = StaticMapSpec(layers=tuple(m for m in layers if m is not None), fit=parcels,
                         margin=0.05)
    return BriefPage(
        title=tr("progress.title", lang),
        subtitle=subtitle, date=today or dt.date.today(), map=spec,
        figures=tuple(figures), table=progress_table(phases, lang),
        table_title=tr("progress.table", lang), lang=lang)


def _net_text(p: PhaseProgress, lang: str) -> str:
    if p.target_mu:
        return tr("progress.net_value", lang, net=f"{p.net_land_mu:,.2f}",
                  target=f"{p.target_mu:,.0f}", share=f"{p.share_net_land:.1%}")
    return tr("progress.net_value_no_target", lang, net=f"{p.net_land_mu:,.2f}")


def progress_table(phases: list[PhaseProgress], lang: str) -> pd.DataFrame:
    """Stages (rows, workflow order, only those with land) × phases (mu), and a total."""
    order = [NOT_STARTED, *(s.value for s in _stages())]
    used = [s for s in order if any(p.by_stage_mu.get(s, 0.0) > 0 for p in phases)]
    table = pd.DataFrame({tr("col.stage", lang): [stage_label(s, lang) for s in used]})
    for p in phases:
        table[phase_label(p.phase, lang)] = [p.by_stage_mu.get(s, 0.0) for s in used]
    total = {tr("col.stage", lang): tr("col.total", lang)}
    total |= {phase_label(p.phase, lang): p.total_mu for p in phases}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


# --- the use case -------------------------------------------------------------------------


def build_brief(data: BriefData, kind: BriefKind | str, name: str | None = None, *,
                as_of: dt.date | None = None, lang: str = "zh",
                today: dt.date | None = None) -> BriefPage:
    """The page of one brief (``name`` for a village or park; ``as_of`` for progress)."""
    kind = BriefKind(kind)
    if kind is BriefKind.PROGRESS:
        return progress_brief(data, as_of=as_of, lang=lang, today=today)
    if not name or not name.strip():
        example = "挑水村" if kind is BriefKind.VILLAGE else ACQUISITION_PARK
        raise refusal(InputError, f"brief.{kind.value}_name_missing", {"example": example})
    if kind is BriefKind.VILLAGE:
        return village_brief(data, name, lang=lang, today=today)
    return park_brief(data, name, lang=lang, today=today)


def write_brief(store: LayerStore, kind: BriefKind | str, out: str | Path | BinaryIO, *,
                name: str | None = None, as_of: dt.date | None = None, lang: str = "zh",
                size: PageSize | str = PageSize.A4, fmt: OutputFormat | str | None = None,
                today: dt.date | None = None) -> BriefPage:
    """Make one brief from ``store`` and write it to ``out`` (.pdf or .png); return the page.

    The format (from ``out``'s extension unless ``fmt``) and the name are checked before
    anything is drawn; on any error nothing is written.
    """
    if fmt is None and isinstance(out, str | Path):
        fmt = output_format(out)
    kind = BriefKind(kind)
    data = load_brief_data(store, NEEDED[kind])
    page = build_brief(data, kind, name, as_of=as_of, lang=lang, today=today)
    render_pages([page], out, size=size, fmt=fmt)
    return page

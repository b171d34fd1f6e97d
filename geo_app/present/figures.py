"""The figures and tables a slide can show, by registry key, computed from the layers.

Every value comes from the analysis functions the dashboard uses
(:mod:`geo_app.analysis.dashboard`, :mod:`geo_app.analysis.progress`): a storyboard names
a figure (``progress.phase1.net_land_mu``), never types a number.

Keys are fixed (``villages.count``) or carry a parameter: ``progress.phase<N>.<field>``
for an acquisition phase and ``park.<id>.<field>`` for a park of the parks layer
(``park.P-QC.area_mu``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_app.analysis.crs import PlaneCRS, choose_plane_crs
from geo_app.analysis.dashboard import (
    acquisition_progress,
    loop_belt_villages,
    park_coverage,
    project_summary,
    projects_by,
    village_summary,
)
from geo_app.analysis.progress import PhaseProgress, progress
from geo_app.domain.categories import (
    FacilityKind,
    RoadKind,
    SiteKind,
    VillagePlan,
    WorksProgramme,
)
from geo_app.domain.phases import phase_label
from geo_app.errors import InputError

Text = tuple[str, str]  # (Chinese, English)


@dataclass(frozen=True)
class StoryData:
    """What the figures are computed from: the store's layers (lon/lat, with areas where
    the loader added them), the stage-event log, the planes of the layers, and the date
    progress is shown as of (``None``: the parcels' current stage)."""

    layers: dict[str, gpd.GeoDataFrame]
    events: pd.DataFrame
    planes: dict[str, PlaneCRS] = field(default_factory=dict)
    as_of: dt.date | None = None
    _memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def layer(self, name: str) -> gpd.GeoDataFrame:
        if name not in self.layers:
            have = ", ".join(self.layers) or "none"
            raise InputError(f"The store has no layer '{name}' (it has: {have}); import it "
                             "or point GEO_APP_STORE at a store that has it.")
        return self.layers[name]

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def with_as_of(self, as_of: dt.date | None) -> StoryData:
        return StoryData(self.layers, self.events, self.planes, as_of)


@dataclass(frozen=True)
class FigureDef:
    label: Text
    unit: Text
    compute: Callable[[StoryData], float]
    decimals: int = 0
    percent: bool = False


@dataclass(frozen=True)
class Figure:
    """A computed figure, ready to show."""

    key: str
    label: str
    value: float
    unit: str
    text: str


@dataclass(frozen=True)
class TableDef:
    label: Text
    compute: Callable[[StoryData, str], pd.DataFrame]


# --- shared computations (memoised per StoryData) ---------------------------------------


def phases(data: StoryData) -> list[PhaseProgress]:
    """Progress per phase as of ``data.as_of`` (from the ledger), else now."""
    def compute() -> list[PhaseProgress]:
        parcels = data.layer("parcels")
        plane = data.planes.get("parcels")
        if data.as_of is not None and len(data.events):
            return progress(parcels, as_of=data.as_of, events=data.events, plane=plane)
        return acquisition_progress(parcels, plane=plane)
    return data.memo(f"phases:{data.as_of}", compute)


def _phase(data: StoryData, number: int) -> PhaseProgress:
    for p in phases(data):
        if p.phase == number:
            return p
    have = ", ".join(str(p.phase) for p in phases(data)) or "none"
    raise InputError(f"The parcels layer has no acquisition phase {number} (phases: {have}).")


def belt(data: StoryData) -> pd.DataFrame:
    return data.memo("belt", lambda: loop_belt_villages(
        data.layer("villages"), data.layer("roads"), plane=data.planes.get("villages")))


def coverage_table(data: StoryData) -> pd.DataFrame:
    return data.memo("coverage", lambda: park_coverage(
        data.layer("parks"), data.layer("parcels"), plane=data.planes.get("parks")))


def loop_roads(data: StoryData) -> gpd.GeoDataFrame:
    roads = data.layer("roads")
    loop = roads[roads["kind"] == RoadKind.TOURISM_LOOP.value]
    if loop.empty:
        raise InputError("The roads layer has no tourism loop road (kind 'tourism_loop').")
    return loop


def loop_length_km(data: StoryData) -> float:
    """Length of the tourism loop road in the GK plane of its own zone, km."""
    loop = loop_roads(data)
    plane = choose_plane_crs(loop)
    return float(loop.geometry.to_crs(plane.epsg).length.sum()) / 1000.0


def sewage_plants(data: StoryData) -> gpd.GeoDataFrame:
    fac = data.layer("facilities")
    return fac[fac["kind"] == FacilityKind.SEWAGE_PLANT.value]


def park_row(data: StoryData, park_id: str) -> pd.Series:
    table = coverage_table(data)
    rows = table[table["id"].astype(str) == park_id]
    if rows.empty:
        ids = table["id"].astype(str).tolist()
        raise InputError(f"The parks layer has no park '{park_id}'{near(park_id, ids)}.")
    return rows.iloc[0]


def park_projects(data: StoryData, park_id: str) -> int:
    """Projects in the park, or in the parks of a district."""
    parks = data.layer("parks")
    name = str(parks.loc[parks["id"].astype(str) == park_id, "name"].iloc[0])
    names = {name}
    if "parent" in parks.columns:
        names |= set(parks.loc[parks["parent"] == name, "name"])
    return int(data.layer("projects")["park"].isin(names).sum())


# --- the registry --------------------------------------------------------------------------

MU: Text = ("亩", "mu")
ONE: Text = ("", "")
_VILLAGES: Text = ("个", "")

FIGURES: dict[str, FigureDef] = {
    "parks.count": FigureDef(("片区与园区", "Districts and parks"), _VILLAGES,
                             lambda d: len(d.layer("parks"))),
    "projects.count": FigureDef(("在库重点项目", "Key projects in the library"), _VILLAGES,
                                lambda d: project_summary(d.layer("projects")).total),
    "projects.infrastructure": FigureDef(
        ("基础设施项目", "Infrastructure projects"), _VILLAGES,
        lambda d: project_summary(d.layer("projects")).infrastructure),
    "projects.newly_started_big": FigureDef(
        ("新开工5000万元以上项目", "Newly started, ≥ 50 M CNY"), _VILLAGES,
        lambda d: project_summary(d.layer("projects")).newly_started_big),
    "villages.count": FigureDef(("美丽乡村规划村庄", "Villages with plans"), _VILLAGES,
                                lambda d: village_summary(d.layer("villages")).total),
    "villages.demonstration": FigureDef(
        ("示范村", "Demonstration villages"), _VILLAGES,
        lambda d: village_summary(d.layer("villages")).plan_count(VillagePlan.DEMONSTRATION)),
    "villages.remediation": FigureDef(
        ("整治村", "Remediation villages"), _VILLAGES,
        lambda d: village_summary(d.layer("villages")).plan_count(VillagePlan.REMEDIATION)),
    "villages.phase2_demonstration": FigureDef(
        ("二期示范工程村", "Phase-2 demonstration works"), _VILLAGES,
        lambda d: village_summary(d.layer("villages")).works_count(
            WorksProgramme.PHASE2_DEMONSTRATION)),
    "villages.consolidation": FigureDef(
        ("巩固提升村", "Consolidation and upgrading"), _VILLAGES,
        lambda d: village_summary(d.layer("villages")).works_count(
            WorksProgramme.CONSOLIDATION)),
    "sewage_plants.count": FigureDef(("新建村级污水处理站", "New village sewage plants"),
                                     ("座", ""), lambda d: len(sewage_plants(d))),
    "sewage_plants.capacity_t_per_day": FigureDef(
        ("日处理规模", "Treatment capacity"), ("吨/日", "t/day"),
        lambda d: float(pd.to_numeric(sewage_plants(d)["capacity_t_per_day"]).sum())),
    "loop_road.length_km": FigureDef(("旅游循环道路长度", "Tourism loop road"), ("公里", "km"),
                                     loop_length_km, decimals=1),
    "loop_road.belt_villages": FigureDef(
        ("沿线2公里内村集体", "Village collectives within 2 km"), _VILLAGES,
        lambda d: len(belt(d))),
    "loop_road.belt_population": FigureDef(
        ("沿线村庄人口", "People in those villages"), ("人", ""),
        lambda d: int(pd.to_numeric(d.layer("villages").set_index("id").loc[
            belt(d)["id"], "population"]).sum())),
    "sites.agricultural_bases": FigureDef(
        ("特色农业基地", "Featured agricultural bases"), _VILLAGES,
        lambda d: int((d.layer("sites")["kind"] == SiteKind.AGRICULTURAL_BASE.value).sum())),
}

#: ``progress.phase<N>.<field>``
PHASE_FIELDS: dict[str, tuple[Text, Text, Callable[[PhaseProgress], float], int, bool]] = {
    "net_land_mu": (("净地", "Net land"), MU, lambda p: p.net_land_mu, 2, False),
    "target_mu": (("目标", "Target"), MU, lambda p: float(p.target_mu or np.nan), 0, False),
    "share_net_land": (("完成率", "Share of target"), ONE,
                       lambda p: float(p.share_net_land if p.share_net_land is not None
                                       else np.nan), 1, True),
    "total_mu": (("已启动征地", "Acquisition started"), MU, lambda p: p.total_mu, 2, False),
    "parcel_count": (("地块数", "Parcels"), ("块", ""), lambda p: p.parcel_count, 0, False),
}
#: ``park.<id>.<field>``
PARK_FIELDS: dict[str, tuple[Text, Text, int, bool]] = {
    "area_mu": (("面积", "Area"), MU, 0, False),
    "covered_mu": (("征地地块覆盖", "Covered by parcels"), MU, 0, False),
    "share_covered": (("征地覆盖率", "Share covered"), ONE, 1, True),
    "parcels": (("征地地块", "Acquisition parcels"), ("块", ""), 0, False),
    "projects": (("重点项目", "Key projects"), _VILLAGES, 0, False),
}
_PHASE_KEY = re.compile(r"^progress\.phase(\d+)\.([a-z_]+)$")
_PARK_KEY = re.compile(r"^park\.([^.]+)\.([a-z_]+)$")


def _park_value(data: StoryData, park_id: str, field_name: str) -> float:
    if field_name == "projects":
        park_row(data, park_id)  # an unknown park is said
        return park_projects(data, park_id)
    row = park_row(data, park_id)
    column = {"area_mu": "area_mu_plane", "covered_mu": "covered_mu_plane",
              "share_covered": "share_covered", "parcels": "parcel_count"}[field_name]
    return float(row[column])


def figure_def(key: str) -> FigureDef | None:
    """The definition of ``key``, or ``None`` if no figure has that key."""
    if key in FIGURES:
        return FIGURES[key]
    if m := _PHASE_KEY.match(key):
        number, name = int(m.group(1)), m.group(2)
        if name not in PHASE_FIELDS:
            return None
        label, unit, get, decimals, percent = PHASE_FIELDS[name]
        phase_text = (f"{phase_label(number, 'zh')}{label[0]}",
                      f"Phase {number} {label[1].lower()}")
        return FigureDef(phase_text, unit, lambda d: get(_phase(d, number)), decimals, percent)
    if m := _PARK_KEY.match(key):
        park_id, name = m.group(1), m.group(2)
        if name not in PARK_FIELDS:
            return None
        label, unit, decimals, percent = PARK_FIELDS[name]
        return FigureDef(label, unit, lambda d: _park_value(d, park_id, name), decimals,
                         percent)
    return None


def figure_keys() -> list[str]:
    """Every key a storyboard may use (parameters shown as ``<N>`` and ``<id>``)."""
    return [*FIGURES, *(f"progress.phase<N>.{f}" for f in PHASE_FIELDS),
            *(f"park.<id>.{f}" for f in PARK_FIELDS)]


def format_value(value: float, *, decimals: int, percent: bool) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "—"
    if percent:
        return f"{value * 100:,.{decimals}f}%"
    return f"{value:,.{decimals}f}"


def compute_figure(data: StoryData, key: str, lang: str = "zh") -> Figure:
    """The figure ``key`` computed from ``data``, labelled in ``lang``."""
    spec = figure_def(key)
    if spec is None:
        raise InputError(f"Unknown figure '{key}'{near(key, figure_keys())}.")
    value = spec.compute(data)
    i = 0 if lang == "zh" else 1
    label = spec.label[i]
    if m := _PARK_KEY.match(key):  # say which park: 青春化工园面积 / Qingchun Chemical Park: area
        row = park_row(data, m.group(1))
        label = f"{row['name']}{label}" if lang == "zh" else f"{row['name_en']}: {label.lower()}"
    return Figure(key, label, float(value), spec.unit[i],
                  format_value(float(value), decimals=spec.decimals, percent=spec.percent))


# --- tables ---------------------------------------------------------------------------------


def _name(frame: pd.DataFrame, lang: str) -> pd.Series:
    if lang == "zh" or "name_en" not in frame.columns:
        return frame["name"]
    return frame["name_en"].fillna(frame["name"])


def _progress_table(data: StoryData, lang: str) -> pd.DataFrame:
    zh = lang == "zh"
    return pd.DataFrame({
        "期次" if zh else "Phase": [phase_label(p.phase, lang) for p in phases(data)],
        "目标（亩）" if zh else "Target (mu)": [
            format_value(float(p.target_mu or np.nan), decimals=0, percent=False)
            for p in phases(data)],
        "净地（亩）" if zh else "Net land (mu)": [
            format_value(p.net_land_mu, decimals=2, percent=False) for p in phases(data)],
        "完成率" if zh else "Share": [
            format_value(float(p.share_net_land if p.share_net_land is not None else np.nan),
                         decimals=1, percent=True) for p in phases(data)],
    })


def _coverage_table(data: StoryData, lang: str) -> pd.DataFrame:
    zh = lang == "zh"
    t = coverage_table(data)
    return pd.DataFrame({
        "片区/园区" if zh else "Park": _name(t, lang).to_numpy(),
        "面积（亩）" if zh else "Area (mu)": [
            format_value(v, decimals=0, percent=False) for v in t["area_mu_plane"]],
        "征地覆盖（亩）" if zh else "Covered (mu)": [
            format_value(v, decimals=0, percent=False) for v in t["covered_mu_plane"]],
        "覆盖率" if zh else "Share": [
            format_value(v, decimals=1, percent=True) for v in t["share_covered"]],
    })


def _works_villages(data: StoryData, lang: str, works: WorksProgramme) -> pd.DataFrame:
    zh = lang == "zh"
    v = data.layer("villages")
    v = v[v["works_programme"] == works.value]
    plants = sewage_plants(data)
    has_plant = v["name"].isin(set(plants["village"])) if "village" in plants else False
    return pd.DataFrame({
        "村庄" if zh else "Village": _name(v, lang).to_numpy(),
        "乡镇" if zh else "Town": v["town"].to_numpy(),
        "人口" if zh else "Population": [f"{int(p):,}" for p in v["population"]],
        "污水处理站" if zh else "Sewage plant": np.where(
            np.asarray(has_plant, dtype=bool), "有" if zh else "yes", "—"),
    })


def _sewage_table(data: StoryData, lang: str) -> pd.DataFrame:
    zh = lang == "zh"
    f = sewage_plants(data)
    return pd.DataFrame({
        "污水处理站" if zh else "Sewage plant": f["name"].to_numpy(),
        "所在村" if zh else "Village": f["village"].to_numpy(),
        "规模（吨/日）" if zh else "Capacity (t/day)": [
            format_value(float(c), decimals=0, percent=False)
            for c in f["capacity_t_per_day"]],
    })


def _belt_table(data: StoryData, lang: str) -> pd.DataFrame:
    zh = lang == "zh"
    b = belt(data)
    return pd.DataFrame({
        "村庄" if zh else "Village": _name(b, lang).to_numpy(),
        "乡镇" if zh else "Town": b["town"].to_numpy(),
        "距道路（米）" if zh else "To the road (m)": [f"{d:,.0f}" for d in b["distance_m"]],
    })


def _projects_table(data: StoryData, lang: str) -> pd.DataFrame:
    zh = lang == "zh"
    t = projects_by(data.layer("projects"), "status", lang=lang)
    return pd.DataFrame({
        "进展" if zh else "Status": t["label"].to_numpy(),
        "项目数" if zh else "Projects": t["count"].to_numpy(),
        "总投资（亿元）" if zh else "Investment (100 M CNY)": [
            format_value(v / 1e4, decimals=1, percent=False)
            for v in t["investment_10k_cny"]],
    })


TABLES: dict[str, TableDef] = {
    "progress.phases": TableDef(("征地进度", "Acquisition progress"), _progress_table),
    "parks.coverage": TableDef(("片区征地覆盖", "Parks covered by parcels"), _coverage_table),
    "villages.phase2_demonstration": TableDef(
        ("二期示范工程村", "Phase-2 demonstration villages"),
        lambda d, lang: _works_villages(d, lang, WorksProgramme.PHASE2_DEMONSTRATION)),
    "villages.consolidation": TableDef(
        ("巩固提升村", "Consolidation villages"),
        lambda d, lang: _works_villages(d, lang, WorksProgramme.CONSOLIDATION)),
    "sewage_plants": TableDef(("村级污水处理站", "Village sewage plants"), _sewage_table),
    "loop_road.belt_villages": TableDef(("旅游循环道路沿线村庄", "Villages along the loop road"),
                                        _belt_table),
    "projects.by_status": TableDef(("重点项目进展", "Key projects by status"), _projects_table),
}


def compute_table(data: StoryData, key: str, lang: str = "zh") -> pd.DataFrame:
    """The table ``key`` as text cells with headers in ``lang``."""
    if key not in TABLES:
        raise InputError(f"Unknown table '{key}'{near(key, list(TABLES))}.")
    return TABLES[key].compute(data, lang)


def near(word: str, allowed: list[str]) -> str:
    """`` (did you mean: a, b?)`` for close matches of ``word`` in ``allowed``, else ``""``."""
    matches = difflib.get_close_matches(word, allowed, n=3, cutoff=0.6)
    return f" (did you mean: {', '.join(matches)}?)" if matches else ""

"""The figures of the dashboard, computed from the layers by the analysis functions.

Pure functions of GeoDataFrames returning small tables and dataclasses; the app only
shows what they return. Codes (stages, statuses, categories) stay codes here, and every
table that a reader sees in a language gets a ``label`` column from ``lang``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_app.analysis.area import projected
from geo_app.analysis.coverage import coverage
from geo_app.analysis.crs import PlaneCRS, choose_plane_crs
from geo_app.analysis.progress import NOT_STARTED, PhaseProgress, progress, stages_as_of
from geo_app.analysis.proximity import within_distance
from geo_app.domain.categories import (
    ProjectCategory,
    ProjectStatus,
    RoadKind,
    VillagePlan,
    WorksProgramme,
)
from geo_app.domain.stages import ParcelStage, stage_label_or_unknown
from geo_app.domain.targets import LOOP_BELT_M
from geo_app.errors import InputError

#: The year the source article reports on: "newly started" means started in it.
REPORT_YEAR = 2021
#: "Newly started projects of 50 million CNY or more" (5000 × 10k CNY).
BIG_PROJECT_10K_CNY = 5000.0


def _require(gdf: gpd.GeoDataFrame, layer: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise InputError(
            f"Layer '{layer}' lacks column(s) {', '.join(missing)} that the dashboard needs. "
            "Re-import it with the columns of the layer specification."
        )


def stage_label(code: str, lang: str = "zh") -> str:
    """Label of a stage code, or of ``not_started``, in ``lang``."""
    if code == NOT_STARTED:
        return "未启动" if lang == "zh" else "Not started"
    return stage_label_or_unknown(code, lang)


# --- acquisition progress ------------------------------------------------------------------


def acquisition_progress(
    parcels: gpd.GeoDataFrame, *, plane: PlaneCRS | None = None
) -> list[PhaseProgress]:
    """Progress of each acquisition phase now: mu by stage, net land vs the 1420/1700 targets."""
    _require(parcels, "parcels", ("id", "phase", "stage"))
    return progress(parcels, plane=plane)


def stage_mu_table(phases: list[PhaseProgress], *, lang: str = "zh") -> pd.DataFrame:
    """Long table of mu per phase and stage in workflow order (for a stacked bar chart).

    Columns: ``phase``, ``stage`` (code), ``stage_label``, ``stage_order`` (0 = not started,
    then the workflow order), ``area_mu``.
    """
    codes = [NOT_STARTED, *(s.value for s in ParcelStage)]
    rows = [
        {
            "phase": p.phase,
            "stage": code,
            "stage_label": stage_label(code, lang),
            "stage_order": codes.index(code),
            "area_mu": mu,
        }
        for p in phases
        for code, mu in p.by_stage_mu.items()
    ]
    frame = pd.DataFrame(rows, columns=["phase", "stage", "stage_label", "stage_order", "area_mu"])
    return frame.sort_values(["phase", "stage_order"], kind="stable").reset_index(drop=True)


# --- parks ---------------------------------------------------------------------------------


def park_coverage(
    parks: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame, *, plane: PlaneCRS | None = None
) -> pd.DataFrame:
    """Area of each park covered by acquisition parcels (overlaps once) and its share.

    Columns: ``id``, ``name``, ``name_en``, ``area_mu_plane``, ``covered_mu_plane``,
    ``covered_mu_ellipsoidal``, ``share_covered`` (0–1), ``parcel_count`` (parcels that
    share area with the park, so a district counts the parcels of the parks inside it
    and a parcel across a boundary counts in both parks; touching the edge does not count).
    """
    _require(parks, "parks", ("id", "name"))
    plane = plane or choose_plane_crs(parks)
    table = coverage(parks, parcels, plane=plane)
    table["name_en"] = parks["name_en"].to_numpy() if "name_en" in parks else table["name"]
    table["parcel_count"] = overlapping_counts(parks, parcels, plane=plane)
    cols = ["id", "name", "name_en", "area_mu_plane", "covered_mu_plane",
            "covered_mu_ellipsoidal", "share_covered", "parcel_count"]
    return table[cols]


def overlapping_counts(
    of: gpd.GeoDataFrame, by: gpd.GeoDataFrame, *, plane: PlaneCRS
) -> np.ndarray:
    """For each polygon of ``of``, how many features of ``by`` share area with it.

    Interiors must meet: a feature that only touches the polygon's edge is not counted.
    Both layers are compared in ``plane``, the CRS the covered areas are measured in.
    """
    counts = np.zeros(len(of), dtype="int64")
    if len(of) == 0 or len(by) == 0:
        return counts
    of_plane = np.array(projected(of.geometry, plane.epsg), dtype=object)
    by_plane = projected(by.geometry, plane.epsg)
    shapely.prepare(of_plane)
    of_idx, by_idx = shapely.STRtree(by_plane).query(of_plane, predicate="intersects")
    # strictly inside shares area for sure; only the others can merely touch
    overlapping = shapely.contains_properly(of_plane[of_idx], by_plane[by_idx])
    edge = ~overlapping
    overlapping[edge] = ~shapely.touches(of_plane[of_idx[edge]], by_plane[by_idx[edge]])
    return np.bincount(of_idx[overlapping], minlength=len(of)).astype("int64")


# --- villages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class VillageSummary:
    """The beautiful-village plan figures: villages with plans, per category and programme."""

    total: int
    by_plan: dict[str, int] = field(default_factory=dict)
    by_works: dict[str, int] = field(default_factory=dict)

    def plan_count(self, plan: VillagePlan) -> int:
        return self.by_plan.get(plan.value, 0)

    def works_count(self, works: WorksProgramme) -> int:
        return self.by_works.get(works.value, 0)


def village_summary(villages: gpd.GeoDataFrame) -> VillageSummary:
    """Count villages per plan category and per works programme (``none`` left out)."""
    _require(villages, "villages", ("plan_category", "works_programme"))
    plans = villages["plan_category"].value_counts()
    works = villages["works_programme"].value_counts()
    return VillageSummary(
        total=len(villages),
        by_plan={p.value: int(plans.get(p.value, 0)) for p in VillagePlan},
        by_works={w.value: int(works.get(w.value, 0)) for w in WorksProgramme
                  if w is not WorksProgramme.NONE},
    )


def village_table(summary: VillageSummary, *, lang: str = "zh") -> pd.DataFrame:
    """Plan categories then works programmes, with labels: ``group``, ``code``, ``label``,
    ``count``."""
    rows = [{"group": "plan", "code": p.value, "label": p.label(lang),
             "count": summary.plan_count(p)} for p in VillagePlan]
    rows += [{"group": "works", "code": w.value, "label": w.label(lang),
              "count": summary.works_count(w)} for w in WorksProgramme
             if w is not WorksProgramme.NONE]
    return pd.DataFrame(rows, columns=["group", "code", "label", "count"])


# --- key projects --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectSummary:
    """Key-project figures: library size, infrastructure, newly started big projects."""

    total: int
    infrastructure: int
    newly_started_big: int
    total_investment_10k_cny: float
    year: int
    min_investment_10k_cny: float


def project_summary(
    projects: gpd.GeoDataFrame,
    *,
    year: int = REPORT_YEAR,
    min_investment_10k_cny: float = BIG_PROJECT_10K_CNY,
) -> ProjectSummary:
    """Projects in the library; infrastructure ones; started in ``year`` at ≥ the threshold."""
    _require(projects, "projects", ("category", "status", "investment_10k_cny", "start_year"))
    start = pd.to_numeric(projects["start_year"], errors="coerce")
    invest = pd.to_numeric(projects["investment_10k_cny"], errors="coerce")
    big_new = (start == year) & (invest >= min_investment_10k_cny)
    return ProjectSummary(
        total=len(projects),
        infrastructure=int((projects["category"] == ProjectCategory.INFRASTRUCTURE.value).sum()),
        newly_started_big=int(big_new.fillna(False).sum()),
        total_investment_10k_cny=float(invest.sum()),
        year=year,
        min_investment_10k_cny=min_investment_10k_cny,
    )


def projects_by(projects: gpd.GeoDataFrame, column: str, *, lang: str = "zh") -> pd.DataFrame:
    """Count and investment of projects per ``status`` or ``category``, in enum order.

    Columns: ``code``, ``label``, ``count``, ``investment_10k_cny``.
    """
    enums = {"status": ProjectStatus, "category": ProjectCategory}
    if column not in enums:
        raise InputError(f"Projects can be grouped by status or category, not {column!r}.")
    _require(projects, "projects", (column, "investment_10k_cny"))
    invest = pd.to_numeric(projects["investment_10k_cny"], errors="coerce").fillna(0.0)
    grouped = invest.groupby(projects[column].to_numpy())
    counts, sums = grouped.size(), grouped.sum()
    rows = [
        {"code": e.value, "label": e.label(lang), "count": int(counts.get(e.value, 0)),
         "investment_10k_cny": float(sums.get(e.value, 0.0))}
        for e in enums[column]
    ]
    return pd.DataFrame(rows, columns=["code", "label", "count", "investment_10k_cny"])


# --- loop road -----------------------------------------------------------------------------


def loop_belt_villages(
    villages: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    *,
    distance_m: float = LOOP_BELT_M,
    plane: PlaneCRS | None = None,
) -> pd.DataFrame:
    """Villages any part of which lies within ``distance_m`` of the tourism loop road.

    Columns: ``id``, ``name``, ``name_en``, ``town``, ``distance_m``, nearest first.
    """
    _require(roads, "roads", ("kind",))
    loop = roads[roads["kind"] == RoadKind.TOURISM_LOOP.value]
    if loop.empty:
        raise InputError(
            "The roads layer has no tourism loop road (kind 'tourism_loop'); add it to see "
            "the villages along it."
        )
    near = within_distance(villages, loop, distance_m=distance_m, plane=plane)
    cols = [c for c in ("id", "name", "name_en", "town", "distance_m") if c in near.columns]
    return (pd.DataFrame(near[cols]).sort_values(["distance_m", "id"], kind="stable")
            .reset_index(drop=True))


# --- acquisition as of a date --------------------------------------------------------------


def parcels_as_of(
    parcels: gpd.GeoDataFrame, events: pd.DataFrame, day: dt.date
) -> gpd.GeoDataFrame:
    """The parcels that had started acquisition on ``day``, with that day's stage.

    ``stage`` is replaced by the stage in effect on ``day`` (from the event log, as
    :func:`~geo_app.analysis.progress.stages_as_of`) and ``stage_date`` by the date of
    that event; parcels with no event yet on ``day`` are left out.
    """
    _require(parcels, "parcels", ("id",))
    stage = stages_as_of(parcels["id"].astype(str), events, day).to_numpy(dtype=object)
    started = stage != NOT_STARTED
    out = parcels[started].copy()
    out["stage"] = stage[started]
    if "stage_date" in out.columns and len(events):
        ev = events[pd.to_datetime(events["effective_date"]).dt.date <= day]
        ev = ev.sort_values(["effective_date", "recorded_at", "event_id"], kind="stable")
        last_day = ev.groupby("parcel_id", sort=False)["effective_date"].last()
        out["stage_date"] = out["id"].astype(str).map(last_day).to_numpy(dtype=object)
    return out

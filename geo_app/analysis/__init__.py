"""Pure analysis functions on GeoDataFrames: areas, coverage, proximity, progress."""

from __future__ import annotations

from geo_app.analysis.area import add_areas, area_totals, ellipsoidal_area_m2, plane_area_m2
from geo_app.analysis.coverage import coverage
from geo_app.analysis.crs import PlaneCRS, choose_plane_crs, ensure_crs, infer_crs
from geo_app.analysis.progress import PhaseProgress, progress, stages_as_of
from geo_app.analysis.proximity import nearest, within_distance
from geo_app.analysis.units import M2_PER_HA, M2_PER_MU, m2_to_ha, m2_to_mu

__all__ = [
    "M2_PER_HA",
    "M2_PER_MU",
    "PhaseProgress",
    "PlaneCRS",
    "add_areas",
    "area_totals",
    "choose_plane_crs",
    "coverage",
    "ellipsoidal_area_m2",
    "ensure_crs",
    "infer_crs",
    "m2_to_ha",
    "m2_to_mu",
    "nearest",
    "plane_area_m2",
    "progress",
    "stages_as_of",
    "within_distance",
]

"""Map filters as a value, and the pure function that applies them to the layers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

Layers = dict[str, gpd.GeoDataFrame]


@dataclass(frozen=True)
class MapFilters:
    """What the map shows; an empty tuple means "all" (no filter on that field)."""

    parks: tuple[str, ...] = ()
    phases: tuple[int, ...] = ()
    stages: tuple[str, ...] = ()
    village_plans: tuple[str, ...] = ()
    project_statuses: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        *,
        parks: Iterable[str] | None = None,
        phases: Iterable[int] | None = None,
        stages: Iterable[str] | None = None,
        village_plans: Iterable[str] | None = None,
        project_statuses: Iterable[str] | None = None,
    ) -> MapFilters:
        """Build from widget values (lists or None), sorted so equal choices hash equally."""
        return cls(
            parks=tuple(sorted(parks or ())),
            phases=tuple(sorted(int(p) for p in phases or ())),
            stages=tuple(sorted(stages or ())),
            village_plans=tuple(sorted(village_plans or ())),
            project_statuses=tuple(sorted(project_statuses or ())),
        )

    @property
    def is_empty(self) -> bool:
        return not (self.parks or self.phases or self.stages or self.village_plans
                    or self.project_statuses)


def unless_all(chosen: Iterable | None, choices: Iterable) -> list:
    """The chosen values, or none when every choice is chosen (the same map, cached)."""
    picked = list(chosen or ())
    return [] if picked and set(picked) >= set(choices) else picked


def _keep(gdf: gpd.GeoDataFrame, column: str, values: tuple) -> gpd.GeoDataFrame:
    if not values or column not in gdf.columns:
        return gdf
    return gdf[gdf[column].isin(values).to_numpy()]


def expand_parks(parks: gpd.GeoDataFrame | None, chosen: tuple[str, ...]) -> tuple[str, ...]:
    """The chosen parks plus the parks inside them (a district holds its parks)."""
    if not chosen or parks is None or "parent" not in parks.columns:
        return chosen
    inside = parks.loc[parks["parent"].isin(chosen).to_numpy(), "name"]
    return tuple(sorted({*chosen, *inside}))


def apply_filters(layers: Layers, filters: MapFilters) -> Layers:
    """The layers with the filters applied; untouched layers are the same objects.

    Park filters parks, parcels and projects; phase and stage filter parcels; plan category
    filters villages and the facilities of the villages kept; status filters projects.
    """
    out = dict(layers)
    parks_chosen = expand_parks(layers.get("parks"), filters.parks)
    if "parks" in out and parks_chosen:
        out["parks"] = _keep(out["parks"], "name", parks_chosen)
    if "parcels" in out:
        parcels = _keep(out["parcels"], "park", parks_chosen)
        parcels = _keep(parcels, "phase", filters.phases)
        out["parcels"] = _keep(parcels, "stage", filters.stages)
    if "projects" in out:
        projects = _keep(out["projects"], "park", parks_chosen)
        out["projects"] = _keep(projects, "status", filters.project_statuses)
    if "villages" in out and filters.village_plans:
        out["villages"] = _keep(out["villages"], "plan_category", filters.village_plans)
        if "facilities" in out and "village" in out["facilities"].columns:
            kept = tuple(out["villages"]["name"])
            out["facilities"] = _keep(out["facilities"], "village", kept)
    return out


def options(layers: Layers, layer: str, column: str) -> list:
    """The distinct values of a column for a filter widget, sorted."""
    gdf = layers.get(layer)
    if gdf is None or column not in gdf.columns:
        return []
    values = pd.Series(gdf[column]).dropna().unique().tolist()
    return sorted(values)

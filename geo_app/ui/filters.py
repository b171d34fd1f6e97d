"""Map filters as a value, and the pure function that applies them to the layers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
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
    works_programmes: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        *,
        parks: Iterable[str] | None = None,
        phases: Iterable[int] | None = None,
        stages: Iterable[str] | None = None,
        village_plans: Iterable[str] | None = None,
        project_statuses: Iterable[str] | None = None,
        works_programmes: Iterable[str] | None = None,
    ) -> MapFilters:
        """Build from widget values (lists or None), sorted so equal choices hash equally."""
        return cls(
            parks=tuple(sorted(parks or ())),
            phases=tuple(sorted(int(p) for p in phases or ())),
            stages=tuple(sorted(stages or ())),
            village_plans=tuple(sorted(village_plans or ())),
            project_statuses=tuple(sorted(project_statuses or ())),
            works_programmes=tuple(sorted(works_programmes or ())),
        )

    @property
    def is_empty(self) -> bool:
        return not (self.parks or self.phases or self.stages or self.village_plans
                    or self.project_statuses or self.works_programmes)

    def filtered_layers(self) -> tuple[str, ...]:
        """The layers these filters narrow (what the map zooms to)."""
        out = []
        if self.parks:
            out += ["parks", "parcels", "projects"]
        if self.phases or self.stages:
            out.append("parcels")
        if self.village_plans or self.works_programmes:
            out.append("villages")
        if self.project_statuses:
            out.append("projects")
        return tuple(dict.fromkeys(out))


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
    and works programme filter villages and the facilities of the villages kept; status
    filters projects.
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
    if "villages" in out and (filters.village_plans or filters.works_programmes):
        villages = _keep(out["villages"], "plan_category", filters.village_plans)
        out["villages"] = _keep(villages, "works_programme", filters.works_programmes)
        if "facilities" in out and "village" in out["facilities"].columns:
            kept = tuple(out["villages"]["name"])
            out["facilities"] = _keep(out["facilities"], "village", kept)
    return out


GEOGRAPHIC_EPSG = 4490


def filtered_bounds(shown: Layers, filters: MapFilters
                    ) -> tuple[float, float, float, float] | None:
    """``(minx, miny, maxx, maxy)`` lon/lat of what the filters kept, for the map to zoom to.

    Only the layers the filters narrow count (a stage filter zooms to those parcels, not
    to the whole district). ``None`` with no filter or when nothing is left.
    """
    return layers_bounds(shown, filters.filtered_layers())


def layers_bounds(layers: Layers, names: Iterable[str]
                  ) -> tuple[float, float, float, float] | None:
    """``(minx, miny, maxx, maxy)`` lon/lat of the features of ``names`` (``None``: none)."""
    boxes = []
    for name in names:
        gdf = layers.get(name)
        if gdf is None or len(gdf) == 0 or gdf.crs is None:
            continue
        geo = gdf if gdf.crs.to_epsg() in (GEOGRAPHIC_EPSG, 4326) else gdf.to_crs(
            GEOGRAPHIC_EPSG)
        b = geo.total_bounds
        if np.isfinite(b).all():
            boxes.append(b)
    if not boxes:
        return None
    arr = np.array(boxes)
    return (float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()),
            float(arr[:, 3].max()))


def options(layers: Layers, layer: str, column: str) -> list:
    """The distinct values of a column for a filter widget, sorted."""
    gdf = layers.get(layer)
    if gdf is None or column not in gdf.columns:
        return []
    values = pd.Series(gdf[column]).dropna().unique().tolist()
    return sorted(values)

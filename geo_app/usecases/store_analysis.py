"""Areas, park coverage and progress of a store's layers, the path chosen by the store.

On a :class:`~geo_app.storage.postgis.PostGISStore` the work runs in the database as SQL
(:mod:`geo_app.storage.postgis_analysis`), next to the data: nothing but the small result
tables crosses the network. On any other store the layers are read and the Python path
(:mod:`geo_app.analysis.area`, :mod:`~geo_app.analysis.coverage`,
:mod:`~geo_app.analysis.progress`) computes them. Both give the same figures, computed the
same way, to 1e-9 (tests run both on the same data): the SQL is handed the plane the Python
path would choose, the same GRS80 equal-area projection centred on the layer's extent, and
the coverage's tolerances.

Progress as of a date never reads the event log: the stage of each parcel on that date is
the store's SQL (:meth:`~geo_app.storage.base.LayerStore.stages_as_of`, or joined to the
areas in one query on PostGIS). The ``geo-app`` commands ``area`` (a store layer),
``coverage``, ``progress`` and ``events export`` call these functions.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_app.analysis.area import AREA_KEYS, PLANE_COLUMN, add_areas
from geo_app.analysis.coverage import EDGE_STEP_M, INTERIORS_MEET, LONG_EDGE_M, coverage
from geo_app.analysis.crs import (
    GEOGRAPHIC_EPSG,
    PlaneCRS,
    choose_plane_crs,
    majority_plane,
)
from geo_app.analysis.progress import (
    NET_LAND_OR_LATER,
    NOT_STARTED,
    PhaseProgress,
    at_stages,
    progress,
)
from geo_app.analysis.report import area_report
from geo_app.analysis.timeline import progress_from_stages
from geo_app.analysis.units import M2_PER_HA, M2_PER_MU
from geo_app.domain.stages import ParcelStage
from geo_app.domain.targets import PHASE_TARGETS_MU
from geo_app.errors import InputError
from geo_app.storage.gpkg import GeoPackageStore
from geo_app.storage.gpkg_analysis import read_layer_columns
from geo_app.storage.postgis_analysis import (
    Extent,
    areas_m2,
    coverage_m2,
    has_events,
    in_database,
    layer_extent,
    progress_m2,
    require_polygon_layer,
)

#: analysis.progress's refusal of an as-of question on a store without stage history.
NO_HISTORY = ("There is no stage history in this store, so progress can only be shown for "
              "today. Record stage changes first, or drop --as-of.")

__all__ = ["area_report_of_layer", "areas_of_layer", "coverage_of_layers", "in_database",
           "progress_of_store"]


def coverage_of_layers(
    store: object, of: str, by: str, *, stages: Sequence[str] | None = None,
    plane: PlaneCRS | None = None,
) -> tuple[pd.DataFrame, PlaneCRS]:
    """Coverage of layer ``of`` by layer ``by`` (only covers at ``stages`` if given), as
    :func:`geo_app.analysis.coverage.coverage`; and the plane used."""
    if not in_database(store):
        target, cover = store.read_layer(of), store.read_layer(by)  # type: ignore[attr-defined]
        if stages:
            cover = at_stages(cover, list(stages), layer=by)
        plane = plane or choose_plane_crs(target)
        return coverage(target, cover, plane=plane, of_name=f"'{of}'",
                        by_name=f"'{by}'"), plane
    of_extent = layer_extent(store, of)  # type: ignore[arg-type]  # unknown layers first,
    laea = _laea(layer_extent(store, by, stages=stages))  # type: ignore[arg-type]
    for layer in (of, by):  # then points and lines, then an empty target
        require_polygon_layer(store, layer)  # type: ignore[arg-type]
    plane = plane or _plane_of(of_extent, of)
    raw = coverage_m2(store, of, by, epsg=plane.epsg, laea=laea,  # type: ignore[arg-type]
                      stages=stages, meet=INTERIORS_MEET, step_m=EDGE_STEP_M,
                      long_m=LONG_EDGE_M)
    area = raw["area_m2"].to_numpy(dtype=float)
    present = np.isfinite(area)
    covered = np.where(present, raw["covered_m2"].fillna(0.0).to_numpy(), np.nan)
    covered_ell = np.where(present, raw["covered_m2_ellipsoidal"].fillna(0.0).to_numpy(),
                           np.nan)
    share = np.divide(covered, area, out=np.zeros_like(area), where=area > 0)
    table = pd.DataFrame({
        "id": raw["id"].to_numpy(dtype=object),
        "name": None if raw["name"].isna().all() else raw["name"].to_numpy(dtype=object),
        "area_mu_plane": area / M2_PER_MU, "covered_mu_plane": covered / M2_PER_MU,
        "covered_mu_ellipsoidal": covered_ell / M2_PER_MU, "share_covered": share,
    })
    return table, plane


def progress_of_store(
    store: object, *, as_of: dt.date | None = None, targets_mu: dict[int, float] | None = None,
    plane: PlaneCRS | None = None,
) -> list[PhaseProgress]:
    """Progress per phase now (the parcels' current stage) or as of a date, as
    :func:`geo_app.analysis.progress.progress` gives it with the whole event log.

    As of a date the stages come from the store's SQL (one index descent per parcel), never
    from reading every event: on PostGIS joined to the areas in the same query, on any
    other store :meth:`~geo_app.storage.base.LayerStore.stages_as_of` beside the parcels.
    Every event counts, whatever its stage (``known_only=False``), as in the whole-log path.

    Raises
    ------
    InputError
        ``as_of`` is given and the store has no stage history.
    """
    if not in_database(store):
        if as_of is None:
            return progress(_parcels(store, ("id", "phase", "stage")),
                            targets_mu=targets_mu, plane=plane)
        stages = store.stages_as_of(as_of, known_only=False)  # type: ignore[attr-defined]
        if len(stages) == 0 and store.event_span(known_only=False) is None:  # type: ignore
            raise InputError(NO_HISTORY)
        return progress_from_stages(_parcels(store, ("id", "phase")), stages, plane=plane,
                                    targets_mu=targets_mu)
    targets = PHASE_TARGETS_MU if targets_mu is None else targets_mu
    extent = layer_extent(store, "parcels")  # type: ignore[arg-type]
    if extent is None:
        if as_of is not None and not has_events(store):  # type: ignore[arg-type]
            raise InputError(NO_HISTORY)
        return []
    plane = plane or _plane_of(extent, "parcels")
    frame = progress_m2(store, epsg=plane.epsg, as_of=as_of,  # type: ignore[arg-type]
                        not_started=NOT_STARTED)
    if as_of is not None and set(frame["stage"]) <= {NOT_STARTED} and not has_events(
            store):  # type: ignore[arg-type]
        raise InputError(NO_HISTORY)
    order = [NOT_STARTED, *(s.value for s in ParcelStage)]
    result = []
    for phase, part in frame.groupby("phase", sort=True):
        m2 = part["m2"].astype(float).to_numpy()
        mu = {k: v / M2_PER_MU for k, v in zip(part["stage"], m2, strict=True)
              if k is not None}
        result.append(PhaseProgress(
            phase=int(phase), target_mu=targets.get(int(phase)),
            parcel_count=int(part["count"].sum()), total_mu=float(m2.sum() / M2_PER_MU),
            net_land_mu=float(sum(v for k, v in mu.items() if k in NET_LAND_OR_LATER)),
            by_stage_mu={s: float(mu[s]) for s in order if s in mu}))
    return result


def areas_of_layer(store: object, layer: str, *, plane: PlaneCRS | None = None
                   ) -> tuple[pd.DataFrame, PlaneCRS]:
    """Each feature's ``id``, six area columns and ``crs_plane``, as
    :func:`geo_app.analysis.area.add_areas`; and the plane naming the layer."""
    if not in_database(store):
        measured, used = add_areas(store.read_layer(layer), plane=plane)  # type: ignore
        cols = [c for c in ("id", *AREA_KEYS, PLANE_COLUMN) if c in measured.columns]
        return pd.DataFrame(measured[cols]).reset_index(drop=True), used
    laea = _laea(layer_extent(store, layer))  # type: ignore[arg-type]
    raw = areas_m2(store, layer, epsg=None if plane is None else plane.epsg,  # type: ignore
                   laea=laea)
    epsg = raw["epsg"].to_numpy(dtype=int)
    plane_m2 = raw["plane_m2"].to_numpy(dtype=float)
    ell_m2 = raw["ellipsoidal_m2"].to_numpy(dtype=float)
    if plane is None:
        zones = np.where(epsg != 0, epsg - 4534 + 25, 0)
        plane = majority_plane(zones) if (zones != 0).any() else PlaneCRS(
            4547, "no feature has a finite geometry: nothing measured")
    table = pd.DataFrame({
        "id": raw["id"].to_numpy(dtype=object),
        "area_m2_plane": plane_m2, "area_m2_ellipsoidal": ell_m2,
        "area_mu_plane": plane_m2 / M2_PER_MU, "area_mu_ellipsoidal": ell_m2 / M2_PER_MU,
        "area_ha_plane": plane_m2 / M2_PER_HA, "area_ha_ellipsoidal": ell_m2 / M2_PER_HA,
        PLANE_COLUMN: np.array([f"EPSG:{e}" if e else None for e in epsg], dtype=object),
        "area_m2_geodesic": raw["geodesic_m2"].to_numpy(dtype=float),
    })
    return table, plane


def area_report_of_layer(store: object, layer: str, *, by: str | None = None,
                         plane: PlaneCRS | None = None, strict: bool = False
                         ) -> dict[str, Any]:
    """:func:`geo_app.analysis.report.area_report` of a store's layer (``geo-app area
    LAYER``), read and checked in Python on every store.

    Not in SQL on PostGIS: the report needs the geometry checks (validity, overlaps between
    features) before anything is summed, and those checks in SQL (edges split and grouped)
    cost 3.5–4.5 s for 100k parcels against 0.6 s in Python, with 3.3 s more for the areas:
    7–8 s against 2.2 s for reading, checking and measuring here (local PostGIS, 2 cores).
    Coverage and progress, which need no per-feature checks, do run in the database
    (:func:`coverage_of_layers`, :func:`progress_of_store`).
    """
    return area_report(store.read_layer(layer), by=by, plane=plane,  # type: ignore
                       what=f"'{layer}'", strict=strict)


def _plain(value: Any) -> Any:
    """A JSON-ready value as the area report writes it (``None`` for a missing one)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _parcels(store: object, columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    """The parcels layer: on a GeoPackage only ``columns`` and the geometry."""
    if isinstance(store, GeoPackageStore):
        return read_layer_columns(store, "parcels", columns)
    return store.read_layer("parcels")  # type: ignore[attr-defined]


def _laea(extent: Extent | None) -> str:
    """The equal-area projection :func:`geo_app.analysis.area.equal_area_crs` builds."""
    minx, miny, maxx, maxy = extent if extent is not None else (114.0, 31.7, 114.0, 31.7)
    lon0, lat0 = (minx + maxx) / 2.0, (miny + maxy) / 2.0
    return (f"+proj=laea +lat_0={lat0:.6f} +lon_0={lon0:.6f} +x_0=0 +y_0=0 +ellps=GRS80 "
            "+units=m")


def _plane_of(extent: Extent | None, layer: str) -> PlaneCRS:
    if extent is None:
        raise InputError(f"Layer '{layer}' has no geometry to choose a plane from.")
    box = gpd.GeoDataFrame(geometry=[shapely.box(*extent)], crs=GEOGRAPHIC_EPSG)
    return choose_plane_crs(box)

"""Time the area + coverage + progress pipeline against a bare vectorised lower bound.

    python benchmarks/area_pipeline.py [N ...]        (default: 10000 100000)

The lower bound does the same work with no library around it: one pyproj transform per
CRS, ``shapely.area``, one ``shapely.union_all`` + ``shapely.intersection`` for coverage,
and a numpy group-by for progress. Both run in the same process on the same data; the
ratio is what the project's layers cost on top.
"""

from __future__ import annotations

import gc
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_parcels, synthetic_parks

from geo_app.analysis.area import add_areas
from geo_app.analysis.coverage import coverage
from geo_app.analysis.progress import progress


def project_pipeline(parcels, parks):
    measured, plane = add_areas(parcels)
    cov = coverage(parks, parcels, plane=plane)
    phases = progress(measured, plane=plane)
    return measured["area_mu_plane"].sum(), cov["covered_mu_plane"].sum(), phases


def lower_bound(parcels, parks):
    geoms = parcels.geometry.to_numpy()
    to_gk = Transformer.from_crs(4490, 4547, always_xy=True)
    laea = CRS.from_proj4("+proj=laea +lat_0=31.7 +lon_0=113.45 +ellps=GRS80 +units=m")
    to_ea = Transformer.from_crs(4490, laea, always_xy=True)
    gk = shapely.transform(geoms, lambda xy: np.column_stack(to_gk.transform(xy[:, 0], xy[:, 1])))
    ea = shapely.transform(geoms, lambda xy: np.column_stack(to_ea.transform(xy[:, 0], xy[:, 1])))
    plane_m2, ell_m2 = shapely.area(gk), shapely.area(ea)
    park_gk = shapely.transform(
        parks.geometry.to_numpy(),
        lambda xy: np.column_stack(to_gk.transform(xy[:, 0], xy[:, 1])))
    covered = shapely.area(shapely.intersection(park_gk, shapely.union_all(gk)))
    phase = parcels["phase"].to_numpy()
    stage_codes, stage_idx = np.unique(parcels["stage"].to_numpy(dtype=str), return_inverse=True)
    by_stage = np.zeros((3, len(stage_codes)))
    np.add.at(by_stage, (phase, stage_idx), plane_m2)
    return plane_m2.sum(), ell_m2.sum(), covered.sum(), by_stage


def best_of(fn, *args, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return min(times)


def main(sizes: list[int]) -> None:
    rows = []
    for n in sizes:
        parcels = synthetic_parcels(n)
        parks = synthetic_parks(parcels)
        ours_mu, ours_cov, _ = project_pipeline(parcels, parks)
        bound = lower_bound(parcels, parks)
        mu = 10000 / 15  # the same answers, or the timing means nothing
        assert abs(ours_mu - bound[0] / mu) < 1e-6 * ours_mu
        assert abs(ours_cov - bound[2] / mu) < 1e-6 * ours_cov
        repeat = 3 if n <= 100_000 else 1
        t_ours = best_of(project_pipeline, parcels, parks, repeat=repeat)
        t_bound = best_of(lower_bound, parcels, parks, repeat=repeat)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows.append({"parcels": n, "project_s": round(t_ours, 3),
                     "lower_bound_s": round(t_bound, 3), "ratio": round(t_ours / t_bound, 2),
                     "peak_rss_mb": round(peak_mb)})
        print(pd.DataFrame(rows).to_string(index=False), flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])

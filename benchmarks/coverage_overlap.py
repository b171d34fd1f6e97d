"""Park coverage: the project against dissolving every parcel, and PostGIS against Python.

    python benchmarks/coverage_overlap.py [N ...] [--postgis]   (default: 10000 100000)

Part 1, in memory, for a tiling of N parcels and the same with 1 % overlapping parcels
(``synthetic.with_overlaps``): ``coverage(parks, parcels)`` against the method it replaced,
one ``union_all`` of every parcel meeting a park then one intersection per park (the
straightforward correct method; it also checks the answers: plane covered areas equal to
1e-9, ellipsoidal too once both densify the park edges the same way).

Part 2 (``--postgis``, the largest N only): the same layers written to a fresh PostGIS
database (``GEO_APP_TEST_POSTGIS_URL``, cloned and dropped) and each analysis computed
in the database (:mod:`geo_app.storage.postgis_analysis`) against the Python path on the
same store (read the layers, compute in Python), answers asserted equal to 1e-9.
"""

from __future__ import annotations

import datetime as dt
import gc
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_parcels, synthetic_parks, with_overlaps

from geo_app.analysis.area import add_areas, clear_projected, equal_area_crs
from geo_app.analysis.coverage import EDGE_STEP_M, coverage
from geo_app.analysis.crs import PlaneCRS
from geo_app.analysis.progress import progress

GK = PlaneCRS(4547, "benchmark")
M2_PER_MU = 10_000 / 15


def by_union(parks, parcels):
    """The dissolve-everything method (what coverage did before), same conventions."""
    targets = parks.geometry.to_crs(GK.epsg).to_numpy()
    covers = parcels.geometry.to_crs(GK.epsg).to_numpy()
    hits = np.unique(shapely.STRtree(covers).query(targets, predicate="intersects")[1])
    covered = shapely.intersection(targets, shapely.union_all(covers[hits]))
    dense = shapely.segmentize(covered, EDGE_STEP_M)
    ell = gpd.GeoSeries(dense, crs=GK.epsg).to_crs(equal_area_crs(parcels)).area.to_numpy()
    return shapely.area(covered), ell


def project(parks, parcels):
    clear_projected()
    table = coverage(parks, parcels, plane=GK)
    return (table["covered_mu_plane"].to_numpy() * M2_PER_MU,
            table["covered_mu_ellipsoidal"].to_numpy() * M2_PER_MU)


def best(fn, *args, repeat=3):
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - t0)
    return min(times), out


def close(a, b, what):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-9,
                               atol=1e-6, err_msg=what)


def in_memory(sizes):
    rows = []
    for n in sizes:
        tiling = synthetic_parcels(n)
        parks = synthetic_parks(tiling)
        for case, parcels in {"tiling": tiling, "overlaps 1%": with_overlaps(tiling)}.items():
            repeat = 3 if n <= 100_000 else 1
            t_ours, ours = best(project, parks, parcels, repeat=repeat)
            t_union, union = best(by_union, parks, parcels, repeat=repeat)
            close(ours[0], union[0], f"{case} {n} plane")
            close(ours[1], union[1], f"{case} {n} ellipsoidal")
            rows.append({"parcels": len(parcels), "case": case, "project_s": round(t_ours, 3),
                         "union_all_s": round(t_union, 3),
                         "union_over_project": round(t_union / t_ours, 1)})
            print(pd.DataFrame(rows).to_string(index=False), flush=True)


def in_postgis(n):
    from geo_app.storage.postgis import PostGISStore
    from geo_app.storage.testing import postgis_unreachable_reason, temporary_postgis_database
    from geo_app.usecases.store_analysis import (
        areas_of_layer,
        coverage_of_layers,
        progress_of_store,
    )

    reason = postgis_unreachable_reason()
    if reason:
        print(f"PostGIS part skipped: {reason}")
        return
    tiling = synthetic_parcels(n)
    parcels = with_overlaps(tiling)
    parks = synthetic_parks(tiling)
    parcels = parcels.assign(name=parcels["id"], park="bench", stage_date=dt.date(2021, 6, 1),
                             declared_area_mu=0.0, land_use="industrial")
    with temporary_postgis_database(with_layers=False) as url:
        store = PostGISStore.initialise(url)
        try:
            t0 = time.perf_counter()
            store.write_layer("parcels", parcels)
            store.write_layer("bench_parks", parks)
            print(f"wrote {len(parcels)} parcels to PostGIS in {time.perf_counter() - t0:.1f} s")

            def py_areas():
                clear_projected()
                return add_areas(store.read_layer("parcels"))[0]

            def py_coverage():
                clear_projected()
                return coverage(store.read_layer("bench_parks"), store.read_layer("parcels"),
                                plane=GK)

            def py_progress():
                clear_projected()
                return progress(store.read_layer("parcels"), plane=GK)

            rows = []
            for what, sql, py, check in (
                ("areas", lambda: areas_of_layer(store, "parcels")[0], py_areas,
                 ("area_m2_plane", "area_m2_ellipsoidal")),
                ("coverage", lambda: coverage_of_layers(store, "bench_parks", "parcels",
                                                        plane=GK)[0], py_coverage,
                 ("covered_mu_plane", "covered_mu_ellipsoidal")),
                ("progress", lambda: progress_of_store(store, plane=GK), py_progress, None),
            ):
                t_sql, a = best(sql, repeat=1)
                t_py, b = best(py, repeat=1)
                if check:
                    for col in check:
                        close(a[col], b[col], f"postgis {what} {col}")
                else:
                    close([v for p in a for v in p.by_stage_mu.values()],
                          [v for p in b for v in p.by_stage_mu.values()], "postgis progress")
                rows.append({"parcels": len(parcels), "analysis": what,
                             "postgis_s": round(t_sql, 2),
                             "python_read_and_compute_s": round(t_py, 2),
                             "postgis_over_python": round(t_sql / t_py, 2)})
                print(pd.DataFrame(rows).to_string(index=False), flush=True)
        finally:
            store.close()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--postgis"]
    sizes = [int(a) for a in args] or [10_000, 100_000]
    in_memory(sizes)
    if "--postgis" in sys.argv[1:]:
        in_postgis(max(sizes))

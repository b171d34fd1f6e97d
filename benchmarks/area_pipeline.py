"""Area (plane + ellipsoidal) + park coverage + progress: the project against a floor.

    python benchmarks/area_pipeline.py [N ...]        (default: 10000 100000)

For each size, two layers from ``synthetic.py``: a tiling of N parcels (neighbours share
vertices, as a cadastral layer) and the same with 1 % more parcels overlapping others
(duplicates, shifted copies, parcels inside parcels), each under four park strips.

**project**: what the app runs: ``add_areas(parcels)``, ``coverage(parks, measured)``,
``progress(measured)``.

**floor**: the fastest correct method written directly on arrays, with no library layer:
one pyproj transform per CRS of each distinct point (a tiling shares every vertex), the
zone from the layer's box, shoelace areas in numpy on the transformed
coordinate arrays (no geometry objects for areas), an STRtree query of the parks with a
prepared ``contains_properly`` so parcels inside a park count their (already computed)
areas, ``intersection`` only for the parcels crossing a park edge, and overlaps handled
only where they are: each directed edge cancels against the same edge walked the other way
(hash join on the coordinates' bits), the left-over edges are noded and polygonized, a point
in each face counts the parcels holding it, and only the parcels meeting a face counted
twice get the exact pairwise test and a union per cluster. Progress is one
``np.bincount`` over (phase, stage). It measures the ellipsoidal covered area with the same
convention as the project (pieces densified every 20 m, whole parcels as drawn) so the
answers can be compared: every figure is asserted equal to 1e-9 relative before timing.

Times: both run in one process on the same data, best of 3 (1 run at 1M). Printed: total
times and their ratio, and each step as project/floor (areas, coverage, progress; a step
ratio alone misleads when one method does a step's work in another step).

Memory is measured apart, in a fresh process per (case, method) (``--peak N CASE METHOD``):
it builds that one layer and the parks as a user's process would hold them (the other
layer, the generator's intermediates and the other method's arrays are not there), frees
what the generator left (``gc``, ``malloc_trim``), and reports

* ``data_mb``: the resident set holding the data (interpreter and libraries included);
* ``*_peak_mb``: the peak resident set while the method runs once, the data held and its
  answers kept (the kernel's high-water mark, reset after building the data through
  ``/proc/self/clear_refs``; everything the method allocates counts);
* ``*_max_mb``: ``ru_maxrss`` of the child, building the data included (an upper bound).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_parcels, synthetic_parks, with_overlaps

from geo_app.analysis.area import add_areas, clear_projected
from geo_app.analysis.coverage import coverage
from geo_app.analysis.progress import progress

M2_PER_MU = 10_000 / 15
STEP_M, LONG_M = 20.0, 100.0  # the documented ellipsoidal convention of the coverage


# --- the project -----------------------------------------------------------------------


def project_pipeline(parcels, parks, steps=None):
    steps = {} if steps is None else steps
    t0 = time.perf_counter()
    clear_projected()  # no reuse across runs: each run reprojects what it needs
    measured, plane = add_areas(parcels)
    t1 = time.perf_counter()
    cov = coverage(parks, measured, plane=plane)
    t2 = time.perf_counter()
    phases = progress(measured, plane=plane)
    t3 = time.perf_counter()
    steps.update(areas=t1 - t0, coverage=t2 - t1, progress=t3 - t2)
    return {
        "plane_m2": measured["area_m2_plane"].to_numpy(),
        "ell_m2": measured["area_m2_ellipsoidal"].to_numpy(),
        "covered_m2": cov["covered_mu_plane"].to_numpy() * M2_PER_MU,
        "covered_ell_m2": cov["covered_mu_ellipsoidal"].to_numpy() * M2_PER_MU,
        "by_stage_mu": {(p.phase, s): mu for p in phases for s, mu in p.by_stage_mu.items()},
    }


# --- the floor -------------------------------------------------------------------------


def _shoelace(xy: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Signed area of each ring (coordinates relative to the ring's first vertex)."""
    ring = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    rel = xy - xy[offsets[:-1]][ring]
    x, y = rel[:, 0], rel[:, 1]
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    same = ring[:-1] == ring[1:]
    return 0.5 * np.bincount(ring[:-1][same], cross[same], minlength=len(offsets) - 1)


def _transform(tr: Transformer, xy: np.ndarray) -> np.ndarray:
    x, y = tr.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def _laea(lonlat: np.ndarray) -> CRS:
    lon0 = (lonlat[:, 0].min() + lonlat[:, 0].max()) / 2
    lat0 = (lonlat[:, 1].min() + lonlat[:, 1].max()) / 2
    return CRS.from_proj4(f"+proj=laea +lat_0={lat0:.6f} +lon_0={lon0:.6f} +x_0=0 +y_0=0 "
                          "+ellps=GRS80 +units=m")


def floor_pipeline(parcels, parks, steps=None):
    steps = {} if steps is None else steps
    t0 = time.perf_counter()
    geoms = parcels.geometry.to_numpy()
    assert not shapely.get_num_interior_rings(geoms).any()  # the floor reads shells only
    lonlat = shapely.get_coordinates(geoms)
    assert np.isfinite(lonlat).all()
    assert (lonlat != 0).all()  # no -0.0 to tell from 0.0 when points are numbered
    offsets = np.zeros(len(geoms) + 1, dtype=np.int64)
    np.cumsum(shapely.get_num_coordinates(geoms), out=offsets[1:])
    # each parcel in its own 3° zone (centroid longitude, inside the parcel's box): the
    # layer's box inside one zone puts every parcel there
    lo, hi = np.floor(np.array([lonlat[:, 0].min(), lonlat[:, 0].max()]) / 3 + 0.5)
    assert lo == hi, "the floor transforms one zone; the synthetic layer is in one"
    main = int(lo)
    # each distinct point transformed once (a tiling shares every vertex four times)
    codes, uniq = pd.factorize(np.ascontiguousarray(lonlat).view(np.complex128).ravel())
    points = np.column_stack([uniq.real, uniq.imag])
    gk_xy = _transform(Transformer.from_crs(4490, 4534 + main - 25, always_xy=True),
                       points)[codes]
    ea = _laea(lonlat)
    ea_xy = _transform(Transformer.from_crs(4490, ea, always_xy=True), points)[codes]
    del codes, uniq, points
    plane_signed = _shoelace(gk_xy, offsets)
    plane_m2 = np.abs(plane_signed)
    ell_m2 = np.abs(_shoelace(ea_xy, offsets))
    t1 = time.perf_counter()

    gk = shapely.set_coordinates(geoms.copy(), gk_xy)
    to_gk = Transformer.from_crs(4490, 4534 + main - 25, always_xy=True)
    park_gk = shapely.transform(parks.geometry.to_numpy(), lambda xy: _transform(to_gk, xy))
    covered, covered_ell = _floor_coverage(park_gk, gk, gk_xy, offsets, plane_signed,
                                           plane_m2, ell_m2, ea)
    t2 = time.perf_counter()

    codes, stage = np.unique(parcels["stage"].to_numpy(dtype=str), return_inverse=True)
    phase = parcels["phase"].to_numpy()
    key = phase * len(codes) + stage
    sums = np.bincount(key, plane_m2 / M2_PER_MU)
    by_stage = {(int(k // len(codes)), str(codes[k % len(codes)])): float(sums[k])
                for k in np.flatnonzero(np.bincount(key))}
    steps.update(areas=t1 - t0, coverage=t2 - t1, progress=time.perf_counter() - t2)
    return {"plane_m2": plane_m2, "ell_m2": ell_m2, "covered_m2": covered,
            "covered_ell_m2": covered_ell, "by_stage_mu": by_stage}


def _floor_coverage(parks, gk, gk_xy, offsets, signed, plane_m2, ell_m2, ea):
    n = len(parks)
    shapely.prepare(parks)
    pi, ci = shapely.STRtree(gk).query(parks, predicate="intersects")
    clustered = np.zeros(len(gk), dtype=bool)
    clusters = _floor_overlap_clusters(gk, gk_xy, offsets, signed)
    for members in clusters:
        clustered[members] = True
    single = ~clustered[ci]
    pi, ci = pi[single], ci[single]
    inside = shapely.contains_properly(parks[pi], gk[ci])
    # whole parcels with a long edge are densified like the project's (none in this data)
    seg = np.hypot(*np.diff(gk_xy, axis=0).T)
    ring = np.repeat(np.arange(len(gk)), np.diff(offsets))
    long = np.zeros(len(gk), dtype=bool)
    long[ring[:-1][(seg > LONG_M) & (ring[:-1] == ring[1:])]] = True
    assert not long[ci[inside]].any(), "no long edges in the synthetic layer"
    covered = np.bincount(pi[inside], plane_m2[ci[inside]], minlength=n)
    covered_ell = np.bincount(pi[inside], ell_m2[ci[inside]], minlength=n)
    cut_p = pi[~inside]
    cut = shapely.intersection(gk[ci[~inside]], parks[cut_p])
    if clusters:
        merged = np.array([shapely.union_all(gk[m]) for m in clusters], dtype=object)
        mi, mp = shapely.STRtree(parks).query(merged, predicate="intersects")
        cut = np.concatenate([cut, shapely.intersection(merged[mi], parks[mp])])
        cut_p = np.concatenate([cut_p, mp])
    covered += np.bincount(cut_p, shapely.area(cut), minlength=n)
    dense = shapely.segmentize(cut, STEP_M)
    to_ea = Transformer.from_crs(4547, ea, always_xy=True)
    dense_ea = shapely.transform(dense, lambda xy: _transform(to_ea, xy))
    covered_ell += np.bincount(cut_p, shapely.area(dense_ea), minlength=n)
    return covered, covered_ell


def _bits_key(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """A 64-bit key of the directed segment p→q from the coordinates' bits."""
    b = np.ascontiguousarray(np.hstack([p, q]) + 0.0).view(np.uint64)
    k = np.uint64(0xD6E8FEB86659FD93)
    with np.errstate(over="ignore"):
        return ((b[:, 0] * k ^ b[:, 1]) * k ^ b[:, 2]) * k ^ b[:, 3]


def _floor_overlap_clusters(gk, xy, offsets, signed):
    """Clusters of parcels whose interiors meet; [] when proven there are none."""
    ring = np.repeat(np.arange(len(gk)), np.diff(offsets))
    same = ring[:-1] == ring[1:]
    a, b = xy[:-1][same], xy[1:][same]
    ccw = (signed > 0)[ring[:-1][same]]
    a, b = np.where(ccw[:, None], a, b), np.where(ccw[:, None], b, a)  # all shells CCW
    # a directed edge cancels against the same edge walked the other way
    codes, uniq = pd.factorize(np.concatenate([_bits_key(a, b), _bits_key(b, a)]))
    fwd, back = codes[: len(a)], codes[len(a):]
    first = np.full(len(uniq), -1)
    first[fwd[::-1]] = np.arange(len(a))[::-1]
    ok = first[fwd] >= 0
    assert (a == a[first[fwd]]).all() and (b == b[first[fwd]]).all(), "hash clash"
    net = np.bincount(fwd, minlength=len(uniq)) - np.bincount(back, minlength=len(uniq))
    left = first[(net > 0) & (first >= 0)]
    assert ok.all()
    suspects = _floor_face_suspects(gk, a[left], b[left])
    if len(suspects) < 2:
        return []
    sub = gk[suspects]
    i, j = shapely.STRtree(sub).query(sub, predicate="intersects")
    i, j = i[i < j], j[i < j]
    meet = shapely.relate_pattern(sub[i], sub[j], "T********")
    parent = np.arange(len(sub))
    for u, v in zip(i[meet], j[meet], strict=True):  # few pairs: plain union-find
        ru, rv = _root(parent, u), _root(parent, v)
        parent[max(ru, rv)] = min(ru, rv)
    root = np.array([_root(parent, k) for k in range(len(sub))])
    groups = pd.Series(np.arange(len(sub))).groupby(root).agg(list)
    return [suspects[np.array(g)] for g in groups if len(g) > 1]


def _root(parent, k):
    while parent[k] != k:
        k = parent[k]
    return k


def _floor_face_suspects(gk, s, e):
    """Parcels meeting a face of the left-over edges that a point inside finds in two
    parcels or more (the count is constant on a face)."""
    lines = shapely.multilinestrings(shapely.linestrings(np.stack([s, e], axis=1)))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.node(lines))))
    tree = shapely.STRtree(gk)
    count = np.bincount(tree.query(shapely.point_on_surface(faces), predicate="intersects")[0],
                        minlength=len(faces))
    bad = faces[count >= 2]
    return np.unique(tree.query(bad, predicate="intersects")[1]) if len(bad) else bad


# --- harness ---------------------------------------------------------------------------


def same_answers(ours, floor, what):
    for key in ("plane_m2", "ell_m2", "covered_m2", "covered_ell_m2"):
        np.testing.assert_allclose(ours[key], floor[key], rtol=1e-9, atol=1e-6,
                                   err_msg=f"{what}: {key}")
    assert ours["by_stage_mu"].keys() == floor["by_stage_mu"].keys(), what
    for k, mu in ours["by_stage_mu"].items():
        assert abs(mu - floor["by_stage_mu"][k]) <= 1e-9 * max(abs(mu), 1.0), (what, k)


def timed(fn, *args, repeat):
    """Best total of ``repeat`` runs, and the per-step times of that run."""
    best, best_steps = np.inf, {}
    for _ in range(repeat):
        gc.collect()
        steps: dict[str, float] = {}
        t0 = time.perf_counter()
        fn(*args, steps)
        total = time.perf_counter() - t0
        if total < best:
            best, best_steps = total, steps
    return best, best_steps


# --- memory, one fresh process per (case, method) ---------------------------------------

METHODS = {"project": project_pipeline, "floor": floor_pipeline}


def _status_mb(key: str) -> float | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _free_unused() -> None:
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # give the generator's freed heap back


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # VmHWM := VmRSS
        return True
    except OSError:
        return False


def peak_child(n: int, case: str, method: str) -> dict[str, float | None]:
    """Build one layer and the parks, run ``method`` once: resident sets in MB."""
    tiling = synthetic_parcels(n)
    parks = synthetic_parks(tiling)
    parcels = tiling if case == "tiling" else with_overlaps(tiling)
    del tiling
    _free_unused()
    data_mb = _status_mb("VmRSS")
    reset = _reset_peak()
    answers = METHODS[method](parcels, parks)
    peak_mb = _status_mb("VmHWM") if reset else None
    del answers
    return {"data_mb": data_mb, "peak_mb": peak_mb,
            "max_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def peak_in_child(n: int, case: str, method: str) -> dict[str, float | None]:
    done = subprocess.run([sys.executable, __file__, "--peak", str(n), case, method],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _mb(value: float | None) -> object:
    return "n/a" if value is None else round(value)


def main(sizes: list[int]) -> None:
    rows = []
    for n in sizes:
        tiling = synthetic_parcels(n)
        layers = {"tiling": tiling, "overlaps 1%": with_overlaps(tiling)}
        parks = synthetic_parks(tiling)
        for case, parcels in layers.items():
            repeat = 3 if n <= 100_000 else 1
            ours = project_pipeline(parcels, parks)
            floor = floor_pipeline(parcels, parks)
            same_answers(ours, floor, f"{case} {n}")
            del ours, floor
            t_ours, s_ours = timed(project_pipeline, parcels, parks, repeat=repeat)
            t_floor, s_floor = timed(floor_pipeline, parcels, parks, repeat=repeat)
            clear_projected()
            row = {"parcels": len(parcels), "case": case, "project_s": round(t_ours, 3),
                   "floor_s": round(t_floor, 3), "ratio": round(t_ours / t_floor, 2)}
            for step in ("areas", "coverage", "progress"):
                row[f"{step}_s"] = f"{s_ours[step]:.3f}/{s_floor[step]:.3f}"
            mem = {m: peak_in_child(n, "tiling" if case == "tiling" else "overlaps", m)
                   for m in METHODS}
            row.update({"data_mb": _mb(mem["project"]["data_mb"]),
                        "project_peak_mb": _mb(mem["project"]["peak_mb"]),
                        "floor_peak_mb": _mb(mem["floor"]["peak_mb"]),
                        "project_max_mb": _mb(mem["project"]["max_mb"])})
            rows.append(row)
            print(pd.DataFrame(rows).to_string(index=False), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--peak"]:
        print(json.dumps(peak_child(int(sys.argv[2]), sys.argv[3], sys.argv[4])))
    else:
        main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])

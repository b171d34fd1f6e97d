"""Time a whole `geo-app import` against the fastest way to load the same file into a GeoPackage.

    python benchmarks/import_pipeline.py [N ...]        (default: 10000 100000)

The peer is what anyone would write to move a file into a GeoPackage with no checks at
all: ``pyogrio.read_dataframe`` + ``pyogrio.write_dataframe`` (GDAL in C, Arrow where
available). geo_app's import does that reading too, and on top: encoding and CRS
decisions, field mapping, geometry checks (validity, duplicates, overlaps within the file),
areas in each feature's own GK zone, the comparison with the layer's existing features,
the report, and a write in one transaction with one provenance event per feature.

Both load the same GeoPackage file of N synthetic parcels into a fresh GeoPackage; the
answers are asserted equal (feature count, ids, total area in EPSG:4547 to 1e-9 relative)
before the ratio is printed. The goal in the issue is ≤ 2×.
"""

from __future__ import annotations

import gc
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyogrio

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_parcels

from geo_app.storage import init_store
from geo_app.transfer.importer import ImportOptions, import_file


def peer(src: Path, dst: Path) -> None:
    gdf = pyogrio.read_dataframe(src, use_arrow=True)
    pyogrio.write_dataframe(gdf, dst, layer="survey", driver="GPKG", use_arrow=True)


def project(src: Path, dst: Path) -> int:
    store = init_store(str(dst))
    report = import_file(src, store, ImportOptions(layer="survey", officer="bench"))
    if not report.ok:
        raise SystemExit(f"import refused: {report.errors[:3]}")
    return report.written


def _area_m2(path: Path) -> tuple[int, float, list[str]]:
    gdf = pyogrio.read_dataframe(path, layer="survey")
    return len(gdf), float(gdf.to_crs(4547).area.sum()), sorted(gdf["id"])


def _best(fn, *args, repeat: int = 2) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def run(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src = folder / "survey.gpkg"
        parcels = synthetic_parcels(n)
        parcels["name"] = np.char.add("地块", np.arange(n).astype(str)).astype(object)
        pyogrio.write_dataframe(parcels, src, layer="survey", driver="GPKG")

        def fresh(name: str) -> Path:
            out = folder / name
            shutil.rmtree(out, ignore_errors=True)
            out.unlink(missing_ok=True)
            return out

        t_peer = _best(lambda: peer(src, fresh("peer.gpkg")))
        t_ours = _best(lambda: project(src, fresh("ours.gpkg")))
        a = _area_m2(folder / "peer.gpkg")
        b = _area_m2(folder / "ours.gpkg")
        assert a[0] == b[0] == n, (a[0], b[0], n)
        assert a[2] == b[2], "same ids"
        assert abs(a[1] - b[1]) <= 1e-9 * a[1], (a[1], b[1])
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{n:>8} features: geo_app import {t_ours:7.2f} s | pyogrio read+write "
              f"{t_peer:6.2f} s | ratio {t_ours / t_peer:5.2f}× | peak RSS {rss_mb:,.0f} MB",
              flush=True)


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    for size in sizes:
        run(size)

"""Time the store write of an import against pyogrio read + write of the same file.

    python benchmarks/import_store.py [N ...]        (default: 100000)

The peer: ``pyogrio.read_dataframe`` + ``pyogrio.write_dataframe`` into a fresh GeoPackage
(GDAL in C, Arrow). geo_app: the same ``pyogrio.read_dataframe``, then
``store.import_features`` into a fresh store created by ``init_store`` — a GeoPackage, and
a PostGIS database when ``GEO_APP_TEST_POSTGIS_URL`` (or the default test URL) answers.
The store write is one transaction with the layer created in it, the R-tree index, and
one provenance event per feature. (The full ``geo-app import`` adds checks on top: see
``import_pipeline.py``.) Both stores are checked to hold the same features (ids) and the
same total area in EPSG:4547 as the peer before the ratio is printed. Goal: ≤ 2×.

PostGIS has its own floor too, what ``ogr2ogr -f PostgreSQL`` does (the pyogrio wheels have
no PostgreSQL driver): ``pyogrio.read_dataframe`` (Arrow), one ``COPY`` of the attributes
and GEOS's hex EWKB into a fresh table, then its GiST index; no ids checked, no ledger.
Its ratio is printed beside the one against the GeoPackage floor, with the same answers
asserted.
"""

from __future__ import annotations

import gc
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_parcels

from geo_app.storage import GeoPackageStore, ImportMode, LayerStore, Provenance, init_store

LAYER = "survey"
#: The file being loaded (for the PostGIS floor).
SOURCE: list[Path] = []


def _best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _answer(gdf) -> tuple[int, float, list[str]]:
    return len(gdf), float(gdf.to_crs(4547).area.sum()), sorted(gdf["id"])


def run(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src = folder / "survey.gpkg"
        SOURCE[:] = [src]
        parcels = synthetic_parcels(n)
        parcels["name"] = np.char.add("地块", np.arange(n).astype(str)).astype(object)
        pyogrio.write_dataframe(parcels, src, layer=LAYER, driver="GPKG")

        def fresh(name: str) -> Path:
            out = folder / name
            shutil.rmtree(out, ignore_errors=True)
            out.unlink(missing_ok=True)
            return out

        def peer() -> None:
            gdf = pyogrio.read_dataframe(src, use_arrow=True)
            pyogrio.write_dataframe(gdf, fresh("peer.gpkg"), layer=LAYER, driver="GPKG",
                                    use_arrow=True)

        def _import(store: LayerStore) -> None:
            gdf = pyogrio.read_dataframe(src, use_arrow=True)
            store.import_features(LAYER, gdf, mode=ImportMode.APPEND,
                                  provenance=Provenance(src.name, "bench"))

        def ours_gpkg() -> None:
            _import(init_store(str(fresh("ours.gpkg"))))

        t_peer = _best(peer)
        t_gpkg = _best(ours_gpkg)
        expected = _answer(pyogrio.read_dataframe(folder / "peer.gpkg"))
        assert expected[0] == n
        got = _answer(GeoPackageStore(folder / "ours.gpkg").read_layer(LAYER))
        _check(expected, got, "GeoPackage")
        print(f"{n:>8} features: pyogrio read+write {t_peer:6.2f} s | GeoPackage store "
              f"{t_gpkg:6.2f} s, ratio {t_gpkg / t_peer:5.2f}×", flush=True)
        _run_postgis(n, t_peer, expected, _import)


def _check(expected: tuple[int, float, list[str]], got: tuple[int, float, list[str]],
           what: str) -> None:
    assert got[0] == expected[0], (what, got[0], expected[0])
    assert got[2] == expected[2], f"{what}: same ids"
    assert abs(got[1] - expected[1]) <= 1e-9 * expected[1], (what, got[1], expected[1])


def _run_postgis(n: int, t_peer: float, expected, do_import) -> None:
    from geo_app.storage.testing import postgis_unreachable_reason, temporary_postgis_database

    reason = postgis_unreachable_reason()
    if reason:
        print(f"{'':>8}           PostGIS skipped: {reason}")
        return
    times = []
    for _ in range(3):
        with temporary_postgis_database(with_layers=False) as url:
            gc.collect()
            start = time.perf_counter()
            store = init_store(url)
            do_import(store)
            times.append(time.perf_counter() - start)
            got = _answer(store.read_layer(LAYER))
            store.close()
        _check(expected, got, "PostGIS")
    t_pg = min(times)
    t_floor = _postgis_floor(expected)
    print(f"{'':>8}           PostGIS store {t_pg:6.2f} s, ratio {t_pg / t_peer:5.2f}× | "
          f"floor pyogrio read + COPY + GiST {t_floor:5.2f} s, ratio {t_pg / t_floor:5.2f}×",
          flush=True)


def _postgis_floor(expected) -> float:
    """Best of three: read the file (Arrow), COPY it into a fresh table, index it."""
    import io

    import psycopg2
    import shapely
    from sqlalchemy.engine import make_url

    from geo_app.storage.testing import temporary_postgis_database

    times = []
    for _ in range(3):
        with temporary_postgis_database(with_layers=False) as url:
            dsn = make_url(url).set(drivername="postgresql").render_as_string(
                hide_password=False)
            conn = psycopg2.connect(dsn)
            gc.collect()
            start = time.perf_counter()
            gdf = pyogrio.read_dataframe(SOURCE[0], use_arrow=True)
            srid = gdf.crs.to_epsg()
            frame = gdf.drop(columns=gdf.geometry.name)
            frame["geom"] = shapely.to_wkb(shapely.set_srid(gdf.geometry.array, srid),
                                           hex=True, include_srid=True)
            with conn, conn.cursor() as cur:
                cur.execute(f"CREATE TABLE floor (fid serial PRIMARY KEY, id text, phase "
                            f"bigint, stage text, name text, geom geometry(Polygon, {srid}))")
                cur.copy_expert("COPY floor (id, phase, stage, name, geom) FROM STDIN WITH "
                                "(FORMAT csv)", io.StringIO(frame.to_csv(index=False,
                                                                         header=False)))
                cur.execute("CREATE INDEX floor_geom ON floor USING GIST (geom)")
            times.append(time.perf_counter() - start)
            with conn.cursor() as cur:
                cur.execute("SELECT id, ST_AsBinary(geom) FROM floor ORDER BY fid")
                rows = cur.fetchall()
            conn.close()
        got = gpd.GeoDataFrame({"id": [r[0] for r in rows]}, geometry=shapely.from_wkb(
            [bytes(r[1]) for r in rows]), crs=srid)
        _check(expected, _answer(got), "PostGIS floor")
    return min(times)


if __name__ == "__main__":
    for size in [int(a) for a in sys.argv[1:]] or [100_000]:
        run(size)

"""Synthetic parcel fabrics for map benchmarks and tests (not for the bundled data).

A jittered grid near Xihe, Suizhou: neighbouring parcels share their jittered corners,
like a real cadastral fabric, and each edge carries boundary points (界址点) every few
tens of metres with sub-metre survey noise, as parcel files from land offices do.
Everything is vectorised; the same seed gives the same parcels.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import shapely

from geo_app.domain.stages import STAGE_ORDER

#: South-west corner of the synthetic fabric (lon, lat), east of Suizhou city.
ORIGIN_LONLAT = (113.42, 31.62)
CELL_DEG = (0.00105, 0.00085)  # ≈ 100 m × 94 m ≈ 14 mu


def synthetic_parcels(n: int, *, seed: int = 0, points_per_edge: int = 5) -> gpd.GeoDataFrame:
    """``n`` parcels in EPSG:4490 with the parcel layer's columns and random stages.

    ``points_per_edge`` counts the corner and the boundary points along each edge
    (1 gives plain quadrilaterals).
    """
    if n <= 0:
        raise ValueError("n must be positive")
    rng = np.random.default_rng(seed)
    ncols = int(np.ceil(np.sqrt(n * 1.25)))
    nrows = int(np.ceil(n / ncols))
    dx, dy = CELL_DEG
    gx, gy = np.meshgrid(np.arange(ncols + 1), np.arange(nrows + 1))
    nodes_x = ORIGIN_LONLAT[0] + (gx + rng.uniform(-0.18, 0.18, gx.shape)) * dx
    nodes_y = ORIGIN_LONLAT[1] + (gy + rng.uniform(-0.18, 0.18, gy.shape)) * dy

    cell = np.arange(n)
    r, c = cell // ncols, cell % ncols
    corners_x = np.stack([nodes_x[r, c], nodes_x[r, c + 1], nodes_x[r + 1, c + 1],
                          nodes_x[r + 1, c]], axis=1)
    corners_y = np.stack([nodes_y[r, c], nodes_y[r, c + 1], nodes_y[r + 1, c + 1],
                          nodes_y[r + 1, c]], axis=1)
    # k points per edge: the start corner, then k-1 boundary points towards the next corner
    k = max(points_per_edge, 1)
    t = np.arange(k) / k
    nxt_x, nxt_y = np.roll(corners_x, -1, axis=1), np.roll(corners_y, -1, axis=1)
    ring_x = (corners_x[:, :, None] + (nxt_x - corners_x)[:, :, None] * t).reshape(n, 4 * k)
    ring_y = (corners_y[:, :, None] + (nxt_y - corners_y)[:, :, None] * t).reshape(n, 4 * k)
    noise = 3e-6  # ≈ 0.3 m survey noise on boundary points, none on corners
    is_corner = np.tile(t == 0, 4)
    ring_x = ring_x + np.where(is_corner, 0.0, rng.normal(0, noise, ring_x.shape))
    ring_y = ring_y + np.where(is_corner, 0.0, rng.normal(0, noise, ring_y.shape))
    ring = np.stack([np.concatenate([ring_x, ring_x[:, :1]], axis=1),
                     np.concatenate([ring_y, ring_y[:, :1]], axis=1)], axis=2)
    geoms = shapely.polygons(ring)

    stages = np.array([s.value for s in STAGE_ORDER])[rng.integers(0, len(STAGE_ORDER), n)]
    days = rng.integers(0, 700, n)
    dates = (np.datetime64(dt.date(2020, 1, 1)) + days.astype("timedelta64[D]")).astype(str)
    ids = np.char.add("SYN-", np.char.zfill(cell.astype(str), 6))
    return gpd.GeoDataFrame(
        {
            "id": ids,
            "name": np.char.add("合成地块", np.char.zfill(cell.astype(str), 6)),
            "park": np.where(r < nrows // 2, "青春化工园", "随州大数据产业园"),
            "phase": np.where(c < ncols // 2, 1, 2),
            "stage": stages,
            "stage_date": dates,
            "declared_area_mu": np.round(rng.uniform(10, 16, n), 2),
            "land_use": "工业用地",
        },
        geometry=geoms,
        crs=4490,
    )

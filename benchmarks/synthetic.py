"""Synthetic parcel layers for benchmarks: jittered grid tilings near Suizhou, vectorised."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import shapely

from geo_app.domain.stages import STAGE_ORDER


def synthetic_parcels(n: int, *, seed: int = 1, cell_m: float = 60.0) -> gpd.GeoDataFrame:
    """About ``n`` quadrilateral parcels tiling a square near 113.45°E, 31.70°N (EPSG:4490)."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n)))
    x0, y0 = 452_000.0, 3_505_000.0  # GK CM 114°E
    gx, gy = np.meshgrid(np.arange(side + 1) * cell_m, np.arange(side + 1) * cell_m)
    gx = gx + x0 + rng.uniform(-0.2, 0.2, gx.shape) * cell_m
    gy = gy + y0 + rng.uniform(-0.2, 0.2, gy.shape) * cell_m
    r, c = np.divmod(np.arange(n), side)
    ring = np.stack(
        [
            np.stack([gx[r, c], gy[r, c]], -1),
            np.stack([gx[r, c + 1], gy[r, c + 1]], -1),
            np.stack([gx[r + 1, c + 1], gy[r + 1, c + 1]], -1),
            np.stack([gx[r + 1, c], gy[r + 1, c]], -1),
            np.stack([gx[r, c], gy[r, c]], -1),
        ],
        axis=1,
    )
    geoms = shapely.polygons(ring)
    stages = np.array([s.value for s in STAGE_ORDER], dtype=object)
    gdf = gpd.GeoDataFrame(
        {
            "id": np.char.add("P", np.arange(n).astype(str)).astype(object),
            "phase": rng.integers(1, 3, n),
            "stage": stages[rng.integers(0, len(stages), n)],
        },
        geometry=geoms,
        crs=4547,
    )
    return gdf.to_crs(4490)


def synthetic_parks(parcels: gpd.GeoDataFrame, *, count: int = 4) -> gpd.GeoDataFrame:
    """``count`` vertical strips over the parcels' extent, each a park."""
    minx, miny, maxx, maxy = parcels.to_crs(4547).total_bounds
    edges = np.linspace(minx, maxx, count + 1)
    geoms = [shapely.box(a, miny, b, maxy) for a, b in itertools.pairwise(edges)]
    return gpd.GeoDataFrame(
        {"id": [f"park{i}" for i in range(count)], "name": [f"Park {i}" for i in range(count)]},
        geometry=geoms, crs=4547,
    ).to_crs(4490)

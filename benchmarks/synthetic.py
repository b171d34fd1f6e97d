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


def with_overlaps(parcels: gpd.GeoDataFrame, *, share: float = 0.01, seed: int = 2
                  ) -> gpd.GeoDataFrame:
    """``parcels`` plus overlapping ones for ``share`` of them: alternately an identical
    duplicate, a copy shifted by a third of a cell, and a copy shrunk to half inside its
    parcel (ids ``X…``). Drawn in the GK plane like the parcels."""
    rng = np.random.default_rng(seed)
    gk = parcels.to_crs(4547)
    picked = np.sort(rng.choice(len(gk), size=max(1, int(len(gk) * share)), replace=False))
    geoms = gk.geometry.to_numpy()[picked]
    kind = np.arange(len(picked)) % 3
    shifted = shapely.transform(geoms, lambda xy: xy + np.array([20.0, 15.0]))
    centre = shapely.get_coordinates(shapely.centroid(geoms))
    counts = shapely.get_num_coordinates(geoms)
    anchor = np.repeat(centre, counts, axis=0)
    shrunk = shapely.set_coordinates(geoms.copy(),
                                     anchor + 0.5 * (shapely.get_coordinates(geoms) - anchor))
    extra = np.where(kind == 0, geoms, np.where(kind == 1, shifted, shrunk))
    rows = gpd.GeoDataFrame(
        {"id": np.char.add("X", np.arange(len(picked)).astype(str)).astype(object),
         "phase": gk["phase"].to_numpy()[picked], "stage": gk["stage"].to_numpy()[picked]},
        geometry=extra, crs=4547,
    )
    both = gpd.GeoDataFrame(
        {c: np.concatenate([gk[c].to_numpy(), rows[c].to_numpy()]) for c in
         ("id", "phase", "stage")},
        geometry=np.concatenate([gk.geometry.to_numpy(), extra]), crs=4547)
    return both.to_crs(4490)

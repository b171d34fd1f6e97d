"""Geometry helpers for the sample generator, in the GK plane (metres)."""

from __future__ import annotations

import numpy as np
from pyproj import Transformer
from shapely import affinity
from shapely.geometry import LineString, Polygon, box

from geo_app.analysis.crs import GEOGRAPHIC_EPSG

PLANE_EPSG = 4547  # CGCS2000 3-degree GK, CM 114°E — Suizhou's survey plane

_to_plane = Transformer.from_crs(GEOGRAPHIC_EPSG, PLANE_EPSG, always_xy=True)


def lonlat_to_plane(lon: float, lat: float) -> tuple[float, float]:
    x, y = _to_plane.transform(lon, lat)
    return float(x), float(y)


def rect(x0: float, y0: float, width_m: float, height_m: float) -> Polygon:
    return box(x0, y0, x0 + width_m, y0 + height_m)


def jittered_grid(
    x0: float, y0: float, width_m: float, height_m: float, cols: int, rows: int,
    rng: np.random.Generator, jitter: float = 0.15,
) -> list[Polygon]:
    """Tile a rectangle with ``cols × rows`` quads whose shared nodes are jittered.

    Boundary nodes slide only along the boundary and corners stay put, so the tiles
    cover the rectangle exactly, without gaps or overlaps: their areas sum to
    ``width_m × height_m``.
    """
    dx, dy = width_m / cols, height_m / rows
    xs = x0 + np.arange(cols + 1) * dx
    ys = y0 + np.arange(rows + 1) * dy
    gx, gy = np.meshgrid(xs, ys)  # shape (rows+1, cols+1)
    jx = rng.uniform(-jitter, jitter, gx.shape) * dx
    jy = rng.uniform(-jitter, jitter, gy.shape) * dy
    jx[:, 0] = jx[:, -1] = 0.0
    jy[0, :] = jy[-1, :] = 0.0
    gx, gy = gx + jx, gy + jy
    tiles = []
    for r in range(rows):
        for c in range(cols):
            ring = [
                (gx[r, c], gy[r, c]), (gx[r, c + 1], gy[r, c + 1]),
                (gx[r + 1, c + 1], gy[r + 1, c + 1]), (gx[r + 1, c], gy[r + 1, c]),
            ]
            tiles.append(Polygon(ring))
    return tiles


def blob(cx: float, cy: float, radius_m: float, rng: np.random.Generator, n: int = 9) -> Polygon:
    """An irregular star-convex polygon around a centre (a village's built-up outline)."""
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    radii = radius_m * rng.uniform(0.7, 1.0, n)
    return Polygon(np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)]))


def loop_road(cx: float, cy: float, length_m: float, rng: np.random.Generator) -> LineString:
    """A closed, wavy loop whose plane length is exactly ``length_m``."""
    theta = np.linspace(0, 2 * np.pi, 97)[:-1]
    phase = rng.uniform(0, 2 * np.pi, 2)
    r = 1.0 + 0.12 * np.sin(3 * theta + phase[0]) + 0.06 * np.cos(5 * theta + phase[1])
    xs, ys = r * np.cos(theta), 0.8 * r * np.sin(theta)
    unit = LineString(np.column_stack([np.append(xs, xs[0]), np.append(ys, ys[0])]))
    scale = length_m / unit.length
    coords = np.asarray(unit.coords) * scale + np.array([cx, cy])
    return LineString(coords)


def scale_to_area(poly: Polygon, area_m2: float) -> Polygon:
    """Scale a polygon about its centroid so its plane area is exactly ``area_m2``."""
    factor = float(np.sqrt(area_m2 / poly.area))
    c = poly.centroid
    return affinity.scale(poly, factor, factor, origin=c)

"""Rasters read with rasterio: what a raster is, ground cell sizes, slope and hillshade.

Slope is a ground measure: the rise over the run **in metres**. A DEM's grid can be in any
CRS, so each row's cell size is converted to metres on the ground before the gradient:

* geographic CRS (EPSG:4326, 4490): the east–west size of a cell of ``Δλ`` degrees at
  latitude φ is ``N(φ)·cos φ·Δλ`` and the north–south size ``M(φ)·Δφ`` (N, M the prime-
  vertical and meridional radii of curvature of the CRS's ellipsoid), row by row;
* projected CRS: the grid size times the CRS's unit (feet are converted) divided by the
  projection's point scale at the row's centre (``pyproj`` factors; 1.00001–1.00014 in a 3°
  Gauss-Krüger zone, 1.18 at 31.7°N in Web Mercator, where ignoring it would flatten every
  slope).

The gradient is Horn's (1981) 3×3 weighted difference, exact on a plane: a DEM
``z = g·x`` gives ``atan(g)``. Cells on the raster's edge or next to a no-data cell have no
slope (NaN), never a guess.

Everything is windowed: :func:`write_slope_raster` reads the DEM in blocks of rows with a
one-row halo and writes the slope of only the window asked for, so a DEM larger than memory
works.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import rasterio
from affine import Affine
from pyproj import CRS, Proj, Transformer
from rasterio.errors import RasterioIOError
from rasterio.io import DatasetReader
from rasterio.windows import Window

from geo_app.errors import InputError

FloatArray = npt.NDArray[np.float64]
#: Rows of DEM read at once when writing a slope raster (plus a one-row halo each side).
BLOCK_ROWS = 512


@dataclass(frozen=True)
class RasterInfo:
    """What a raster file is: grid, CRS, bounds, no-data."""

    path: str
    crs: str
    width: int
    height: int
    count: int
    dtype: str
    nodata: float | None
    res: tuple[float, float]
    bounds: tuple[float, float, float, float]
    geographic: bool

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "crs": self.crs, "width": self.width,
                "height": self.height, "count": self.count, "dtype": self.dtype,
                "nodata": self.nodata, "res": list(self.res), "bounds": list(self.bounds),
                "geographic": self.geographic}


@contextlib.contextmanager
def open_raster(path: Path | str) -> Iterator[DatasetReader]:
    """Open a raster for reading; a file that is not one is an :class:`InputError`."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"No raster file at {path}. Check the path.")
    try:
        src = rasterio.open(path)
    except RasterioIOError:
        raise InputError(
            f"{path.name} is not a raster GDAL can read. Give a GeoTIFF (.tif) DEM or "
            "land-cover grid.") from None
    with src:
        if src.crs is None:
            raise InputError(
                f"{path.name} has no coordinate system. Add one (e.g. `gdal_edit.py -a_srs "
                "EPSG:4547 FILE`) and try again: geo_app never assumes a raster's CRS.")
        if src.count < 1:
            raise InputError(f"{path.name} has no band to read.")
        yield src


def raster_crs_name(src: DatasetReader) -> str:
    epsg = src.crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else (src.crs.to_string() or "unknown")


def raster_info(path: Path | str) -> RasterInfo:
    """Describe a raster (refused with an :class:`InputError` if it is not one)."""
    with open_raster(path) as src:
        b = src.bounds
        return RasterInfo(
            path=str(path), crs=raster_crs_name(src), width=src.width, height=src.height,
            count=src.count, dtype=str(src.dtypes[0]),
            nodata=None if src.nodata is None else float(src.nodata),
            res=(float(src.res[0]), float(src.res[1])),
            bounds=(float(b.left), float(b.bottom), float(b.right), float(b.top)),
            geographic=bool(src.crs.is_geographic))


# --- ground cell sizes -------------------------------------------------------------------


def _radii(crs: CRS, lat_deg: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Meridional (M) and prime-vertical (N) radii of curvature of the CRS's ellipsoid, m."""
    ell = crs.ellipsoid
    a = float(ell.semi_major_metre) if ell is not None else 6378137.0
    inv_f = float(ell.inverse_flattening) if ell is not None else 298.257222101
    f = 0.0 if not inv_f else 1.0 / inv_f
    e2 = f * (2.0 - f)
    s2 = np.sin(np.radians(lat_deg)) ** 2
    w = np.sqrt(1.0 - e2 * s2)
    return a * (1.0 - e2) / w**3, a / w


def ground_cell_size_m(src: DatasetReader, rows: npt.NDArray[np.int64],
                       col: float | None = None) -> tuple[FloatArray, FloatArray]:
    """East–west and north–south ground size in metres of the cells of ``rows`` of ``src``.

    ``col`` is the column where the point scale is taken (projected CRS; default the
    middle). Rotated grids are refused (read them through ``gdalwarp`` first).
    """
    return grid_cell_size_m(src.transform, src.crs.to_wkt(), rows,
                            src.width / 2.0 if col is None else col)


def grid_cell_size_m(transform: Affine, crs_text: str, rows: npt.NDArray[np.int64],
                     col: float) -> tuple[FloatArray, FloatArray]:
    """:func:`ground_cell_size_m` of any north-up grid (``transform``, CRS as text)."""
    t = transform
    if abs(t.b) > 1e-12 or abs(t.d) > 1e-12:
        raise InputError("The raster's grid is rotated; warp it to a north-up grid "
                         "(`gdalwarp`) first.")
    crs = CRS.from_user_input(crs_text)
    dx, dy = abs(t.a), abs(t.e)
    ys = t.f + (np.asarray(rows, dtype=float) + 0.5) * t.e
    xs = np.full(len(ys), t.c + col * t.a)
    if crs.is_geographic:
        m, n = _radii(crs, ys)
        return (n * np.cos(np.radians(ys)) * math.radians(dx), m * math.radians(dy))
    unit = float(crs.axis_info[0].unit_conversion_factor) if crs.axis_info else 1.0
    to_geo = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    lon, lat = to_geo.transform(xs, ys)
    factors = Proj(crs).get_factors(lon, lat)
    k_par = np.asarray(factors.parallel_scale, dtype=float)
    k_mer = np.asarray(factors.meridional_scale, dtype=float)
    k = np.sqrt(k_par * k_mer)
    k = np.where(np.isfinite(k) & (k > 0), k, 1.0)
    return dx * unit / k, dy * unit / k


# --- slope and hillshade ---------------------------------------------------------------------


def _horn_gradient(z: FloatArray, dx_m: FloatArray, dy_m: FloatArray
                   ) -> tuple[FloatArray, FloatArray]:
    """dz/dx (east) and dz/dy (north) of the interior of ``z`` (rows and cols minus 2).

    ``dx_m``/``dy_m`` are per interior row. NaN where any of the 3×3 cells is NaN.
    """
    a, b, c = z[:-2, :-2], z[:-2, 1:-1], z[:-2, 2:]
    d, f = z[1:-1, :-2], z[1:-1, 2:]
    g, h, i = z[2:, :-2], z[2:, 1:-1], z[2:, 2:]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8.0 * dx_m[:, None])
    # rows go south: the northern neighbours are the row above
    dzdy = ((a + 2 * b + c) - (g + 2 * h + i)) / (8.0 * dy_m[:, None])
    return dzdx, dzdy


def slope_deg(z: FloatArray, dx_m: FloatArray, dy_m: FloatArray) -> FloatArray:
    """Slope in degrees of the interior cells of ``z`` (Horn), NaN where not computable."""
    z = np.asarray(z, dtype=float)
    dzdx, dzdy = _horn_gradient(z, np.asarray(dx_m, dtype=float), np.asarray(dy_m, dtype=float))
    slope = np.degrees(np.arctan(np.hypot(dzdx, dzdy)))
    # Horn's weights skip the centre cell: a no-data cell must not get its neighbours' slope
    return np.where(np.isnan(z[1:-1, 1:-1]), np.nan, slope)


def hillshade(z: FloatArray, dx_m: FloatArray, dy_m: FloatArray, *, azimuth_deg: float = 315.0,
              altitude_deg: float = 45.0, z_factor: float = 1.0) -> FloatArray:
    """Illumination 0–1 of the interior cells of ``z`` (light from the north-west by default)."""
    dzdx, dzdy = _horn_gradient(np.asarray(z, dtype=float) * z_factor,
                                np.asarray(dx_m, dtype=float), np.asarray(dy_m, dtype=float))
    slope = np.arctan(np.hypot(dzdx, dzdy))
    aspect = np.arctan2(-dzdx, -dzdy)  # direction the slope faces (downhill), from north
    zen = math.radians(90.0 - altitude_deg)
    az = math.radians(azimuth_deg)
    shade = (math.cos(zen) * np.cos(slope)
             + math.sin(zen) * np.sin(slope) * np.cos(az - aspect))
    return np.clip(shade, 0.0, 1.0)


def read_float(src: DatasetReader, window: Window) -> FloatArray:
    """Band 1 of ``window`` as float64 with no-data (and masked cells) as NaN."""
    data = src.read(1, window=window, masked=True, boundless=False)
    return np.ma.filled(data.astype(float), np.nan)


def window_transform(transform: Affine, window: Window) -> Affine:
    """The transform of ``window``'s top-left cell (rasterio's own uses a deprecated operator)."""
    col, row = float(window.col_off), float(window.row_off)
    t = transform
    return Affine(t.a, t.b, t.c + t.a * col + t.b * row, t.d, t.e, t.f + t.d * col + t.e * row)


def bounds_window(transform: Affine, bounds: tuple[float, float, float, float]) -> Window:
    """The whole cells of a north-up grid that cover ``bounds`` (may reach past the raster)."""
    minx, miny, maxx, maxy = bounds
    col0 = math.floor((minx - transform.c) / transform.a)
    col1 = math.ceil((maxx - transform.c) / transform.a)
    row0 = math.floor((maxy - transform.f) / transform.e)
    row1 = math.ceil((miny - transform.f) / transform.e)
    return Window(col0, row0, col1 - col0, row1 - row0)


def full_window(src: DatasetReader) -> Window:
    return Window(0, 0, src.width, src.height)


def padded_window(src: DatasetReader, window: Window, pad: int = 1) -> Window:
    """``window`` grown by ``pad`` cells each side, clipped to the raster."""
    col0 = max(int(window.col_off) - pad, 0)
    row0 = max(int(window.row_off) - pad, 0)
    col1 = min(int(window.col_off + window.width) + pad, src.width)
    row1 = min(int(window.row_off + window.height) + pad, src.height)
    return Window(col0, row0, max(col1 - col0, 0), max(row1 - row0, 0))


def _slope_block(src: DatasetReader, col0: int, width: int, row0: int, nrows: int
                 ) -> npt.NDArray[np.float32]:
    """Slope (degrees, float32) of rows ``row0 … row0+nrows`` and columns ``col0 … +width``."""
    want_r0, want_r1 = row0 - 1, row0 + nrows + 1  # one-cell halo each side
    want_c0, want_c1 = col0 - 1, col0 + width + 1
    r0, r1 = max(want_r0, 0), min(want_r1, src.height)
    c0, c1 = max(want_c0, 0), min(want_c1, src.width)
    z = read_float(src, Window(c0, r0, c1 - c0, r1 - r0))
    # NaN beyond the raster's edge: edge cells get no slope, never a guess
    pad = ((r0 - want_r0, want_r1 - r1), (c0 - want_c0, want_c1 - c1))
    if any(p for pair in pad for p in pair):
        z = np.pad(z, pad, constant_values=np.nan)
    rows = np.arange(row0, row0 + nrows)
    dx_m, dy_m = ground_cell_size_m(src, rows, col0 + width / 2.0)
    return slope_deg(z, dx_m, dy_m).astype(np.float32)


def write_slope_raster(dem: DatasetReader, out_path: Path, window: Window, *,
                       block_rows: int = BLOCK_ROWS) -> Path:
    """Write the slope (degrees) of ``window`` of ``dem`` to a tiled float32 GeoTIFF.

    The output's grid is the DEM's own cells in the window (same transform, no resampling);
    no-data is NaN. Read and written in blocks of ``block_rows`` rows.
    """
    col0, row0 = int(window.col_off), int(window.row_off)
    width, height = int(window.width), int(window.height)
    if width <= 0 or height <= 0:
        raise InputError("The features do not overlap the DEM: no slope to compute.")
    profile = {
        "driver": "GTiff", "width": width, "height": height, "count": 1, "dtype": "float32",
        "crs": dem.crs, "transform": window_transform(dem.transform, window),
        "nodata": float("nan"),  # uncompressed: a scratch file, written and read once
    }
    if width >= 256 and height >= 256:
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    with rasterio.open(out_path, "w", **profile) as out:
        for start in range(0, height, block_rows):
            n = min(block_rows, height - start)
            block = _slope_block(dem, col0, width, row0 + start, n)
            out.write(block, 1, window=Window(0, start, width, n))
    return out_path

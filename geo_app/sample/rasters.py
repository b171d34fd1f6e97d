"""Deterministic generator of the illustrative DEM and land-cover rasters (COG, EPSG:4547).

**Illustrative, not survey data**: a plausible landscape drawn to agree with the sample
layers, for the terrain figures, the suitability screen and the hillshade under the map.

* Grid: 30 m cells on the CGCS2000 3° Gauss-Krüger plane (EPSG:4547), covering
  113.27–113.59°E, 31.57–31.87°N (every sample feature but the district boundary).
* Relief: the city on a plain at 65–85 m by two rivers, 涢水 (from the north-west, west of
  铁北, on to the south-west) and 㵐水 (from the north-east, joining it at the city), each in a
  flood plain a few metres lower (below 62 m within some 300 m of the channel); 府君山
  (about 330 m) and a range of hills to the north-east rising to about 300 m; 独山, a lone
  hill of some 60 m above the plain at the Dushan scenic area; smooth noise of a few metres.
* Land cover (:data:`geo_app.analysis.terrain_classes.DEFAULT_CLASSES`): water in the river
  channels and the Tiaoshui lotus park; built-up in the city districts and parks, the
  villages, the power-plant district, and the parcels already supplied; cleared land
  ("other") on net-land parcels; forest on the hills and 府君山; grassland on their lower
  slopes; cropland on the rest of the plain (the Kanghua farmland and the agricultural
  bases included).

Seed :data:`SEED`; the same layers give byte-identical files.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import rasterio
import rasterio.shutil
from affine import Affine
from pyproj import Transformer
from rasterio.features import rasterize
from rasterio.io import MemoryFile

from geo_app.analysis.terrain_classes import DEFAULT_CLASSES, classes_csv

SEED = 20211201
CELL_M = 30.0
EPSG = 4547
LON_RANGE = (113.27, 113.59)
LAT_RANGE = (31.57, 31.87)
NODATA_DEM = -9999.0
CODE = {c.code: c.value for c in DEFAULT_CLASSES}

#: River centre lines (lon, lat), upstream first.
YUNSHUI = ((113.300, 31.870), (113.325, 31.800), (113.345, 31.745), (113.352, 31.715),
           (113.372, 31.690), (113.360, 31.650), (113.345, 31.600), (113.335, 31.570))
JUESHUI = ((113.575, 31.870), (113.530, 31.820), (113.490, 31.785), (113.440, 31.745),
           (113.405, 31.712), (113.372, 31.690))
#: Hills: centre lon, lat, height above the plain (m), spread (m).
HILLS = (
    (113.468, 31.808, 260.0, 800.0),    # 府君山
    (113.505, 31.845, 200.0, 2600.0),
    (113.545, 31.815, 150.0, 2200.0),
    (113.570, 31.855, 180.0, 3000.0),
    (113.440, 31.855, 120.0, 2500.0),
    (113.4605, 31.768, 90.0, 350.0),    # 独山 (Dushan scenic area)
)
CITY_CENTRE = (113.380, 31.690)


@dataclass(frozen=True)
class Grid:
    transform: Affine
    width: int
    height: int

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        cols = np.arange(self.width) + 0.5
        rows = np.arange(self.height) + 0.5
        xs = self.transform.c + cols * self.transform.a
        ys = self.transform.f + rows * self.transform.e
        return np.meshgrid(xs, ys)


def sample_grid() -> Grid:
    to_plane = Transformer.from_crs(4490, EPSG, always_xy=True)
    corners = [to_plane.transform(lon, lat) for lon in LON_RANGE for lat in LAT_RANGE]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    x0 = np.floor(min(xs) / CELL_M) * CELL_M
    y1 = np.ceil(max(ys) / CELL_M) * CELL_M
    width = int(np.ceil((max(xs) - x0) / CELL_M))
    height = int(np.ceil((y1 - min(ys)) / CELL_M))
    return Grid(Affine(CELL_M, 0.0, float(x0), 0.0, -CELL_M, float(y1)), width, height)


def _plane(points: tuple[tuple[float, float], ...]) -> np.ndarray:
    to_plane = Transformer.from_crs(4490, EPSG, always_xy=True)
    return np.array([to_plane.transform(lon, lat) for lon, lat in points])


def _distance_to_line(x: np.ndarray, y: np.ndarray, line: np.ndarray) -> np.ndarray:
    best = np.full(x.shape, np.inf)
    for (ax, ay), (bx, by) in itertools.pairwise(line):
        dx, dy = bx - ax, by - ay
        t = np.clip(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
        best = np.minimum(best, np.hypot(x - (ax + t * dx), y - (ay + t * dy)))
    return best


def _smooth_noise(shape: tuple[int, int], rng: np.random.Generator, scale_cells: float
                  ) -> np.ndarray:
    """Gaussian-filtered white noise (FFT), scaled to unit standard deviation."""
    white = rng.standard_normal(shape)
    fy = np.fft.fftfreq(shape[0])[:, None]
    fx = np.fft.rfftfreq(shape[1])[None, :]
    kernel = np.exp(-2.0 * (np.pi * scale_cells) ** 2 * (fx**2 + fy**2))
    out = np.fft.irfft2(np.fft.rfft2(white) * kernel, s=shape)
    return out / out.std()


def make_dem(grid: Grid, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Elevation (m, float32) and the river distances the land cover reuses."""
    x, y = grid.centres()
    cx, cy = _plane((CITY_CENTRE,))[0]
    # the plain rises gently away from the confluence, faster to the north-east
    r = np.hypot(x - cx, y - cy)
    ne = ((x - cx) + (y - cy)) / np.sqrt(2.0)
    z = 70.0 + 0.0006 * r + 14.0 / (1.0 + np.exp(-(ne - 12000.0) / 3000.0))
    rivers = {"yunshui": _distance_to_line(x, y, _plane(YUNSHUI)),
              "jueshui": _distance_to_line(x, y, _plane(JUESHUI))}
    near = np.minimum(rivers["yunshui"], rivers["jueshui"])
    hill_total = np.zeros_like(z)
    for lon, lat, height, spread in HILLS:
        hx, hy = _plane(((lon, lat),))[0]
        hill_total += height * np.exp(-((x - hx) ** 2 + (y - hy) ** 2) / (2.0 * spread**2))
    # the rivers have cut their valleys through the hills
    hill_total *= 1.0 - 0.95 * np.exp(-((near / 900.0) ** 2))
    z += hill_total
    z += (2.0 + hill_total / 25.0) * _smooth_noise(z.shape, rng, 8.0)
    z += 0.3 * _smooth_noise(z.shape, rng, 2.0)
    # rolling uplands (岗地) of the plain, never dipping to the rivers' flood plain
    z += 4.0 * np.clip(_smooth_noise(z.shape, rng, 40.0), -1.2, None)
    for name, depth in (("yunshui", 12.0), ("jueshui", 9.0)):
        z -= depth * np.exp(-rivers[name] / 380.0)
    return np.round(z, 1).astype("float32"), rivers


def _burn(layer: gpd.GeoDataFrame, grid: Grid, value: int, out: np.ndarray) -> None:
    if len(layer) == 0:
        return
    geoms = layer.to_crs(EPSG).geometry
    mask = rasterize(((g, 1) for g in geoms if g is not None and not g.is_empty),
                     out_shape=out.shape, transform=grid.transform, fill=0, dtype="uint8")
    out[mask == 1] = value


def make_landcover(grid: Grid, dem: np.ndarray, rivers: dict[str, np.ndarray],
                   layers: dict[str, gpd.GeoDataFrame], rng: np.random.Generator
                   ) -> np.ndarray:
    x, y = grid.centres()
    lc = np.full(dem.shape, CODE["cropland"], dtype="uint8")
    plain = float(np.percentile(dem, 30))
    above = dem - plain
    noise = _smooth_noise(dem.shape, rng, 4.0)
    lc[(above > 25.0 + 8.0 * noise)] = CODE["grassland"]
    lc[(above > 45.0 + 10.0 * noise)] = CODE["forest"]
    lc[(noise > 2.6)] = CODE["other"]  # scattered bare and unused land
    lc[(noise < -2.4) & (above < 25.0)] = CODE["forest"]  # woods and tree belts on the plain
    sites = layers["sites"]
    _burn(sites[sites["kind"].isin(["ecological"])], grid, CODE["forest"], lc)
    _burn(sites[sites["kind"].isin(["contract_farmland", "agricultural_base"])], grid,
          CODE["cropland"], lc)
    parks = layers["parks"]
    city = parks[parks["id"].isin(["P-CD", "P-TB", "P-FN", "P-DS", "P-XH"])]
    _burn(city, grid, CODE["built_up"], lc)
    cx, cy = _plane((CITY_CENTRE,))[0]
    lc[np.hypot(x - cx, y - cy) < 2200.0 + 300.0 * noise] = CODE["built_up"]
    # a village outline holds its houses in the middle and fields and ponds at the edge
    villages = layers["villages"].to_crs(EPSG)
    villages = villages.set_geometry(villages.geometry.buffer(-60.0))
    _burn(villages[~villages.geometry.is_empty], grid, CODE["built_up"], lc)
    parcels = layers["parcels"]
    _burn(parcels[parcels["stage"] == "net_land"], grid, CODE["other"], lc)
    _burn(parcels[parcels["stage"] == "land_supplied"], grid, CODE["built_up"], lc)
    lc[(rivers["yunshui"] < 60.0) | (rivers["jueshui"] < 40.0)] = CODE["water"]
    _burn(sites[sites["id"] == "S-HH"], grid, CODE["water"], lc)
    return lc


def read_sample_layers(gpkg: Path) -> dict[str, gpd.GeoDataFrame]:
    return {name: pyogrio.read_dataframe(gpkg, layer=name)
            for name in ("parks", "parcels", "villages", "sites")}


def _write_cog(path: Path, array: np.ndarray, grid: Grid, *, nodata: float | None,
               predictor: int, resampling: str) -> None:
    profile = {"driver": "GTiff", "width": grid.width, "height": grid.height, "count": 1,
               "dtype": str(array.dtype), "crs": f"EPSG:{EPSG}", "transform": grid.transform,
               "nodata": nodata}
    tmp = path.with_name(path.name + ".part")
    with MemoryFile() as mem:
        with mem.open(**profile) as dst:
            dst.write(array, 1)
        with mem.open() as src:
            rasterio.shutil.copy(src, tmp, driver="COG", compress="DEFLATE", level=9,
                                 predictor=predictor, blocksize=256,
                                 overview_resampling=resampling, num_threads=1)
    tmp.replace(path)


def write_sample_rasters(gpkg: Path, out_dir: Path) -> dict[str, Path]:
    """Write ``dem.tif``, ``landcover.tif`` and ``landcover_classes.csv`` into ``out_dir``."""
    rng = np.random.default_rng(SEED)
    grid = sample_grid()
    dem, rivers = make_dem(grid, rng)
    lc = make_landcover(grid, dem, rivers, read_sample_layers(gpkg), rng)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"dem": out_dir / "dem.tif", "landcover": out_dir / "landcover.tif",
             "classes": out_dir / "landcover_classes.csv"}
    _write_cog(paths["dem"], dem, grid, nodata=NODATA_DEM, predictor=3, resampling="average")
    _write_cog(paths["landcover"], lc, grid, nodata=0, predictor=1, resampling="mode")
    paths["classes"].write_text(classes_csv(DEFAULT_CLASSES), encoding="utf-8")
    return paths

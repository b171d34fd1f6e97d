"""Zonal statistics of polygon layers over a DEM or a land-cover raster (exactextract).

Rules, each one a known way of getting these figures wrong:

* **The vector goes to the raster, never the raster to the vector**: polygons are
  reprojected to the raster's CRS; the raster's cells are used as they are (no
  resampling).
* **Fractional coverage**: a cell partly inside a polygon counts by the fraction of its area
  inside (``exactextract``). Pixel-centre methods (rasterstats, ``geometry_mask``) miss or
  add whole cells and are off by percent on parcels of tens of cells.
* **Cells of a geographic raster are not equal**: in EPSG:4326/4490 each cell is weighted
  by its area on the sphere (``coverage_weight=area_spherical_m2``) for means and shares.
* **Shares are of the polygon**: a class's share is the area of the polygon covered by cells
  of that class divided by the polygon's area (in the raster's CRS). Parts outside the raster
  or on no-data cells are reported as ``landcover_no_data_share``, not spread over the
  classes; the shares of a fully covered polygon sum to 1.
* **Mu follow the project's area convention**: ``landcover_mu[class] = share ×`` the
  polygon's ellipsoidal area (CGCS2000/GRS80, the third national land survey's convention,
  :func:`geo_app.analysis.area.ellipsoidal_area_m2`), so the classes of a fully covered
  polygon sum to its area in mu.
* **Slope in degrees on the ground**: computed from the DEM with each row's cell size in
  metres (:mod:`geo_app.analysis.terrain`), only over the window the features need.

Elevation min/max are over every cell the polygon touches (coverage > 0); the mean is
coverage-weighted. Windowed throughout: exactextract reads the raster per feature, the slope
is written block by block to a temporary file.
"""

from __future__ import annotations

import math
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from exactextract import exact_extract
from rasterio.windows import Window

from geo_app.analysis.area import ellipsoidal_area_m2, finite_mask, require_polygons
from geo_app.analysis.terrain import (
    bounds_window,
    open_raster,
    padded_window,
    raster_crs_name,
    write_slope_raster,
)
from geo_app.analysis.terrain_classes import DEFAULT_CLASSES, LandCoverClass
from geo_app.analysis.units import M2_PER_MU
from geo_app.errors import GeoAppError, InputError


class RasterKind(StrEnum):
    DEM = "dem"
    LANDCOVER = "landcover"


class Stat(StrEnum):
    """What can be asked of ``geo-app zonal --stats``."""

    ELEVATION = "elevation"
    SLOPE = "slope"
    LANDCOVER = "landcover"


STATS_OF_KIND: dict[RasterKind, tuple[Stat, ...]] = {
    RasterKind.DEM: (Stat.ELEVATION, Stat.SLOPE),
    RasterKind.LANDCOVER: (Stat.LANDCOVER,),
}
ELEVATION_KEYS = ("elev_min", "elev_mean", "elev_max")
SLOPE_KEYS = ("slope_mean_deg", "slope_max_deg")
#: Output keys of each statistic (per feature).
KEYS_OF_STAT: dict[Stat, tuple[str, ...]] = {
    Stat.ELEVATION: (*ELEVATION_KEYS, "dem_no_data_share"),
    Stat.SLOPE: SLOPE_KEYS,
    Stat.LANDCOVER: ("landcover_mu", "landcover_share", "landcover_no_data_share"),
}
#: Coverage within this of 1 is 1 (exactextract sums cell fractions with ~1e-9 noise).
_SNAP = 1e-7


def parse_stats(text: str | Sequence[str] | None, kind: RasterKind | None) -> tuple[Stat, ...]:
    """``"elevation,slope"`` (also ``elev``, ``lc``) → stats; default: those of ``kind``."""
    if not text:
        if kind is None:
            raise InputError("Say which statistics to compute (--stats elevation,slope or "
                             "--stats landcover) or the raster's kind (--kind dem|landcover).")
        return STATS_OF_KIND[kind]
    items = text.split(",") if isinstance(text, str) else list(text)
    alias = {"elev": Stat.ELEVATION, "elevation": Stat.ELEVATION, "slope": Stat.SLOPE,
             "landcover": Stat.LANDCOVER, "lc": Stat.LANDCOVER, "land_cover": Stat.LANDCOVER}
    out: list[Stat] = []
    for item in items:
        key = item.strip().lower()
        if key not in alias:
            raise InputError(f"Unknown statistic {item.strip()!r}: choose from elevation, "
                             "slope, landcover.")
        if alias[key] not in out:
            out.append(alias[key])
    if Stat.LANDCOVER in out and len(out) > 1:
        raise InputError("Land cover and elevation/slope come from different rasters: ask "
                         "--stats landcover of the land-cover raster and elevation,slope of "
                         "the DEM.")
    return tuple(out)


@dataclass
class ZonalResult:
    """Per-feature figures of one raster over one layer."""

    raster: str
    crs: str
    stats: tuple[Stat, ...]
    #: one row per feature: id, name, area_mu_ellipsoidal and the keys of the stats asked
    frame: pd.DataFrame
    classes: tuple[LandCoverClass, ...] = ()
    notes: list[str] = field(default_factory=list)

    def keys(self) -> list[str]:
        return [k for s in self.stats for k in KEYS_OF_STAT[s]]

    def to_dict(self) -> dict[str, Any]:
        """``{"raster", "crs", "stats", "classes"?, "notes", "features": [...]}``."""
        cols = ["id", "name", "area_mu_ellipsoidal", *self.keys()]
        features = [{c: plain_value(row[c]) for c in cols} for row in self.frame.to_dict("records")]
        out: dict[str, Any] = {"raster": self.raster, "crs": self.crs,
                               "stats": [str(s) for s in self.stats]}
        if self.classes:
            out["classes"] = [c.to_dict() for c in self.classes]
        out["notes"] = list(self.notes)
        out["features"] = features
        return out


def plain_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: plain_value(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# --- the vector side -------------------------------------------------------------------------


def _prepared(gdf: gpd.GeoDataFrame, raster_crs: Any, what: str
              ) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    if gdf.crs is None:
        raise InputError(f"{what} has no coordinate system; geo_app never assumes one.")
    require_polygons(gdf, what=what)
    ok = finite_mask(gdf)
    return gdf.to_crs(raster_crs), ok


def _ids(gdf: gpd.GeoDataFrame, id_column: str, name_column: str) -> pd.DataFrame:
    ids = (gdf[id_column].astype("object") if id_column in gdf.columns
           else pd.Series([str(i + 1) for i in range(len(gdf))], index=gdf.index))
    names = (gdf[name_column].astype("object") if name_column in gdf.columns
             else pd.Series([None] * len(gdf), index=gdf.index))
    return pd.DataFrame({"id": ids.to_numpy(), "name": names.to_numpy()})


def _overlapping(projected: gpd.GeoDataFrame, ok: np.ndarray, bounds: Any, what: str,
                 raster_name: str) -> np.ndarray:
    """Rows with a finite geometry that touches the raster's extent; none is an error."""
    extent = shapely.box(bounds.left, bounds.bottom, bounds.right, bounds.top)
    geoms = np.asarray(projected.geometry.array, dtype=object)
    touch = ok.copy()
    touch[ok] = shapely.intersects(geoms[ok], extent) & ~shapely.touches(geoms[ok], extent)
    if not touch.any():
        raise InputError(
            f"No feature of {what} overlaps the raster {raster_name} (it covers "
            f"{bounds.left:.6g}–{bounds.right:.6g}, {bounds.bottom:.6g}–{bounds.top:.6g} in its "
            "CRS). Check that the raster covers the area, and its coordinate system.")
    return touch


def _extract(raster: str | Path, projected: gpd.GeoDataFrame, rows: np.ndarray,
             ops: list[str]) -> pd.DataFrame:
    """exactextract over the features of ``rows``; one output row per feature, in order.

    Feature-sequential output has one row per input feature in input order, so the rows
    are labelled by position (asking exactextract to carry a row-number column costs about
    a third of the whole extraction: every feature's properties go through Python).
    """
    positions = np.flatnonzero(rows)
    part = gpd.GeoDataFrame(geometry=projected.geometry.to_numpy()[rows], crs=projected.crs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # empty intersections: mean of nothing
        out = pd.DataFrame(exact_extract(str(raster), part, ops, output="pandas",
                                         strategy="feature-sequential"))
    if len(out) != len(positions):
        raise GeoAppError(f"exactextract returned {len(out)} rows for {len(positions)} "
                          "features; the statistics cannot be matched to the features.")
    out.index = pd.Index(positions, name="_row")
    return out


def _weight(geographic: bool) -> str:
    return "(coverage_weight=area_spherical_m2)" if geographic else ""


def _covered_share(count_cells: np.ndarray, cell_area: float, poly_area: np.ndarray
                   ) -> np.ndarray:
    """Share of each polygon's area on cells with data (its own CRS's plane)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(poly_area > 0, count_cells * cell_area / poly_area, np.nan)
    share = np.where(np.abs(share - 1.0) < _SNAP, 1.0, share)
    return np.clip(share, 0.0, 1.0)


# --- DEM -----------------------------------------------------------------------------------------


def dem_stats(gdf: gpd.GeoDataFrame, dem_path: Path | str, *,
              stats: Sequence[Stat] = (Stat.ELEVATION, Stat.SLOPE), what: str = "the layer",
              id_column: str = "id", name_column: str = "name") -> ZonalResult:
    """Elevation min/mean/max (m) and slope mean/max (degrees) of each polygon."""
    dem_path = Path(dem_path)
    notes: list[str] = []
    with open_raster(dem_path) as src:
        crs_name = raster_crs_name(src)
        geographic = bool(src.crs.is_geographic)
        projected, ok = _prepared(gdf, src.crs, what)
        rows = _overlapping(projected, ok, src.bounds, what, dem_path.name)
        frame = _ids(gdf, id_column, name_column)
        frame["area_mu_ellipsoidal"] = ellipsoidal_area_m2(gdf) / M2_PER_MU
        n = len(gdf)
        if Stat.ELEVATION in stats:
            w = _weight(geographic)
            res = _extract(dem_path, projected, rows, ["min", "max", f"mean{w}", "count"])
            for key, col in (("elev_min", "min"), ("elev_max", "max"), ("elev_mean", "mean")):
                values = np.full(n, np.nan)
                values[res.index.to_numpy()] = res[col].to_numpy(dtype=float)
                frame[key] = values
            count = np.zeros(n)
            count[res.index.to_numpy()] = res["count"].to_numpy(dtype=float)
            poly_area = np.asarray(shapely.area(projected.geometry.to_numpy()), dtype=float)
            covered = _covered_share(count, abs(src.res[0] * src.res[1]), poly_area)
            frame["dem_no_data_share"] = np.where(ok, 1.0 - covered, np.nan)
        if Stat.SLOPE in stats:
            frame = _add_slope(frame, src, dem_path, projected, rows)
    missing = int((~rows).sum())
    if missing:
        notes.append(f"{missing} feature(s) have no finite geometry or lie outside the raster: "
                     "no figures for them.")
    return ZonalResult(str(dem_path), crs_name, tuple(stats), frame, (), notes)


def _layer_window(src: Any, projected: gpd.GeoDataFrame, rows: np.ndarray) -> Window:
    bounds = tuple(float(v) for v in projected.geometry[rows].total_bounds)
    win = bounds_window(src.transform, bounds)  # type: ignore[arg-type]
    col0, row0 = max(int(win.col_off), 0), max(int(win.row_off), 0)
    col1 = min(int(win.col_off + win.width), src.width)
    row1 = min(int(win.row_off + win.height), src.height)
    return padded_window(src, Window(col0, row0, max(col1 - col0, 0), max(row1 - row0, 0)))


def _add_slope(frame: pd.DataFrame, src: Any, dem_path: Path, projected: gpd.GeoDataFrame,
               rows: np.ndarray) -> pd.DataFrame:
    window = _layer_window(src, projected, rows)
    n = len(frame)
    with tempfile.TemporaryDirectory(prefix="geo_app_slope_") as tmp:
        slope_path = write_slope_raster(src, Path(tmp) / "slope.tif", window)
        w = _weight(bool(src.crs.is_geographic))
        res = _extract(slope_path, projected, rows, [f"mean{w}", "max"])
    for key, col in (("slope_mean_deg", "mean"), ("slope_max_deg", "max")):
        values = np.full(n, np.nan)
        values[res.index.to_numpy()] = res[col].to_numpy(dtype=float)
        frame[key] = values
    return frame


# --- land cover ----------------------------------------------------------------------------------


def landcover_stats(gdf: gpd.GeoDataFrame, raster_path: Path | str, *,
                    classes: Sequence[LandCoverClass] = DEFAULT_CLASSES,
                    what: str = "the layer", id_column: str = "id",
                    name_column: str = "name") -> ZonalResult:
    """Share (0–1) and mu of each land-cover class in each polygon (fractional coverage)."""
    raster_path = Path(raster_path)
    by_value = {c.value: c for c in classes}
    notes: list[str] = []
    with open_raster(raster_path) as src:
        if np.dtype(src.dtypes[0]).kind not in "iu":
            raise InputError(
                f"{raster_path.name} holds {src.dtypes[0]} values, not class numbers: a "
                "land-cover raster has whole-number cells (give --kind dem for a DEM).")
        crs_name = raster_crs_name(src)
        geographic = bool(src.crs.is_geographic)
        cell_area = abs(src.res[0] * src.res[1])
        projected, ok = _prepared(gdf, src.crs, what)
        rows = _overlapping(projected, ok, src.bounds, what, raster_path.name)
    res = _extract(raster_path, projected, rows, ["count", "unique", f"frac{_weight(geographic)}"])
    n = len(gdf)
    poly_area = np.asarray(shapely.area(projected.geometry.to_numpy()), dtype=float)
    count = np.zeros(n)
    count[res.index.to_numpy()] = res["count"].to_numpy(dtype=float)
    covered = _covered_share(count, cell_area, poly_area)
    area_m2 = ellipsoidal_area_m2(gdf)
    frame = _ids(gdf, id_column, name_column)
    frame["area_mu_ellipsoidal"] = area_m2 / M2_PER_MU
    shares: list[dict[str, float] | None] = [None] * n
    mus: list[dict[str, float] | None] = [None] * n
    unknown: set[int] = set()
    fracs = dict(zip(res.index.to_numpy(), zip(res["unique"], res["frac"], strict=True),
                     strict=True))
    codes = [c.code for c in classes]
    for i in range(n):
        if not ok[i]:
            continue
        share = dict.fromkeys(codes, 0.0)
        if i in fracs:
            values, frac = fracs[i]
            for value, f in zip(np.asarray(values).tolist(), np.asarray(frac).tolist(),
                                strict=True):
                cls = by_value.get(int(value))
                if cls is None:
                    unknown.add(int(value))
                    key = f"value_{int(value)}"
                    share[key] = share.get(key, 0.0) + f * covered[i]
                else:
                    share[cls.code] += f * covered[i]
        shares[i] = share
        mus[i] = {k: v * area_m2[i] / M2_PER_MU for k, v in share.items()}
    frame["landcover_share"] = shares
    frame["landcover_mu"] = mus
    frame["landcover_no_data_share"] = np.where(ok, 1.0 - covered, np.nan)
    if unknown:
        notes.append("cells with values not in the classes: "
                      + ", ".join(str(v) for v in sorted(unknown))
                      + " (reported as value_N; add them to the classes file)")
    missing = int((~rows).sum())
    if missing:
        notes.append(f"{missing} feature(s) have no finite geometry or lie outside the raster: "
                     "their shares are of no data.")
    return ZonalResult(str(raster_path), crs_name, (Stat.LANDCOVER,), frame, tuple(classes),
                       notes)


def zonal(gdf: gpd.GeoDataFrame, raster_path: Path | str, stats: Sequence[Stat], *,
          classes: Sequence[LandCoverClass] = DEFAULT_CLASSES, what: str = "the layer",
          id_column: str = "id", name_column: str = "name") -> ZonalResult:
    """One entry for the CLI: land cover, or elevation and/or slope, of each polygon."""
    if Stat.LANDCOVER in stats:
        return landcover_stats(gdf, raster_path, classes=classes, what=what,
                               id_column=id_column, name_column=name_column)
    return dem_stats(gdf, raster_path, stats=stats, what=what, id_column=id_column,
                     name_column=name_column)

"""Terrain of a whole layer: DEM and land-cover figures per feature, and the suitability
screen, in one table (what the Terrain page, ``geo-app suitability`` and the briefs read)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_app.analysis.suitability import Thresholds, screen
from geo_app.analysis.terrain_classes import CROPLAND, DEFAULT_CLASSES, LandCoverClass
from geo_app.analysis.zonal import (
    ELEVATION_KEYS,
    SLOPE_KEYS,
    ZonalResult,
    dem_stats,
    landcover_stats,
    plain_value,
)
from geo_app.errors import InputError


@dataclass
class TerrainTable:
    """One row per feature: figures, shares, suitability and its reasons."""

    frame: pd.DataFrame
    dem: str | None
    landcover: str | None
    crs: dict[str, str]
    classes: tuple[LandCoverClass, ...]
    thresholds: Thresholds
    notes: list[str] = field(default_factory=list)

    def feature(self, feature_id: object) -> dict[str, Any]:
        rows = self.frame[self.frame["id"].astype(str) == str(feature_id)]
        if rows.empty:
            raise InputError(f"No feature {feature_id!r} in the table.")
        return {k: plain_value(v) for k, v in rows.iloc[0].to_dict().items()}

    def to_dict(self) -> dict[str, Any]:
        """JSON: rasters, CRS, thresholds, classes, notes and one object per feature."""
        cols = ["id", "name", "area_mu_ellipsoidal", *ELEVATION_KEYS, *SLOPE_KEYS,
                "cropland_share", "landcover_mu", "landcover_share", "suitability", "flags",
                "reason_zh", "reason_en"]
        cols = [c for c in cols if c in self.frame.columns]
        return {
            "dem": self.dem, "landcover": self.landcover, "crs": dict(self.crs),
            "thresholds": vars(self.thresholds).copy(),
            "classes": [c.to_dict() for c in self.classes],
            "notes": list(self.notes),
            "features": [{c: plain_value(r[c]) for c in cols}
                         for r in self.frame.to_dict("records")],
        }

    def flat(self, lang: str = "zh") -> pd.DataFrame:
        """A flat table for Excel/CSV: one column per class in mu and in %."""
        out = self.frame.drop(columns=[c for c in ("landcover_mu", "landcover_share", "flags",
                                                   "reason_zh", "reason_en", "suitability")
                                       if c in self.frame.columns])
        if "landcover_mu" in self.frame.columns:
            for cls in self.classes:
                mu = [d.get(cls.code) if isinstance(d, dict) else np.nan
                      for d in self.frame["landcover_mu"]]
                share = [d.get(cls.code) if isinstance(d, dict) else np.nan
                         for d in self.frame["landcover_share"]]
                out[f"{cls.label(lang)} mu"] = pd.to_numeric(pd.Series(mu), errors="coerce")
                out[f"{cls.label(lang)} %"] = pd.to_numeric(pd.Series(share),
                                                            errors="coerce") * 100.0
        if "suitability" in self.frame.columns:
            out["suitability"] = self.frame["suitability"]
            out["reason"] = self.frame["reason_zh" if lang == "zh" else "reason_en"]
        return out


def layer_terrain(gdf: gpd.GeoDataFrame, *, dem: Path | str | None,
                  landcover: Path | str | None,
                  classes: Sequence[LandCoverClass] = DEFAULT_CLASSES,
                  thresholds: Thresholds | None = None, what: str = "the layer",
                  id_column: str = "id", name_column: str = "name") -> TerrainTable:
    """Elevation, slope, land cover and suitability of every feature of ``gdf``."""
    if dem is None and landcover is None:
        raise InputError("No DEM and no land-cover raster: add one with `geo-app raster add "
                         "FILE --kind dem|landcover`.")
    thresholds = thresholds or Thresholds()
    results: list[ZonalResult] = []
    if dem is not None:
        results.append(dem_stats(gdf, dem, what=what, id_column=id_column,
                                 name_column=name_column))
    if landcover is not None:
        results.append(landcover_stats(gdf, landcover, classes=classes, what=what,
                                       id_column=id_column, name_column=name_column))
    frame = results[0].frame.copy()
    for extra in results[1:]:
        for col in extra.frame.columns:
            if col not in frame.columns:
                frame[col] = extra.frame[col].to_numpy()
    if "landcover_share" in frame.columns:
        frame["cropland_share"] = [d.get(CROPLAND, np.nan) if isinstance(d, dict) else np.nan
                                   for d in frame["landcover_share"]]
    order = ["id", "name", "area_mu_ellipsoidal", *ELEVATION_KEYS, *SLOPE_KEYS]
    frame = frame[[c for c in order if c in frame.columns]
                  + [c for c in frame.columns if c not in order]]
    frame = screen(frame, thresholds)
    crs = {}
    if dem is not None:
        crs["dem"] = results[0].crs
    if landcover is not None:
        crs["landcover"] = results[-1].crs
    notes = [n for r in results for n in r.notes]
    return TerrainTable(frame, None if dem is None else str(dem),
                        None if landcover is None else str(landcover), crs, tuple(classes),
                        thresholds, notes)

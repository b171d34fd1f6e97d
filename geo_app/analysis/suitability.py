"""Suitability screening of parcels and village works from terrain and land cover.

Three flags, each with its reason in Chinese and English:

* **steep**: mean slope above ``max_slope_deg`` (default 15°: building land on steeper
  ground needs terracing and retaining works; 25° is the legal limit for cultivation);
* **low-lying** (flood-prone): the lowest ground below ``min_elevation_m`` (default 62 m, the
  flood plain of the 涢水 and 㵐水 in the bundled DEM; set it for the real DEM);
* **farmland**: cropland share above ``max_cropland_share`` (default 0.30): check
  永久基本农田 (permanent basic farmland) before any acquisition.

Defaults come from the environment at call time (``GEO_APP_SUIT_MAX_SLOPE_DEG``,
``GEO_APP_SUIT_MIN_ELEVATION_M``, ``GEO_APP_SUIT_MAX_CROPLAND_SHARE``); the CLI and the page
override them per run. A feature with no terrain figures is ``unknown``, never ``ok``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pandas as pd
from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from geo_app.analysis.terrain_classes import CROPLAND
from geo_app.errors import InputError


class Suitability(StrEnum):
    OK = "ok"
    FLAGGED = "flagged"
    UNKNOWN = "unknown"


class Flag(StrEnum):
    STEEP = "steep"
    LOW_LYING = "low_lying"
    FARMLAND = "farmland"


@dataclass(frozen=True)
class Thresholds:
    """Where a feature is flagged."""

    max_slope_deg: float = 15.0
    min_elevation_m: float = 62.0
    max_cropland_share: float = 0.30

    def __post_init__(self) -> None:
        if not (0.0 <= self.max_slope_deg < 90.0):
            raise InputError(f"The slope threshold {self.max_slope_deg}° must be between 0 and "
                             "90 degrees.")
        if not math.isfinite(self.min_elevation_m):
            raise InputError("The elevation threshold must be a finite number of metres.")
        if not (0.0 <= self.max_cropland_share <= 1.0):
            raise InputError(f"The cropland share threshold {self.max_cropland_share} must be "
                             "between 0 and 1 (e.g. 0.3 for 30 %).")

    def with_overrides(self, *, max_slope_deg: float | None = None,
                       min_elevation_m: float | None = None,
                       max_cropland_share: float | None = None) -> Thresholds:
        return Thresholds(
            self.max_slope_deg if max_slope_deg is None else max_slope_deg,
            self.min_elevation_m if min_elevation_m is None else min_elevation_m,
            self.max_cropland_share if max_cropland_share is None else max_cropland_share)


class _SuitabilitySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GEO_APP_SUIT_", extra="ignore")
    max_slope_deg: float = Thresholds.max_slope_deg
    min_elevation_m: float = Thresholds.min_elevation_m
    max_cropland_share: float = Thresholds.max_cropland_share


def default_thresholds() -> Thresholds:
    """The thresholds from ``GEO_APP_SUIT_*`` (read now), else the built-in defaults."""
    try:
        s = _SuitabilitySettings()
    except ValidationError as exc:
        names = ", ".join(f"GEO_APP_SUIT_{str(e['loc'][0]).upper()}" for e in exc.errors())
        raise InputError(f"{names} must be a number. Fix it or unset it to use the default."
                         ) from None
    return Thresholds(s.max_slope_deg, s.min_elevation_m, s.max_cropland_share)


@dataclass(frozen=True)
class FlagReason:
    flag: Flag
    zh: str
    en: str

    def text(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


def _num(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def screen_feature(*, slope_mean_deg: Any, elev_min: Any, cropland_share: Any,
                   thresholds: Thresholds) -> tuple[Suitability, list[FlagReason]]:
    """Flags of one feature and why; ``unknown`` when no figure is available."""
    slope, low, crop = _num(slope_mean_deg), _num(elev_min), _num(cropland_share)
    reasons: list[FlagReason] = []
    if math.isfinite(slope) and slope > thresholds.max_slope_deg:
        reasons.append(FlagReason(
            Flag.STEEP,
            f"平均坡度 {slope:.1f}° 大于 {thresholds.max_slope_deg:g}°",
            f"mean slope {slope:.1f}° above {thresholds.max_slope_deg:g}°"))
    if math.isfinite(low) and low < thresholds.min_elevation_m:
        reasons.append(FlagReason(
            Flag.LOW_LYING,
            f"最低高程 {low:.1f} m 低于 {thresholds.min_elevation_m:g} m（易涝）",
            f"lowest ground {low:.1f} m below {thresholds.min_elevation_m:g} m (flood-prone)"))
    if math.isfinite(crop) and crop > thresholds.max_cropland_share:
        reasons.append(FlagReason(
            Flag.FARMLAND,
            f"耕地占 {crop:.0%}，超过 {thresholds.max_cropland_share:.0%}：先核查永久基本农田",
            f"cropland {crop:.0%}, above {thresholds.max_cropland_share:.0%}: check permanent "
            "basic farmland (永久基本农田) first"))
    if reasons:
        return Suitability.FLAGGED, reasons
    if not any(math.isfinite(v) for v in (slope, low, crop)):
        return Suitability.UNKNOWN, reasons
    return Suitability.OK, reasons


def screen(terrain: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Add ``suitability``, ``flags`` and ``reason_zh``/``reason_en`` to a terrain table.

    ``terrain`` has ``slope_mean_deg``, ``elev_min`` and ``landcover_share`` (a dict per
    row, or ``cropland_share``) where available (:func:`geo_app.analysis.zonal` output or
    :func:`terrain_table`).
    """
    out = terrain.copy()
    status, flags, zh, en = [], [], [], []
    for row in terrain.to_dict("records"):
        crop = row.get("cropland_share")
        shares = row.get("landcover_share")
        if crop is None and isinstance(shares, dict):
            crop = shares.get(CROPLAND)
        s, reasons = screen_feature(slope_mean_deg=row.get("slope_mean_deg"),
                                    elev_min=row.get("elev_min"), cropland_share=crop,
                                    thresholds=thresholds)
        status.append(str(s))
        flags.append([str(r.flag) for r in reasons])
        zh.append("；".join(r.zh for r in reasons) or ("无数据" if s is Suitability.UNKNOWN
                                                        else "未见限制"))
        en.append("; ".join(r.en for r in reasons) or ("no data" if s is Suitability.UNKNOWN
                                                        else "no constraint found"))
    out["suitability"] = status
    out["flags"] = flags
    out["reason_zh"] = zh
    out["reason_en"] = en
    return out

"""Suitability flags: each threshold, its reason in Chinese and English, no data, settings."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geo_app.analysis.suitability import (
    Flag,
    Suitability,
    Thresholds,
    default_thresholds,
    screen,
    screen_feature,
)
from geo_app.errors import InputError

T = Thresholds(max_slope_deg=15.0, min_elevation_m=62.0, max_cropland_share=0.3)


@pytest.mark.parametrize(("slope", "low", "crop", "flags"), [
    (15.0, 62.0, 0.30, []),              # on the thresholds: not flagged
    (15.01, 70.0, 0.0, [Flag.STEEP]),
    (2.0, 61.99, 0.0, [Flag.LOW_LYING]),
    (2.0, 70.0, 0.31, [Flag.FARMLAND]),
    (30.0, 50.0, 0.9, [Flag.STEEP, Flag.LOW_LYING, Flag.FARMLAND]),
])
def test_each_threshold_flags_with_its_reason(slope, low, crop, flags):
    status, reasons = screen_feature(slope_mean_deg=slope, elev_min=low, cropland_share=crop,
                                     thresholds=T)
    assert [r.flag for r in reasons] == flags
    assert status is (Suitability.FLAGGED if flags else Suitability.OK)
    for r in reasons:
        assert r.zh and r.en and r.zh != r.en
    if Flag.FARMLAND in flags:
        assert "永久基本农田" in reasons[-1].zh and "permanent basic farmland" in reasons[-1].en


def test_no_figures_is_unknown_never_ok():
    status, reasons = screen_feature(slope_mean_deg=None, elev_min=math.nan,
                                     cropland_share=None, thresholds=T)
    assert status is Suitability.UNKNOWN and reasons == []


def test_screen_reads_cropland_from_the_shares():
    frame = pd.DataFrame({"slope_mean_deg": [1.0, 20.0], "elev_min": [70.0, 70.0],
                          "landcover_share": [{"cropland": 0.5}, {"cropland": 0.0}]})
    out = screen(frame, T)
    assert out["flags"].tolist() == [["farmland"], ["steep"]]
    assert out["suitability"].tolist() == ["flagged", "flagged"]
    assert "50%" in out["reason_en"][0]


def test_defaults_come_from_the_environment_at_call_time(monkeypatch):
    assert default_thresholds() == Thresholds()
    monkeypatch.setenv("GEO_APP_SUIT_MAX_SLOPE_DEG", "8")
    monkeypatch.setenv("GEO_APP_SUIT_MIN_ELEVATION_M", "45.5")
    t = default_thresholds()
    assert (t.max_slope_deg, t.min_elevation_m) == (8.0, 45.5)
    monkeypatch.setenv("GEO_APP_SUIT_MAX_CROPLAND_SHARE", "lots")
    with pytest.raises(InputError, match="GEO_APP_SUIT_MAX_CROPLAND_SHARE must be a number"):
        default_thresholds()


@pytest.mark.parametrize("kwargs", [{"max_slope_deg": 95.0}, {"max_cropland_share": 1.5},
                                    {"min_elevation_m": math.inf}])
def test_impossible_thresholds_are_refused(kwargs):
    with pytest.raises(InputError):
        Thresholds(**kwargs)

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo_app.analysis.progress import at_stages, progress, stages_as_of
from geo_app.errors import InputError

X0, Y0 = 440_000, 3_505_000
MU = 10000 / 15


def _parcels():
    # a: 300×200 m = 90 mu, b: 100×100 m = 15 mu (phase 1); c: 200×100 m = 30 mu (phase 2)
    geoms = [box(X0, Y0, X0 + 300, Y0 + 200), box(X0 + 400, Y0, X0 + 500, Y0 + 100),
             box(X0 + 600, Y0, X0 + 800, Y0 + 100)]
    return gpd.GeoDataFrame(
        {"id": ["a", "b", "c"], "phase": [1, 1, 2],
         "stage": ["net_land", "compensation_paid", "supplied"]},
        geometry=geoms, crs=4547,
    ).to_crs(4490)


def _events():
    rows = [
        (1, "a", "compensation_paid", "2021-03-01", "2021-03-02T09:00:00"),
        (2, "a", "net_land", "2021-06-01", "2021-06-01T10:00:00"),
        (3, "b", "compensation_paid", "2021-05-01", "2021-05-01T10:00:00"),
        (4, "c", "net_land", "2021-07-01", "2021-07-01T10:00:00"),
        (5, "c", "supplied", "2021-09-01", "2021-09-02T10:00:00"),
        # a correction recorded later, same effective date as event 2: a was not net land yet
        (6, "a", "compensation_paid", "2021-06-01", "2021-06-05T10:00:00"),
        (7, "a", "net_land", "2021-06-20", "2021-06-20T10:00:00"),
    ]
    return pd.DataFrame(rows, columns=["event_id", "parcel_id", "to_stage", "effective_date",
                                       "recorded_at"])


def test_current_progress_uses_stage_column_and_targets():
    p1, p2 = progress(_parcels())
    assert (p1.phase, p1.target_mu, p2.target_mu) == (1, 1420.0, 1700.0)
    assert p1.total_mu == pytest.approx(105.0, abs=1e-6)
    assert p1.net_land_mu == pytest.approx(90.0, abs=1e-6)
    assert p1.by_stage_mu == pytest.approx({"compensation_paid": 15.0, "net_land": 90.0})
    assert p1.share_net_land == pytest.approx(90.0 / 1420.0)
    assert p2.net_land_mu == pytest.approx(30.0, abs=1e-6)  # supplied counts as net land and later


@pytest.mark.parametrize(
    ("day", "phase1_net", "phase2_net", "a_stage"),
    [("2021-02-01", 0.0, 0.0, "not_started"), ("2021-06-01", 0.0, 0.0, "compensation_paid"),
     ("2021-06-20", 90.0, 0.0, "net_land"), ("2021-08-01", 90.0, 30.0, "net_land")],
)
def test_progress_as_of_a_date_replays_events_with_corrections(day, phase1_net, phase2_net,
                                                                a_stage):
    as_of = dt.date.fromisoformat(day)
    p1, p2 = progress(_parcels(), as_of=as_of, events=_events())
    assert p1.net_land_mu == pytest.approx(phase1_net, abs=1e-6)
    assert p2.net_land_mu == pytest.approx(phase2_net, abs=1e-6)
    assert stages_as_of(pd.Series(["a"]), _events(), as_of).iloc[0] == a_stage


def test_as_of_without_history_says_what_to_do():
    with pytest.raises(InputError, match="no stage history"):
        progress(_parcels(), as_of=dt.date(2021, 1, 1), events=None)


def test_custom_targets():
    (p1, p2) = progress(_parcels(), targets_mu={1: 90.0})
    assert p1.share_net_land == pytest.approx(1.0)
    assert p2.target_mu is None and p2.share_net_land is None


def test_at_stages_accepts_codes_and_labels_and_says_what_is_missing():
    parcels = _parcels()
    assert list(at_stages(parcels, ["净地", "supplied"])["id"]) == ["a", "c"]
    with pytest.raises(InputError, match="no stage column"):
        at_stages(parcels.drop(columns="stage"), ["net_land"], layer="roads")

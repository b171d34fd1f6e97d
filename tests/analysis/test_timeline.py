"""Progress over time, a parcel's history and two dates compared, with known answers."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from known_cases import X0, Y0, event_frame, four_parcels

from geo_app.analysis.progress import progress
from geo_app.analysis.timeline import (
    MONTH_COLUMNS,
    STAGE_CODES,
    as_of_choices,
    compare_dates,
    default_comparison_days,
    event_span,
    latest_by_phase,
    month_ends,
    net_land_by_month,
    parcel_timeline,
)
from geo_app.domain.stages import STAGE_ORDER
from geo_app.errors import InputError

MU = 10000 / 15
D = dt.date.fromisoformat



def _events() -> pd.DataFrame:
    rows = [
        (1, "a", None, "compensation_paid", "2021-03-01", "2021-03-02T09:00:00", True),
        (2, "c", None, "net_land", "2021-02-10", "2021-02-10T10:00:00", True),
        (3, "c", "net_land", "supplied", "2021-03-05", "2021-03-05T10:00:00", False),
        (4, "a", "compensation_paid", "net_land", "2021-04-10", "2021-04-10T10:00:00", False),
        # a was not net land after all: a correction takes it back on 20 May
        (5, "a", "net_land", "compensation_paid", "2021-05-20", "2021-05-21T10:00:00", True),
        (6, "b", None, "net_land", "2021-06-15", "2021-06-15T10:00:00", True),
        # same-day correction recorded the next day overrides event 6
        (7, "b", "net_land", "compensation_paid", "2021-06-15", "2021-06-16T08:00:00", True),
        (8, "b", "compensation_paid", "net_land", "2021-06-25", "2021-06-25T10:00:00", False),
        (9, "a", "compensation_paid", "net_land", "2021-07-05", "2021-07-05T10:00:00", False),
    ]
    return event_frame(rows)


# --- month ends --------------------------------------------------------------------------


def test_month_ends_close_each_month_and_stop_at_the_end_date():
    assert month_ends(D("2020-12-15"), D("2021-03-10")) == [
        D("2020-12-31"), D("2021-01-31"), D("2021-02-28"), D("2021-03-10")]
    assert month_ends(D("2024-02-01"), D("2024-02-29")) == [D("2024-02-29")]


def test_month_ends_refuse_a_reversed_period():
    with pytest.raises(InputError, match="starts 2021-05-01 after it ends 2021-01-01"):
        month_ends(D("2021-05-01"), D("2021-01-01"))


# --- net land by month -------------------------------------------------------------------


def test_net_land_by_month_on_hand_built_parcels_with_corrections():
    table = net_land_by_month(four_parcels(), _events(), start="2021-01-01", end="2021-09-30")
    assert list(table.columns) == list(MONTH_COLUMNS)
    got = {(int(r.phase), r.month_end.date()): r.net_land_mu for r in table.itertuples()}
    ends = ["2021-01-31", "2021-02-28", "2021-03-31", "2021-04-30", "2021-05-31",
            "2021-06-30", "2021-07-31", "2021-08-31", "2021-09-30"]
    # phase 1: a (90 mu) net land 10 Apr, corrected back 20 May, net land again 5 Jul;
    # b (15 mu) net land on 25 Jun (the 15 Jun record was overridden the same day)
    phase1 = [0, 0, 0, 90, 0, 15, 105, 105, 105]
    # phase 2: c (30 mu) net land 10 Feb, then supplied (still counts); d never started
    phase2 = [0, 30, 30, 30, 30, 30, 30, 30, 30]
    for day, p1, p2 in zip(ends, phase1, phase2, strict=True):
        assert got[(1, D(day))] == pytest.approx(p1, abs=1e-6), day
        assert got[(2, D(day))] == pytest.approx(p2, abs=1e-6), day
    targets = table.groupby("phase")["target_mu"].first()
    assert targets.to_dict() == {1: 1420.0, 2: 1700.0}
    row = table[(table["phase"] == 1) & (table["month_end"] == "2021-07-31")].iloc[0]
    assert row["share_of_target"] == pytest.approx(105 / 1420)


def test_net_land_by_month_agrees_with_a_replay_around_every_event():
    parcels, events = four_parcels(), _events()
    table = net_land_by_month(parcels, events, start="2021-02-01", end="2021-07-31")
    event_days = {D(d) for d in events["effective_date"]}
    for day in sorted({d + dt.timedelta(days=k) for d in event_days for k in (-1, 0, 1)}):
        daily = net_land_by_month(parcels, events, start=day, end=day)
        replayed = {p.phase: p.net_land_mu for p in progress(parcels, as_of=day, events=events)}
        assert daily.set_index("phase")["net_land_mu"].to_dict() == pytest.approx(replayed,
                                                                                  abs=1e-9)
    assert len(table) == 2 * 6


def test_net_land_by_month_on_the_same_day_correction():
    # 20 June: b's net land of 15 June was overridden, a is back at compensation paid
    table = net_land_by_month(four_parcels(), _events(), start="2021-06-20", end="2021-06-20")
    assert table.set_index("phase")["net_land_mu"].to_dict() == pytest.approx({1: 0.0, 2: 30.0})


def test_net_land_by_month_with_custom_targets_and_a_phase_without_one():
    table = net_land_by_month(four_parcels(), _events(), start="2021-07-31", end="2021-07-31",
                              targets_mu={1: 105.0})
    p1, p2 = table.sort_values("phase").itertuples()
    assert p1.share_of_target == pytest.approx(1.0)
    assert np.isnan(p2.target_mu) and np.isnan(p2.share_of_target)


def test_net_land_by_month_without_history_says_what_to_do():
    empty = _events().iloc[0:0]
    with pytest.raises(InputError, match="no stage history"):
        net_land_by_month(four_parcels(), empty)
    table = net_land_by_month(four_parcels(), empty, start="2021-01-01", end="2021-02-28")
    assert (table["net_land_mu"] == 0).all() and len(table) == 4


def test_duplicate_parcel_ids_are_refused():
    parcels = four_parcels()
    parcels.loc[1, "id"] = "a"
    with pytest.raises(InputError, match="Parcel id\\(s\\) a occur more than once"):
        net_land_by_month(parcels, _events())


# --- the bundled sample ------------------------------------------------------------------


def _replayed_net_mu(parcels: gpd.GeoDataFrame, events: pd.DataFrame, day: dt.date
                     ) -> dict[int, float]:
    """Independent: loop over the events, then sum shapely areas in EPSG:4547."""
    last: dict[str, tuple[str, str, int, str]] = {}
    for ev in events.to_dict(orient="records"):
        if ev["effective_date"] > day.isoformat():
            continue
        key = (ev["effective_date"], ev["recorded_at"], int(ev["event_id"]), ev["to_stage"])
        if ev["parcel_id"] not in last or key > last[ev["parcel_id"]]:
            last[ev["parcel_id"]] = key
    plane = parcels.to_crs(4547)
    totals: dict[int, float] = {}
    for pid, phase, geom in zip(plane["id"], plane["phase"], plane.geometry, strict=True):
        stage = last[pid][3] if pid in last else None
        totals.setdefault(int(phase), 0.0)
        if stage in ("net_land", "supplied"):
            totals[int(phase)] += shapely.area(geom) / MU
    return totals


@pytest.fixture(scope="module")
def sample(bundled_store):
    return bundled_store.read_layer("parcels"), bundled_store.read_events()


def test_sample_phase1_reaches_1420_mu_of_net_land_in_2021(sample):
    parcels, events = sample
    table = net_land_by_month(parcels, events, end="2021-12-31")
    last = table[table["month_end"] == "2021-12-31"].set_index("phase")["net_land_mu"]
    assert last[1] == pytest.approx(1420.0, abs=1e-3)
    assert last[2] == pytest.approx(0.0, abs=1e-9)


def test_sample_net_land_is_zero_the_day_before_the_first_net_land_event(sample):
    parcels, events = sample
    first = min(D(d) for d in events.loc[events["to_stage"] == "net_land", "effective_date"])
    before = first - dt.timedelta(days=1)
    on_the_day = net_land_by_month(parcels, events, start=first, end=first)
    day_before = net_land_by_month(parcels, events, start=before, end=before)
    assert (day_before["net_land_mu"] == 0).all()
    assert on_the_day.set_index("phase")["net_land_mu"][1] > 0


def test_sample_month_values_match_an_independent_replay_and_never_fall(sample):
    parcels, events = sample
    assert not events["is_correction"].any()
    table = net_land_by_month(parcels, events, start="2020-12-01", end="2021-12-31")
    for phase, rows in table.groupby("phase"):
        assert np.all(np.diff(rows["net_land_mu"].to_numpy()) >= 0), phase
    for day in ("2021-03-31", "2021-06-30", "2021-09-30", "2021-11-30"):
        expected = _replayed_net_mu(parcels, events, D(day))
        got = table[table["month_end"] == day].set_index("phase")["net_land_mu"].to_dict()
        assert got == pytest.approx(expected, abs=1e-6), day
    assert 0 < expected[1] < 1420.0 + 1e-6


# --- one parcel's history ----------------------------------------------------------------


def test_parcel_timeline_orders_by_effect_and_flags_the_overridden_event():
    tl = parcel_timeline(_events(), "b")
    assert list(tl["event_id"]) == [6, 7, 8]
    assert list(tl["to_label_zh"]) == ["净地", "补偿到位", "净地"]
    assert list(tl["to_label_en"]) == ["Net land", "Compensation paid", "Net land"]
    assert list(tl["in_effect"]) == [False, True, True]
    assert list(tl["is_correction"]) == [True, True, False]
    assert list(tl["stage_order"]) == [8, 7, 8]
    assert tl["effective_date"].iloc[-1] == pd.Timestamp("2021-06-25")


def test_parcel_timeline_of_a_parcel_without_events_is_empty():
    tl = parcel_timeline(_events(), "d")
    assert tl.empty and "to_label_zh" in tl.columns


def test_sample_timeline_walks_every_stage_to_net_land(sample):
    _, events = sample
    tl = parcel_timeline(events, "QC1-01")
    assert list(tl["to_stage"]) == [s.value for s in STAGE_ORDER[:9]]
    assert tl["effective_date"].is_monotonic_increasing
    assert tl["to_label_zh"].iloc[-1] == "净地"


# --- two dates compared ------------------------------------------------------------------


def test_compare_dates_on_hand_builtfour_parcels():
    cmp = compare_dates(four_parcels(), _events(), "2021-05-31", "2021-07-31")
    phases = cmp.phases.set_index("phase")
    assert phases.loc[1, "net_land_mu_a"] == pytest.approx(0.0, abs=1e-6)
    assert phases.loc[1, "net_land_mu_b"] == pytest.approx(105.0, abs=1e-6)
    assert phases.loc[1, "net_land_diff_mu"] == pytest.approx(105.0, abs=1e-6)
    assert phases.loc[1, "started_mu_a"] == pytest.approx(90.0, abs=1e-6)
    assert phases.loc[2, "net_land_mu_a"] == pytest.approx(30.0, abs=1e-6)
    assert phases.loc[2, "started_mu_b"] == pytest.approx(30.0, abs=1e-6)
    stages = cmp.stages.set_index(["phase", "stage"])
    assert len(cmp.stages) == 2 * len(STAGE_CODES)
    assert stages.loc[(1, "compensation_paid"), "mu_a"] == pytest.approx(90.0, abs=1e-6)
    assert stages.loc[(1, "not_started"), "mu_a"] == pytest.approx(15.0, abs=1e-6)
    assert stages.loc[(1, "net_land"), "diff_mu"] == pytest.approx(105.0, abs=1e-6)
    assert stages.loc[(2, "not_started"), "mu_b"] == pytest.approx(7.5, abs=1e-6)
    assert list(cmp.changed["parcel_id"]) == ["a", "b"]
    assert list(cmp.changed["stage_a"]) == ["compensation_paid", "not_started"]
    assert list(cmp.changed["stage_b"]) == ["net_land", "net_land"]
    assert cmp.changed["area_mu"].to_list() == pytest.approx([90.0, 15.0])


def test_compare_dates_on_the_sample(sample):
    parcels, events = sample
    cmp = compare_dates(parcels, events, D("2021-06-30"), D("2021-12-31"))
    a = _replayed_net_mu(parcels, events, D("2021-06-30"))
    phases = cmp.phases.set_index("phase")
    assert phases.loc[1, "net_land_mu_a"] == pytest.approx(a[1], abs=1e-6)
    assert phases.loc[1, "net_land_mu_b"] == pytest.approx(1420.0, abs=1e-3)
    assert phases.loc[1, "net_land_diff_mu"] == pytest.approx(1420.0 - a[1], abs=1e-3)
    assert phases.loc[2, "started_mu_a"] == pytest.approx(0.0, abs=1e-9)
    assert phases.loc[2, "started_mu_b"] == pytest.approx(1700.0, abs=1e-3)
    # phase 1 parcels reaching net land after June, and every phase-2 parcel
    later = {pid for pid, d in events.loc[events["to_stage"] == "net_land",
                                          ["parcel_id", "effective_date"]].to_numpy()
             if d > "2021-06-30"}
    expected = later | {p for p in parcels["id"] if p.startswith("QC2-")}
    assert set(cmp.changed["parcel_id"]) == expected


# --- scale -------------------------------------------------------------------------------


def test_net_land_by_month_on_10k_parcels_and_36_months():
    n, rng = 10_000, np.random.default_rng(3)
    side = 100
    col, row = np.divmod(np.arange(n), side)
    geoms = shapely.box(X0 + col * 40.0, Y0 + row * 40.0, X0 + col * 40.0 + 38.0,
                        Y0 + row * 40.0 + 38.0)
    parcels = gpd.GeoDataFrame({"id": [f"P{i}" for i in range(n)],
                                "phase": rng.integers(1, 3, n)}, geometry=geoms, crs=4547)
    # 2000 events: 200 parcels walk nine steps to net land (a step every 100 days),
    # then 200 more parcels get a pre-acquisition notice
    start = dt.date(2019, 1, 1)
    rows, eid = [], 0
    for k in range(200):
        for step, stage in enumerate(STAGE_ORDER[:9]):
            eid += 1
            day = start + dt.timedelta(days=int(step * 100 + k))
            rows.append((eid, f"P{k}", stage.value, day.isoformat(), f"{day}T10:00:00"))
    for k in range(200, 400):
        eid += 1
        day = start + dt.timedelta(days=k)
        rows.append((eid, f"P{k}", "pre_notice", day.isoformat(), f"{day}T10:00:00"))
    events = pd.DataFrame(rows, columns=["event_id", "parcel_id", "to_stage",
                                         "effective_date", "recorded_at"])
    assert len(events) == 2000
    table = net_land_by_month(parcels, events, start="2019-01-01", end="2021-12-31")
    assert len(table) == 2 * 36
    day = dt.date(2021, 12, 31)
    replayed = {p.phase: p.net_land_mu for p in progress(parcels, as_of=day, events=events)}
    got = table[table["month_end"] == "2021-12-31"].set_index("phase")["net_land_mu"]
    assert got.to_dict() == pytest.approx(replayed, abs=1e-6)
    assert sum(replayed.values()) == pytest.approx(200 * 38 * 38 / MU, rel=1e-9)


# --- the dates a page offers ---------------------------------------------------------------


def test_event_span_is_the_first_and_last_effective_date():
    assert event_span(_events()) == (D("2021-02-10"), D("2021-07-05"))
    assert event_span(_events().iloc[0:0]) is None


def test_as_of_choices_are_month_ends_up_to_today():
    assert as_of_choices(_events(), today=D("2021-09-15")) == [
        D("2021-02-28"), D("2021-03-31"), D("2021-04-30"), D("2021-05-31"), D("2021-06-30"),
        D("2021-07-31"), D("2021-08-31"), D("2021-09-15")]
    # an event after today (a clock behind the log) still closes the series
    assert as_of_choices(_events(), today=D("2021-06-01"))[-2:] == [D("2021-06-30"),
                                                                   D("2021-07-05")]
    assert as_of_choices(_events().iloc[0:0], today=D("2022-03-03")) == [D("2022-03-03")]


def test_default_comparison_days_are_six_months_apart_within_the_log():
    # six months before 5 July is 5 January, before the first event (10 February)
    assert default_comparison_days(_events(), today=D("2022-01-01")) == (
        D("2021-02-10"), D("2021-07-05"))
    assert default_comparison_days(_events(), today=D("2022-01-01"), months=3) == (
        D("2021-04-05"), D("2021-07-05"))
    # without events: today and six months before (31 August → 28 February)
    assert default_comparison_days(_events().iloc[0:0], today=D("2022-08-31")) == (
        D("2022-02-28"), D("2022-08-31"))


def test_latest_by_phase_is_each_phases_last_month():
    table = net_land_by_month(four_parcels(), _events(), start="2021-01-01", end="2021-08-15")
    latest = latest_by_phase(table).set_index("phase")
    assert sorted(latest.index) == [1, 2]
    assert (latest["month_end"] == pd.Timestamp("2021-08-15")).all()
    # a (90 mu) and b (15 mu) are net land by then; c (30 mu) supplied
    assert latest["net_land_mu"].to_dict() == pytest.approx({1: 105.0, 2: 30.0})

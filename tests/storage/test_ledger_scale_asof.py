"""As-of questions answered in SQL by both stores equal today's pandas answers.

Random ledgers (same-day corrections, ties in recording time, events out of order,
stage codes another tool wrote) are appended to a real store; the stage of every parcel
on a date, progress as of the date and the month-by-month series from the store's SQL
(:meth:`stages_as_of`, :meth:`net_land_steps`) must equal what
:func:`geo_app.analysis.progress.stages_as_of`, :func:`~geo_app.analysis.progress.progress`
and :func:`~geo_app.analysis.timeline.net_land_by_month` compute from the whole log.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from _raw_ledger import append_raw_events
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo_app.analysis.progress import NET_LAND_OR_LATER, progress, stages_as_of
from geo_app.analysis.timeline import (
    as_of_choices,
    net_land_by_month,
    net_land_by_month_from_steps,
    parcel_plane_area_mu,
    progress_from_stages,
)
from geo_app.domain.stages import STAGE_ORDER, stage_or_none
from geo_app.storage._gpkg_sql import write_transaction
from geo_app.storage.gpkg import ensure_ledger_indexes

CODES = [s.value for s in STAGE_ORDER] + ["legacy_hold"]  # one code no stage has
_COUNTER = itertools.count()


@st.composite
def _ledger(draw: st.DrawFn) -> list[tuple]:
    """(parcel, to_stage, effective_date, recorded_at, is_correction) rows in insert order."""
    rows = []
    for _ in range(draw(st.integers(1, 40))):
        day = dt.date(2021, 1, 1) + dt.timedelta(days=draw(st.integers(0, 120)))
        recorded = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(
            hours=draw(st.sampled_from([0, 0, 1, 30])))
        rows.append((draw(st.integers(0, 5)), draw(st.sampled_from(CODES)), day,
                     recorded.replace(microsecond=0), draw(st.booleans())))
    return rows


def _append(case, prefix: str, rows: list[tuple]) -> None:
    """Write the rows straight into ``stage_events`` (any ledger, valid or not)."""
    append_raw_events(case, [(f"{prefix}{p}", code, day.isoformat(), rec.isoformat(), corr,
                              "测试") for p, code, day, rec, corr in rows])


def _parcels(prefix: str) -> gpd.GeoDataFrame:
    """Six small squares near Suizhou (the ledger's parcels), two phases."""
    boxes = [shapely.box(113.40 + i * 0.001, 31.70, 113.4008 + i * 0.001, 31.7008 + i * 1e-5)
             for i in range(6)]
    return gpd.GeoDataFrame({"id": [f"{prefix}{i}" for i in range(6)],
                             "phase": [1, 2, 1, 2, 1, 1],
                             "stage": [None] * 6}, geometry=boxes, crs="EPSG:4490")


def _known(events: pd.DataFrame) -> pd.DataFrame:
    return events[[stage_or_none(s) is not None for s in events["to_stage"]]]


@pytest.fixture(params=["indexed", "older file"])
def asof_case(request, store_case):
    """The store with its ledger indexes, and (GeoPackage) an older file without them."""
    if request.param == "indexed" and store_case.backend == "gpkg":
        with write_transaction(Path(store_case.location)) as conn:
            ensure_ledger_indexes(conn)
    if request.param == "older file" and store_case.backend != "gpkg":
        pytest.skip("a PostGIS store gets the indexes when it is opened")
    return store_case


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=_ledger(), probe=st.integers(-5, 130))
def test_as_of_answers_from_sql_equal_the_pandas_answers(asof_case, rows, probe):
    store_case = asof_case
    prefix = f"H{next(_COUNTER)}-"
    _append(store_case, prefix, rows)
    store = store_case.store
    events = store.read_events()
    mine = events[events["parcel_id"].str.startswith(prefix)]
    parcels = _parcels(prefix)
    day = dt.date(2021, 1, 1) + dt.timedelta(days=probe)
    for known_only, log in ((False, mine), (True, _known(mine))):
        sql = store.stages_as_of(day, known_only=known_only, parcel_ids=parcels["id"])
        found = dict(zip(sql["parcel_id"], sql["stage"], strict=True))
        expected = stages_as_of(parcels["id"], log, day)
        got = [found.get(pid, "not_started") for pid in parcels["id"]]
        assert list(got) == list(expected), (known_only, day)
        if len(log):
            on_day = store.stages_as_of(day, known_only=known_only,
                                        parcel_ids=list(parcels["id"]))
            expected_progress = progress(parcels, as_of=day, events=log)
            assert progress_from_stages(parcels, on_day) == expected_progress
            assert progress_from_stages(parcels, on_day, area_mu=parcel_plane_area_mu(
                parcels)) == expected_progress
        steps = store.net_land_steps(NET_LAND_OR_LATER, known_only=known_only)
        start, end = dt.date(2020, 12, 15), dt.date(2021, 6, 30)
        pd.testing.assert_frame_equal(
            net_land_by_month_from_steps(parcels, steps, None, start=start, end=end),
            net_land_by_month(parcels, log, start=start, end=end))


def test_the_sample_history_as_of_every_month_end_is_the_same_from_sql(store_case):
    store = store_case.store
    parcels = store.read_layer("parcels")
    events = store.read_events()
    span = store.event_span()
    assert span == (dt.date.fromisoformat(events["effective_date"].min()),
                    dt.date.fromisoformat(events["effective_date"].max()))
    days = as_of_choices(events, today=dt.date(2022, 6, 30))
    assert len(days) > 20
    area_mu = parcel_plane_area_mu(parcels)
    for day in days:
        expected = progress(parcels, as_of=day, events=events)
        assert progress_from_stages(parcels, store.stages_as_of(day)) == expected
        assert progress_from_stages(parcels, store.stages_as_of(day),
                                    area_mu=area_mu) == expected
    pd.testing.assert_frame_equal(
        net_land_by_month_from_steps(parcels, store.net_land_steps(NET_LAND_OR_LATER), span),
        net_land_by_month(parcels, events))


def test_an_empty_ledger_has_no_span_and_no_stages(gpkg_case, tmp_path):
    conn = sqlite3.connect(gpkg_case.location)
    conn.execute("DROP TRIGGER stage_events_append_only_delete")  # a file never recorded in
    conn.execute("DELETE FROM stage_events")
    conn.commit()
    conn.close()
    store = gpkg_case.store
    assert store.event_span() is None
    assert store.stages_as_of(dt.date(2030, 1, 1)).empty
    assert store.current_stages().empty
    with pytest.raises(Exception, match="no stage history"):
        net_land_by_month_from_steps(store.read_layer("parcels"),
                                     store.net_land_steps(NET_LAND_OR_LATER), None)

"""``read_events(until=, unknown_only=)`` on both stores: the rows of the whole log that are
in effect on a date, or whose stage no release knows, and nothing else."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from geo_app.domain.stages import stage_or_none

ROWS = [  # parcel, to_stage (None: a tool wrote no stage), effective date
    ("QC1-01", "legacy_hold", dt.date(2020, 3, 1)),
    ("QC1-02", "pre_notice", dt.date(2020, 3, 2)),
    ("QC1-03", "PRE_NOTICE", dt.date(2020, 3, 3)),  # not a code: codes are lower case
    ("QC1-04", "net_land", dt.date(2030, 1, 1)),
]


def _append(case) -> None:
    """Write the rows straight into ``stage_events``, as another tool would."""
    if case.backend == "gpkg":
        conn = sqlite3.connect(case.location, isolation_level=None)
        try:
            top = conn.execute("SELECT max(event_id) FROM stage_events").fetchone()[0]
            conn.executemany(
                "INSERT INTO stage_events (event_id, parcel_id, to_stage, effective_date, "
                "recorded_at, is_correction, officer) VALUES (?, ?, ?, ?, "
                "'2024-01-01T09:00:00', 0, '外部')",
                [(top + i + 1, p, s, d.isoformat()) for i, (p, s, d) in enumerate(ROWS)])
        finally:
            conn.close()
        return
    engine = create_engine(case.store.url.replace("postgresql://", "postgresql+psycopg2://", 1))
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO stage_events (parcel_id, to_stage, effective_date, recorded_at, "
                "officer) VALUES (:p, :s, :d, '2024-01-01 09:00:00', '外部')"),
                [{"p": p, "s": s, "d": d} for p, s, d in ROWS])
    finally:
        engine.dispose()


@pytest.mark.parametrize("day", [dt.date(2020, 3, 2), dt.date(2021, 6, 30), dt.date(2030, 1, 1)])
def test_until_reads_the_events_in_effect_on_the_day(store_case, day):
    _append(store_case)
    everything = store_case.store.read_events()
    until = store_case.store.read_events(until=day)
    expected = everything[everything["effective_date"] <= day.isoformat()]
    pd.testing.assert_frame_equal(until.reset_index(drop=True), expected.reset_index(drop=True))
    assert 0 < len(until) <= len(everything)


def test_unknown_only_reads_the_rows_with_a_stage_no_release_knows(store_case):
    _append(store_case)
    everything = store_case.store.read_events()
    unknown = store_case.store.read_events(unknown_only=True)
    expected = everything[[stage_or_none(s) is None for s in everything["to_stage"]]]
    pd.testing.assert_frame_equal(unknown.reset_index(drop=True),
                                  expected.reset_index(drop=True))
    assert sorted(unknown["to_stage"]) == ["PRE_NOTICE", "legacy_hold"]


def test_one_parcel_until_a_day(store_case):
    _append(store_case)
    rows = store_case.store.read_events("QC1-04", until=dt.date(2029, 12, 31))
    assert "2030-01-01" not in set(rows["effective_date"])
    assert set(rows["parcel_id"]) <= {"QC1-04"}

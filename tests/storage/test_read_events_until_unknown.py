"""``read_events(until=, unknown_only=)`` on both stores: the rows of the whole log that are
in effect on a date, or whose stage no release knows, and nothing else."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from _raw_ledger import append_raw_events

from geo_app.domain.stages import stage_or_none

ROWS = [  # parcel, to_stage (None: a tool wrote no stage), effective date
    ("QC1-01", "legacy_hold", dt.date(2020, 3, 1)),
    ("QC1-02", "pre_notice", dt.date(2020, 3, 2)),
    ("QC1-03", "PRE_NOTICE", dt.date(2020, 3, 3)),  # not a code: codes are lower case
    ("QC1-04", "net_land", dt.date(2030, 1, 1)),
]


def _append(case) -> None:
    """Write the rows straight into ``stage_events``, as another tool would."""
    append_raw_events(case, [(p, s, d.isoformat(), "2024-01-01T09:00:00", False, "外部")
                             for p, s, d in ROWS])


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

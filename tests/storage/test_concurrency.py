"""Several officers at once, as real processes, on both backends."""

from __future__ import annotations

import time

import pytest
from _storage_procs import CLI, start

from geo_app.domain.stages import ParcelStage

WORKER = """
import datetime as dt, sys
from geo_app.domain.stages import STAGE_ORDER, ParcelStage
from geo_app.storage import open_store
from geo_app.storage.events import record_stage_change
location, parcel, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = open_store(location)
for i in range(steps):
    stage = ParcelStage(store.current_stages().set_index("parcel_id").loc[parcel, "stage"])
    record_stage_change(store, parcel, STAGE_ORDER[stage.order + 1], officer="officer " + parcel,
                        effective_date=dt.date(2021, 12, 10 + i), note="step %d" % i)
"""


@pytest.mark.parametrize("officers", [("王建国", "李敏"), ("王建国", "李敏", "张伟", "刘芳")])
def test_officers_changing_one_parcel_from_one_version_exactly_one_wins(store_case, officers):
    store = store_case.store
    before = len(store.read_events())
    version = store.parcel_version("QC2-19")
    # the hook holds each transaction open 0.3 s, so the processes really overlap
    procs = [
        start(CLI, ["stage", "set", "QC2-19", "risk_assessment", "--date", "2021-12-06",
                    "--officer", name, "--expect-version", str(version),
                    "--store", store_case.location], pause_s=0.3)
        for name in officers
    ]
    results = [(name, *p.communicate(timeout=120), p.returncode)
               for name, p in zip(officers, procs, strict=True)]
    winners = [r for r in results if r[3] == 0]
    losers = [r for r in results if r[3] != 0]
    assert len(winners) == 1, results
    winner = winners[0][0]
    for _name, _out, err, code in losers:
        assert code == 2
        lines = [line for line in err.splitlines() if not line.startswith("geo_app test hook")]
        assert len(lines) == 1, err
        assert lines[0].startswith(f"error: Parcel QC2-19 was changed by {winner} at ")
    events = store.read_events()
    assert len(events) == before + 1
    mine = events[events["parcel_id"] == "QC2-19"]
    assert list(mine["to_stage"]).count("risk_assessment") == 1
    assert mine.iloc[-1]["officer"] == winner
    assert store.parcel_version("QC2-19") == version + 1
    assert store.read_layer("parcels").set_index("id").loc["QC2-19", "stage"] == (
        "risk_assessment")


def test_officers_changing_different_parcels_at_once_lose_nothing(store_case):
    store = store_case.store
    parcels = ["QC2-09", "QC2-10", "QC2-11", "QC2-12", "QC2-13", "QC2-14"]
    steps = 3
    before = store.read_events()
    versions = {p: store.parcel_version(p) for p in parcels}
    t0 = time.monotonic()
    procs = [start(WORKER, [store_case.location, p, str(steps)]) for p in parcels]
    outcomes = [(p.communicate(timeout=300), p.returncode) for p in procs]
    elapsed = time.monotonic() - t0
    assert all(code == 0 for _, code in outcomes), outcomes
    events = store.read_events()
    assert len(events) == len(before) + len(parcels) * steps
    assert events["event_id"].is_unique
    for p in parcels:
        assert store.parcel_version(p) == versions[p] + steps
        mine = events[events["parcel_id"] == p].iloc[-steps:]
        assert list(mine["note"]) == [f"step {i}" for i in range(steps)]
        orders = [ParcelStage(s).order for s in events[events["parcel_id"] == p]["to_stage"]]
        assert orders == list(range(len(orders)))  # one step at a time, none twice
    current = store.current_stages().set_index("parcel_id")["stage"]
    layer = store.read_layer("parcels").set_index("id")["stage"]
    assert (layer.sort_index() == current.sort_index()).all()
    print(f"\n{store_case.backend}: {len(parcels)} processes x {steps} changes in "
          f"{elapsed:.1f} s")

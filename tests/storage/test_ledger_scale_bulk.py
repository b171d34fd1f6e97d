"""Bulk ledger writes on both stores: the same ledger, stages and refusals as one change at a
time, a conflicting batch refused whole, and the indexes as a schema step on older stores."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from geo_app.domain.stages import STAGE_ORDER, ParcelStage
from geo_app.domain.workflow import StageChange
from geo_app.errors import ConflictError, GeoAppError
from geo_app.storage._gpkg_sql import connect
from geo_app.storage.events import record_stage_changes
from geo_app.storage.gpkg import GeoPackageStore
from geo_app.storage.postgis import SCHEMA_VERSION, PostGISStore
from geo_app.storage.testing import temporary_store

S = ParcelStage
TODAY = dt.date(2024, 6, 30)
_COMPARED = [c for c in ("event_id", "parcel_id", "from_stage", "to_stage", "effective_date",
                         "officer", "note", "evidence", "is_correction", "correction_reason")]


def _batch(store) -> tuple[list[StageChange], dict[str, int]]:
    """Every unfinished sample parcel moves on one or two steps; one in three parcels then
    gets a same-day correction back one stage (with a reason)."""
    states = store.current_stages().set_index("parcel_id")
    changes, versions = [], {}
    for i, (pid, row) in enumerate(states.iterrows()):
        stage = ParcelStage(row["stage"])
        if stage is STAGE_ORDER[-1]:
            continue
        versions[pid] = int(row["version"])
        day = dt.date.fromisoformat(row["stage_date"]) + dt.timedelta(days=10)
        steps = STAGE_ORDER[stage.order + 1: stage.order + 2 + i % 2]
        for step in steps:
            changes.append(StageChange(pid, stage, step, day, " 王伟 ", note=f"批量 {i}",
                                       evidence=f"文号 {i}" if i % 2 else None))
            stage, day = step, day + dt.timedelta(days=3)
        if i % 3 == 0:
            back = STAGE_ORDER[stage.order - 1]
            changes.append(StageChange(pid, stage, back, day - dt.timedelta(days=3), "李娜",
                                       is_correction=True, correction_reason="日期登记有误"))
    return changes, versions


def _ledger(store) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    parcels = store.read_layer("parcels")[["id", "stage", "stage_date"]]
    return (store.read_events()[_COMPARED], store.current_stages(),
            parcels.sort_values("id").reset_index(drop=True))


@pytest.fixture
def twin(store_case, tmp_path: Path):
    """A second store of the same backend with the same content."""
    (tmp_path / "twin").mkdir()
    with temporary_store(store_case.backend, tmp_path / "twin") as case:
        yield case


def test_a_bulk_batch_writes_the_ledger_one_change_at_a_time_writes(store_case, twin):
    changes, versions = _batch(store_case.store)
    assert len(changes) > 20 and any(c.is_correction for c in changes)
    outcome = record_stage_changes(store_case.store, changes, expected_versions=versions,
                                   today=TODAY)
    for change in changes:  # the reference: each change alone, through record_events
        pid = change.parcel_id
        twin.store.record_events([change], expected_versions={
            pid: twin.store.parcel_version(pid)}, today=TODAY)
    bulk, single = _ledger(store_case.store), _ledger(twin.store)
    for a, b in zip(bulk, single, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert outcome.events == len(changes) and outcome.parcels == len(versions)
    final = outcome.states.set_index("parcel_id")
    current = bulk[1].set_index("parcel_id")
    assert (final["stage"] == current.loc[final.index, "stage"]).all()
    assert (final["version"] == current.loc[final.index, "version"]).all()
    assert set(bulk[0]["officer"]) >= {"王伟", "李娜"}  # cleaned as one change would be


_REFUSED = {
    "skips a stage": lambda s, d: StageChange("QC2-13", s, S.APPROVED, d, "王伟"),
    "goes back without a correction": lambda s, d: StageChange("QC2-13", s, S.PRE_NOTICE, d,
                                                               "王伟"),
    "a correction without a reason": lambda s, d: StageChange(
        "QC2-13", s, S.PRE_NOTICE, d, "王伟", is_correction=True),
    "an unknown parcel": lambda s, d: StageChange("nobody", None, S.PRE_NOTICE, d, "王伟"),
    "a date in the future": lambda s, d: StageChange(
        "QC2-13", s, S.AGREEMENTS_SIGNED, TODAY + dt.timedelta(days=1), "王伟"),
    "a date before the current stage": lambda s, d: StageChange(
        "QC2-13", s, S.AGREEMENTS_SIGNED, d - dt.timedelta(days=400), "王伟"),
    "a stale from-stage": lambda s, d: StageChange("QC2-13", S.PRE_NOTICE,
                                                   S.AGREEMENTS_SIGNED, d, "王伟"),
    "no officer": lambda s, d: StageChange("QC2-13", s, S.AGREEMENTS_SIGNED, d, "  "),
    "a control character": lambda s, d: StageChange("QC2-13", s, S.AGREEMENTS_SIGNED, d,
                                                    "王伟", note="ok\x1b[2J"),
}


@pytest.mark.parametrize("case", list(_REFUSED))
def test_bulk_refuses_what_one_change_refuses_and_writes_nothing(store_case, case):
    store = store_case.store
    row = store.current_stages().set_index("parcel_id").loc["QC2-13"]
    stage, day = ParcelStage(row["stage"]), dt.date.fromisoformat(row["stage_date"])
    ok = StageChange("QC2-12", ParcelStage(store.current_stages().set_index(
        "parcel_id").loc["QC2-12", "stage"]), S.PRE_NOTICE, day, "王伟", is_correction=True,
        correction_reason="重新开始")
    bad = _REFUSED[case](stage, day)
    versions = {p: store.parcel_version(p) for p in ("QC2-12", "QC2-13", "nobody")}
    before = _ledger(store)
    with pytest.raises(GeoAppError) as single:
        store.record_events([ok, bad], expected_versions=versions, today=TODAY)
    with pytest.raises(GeoAppError) as bulk:
        record_stage_changes(store, [ok, bad], expected_versions=versions, today=TODAY)
    assert type(bulk.value) is type(single.value)
    assert (bulk.value.code, bulk.value.params, str(bulk.value)) == (
        single.value.code, single.value.params, str(single.value))
    for a, b in zip(_ledger(store), before, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_a_conflicting_batch_is_refused_whole_naming_every_changed_parcel(store_case):
    store = store_case.store
    changes, versions = _batch(store)
    seen = dict(versions)
    first, second = sorted(versions)[:2]
    for pid in (first, second):  # another officer records on two parcels after we read
        state = store.current_stages().set_index("parcel_id").loc[pid]
        store.record_events([StageChange(pid, ParcelStage(state["stage"]),
                                         STAGE_ORDER[ParcelStage(state["stage"]).order - 1],
                                         dt.date.fromisoformat(state["stage_date"]), "赵敏",
                                         is_correction=True, correction_reason="退回")],
                            expected_versions={pid: int(state["version"])}, today=TODAY)
    before = _ledger(store)
    with pytest.raises(ConflictError) as refused:
        record_stage_changes(store, changes, expected_versions=seen, today=TODAY)
    assert refused.value.params["parcels"] == [p for p in dict.fromkeys(
        c.parcel_id for c in changes) if p in (first, second)]
    assert refused.value.params["officer"] == "赵敏"
    assert first in str(refused.value) and second in str(refused.value)
    for a, b in zip(_ledger(store), before, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_a_batch_table_without_from_stages_chains_its_changes(store_case):
    store = store_case.store
    row = store.current_stages().set_index("parcel_id").loc["QC2-18"]
    assert row["stage"] == "status_survey"
    table = pd.DataFrame({
        "parcel_id": ["QC2-18", "QC2-18", "QC2-18"],
        "to_stage": ["risk_assessment", "补偿安置方案公告", "Agreements signed"],
        "effective_date": ["2022-01-05", "2022-01-06", dt.date(2022, 1, 7)],
        "officer": ["王伟"] * 3,
    })
    outcome = record_stage_changes(store, table, today=TODAY)
    events = store.read_events("QC2-18")
    assert list(events["to_stage"])[-3:] == ["risk_assessment", "compensation_plan",
                                             "agreements_signed"]
    assert list(events["from_stage"])[-3:] == ["status_survey", "risk_assessment",
                                               "compensation_plan"]
    assert outcome.states.iloc[0]["version"] == int(row["version"]) + 3
    parcels = store.read_layer("parcels").set_index("id")
    assert parcels.loc["QC2-18", "stage"] == "agreements_signed"


# --- the indexes as a schema step ----------------------------------------------------------

_INDEXES = {"stage_events_asof_idx", "stage_events_event_idx", "parcels_id_idx"}


def _gpkg_indexes(path: str) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = "
                                           "'index'")}
    finally:
        conn.close()


def test_an_older_geopackage_gets_the_indexes_with_its_first_write_not_on_reading(gpkg_case):
    path = gpkg_case.location
    assert not _INDEXES & _gpkg_indexes(path)  # the bundled file predates them
    stamp = Path(path).read_bytes()
    store = GeoPackageStore(path)
    store.stages_as_of(dt.date(2021, 6, 30))
    store.current_stages()
    store.read_events("QC2-13")
    assert Path(path).read_bytes() == stamp  # reading wrote nothing
    record_stage_changes(store, [StageChange("QC2-13", S.COMPENSATION_PLAN,
                                             S.AGREEMENTS_SIGNED, dt.date(2022, 1, 5),
                                             "王伟")], today=TODAY)
    assert _gpkg_indexes(path) >= _INDEXES
    with connect(Path(path)) as conn:  # one parcel's history, the next id, the stage update:
        plans = [" ".join(str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args))
                 for sql, args in (  # index lookups, not scans
                     ("SELECT * FROM stage_events WHERE parcel_id = ?", ("QC2-13",)),
                     ("SELECT max(event_id) FROM stage_events", ()),
                     ("UPDATE parcels SET stage = 'x' WHERE id = ?", ("QC2-13",)))]
    assert all("USING" in plan and "INDEX" in plan for plan in plans), plans


def test_an_older_postgis_store_gets_the_indexes_as_a_schema_version_step(postgis_case):
    url = postgis_case.store.url
    postgis_case.store.close()
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    with engine.begin() as conn:  # the store as version 2 made it
        conn.execute(text("DROP INDEX stage_events_asof_idx"))
        conn.execute(text("CREATE INDEX stage_events_parcel_idx ON stage_events "
                          "(parcel_id, event_id)"))
        conn.execute(text("UPDATE geo_app_schema SET version = 2"))
    reopened = PostGISStore(url)
    try:
        with engine.begin() as conn:
            indexes = {r[0] for r in conn.execute(text(
                "SELECT indexname FROM pg_indexes WHERE tablename IN "
                "('stage_events', 'parcels')"))}
            version = conn.execute(text("SELECT max(version) FROM geo_app_schema")).scalar()
        assert version == SCHEMA_VERSION == 5
        assert {"stage_events_asof_idx", "parcels_id_idx"} <= indexes
        assert "stage_events_parcel_idx" not in indexes  # 3 → 4: the as-of index serves
        assert len(reopened.stages_as_of(dt.date(2021, 6, 30))) > 0
    finally:
        reopened.close()
        engine.dispose()

"""PostGIS bulk ledger writes COPY their rows in the as-of index's order with ids reserved for
the batch: the ledger still reads in the batch's order, every row names the login, and a
reservation that would wait on another open transaction falls back to ids row by row."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import psycopg2
import pytest
from _raw_ledger import raw_sql

from geo_app.domain.stages import STAGE_ORDER
from geo_app.errors import ConflictError
from geo_app.storage import postgis
from geo_app.storage.events import record_stage_changes
from geo_app.storage.postgis import SCHEMA_VERSION, PostGISStore
from geo_app.storage.testing import LOGIN_PASSWORD, login_url, temporary_logins

TODAY = dt.date(2024, 6, 30)


def _interleaved_batch(store: PostGISStore) -> pd.DataFrame:
    """Two steps for every unfinished parcel, the parcels in descending id order and the
    batch interleaved: every parcel's first step, then every parcel's second."""
    states = store.current_stages().set_index("parcel_id").sort_index(ascending=False)
    codes = [s.value for s in STAGE_ORDER]
    firsts, seconds = [], []
    for pid, row in states.iterrows():
        at = codes.index(row["stage"])
        if at + 2 >= len(codes):
            continue
        day = dt.date.fromisoformat(row["stage_date"]) + dt.timedelta(days=5)
        firsts.append((pid, codes[at], codes[at + 1], day, "王伟"))
        seconds.append((pid, codes[at + 1], codes[at + 2], day + dt.timedelta(days=2), "李娜"))
    assert len(firsts) > 10
    return pd.DataFrame(firsts + seconds, columns=["parcel_id", "from_stage", "to_stage",
                                                   "effective_date", "officer"])


def _new_rows(url: str, after: int) -> list[tuple]:
    return raw_sql(url, "SELECT event_id, parcel_id, to_stage, effective_date, officer, "
                "recorded_by FROM stage_events WHERE event_id > %s ORDER BY event_id", (after,))


def _assert_written_in_batch_order(url: str, before: int, batch: pd.DataFrame) -> None:
    rows = _new_rows(url, before)
    login = raw_sql(url, "SELECT session_user")[0][0]
    assert [r[0] for r in rows] == list(range(rows[0][0], rows[0][0] + len(batch)))
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == list(batch[
        ["parcel_id", "to_stage", "effective_date", "officer"]].itertuples(index=False,
                                                                          name=None))
    assert {r[5] for r in rows} == {login}


def test_an_interleaved_batch_reads_back_in_its_order(postgis_case):
    url, store = postgis_case.location, postgis_case.store
    before = raw_sql(url, "SELECT max(event_id) FROM stage_events")[0][0]
    batch = _interleaved_batch(store)
    record_stage_changes(store, batch, today=TODAY)
    _assert_written_in_batch_order(url, before, batch)
    last = batch.drop_duplicates("parcel_id", keep="last").set_index("parcel_id")
    stages = store.current_stages().set_index("parcel_id")
    assert (stages.loc[last.index, "stage"] == last["to_stage"]).all()


def test_a_busy_sequence_falls_back_to_ids_row_by_row(postgis_case, monkeypatch):
    """Another transaction inserted a ledger row and stays open: the reservation gives up
    after RESERVE_WAIT and the batch is written all the same, in its order."""
    monkeypatch.setattr(postgis, "RESERVE_WAIT", "200ms")
    url, store = postgis_case.location, postgis_case.store
    before = raw_sql(url, "SELECT max(event_id) FROM stage_events")[0][0]
    batch = _interleaved_batch(store)
    other = psycopg2.connect(url)
    try:
        with other.cursor() as cur:  # a row another tool is still writing (never committed)
            cur.execute("INSERT INTO stage_events (parcel_id, to_stage, effective_date, "
                        "officer, recorded_at) VALUES ('elsewhere', 'pre_notice', "
                        "'2024-01-01', 'x', now())")
        reserved = []
        real = PostGISStore._reserve_event_ids
        monkeypatch.setattr(PostGISStore, "_reserve_event_ids",
                            lambda self, n: reserved.append(real(self, n)) or reserved[-1])
        record_stage_changes(store, batch, today=TODAY)
        assert reserved == [None]
    finally:
        other.rollback()
        other.close()
    rows = _new_rows(url, before)
    assert len(rows) == len(batch)
    assert [(r[1], r[2]) for r in rows] == list(batch[["parcel_id", "to_stage"]].itertuples(
        index=False, name=None))


def test_a_version_4_store_gets_the_reservation_and_the_quiet_trigger(postgis_case):
    url = postgis_case.location
    postgis_case.store.close()
    raw_sql(url, "DROP FUNCTION geo_app_reserve_event_ids(bigint); "
              "DROP TRIGGER stage_events_recorded_by ON stage_events; "
              "CREATE TRIGGER stage_events_recorded_by BEFORE INSERT ON stage_events FOR EACH "
              "ROW EXECUTE FUNCTION geo_app_recorded_by(); "
              "ALTER TABLE parcels RESET (fillfactor); "
              "UPDATE geo_app_schema SET version = 4")
    assert _parcels_options(url) == []
    store = PostGISStore(url)  # the owner opens it: upgraded
    try:
        assert raw_sql(url, "SELECT max(version) FROM geo_app_schema") == [(SCHEMA_VERSION,)]
        (trigger,) = raw_sql(url, "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE "
                               "tgname = 'stage_events_recorded_by'")[0]
        assert "WHEN" in trigger
        assert f"fillfactor={postgis.PARCELS_FILLFACTOR}" in _parcels_options(url)
        before = raw_sql(url, "SELECT max(event_id) FROM stage_events")[0][0]
        batch = _interleaved_batch(store)
        record_stage_changes(store, batch, today=TODAY)
        _assert_written_in_batch_order(url, before, batch)
    finally:
        store.close()


def test_a_row_that_names_another_login_is_still_corrected(postgis_case):
    """The trigger's WHEN skips only rows that already name the inserting login."""
    url = postgis_case.location
    raw_sql(url, "INSERT INTO stage_events (parcel_id, to_stage, effective_date, officer, "
              "recorded_at, recorded_by) VALUES ('QC2-19', 'pre_notice', '2024-01-01', 'x', "
              "now(), 'somebody_else')")
    login = raw_sql(url, "SELECT session_user")[0][0]
    assert raw_sql(url, "SELECT recorded_by FROM stage_events ORDER BY event_id DESC LIMIT 1"
                ) == [(login,)]


@pytest.mark.parametrize("n", [0, -1])
def test_the_reservation_refuses_no_ids(postgis_case, n):
    with pytest.raises(psycopg2.Error, match="reserve at least one event id"):
        raw_sql(postgis_case.location, "SELECT geo_app_reserve_event_ids(%s)", (n,))


def _parcels_options(url: str) -> list[str]:
    rows = raw_sql(url, "SELECT reloptions FROM pg_class WHERE oid = 'parcels'::regclass")
    return rows[0][0] or []


def test_the_parcels_table_leaves_room_for_its_stage_updates(postgis_case):
    """A stage update rewrites a parcel's row; half-filled pages keep it on its page."""
    assert f"fillfactor={postgis.PARCELS_FILLFACTOR}" in _parcels_options(postgis_case.location)


def test_a_conflict_found_while_copying_says_what_the_sequential_check_says(postgis_case,
                                                                           monkeypatch):
    """The batch is checked while its COPY runs; a stale version is refused with the
    message built from the other officer's event (not the batch's own rows), as when the
    check runs first, and nothing is written."""
    store, url = postgis_case.store, postgis_case.location
    batch = _interleaved_batch(store)
    versions = store.current_stages().set_index("parcel_id")["version"].astype(int).to_dict()
    pid = batch["parcel_id"].iloc[3]
    state = store.current_stages().set_index("parcel_id").loc[pid]
    codes = [s.value for s in STAGE_ORDER]
    other = pd.DataFrame({"parcel_id": [pid], "from_stage": [state["stage"]],
                          "to_stage": [codes[codes.index(state["stage"]) - 1]],
                          "effective_date": [dt.date.fromisoformat(state["stage_date"])],
                          "officer": ["赵敏"], "is_correction": [True],
                          "correction_reason": ["退回"]})
    record_stage_changes(store, other, today=TODAY)  # another officer, after we read
    before = raw_sql(url, "SELECT count(*) FROM stage_events")
    overlapped = []
    real = PostGISStore._check_while_copying
    monkeypatch.setattr(PostGISStore, "_check_while_copying",
                        lambda *a, **k: overlapped.append(1) or real(*a, **k))
    with pytest.raises(ConflictError) as while_copying:
        record_stage_changes(store, batch, expected_versions=versions, today=TODAY)
    monkeypatch.setattr(PostGISStore, "_reserve_event_ids", lambda self, n: None)
    with pytest.raises(ConflictError) as sequential:
        record_stage_changes(store, batch, expected_versions=versions, today=TODAY)
    assert overlapped == [1]
    assert while_copying.value.params["officer"] == "赵敏"
    assert (while_copying.value.params, str(while_copying.value)) == (
        sequential.value.params, str(sequential.value))
    assert raw_sql(url, "SELECT count(*) FROM stage_events") == before


def test_a_login_without_the_reservation_still_writes_its_batch(postgis_case):
    """The reservation's EXECUTE revoked (a grant gone missing): ids row by row, same rows."""
    url = postgis_case.location
    with temporary_logins("noreserve") as logins:
        login = logins["noreserve"]
        raw_sql(url, f'GRANT geo_officer TO "{login}"; REVOKE EXECUTE ON FUNCTION '
                  "geo_app_reserve_event_ids(bigint) FROM geo_officer")
        officer = PostGISStore(login_url(url, login, LOGIN_PASSWORD))
        try:
            assert officer._reserve_event_ids(3) is None
            before = raw_sql(url, "SELECT max(event_id) FROM stage_events")[0][0]
            batch = _interleaved_batch(officer)
            record_stage_changes(officer, batch, today=TODAY)
            rows = _new_rows(url, before)
            assert [(r[1], r[2]) for r in rows] == list(batch[["parcel_id", "to_stage"]]
                                                        .itertuples(index=False, name=None))
            assert {r[5] for r in rows} == {login}
        finally:
            officer.close()
            raw_sql(url, f'REVOKE geo_officer FROM "{login}"')

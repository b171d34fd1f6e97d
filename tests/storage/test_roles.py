"""PostgreSQL roles decide who may read, record stages and import (raw SQL and the store API)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
import psycopg2
import pytest
from _import_data import provenance, survey_rectangles
from _raw_ledger import raw_sql
from conftest import require_backend

from geo_app.domain.stages import ParcelStage as S
from geo_app.errors import StoreError
from geo_app.storage import ImportMode, init_store
from geo_app.storage.events import record_stage_change, record_stage_changes
from geo_app.storage.postgis import SCHEMA_VERSION, PostGISStore
from geo_app.storage.roles import AppRole, grant_role, revoke_role
from geo_app.storage.testing import (
    LOGIN_PASSWORD,
    login_url,
    temporary_logins,
    temporary_postgis_database,
)

TODAY = dt.date(2022, 1, 10)
ALL = {"read", "record_stage", "import", "admin"}
VIEWER_REFUSAL = ("your database role ({user}) may only read: ask an administrator to grant "
                  "geo_officer")


@dataclass(frozen=True)
class Db:
    """A fresh sample database and login roles: viewer, officer, admin, nobody."""

    url: str  # the test role: the administrator who ran init
    logins: dict[str, str]

    def url_of(self, who: str) -> str:
        return login_url(self.url, self.logins[who], LOGIN_PASSWORD)

    def store(self, who: str) -> PostGISStore:
        return PostGISStore(self.url_of(who))


@pytest.fixture
def db() -> Iterator[Db]:
    require_backend("postgis")
    with temporary_logins("viewer", "officer", "admin", "nobody") as logins, \
            temporary_postgis_database() as url:
        for who in ("viewer", "officer", "admin"):
            grant_role(url, logins[who], f"geo_{who}")
        yield Db(url, logins)


def _refused(url: str, sql: str, match: str) -> None:
    with pytest.raises(psycopg2.errors.InsufficientPrivilege, match=match):
        raw_sql(url, sql)


def _record(store: PostGISStore, officer: str = "张伟") -> object:
    return record_stage_change(store, "QC2-19", S.RISK_ASSESSMENT,
                               effective_date=dt.date(2021, 12, 6), officer=officer,
                               today=TODAY)


def _import(store: PostGISStore, layer: str = "survey") -> object:
    return store.import_features(layer, survey_rectangles(3), mode=ImportMode.APPEND,
                                 provenance=provenance())


# --- what init sets up ----------------------------------------------------------------------

def test_init_creates_three_group_roles_that_cannot_log_in(db):
    rows = raw_sql(db.url, "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = ANY(%s) "
                "ORDER BY 1", ([r.value for r in AppRole],))
    assert rows == [("geo_admin", False), ("geo_officer", False), ("geo_viewer", False)]


def test_the_ledger_belongs_to_the_administrator_and_the_layers_to_geo_admin(db):
    owners = dict(raw_sql(db.url, "SELECT tablename, tableowner FROM pg_tables WHERE "
                   "schemaname = current_schema()"))
    for table in ("stage_events", "provenance_events", "geo_app_schema", "geo_app_layers"):
        assert owners[table] == "geo_app", table
    for layer in ("parcels", "parks", "boundary"):
        assert owners[layer] == "geo_admin", layer


def test_the_administrator_who_ran_init_has_every_capability(db):
    store = PostGISStore(db.url)
    assert store.capabilities() == ALL


# --- viewer ---------------------------------------------------------------------------------

def test_a_viewer_reads_but_the_store_refuses_its_stage_change_and_import(db):
    user = db.logins["viewer"]
    store = db.store("viewer")
    assert store.capabilities() == {"read"}
    assert len(store.read_events()) == 207 and len(store.read_layer("parcels")) == 32
    with pytest.raises(StoreError) as err:
        _record(store)
    assert VIEWER_REFUSAL.format(user=user) in str(err.value)
    assert f"geo-app grant {user} geo_officer" in str(err.value)
    with pytest.raises(StoreError, match=r"may only read: ask an administrator to grant "
                                         r"geo_admin"):
        _import(store)
    assert len(PostGISStore(db.url).read_events()) == 207


def test_a_viewer_cannot_write_through_raw_sql(db):
    url = db.url_of("viewer")
    _refused(url, "INSERT INTO stage_events (parcel_id, to_stage, effective_date, officer, "
             "recorded_at) VALUES ('QC2-19', 'net_land', '2022-01-01', 'x', now())",
             "permission denied for table stage_events")
    _refused(url, "UPDATE parcels SET stage = 'net_land'", "permission denied for table parcels")
    _refused(url, "DELETE FROM parks", "permission denied for table parks")


# --- officer --------------------------------------------------------------------------------

def test_an_officer_records_a_stage_and_the_ledger_names_the_login(db):
    store = db.store("officer")
    assert store.capabilities() == {"read", "record_stage"}
    recorded = _record(store, officer="张伟")
    event = store.read_events("QC2-19").iloc[-1]
    assert (event["to_stage"], event["officer"]) == ("risk_assessment", "张伟")
    assert event["recorded_by"] == db.logins["officer"] == recorded.iloc[0]["recorded_by"]
    assert store.read_layer("parcels").set_index("id").loc["QC2-19", "stage"] == (
        "risk_assessment")


def test_an_officer_cannot_forge_who_recorded_an_event(db):
    raw_sql(db.url_of("officer"),
         "INSERT INTO stage_events (parcel_id, from_stage, to_stage, effective_date, officer, "
         "recorded_at, recorded_by) VALUES ('QC2-19', 'status_survey', 'risk_assessment', "
         "'2021-12-06', '张伟', now(), 'geo_app')")
    assert raw_sql(db.url, "SELECT recorded_by FROM stage_events ORDER BY event_id DESC "
                "LIMIT 1") == [(db.logins["officer"],)]


@pytest.mark.parametrize(("sql", "match"), [
    ("DELETE FROM stage_events", "permission denied for table stage_events"),
    ("UPDATE stage_events SET officer = 'x'", "permission denied for table stage_events"),
    ("TRUNCATE stage_events", "permission denied for table stage_events"),
    ("ALTER TABLE stage_events DISABLE TRIGGER ALL", "must be owner of table stage_events"),
    ("DROP TABLE stage_events", "must be owner of table stage_events"),
    ("DELETE FROM provenance_events", "permission denied for table provenance_events"),
    ("UPDATE parcels SET name = 'x'", "permission denied for table parcels"),
    ("INSERT INTO geo_app_layers VALUES ('x', 99, 'Point', 4490)",
     "permission denied for table geo_app_layers"),
    ("CREATE TABLE stage_events_copy (x int)", "permission denied for schema public"),
])
def test_an_officer_cannot_change_the_ledger_or_the_layers_through_raw_sql(db, sql, match):
    _refused(db.url_of("officer"), sql, match)
    assert len(PostGISStore(db.url).read_events()) == 207


def test_an_officer_may_not_import_layers(db):
    store = db.store("officer")
    with pytest.raises(StoreError) as err:
        _import(store)
    user = db.logins["officer"]
    assert (f"your database role ({user}) may read and record stage changes but not import "
            f"layers: ask an administrator to grant geo_admin") in str(err.value)
    with pytest.raises(StoreError, match="not import layers"):
        store.write_layer("parks", store.read_layer("parks"))
    assert "survey" not in {i.name for i in PostGISStore(db.url).list_layers()}


# --- admin ----------------------------------------------------------------------------------

def test_an_admin_imports_a_new_layer_that_viewers_can_read(db):
    store = db.store("admin")
    assert store.capabilities() == {"read", "record_stage", "import"}
    outcome = _import(store)
    assert (outcome.written, outcome.provenance_events) == (3, 3)
    assert raw_sql(db.url, "SELECT tableowner FROM pg_tables WHERE tablename = 'survey'") == [
        ("geo_admin",)]
    assert len(db.store("viewer").read_layer("survey")) == 3
    parks = store.read_layer("parks")
    store.write_layer("parks", parks)  # a layer the administrator who ran init created
    assert len(db.store("viewer").read_layer("parks")) == len(parks)


@pytest.mark.parametrize("sql", [
    "DELETE FROM stage_events", "TRUNCATE provenance_events",
    "ALTER TABLE stage_events DISABLE TRIGGER ALL",
    "ALTER TABLE provenance_events DISABLE TRIGGER ALL",
])
def test_an_admin_cannot_rewrite_the_ledgers_either(db, sql):
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        raw_sql(db.url_of("admin"), sql)


# --- grant ----------------------------------------------------------------------------------

def test_grant_says_when_the_user_already_has_the_role_and_what_it_may_do(db):
    again = grant_role(db.url, db.logins["officer"], "geo_officer")
    assert again.already and again.role is AppRole.OFFICER
    assert again.capabilities == {"read", "record_stage"}
    first = grant_role(db.url, db.logins["nobody"], "geo_viewer")
    assert not first.already and first.capabilities == {"read"}
    assert revoke_role(db.url, db.logins["nobody"], "geo_viewer") is True
    assert revoke_role(db.url, db.logins["nobody"], "geo_viewer") is False
    with pytest.raises(StoreError, match="may not read this store"):
        db.store("nobody")


def test_a_login_without_any_role_is_told_to_ask_for_geo_viewer(db):
    user = db.logins["nobody"]
    with pytest.raises(StoreError, match=rf"Cannot open the store: your database role "
                                         rf"\({user}\) may not read this store: ask an "
                                         rf"administrator to grant geo_viewer"):
        db.store("nobody")


def test_grant_without_createrole_says_to_ask_the_database_administrator(db):
    with pytest.raises(StoreError) as err:
        grant_role(db.url_of("admin"), db.logins["nobody"], "geo_officer")
    msg = str(err.value)
    assert "needs an administrator connection with CREATEROLE" in msg
    assert f"GRANT geo_officer TO {db.logins['nobody']}" in msg and LOGIN_PASSWORD not in msg
    assert raw_sql(db.url, "SELECT count(*) FROM pg_auth_members WHERE member = to_regrole(%s)",
                (db.logins["nobody"],)) == [(0,)]


@pytest.mark.parametrize(("user", "role", "match"), [
    ("no_such_login_x", "geo_viewer", "no database user 'no_such_login_x'.*CREATE ROLE"),
    ("{nobody}", "superuser", "'superuser' is not a geo_app role; use one of geo_viewer, "
                              "geo_officer, geo_admin"),
    ("geo_admin", "geo_viewer", "geo_admin is a geo_app group role"),
])
def test_grant_refusals_are_sentences(db, user, role, match):
    with pytest.raises(StoreError, match=match):
        grant_role(db.url, user.format(nobody=db.logins["nobody"]), role)


def test_roles_need_a_postgis_store(tmp_path):
    with pytest.raises(StoreError, match="Roles exist only in a PostGIS store"):
        grant_role(str(tmp_path / "x.gpkg"), "alice", "geo_viewer")


def test_a_geopackage_allows_everything(gpkg_case):
    assert gpkg_case.store.capabilities() == ALL


# --- upgrading a version-1 database ---------------------------------------------------------

def _downgrade_to_version_1(url: str) -> None:
    raw_sql(url, "DROP TRIGGER stage_events_recorded_by ON stage_events; "
              "ALTER TABLE stage_events DROP COLUMN recorded_by; "
              "UPDATE geo_app_schema SET version = 1")


def test_only_the_owner_upgrades_a_version_1_database(db):
    _downgrade_to_version_1(db.url)
    with pytest.raises(StoreError, match=rf"schema version 1; this geo_app needs "
                                         rf"{SCHEMA_VERSION}\. Only their owner can upgrade"):
        db.store("officer")
    PostGISStore(db.url).close()  # the owner opens it: upgraded
    assert raw_sql(db.url, "SELECT max(version) FROM geo_app_schema") == [(SCHEMA_VERSION,)]
    store = db.store("officer")
    _record(store)
    events = store.read_events()
    assert events["recorded_by"].iloc[:-1].isna().all()  # older rows: unknown
    assert events["recorded_by"].iloc[-1] == db.logins["officer"]


# --- init without CREATEROLE ----------------------------------------------------------------

def test_init_by_a_user_without_createrole_says_what_to_ask_and_changes_nothing():
    require_backend("postgis")
    with temporary_logins("plain") as logins, \
            temporary_postgis_database(with_layers=False) as url:
        plain = logins["plain"]
        raw_sql(url, f'GRANT CREATE ON SCHEMA public TO "{plain}"')
        with pytest.raises(StoreError) as err:
            init_store(login_url(url, plain, LOGIN_PASSWORD), sample=True)
        msg = str(err.value)
        assert "must be a member of geo_admin" in msg
        assert f"ask the database administrator to run `GRANT geo_admin TO {plain}`" in msg
        assert raw_sql(url, "SELECT to_regclass('stage_events'), to_regclass('parcels')") == [
            (None, None)]
        raw_sql(url, f'REVOKE CREATE ON SCHEMA public FROM "{plain}"')


# --- parcels.stage follows the ledger --------------------------------------------------------

STAGE_GUARD = "would show a stage its ledger does not have"


def _stages(url: str) -> dict[str, tuple[str, str]]:
    return {pid: (stage, str(day)) for pid, stage, day in raw_sql(
        url, "SELECT id, stage, stage_date FROM parcels ORDER BY id")}


@pytest.mark.parametrize("sql", [
    "UPDATE parcels SET stage = 'supplied'",
    "UPDATE parcels SET stage = 'net_land' WHERE id = 'QC2-19'",
    "UPDATE parcels SET stage_date = '2000-01-01' WHERE id = 'QC2-19'",
    "UPDATE parcels SET stage = NULL WHERE id = 'QC1-01'",
])
def test_an_officer_cannot_redraw_parcel_stages_without_a_ledger_row(db, sql):
    before = _stages(db.url)
    _refused(db.url_of("officer"), sql, STAGE_GUARD)
    assert _stages(db.url) == before
    assert len(PostGISStore(db.url).read_events()) == 207


def test_an_officer_update_that_keeps_the_ledger_stage_passes(db):
    before = _stages(db.url)
    raw_sql(db.url_of("officer"), "UPDATE parcels SET stage = stage, stage_date = stage_date")
    assert _stages(db.url) == before


def test_the_store_still_copies_the_ledger_stage_for_an_officer_one_and_in_bulk(db):
    store = db.store("officer")
    _record(store)
    changes = pd.DataFrame({
        "parcel_id": ["QC2-19"], "to_stage": [S.COMPENSATION_PLAN.value],
        "effective_date": [dt.date(2021, 12, 8)], "officer": ["张伟"]})
    record_stage_changes(store, changes, today=TODAY)
    assert _stages(db.url)["QC2-19"] == ("compensation_plan", "2021-12-08")


def test_an_administrator_may_still_edit_parcels(db):
    raw_sql(db.url_of("admin"), "UPDATE parcels SET stage = 'supplied' WHERE id = 'QC2-19'")
    assert _stages(db.url)["QC2-19"][0] == "supplied"

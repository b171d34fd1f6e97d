"""``PostGISStore.transaction``: the public transaction for work beside the store's methods."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from geo_app.errors import InputError, StoreError

pytestmark = pytest.mark.postgis


def _has_table(store, name: str) -> bool:
    with store.transaction("look for a table") as conn:
        return conn.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar() is not None


def test_a_transaction_commits_when_the_block_ends(postgis_case):
    store = postgis_case.store
    with store.transaction("create a scratch table") as conn:
        conn.execute(text("CREATE TABLE scratch_commit (x int)"))
    assert _has_table(store, "scratch_commit")


def test_an_error_rolls_the_transaction_back_and_passes_through(postgis_case):
    store = postgis_case.store
    with pytest.raises(InputError, match="refused"), store.transaction("create") as conn:
        conn.execute(text("CREATE TABLE scratch_rollback (x int)"))
        raise InputError("refused by a check")
    assert not _has_table(store, "scratch_rollback")


def test_a_database_failure_is_a_store_error_naming_the_work(postgis_case):
    store = postgis_case.store
    expected = r"^Cannot read the moon in PostGIS at .*Nothing was changed\.$"
    with (pytest.raises(StoreError, match=expected) as info,
          store.transaction("read the moon") as conn):
        conn.execute(text("SELECT * FROM no_such_table"))
    assert "no_such_table" in str(info.value)
    password = postgis_case.store.url.partition("://")[2].partition("@")[0].partition(":")[2]
    if password:  # the password is masked wherever the URL is quoted
        assert f":{password}@" not in str(info.value) and ":***@" in str(info.value)

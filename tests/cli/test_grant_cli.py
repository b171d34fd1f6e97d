"""`geo-app init` and `geo-app grant` on PostGIS: roles decide who may do what, via the CLI."""

from __future__ import annotations

import pytest

from geo_app.storage.testing import (
    LOGIN_PASSWORD,
    login_url,
    postgis_required,
    postgis_unreachable_reason,
    temporary_logins,
    temporary_postgis_database,
)


@pytest.fixture
def empty_db():
    reason = postgis_unreachable_reason()
    if reason is not None:
        if postgis_required():
            pytest.fail(reason)
        pytest.skip(reason)
    with temporary_logins("clerk") as logins, temporary_postgis_database(
            with_layers=False) as url:
        yield url, logins["clerk"]


def test_init_grant_then_the_viewer_cannot_record_and_the_officer_can(run_cli, empty_db):
    url, clerk = empty_db
    res = run_cli("layers", "--store", url)
    assert res.code == 2 and "geo-app init --store URL" in res.err  # reading never seeds
    res = run_cli("init", "--store", url, "--sample")
    assert res.code == 0, res.err
    assert "roles:" in res.out and "geo-app grant USER ROLE" in res.out
    res = run_cli("grant", clerk, "geo_viewer", "--store", url)
    assert res.code == 0, res.err
    assert f"{clerk} granted geo_viewer: may read" in res.out
    as_clerk = login_url(url, clerk, LOGIN_PASSWORD)
    assert LOGIN_PASSWORD not in res.out + res.err
    res = run_cli("stage", "set", "QC2-20", "status_survey", "--date", "2021-12-02",
                  "--officer", "王建国", "--store", as_clerk)
    assert res.code == 2 and "may only read" in res.err and "geo_officer" in res.err
    assert LOGIN_PASSWORD not in res.err
    res = run_cli("grant", clerk, "geo_officer", "--store", url)
    assert res.code == 0, res.err
    assert res.out == f"{clerk} granted geo_officer: may read, record stage changes\n"
    res = run_cli("stage", "set", "QC2-20", "status_survey", "--date", "2021-12-02",
                  "--officer", "王建国", "--store", as_clerk, "--json")
    assert res.code == 0, res.err
    assert res.json()["event"]["recorded_by"] == clerk  # the database says who wrote it
    res = run_cli("grant", clerk, "geo_officer", "--store", url, "--revoke")
    assert res.code == 0 and f"revoked geo_officer from {clerk}" in res.out


def test_grant_mistakes_are_one_line(run_cli, empty_db, tmp_path):
    url, clerk = empty_db
    assert run_cli("init", "--store", url).code == 0
    res = run_cli("grant", clerk, "geo_king", "--store", url)
    assert res.code == 2 and res.err.startswith("error: ") and res.err.count("\n") == 1
    res = run_cli("grant", clerk, "geo_viewer", "--store", str(tmp_path / "x.gpkg"))
    assert res.code == 2 and "PostGIS" in res.err

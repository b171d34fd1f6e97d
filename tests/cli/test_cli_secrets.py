"""The CLI never prints a password: malformed URLs, ``?password=``, the environment."""

from __future__ import annotations

import pytest

SECRET = "s3cr3t-Pw"


def _one_error_line(res) -> str:
    assert res.code == 2, (res.out, res.err)
    assert res.out == ""
    lines = res.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.err
    assert "Traceback" not in res.err
    return lines[0]


def test_a_malformed_url_is_one_line_without_the_password(run_cli):
    line = _one_error_line(run_cli("layers", "--store", f"postgresql://u:{SECRET}@host:notaport/x"))
    assert line == (
        "error: The store URL given (--store or GEO_APP_STORE) is not a usable PostgreSQL URL: "
        "its port is not a number from 0 to 65535. Write it as "
        "postgresql://USER:PASSWORD@HOST:PORT/DATABASE, with any @ : / # ? or % in the user or "
        "password percent-encoded (@ is %40).")


@pytest.mark.parametrize(("url", "shown"), [
    (f"postgresql://u@127.0.0.1:1/x?password={SECRET}",
     "postgresql://u@127.0.0.1:1/x?password=***"),
    (f"postgresql://u:{SECRET}@127.0.0.1:1/x?sslmode=disable&PWD={SECRET}",
     "postgresql://u:***@127.0.0.1:1/x?PWD=***&sslmode=disable"),  # SQLAlchemy sorts them
])
def test_a_password_query_parameter_is_masked(run_cli, url, shown):
    line = _one_error_line(run_cli("layers", "--store", url))
    assert line.startswith(f"error: Cannot open the database: PostGIS at {shown} did not accept")
    assert SECRET not in line


def test_a_url_from_the_environment_is_masked_too(run_cli, monkeypatch):
    monkeypatch.setenv("GEO_APP_STORE", f"postgresql://u:{SECRET}@host:notaport/x")
    line = _one_error_line(run_cli("layers"))
    assert "is not a usable PostgreSQL URL" in line and SECRET not in line


def test_init_with_a_malformed_url_does_not_echo_it(run_cli):
    line = _one_error_line(run_cli("init", "--store", f"postgresql://u:{SECRET}@h:port/x"))
    assert "is not a usable PostgreSQL URL: its port" in line and SECRET not in line


def test_pgpassword_from_the_environment_is_never_printed(run_cli, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", SECRET)
    line = _one_error_line(run_cli("layers", "--store", "postgresql://u@127.0.0.1:1/x"))
    assert "PostGIS at postgresql://u@127.0.0.1:1/x did not accept" in line
    assert SECRET not in line

"""Store locations that look like URLs but are not usable ones never echo their password:
an unencoded ``@`` in the password, a scheme in capitals, another scheme altogether."""

from __future__ import annotations

import pytest

from geo_app.secrets import malformed_url_message

SECRET = "s3cretXYZ"


@pytest.mark.parametrize("url", [
    f"postgresql://u:ab@{SECRET}@127.0.0.1:5432/x",
    f"postgresql://u:{SECRET}@@127.0.0.1:5432/x",
    f"pg://u:{SECRET}@127.0.0.1/x",
    f"sqlite:///u:{SECRET}@x",
    f"mysql://u:{SECRET}@127.0.0.1/x",
])
@pytest.mark.parametrize("command", ["layers", "init"])
def test_an_unusable_url_is_one_line_without_any_part_of_the_password(run_cli, url, command):
    result = run_cli(command, "--store", url)
    assert result.code != 0
    assert "Traceback" not in result.err
    assert SECRET[2:] not in result.out + result.err
    assert "not a usable PostgreSQL URL" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_a_capitalised_scheme_is_a_postgresql_url(run_cli):
    # schemes are case-insensitive (RFC 3986): reached as PostgreSQL, password masked
    result = run_cli("layers", "--store", f"POSTGRESQL://nobody:{SECRET}@127.0.0.1:1/x")
    assert result.code != 0
    assert SECRET not in result.err
    assert "PostGIS" in result.err and "GeoPackage" not in result.err


def test_a_password_with_a_space_is_masked_whole(run_cli):
    result = run_cli("layers", "--store", f"postgresql://nobody:ab {SECRET}@127.0.0.1:1/x")
    assert result.code != 0
    assert SECRET not in result.err and "ab " not in result.err
    assert "postgresql://nobody:***@127.0.0.1:1/x" in result.err


def test_the_message_says_an_at_sign_must_be_encoded():
    message = malformed_url_message(f"postgresql://u:ab@{SECRET}@h/x")
    assert "%40" in message and "@ in" in message
    assert SECRET not in message


@pytest.mark.parametrize(("url", "zh"), [
    ("postgresql://u:pw@host:notaport/x", "端口不是"),
    (f"pg://u:{SECRET}@h/x", "开头不是 postgresql://"),
    (f"postgresql://u:a@{SECRET}@h/x", "含有多个 @"),
])
def test_an_unusable_url_is_refused_in_chinese(run_cli, url, zh):
    result = run_cli("--lang", "zh", "layers", "--store", url)
    assert result.code == 2
    assert "不是可用的 PostgreSQL URL" in result.err and zh in result.err, result.err
    assert "postgresql://USER:PASSWORD@HOST:PORT/DATABASE" in result.err  # advice unmasked
    assert SECRET[2:] not in result.err and "pw" not in result.err

"""Credentials are masked in every form they can take, and a bad URL is never echoed."""

from __future__ import annotations

import pytest

from geo_app.errors import InputError, StoreError
from geo_app.secrets import is_secret_name, malformed_url_message, mask_url
from geo_app.settings import get_settings
from geo_app.storage import display_location, open_store
from geo_app.storage.postgis import PostGISStore

SECRET = "s3cr3t-Pw"


@pytest.mark.parametrize(("text", "masked"), [
    ("postgresql://u:pw@h/db", "postgresql://u:***@h/db"),
    ("postgres://u:pw@[::1]:5432/db", "postgres://u:***@[::1]:5432/db"),
    ("postgresql+psycopg2://:pw@h/db", "postgresql+psycopg2://:***@h/db"),
    # unencoded @ / , in the password: masked up to the URL's last @
    ("postgresql://u:p@ss/w,rd@h:5/db and bob@x.org", "postgresql://u:***@h:5/db and bob@x.org"),
    ("'postgresql://u:pw@host:notaport/x' is not usable",
     "'postgresql://u:***@host:notaport/x' is not usable"),
    ("postgresql://u@h/db?password=secret", "postgresql://u@h/db?password=***"),
    ("postgresql://u@h/db?sslmode=require&PassWord=secret#f",
     "postgresql://u@h/db?sslmode=require&PassWord=***#f"),
    ("postgresql://u@h/db?PWD=a&passwd=b&sslpassword=c",
     "postgresql://u@h/db?PWD=***&passwd=***&sslpassword=***"),
    ("password=secret host=localhost dbname=x", "password=*** host=localhost dbname=x"),
    ("password='my \\' secret' host=h", "password='***' host=h"),
    ("host=h PASSWORD = secret port=5432", "host=h PASSWORD = *** port=5432"),
    ("PGPASSWORD=hunter22 geo-app layers", "PGPASSWORD=*** geo-app layers"),
    ('{"password": "abc", "user": "u"}', '{"password": "***", "user": "u"}'),
    ("(url 'postgresql://u@h/x?password=secret').", "(url 'postgresql://u@h/x?password=***')."),
    ("https://t0.tianditu.gov.cn/img_w/wmts?tk=abcd1234&x=1",
     "https://t0.tianditu.gov.cn/img_w/wmts?tk=***&x=1"),
])
def test_every_form_of_credential_is_masked(text, masked):
    assert mask_url(text) == masked


@pytest.mark.parametrize("text", [
    "/home/officer/data/suizhou.gpkg",
    "postgresql://h:5432/db",
    "postgresql://officer@db.example:5432/geo_app?sslmode=require",
    "No layer 'lakes' in /tmp/x.gpkg. Layers here: parcels, roads.",
    "",
])
def test_text_without_credentials_is_unchanged(text):
    assert mask_url(text) == text


def test_secret_environment_values_are_masked_wherever_they_appear(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", SECRET)
    monkeypatch.setenv("GEO_APP_TIANDITU_KEY", "tdt-key-0123456789")
    text = f"connect failed for {SECRET}; tiles tk-less url with tdt-key-0123456789 in it"
    assert mask_url(text) == "connect failed for ***; tiles tk-less url with *** in it"


def test_the_working_directory_is_not_a_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("PWD", str(tmp_path))
    assert mask_url(f"No GeoPackage at {tmp_path}/x.gpkg") == f"No GeoPackage at {tmp_path}/x.gpkg"


@pytest.mark.parametrize(("name", "secret"), [
    ("PGPASSWORD", True), ("password", True), ("sslpassword", True), ("pwd", True),
    ("GEO_APP_TIANDITU_KEY", True), ("api_key", True), ("tk", True), ("ACCESS_TOKEN", True),
    ("GEO_APP_HOME", False), ("host", False), ("user", False), ("sslmode", False),
])
def test_secret_names(name, secret):
    assert is_secret_name(name) is secret


def test_display_location_is_mask_url():
    url = f"postgresql://u:{SECRET}@h/db?password={SECRET}"
    assert display_location(url) == mask_url(url) == "postgresql://u:***@h/db?password=***"


@pytest.mark.parametrize(("url", "reason"), [
    (f"postgresql://u:{SECRET}@dbhost:notaport/x", "its port is not a number from 0 to 65535"),
    (f"postgresql://u:{SECRET}@[::1/x", "it cannot be parsed (an IPv6 host must be in"),
    (f"postgresql+nosuchdriver://u:{SECRET}@dbhost/x", "its scheme is not postgresql://"),
])
def test_a_malformed_url_is_described_never_echoed(url, reason):
    with pytest.raises(StoreError) as err:
        PostGISStore(url)
    msg = str(err.value)
    assert msg.startswith("The store URL given (--store or GEO_APP_STORE) is not a usable "
                          f"PostgreSQL URL: {reason}")
    assert "Write it as postgresql://USER:PASSWORD@HOST:PORT/DATABASE" in msg
    for part in (SECRET, "dbhost", "notaport", "::1"):
        assert part not in msg
    assert msg == malformed_url_message(url)


def test_a_password_shifted_into_the_port_is_not_echoed():
    """An unencoded "/" cuts the netloc short: urlsplit then sees 'ss' as the port."""
    msg = malformed_url_message("postgresql://u:pa:ss/word@dbhost/x")
    assert "its port is not a number" in msg
    assert msg == malformed_url_message("postgresql://x@y:z/w")  # nothing of the URL in it


@pytest.mark.parametrize("url", [
    f"postgresql://officer:{SECRET}@127.0.0.1:99999/geo_app",  # accepted, refused by libpq
    f"postgresql://officer:pa:ss/{SECRET}@127.0.0.1:1/geo_app",  # unencoded "/" in password
])
def test_odd_urls_that_reach_libpq_are_reported_without_the_password(url):
    with pytest.raises(StoreError) as err:
        open_store(url)
    assert str(err.value).startswith("Cannot open the database: PostGIS at "
                                     "postgresql://officer:***@127.0.0.1:")
    assert SECRET not in str(err.value)


@pytest.mark.parametrize("url", [
    f"postgresql://officer@127.0.0.1:1/geo_app?password={SECRET}",
    f"postgresql://officer@127.0.0.1:1/geo_app?sslmode=disable&Password={SECRET}",
    f"postgresql://officer:{SECRET}@127.0.0.1:1/geo_app?sslpassword={SECRET}",
])
def test_an_unreachable_server_is_reported_without_the_password(url):
    with pytest.raises(StoreError) as err:
        open_store(url)
    msg = str(err.value)
    assert msg.startswith("Cannot open the database: PostGIS at postgresql://officer")
    assert "127.0.0.1:1/geo_app" in msg and "***" in msg
    assert SECRET not in msg


def test_a_bad_setting_never_repeats_a_password(monkeypatch):
    monkeypatch.setenv("GEO_APP_MAX_UPLOAD_MB", f"password={SECRET}")
    with pytest.raises(InputError) as err:
        get_settings()
    assert "GEO_APP_MAX_UPLOAD_MB='password=***' is not valid" in str(err.value)
    assert SECRET not in str(err.value)

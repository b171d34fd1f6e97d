"""The app on a shared PostGIS store: every page opens and shows the same figures."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from _parcel_box import parcel_box

from geo_app.storage.testing import (
    postgis_required,
    postgis_unreachable_reason,
    temporary_postgis_database,
)


@pytest.fixture
def postgis_store_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    reason = postgis_unreachable_reason()
    if reason is not None:
        if postgis_required():
            pytest.fail(f"{reason} (GEO_APP_REQUIRE_POSTGIS is set, so this is an error)")
        pytest.skip(reason)
    with temporary_postgis_database(with_layers=True) as url:
        monkeypatch.setenv("GEO_APP_STORE", url)
        yield url


@pytest.mark.parametrize("page", ["map", "dashboard", "layers", "acquisition"])
def test_every_page_opens_on_postgis(app_page, postgis_store_url, page):
    at = app_page(page).run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]


def test_dashboard_figures_on_postgis_and_password_hidden(app_page, postgis_store_url):
    at = app_page("dashboard").run()
    progress = [p.proto.text for p in at.get("progress")]
    assert any("一期：净地 1,420 亩 / 目标 1,420 亩（100%）" in p for p in progress)
    # as read: the caption is markdown with the location's punctuation escaped
    captions = re.sub(r"\\(.)", r"\1", " ".join(c.value for c in at.sidebar.caption))
    assert "***" in captions
    password = postgis_store_url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    assert f":{password}@" not in captions


def test_a_viewer_role_sees_no_record_form_and_no_import(app_page, monkeypatch):
    """PostgreSQL roles decide: a geo_viewer login reads, and the app says why it cannot write."""
    from geo_app.storage.roles import grant_role
    from geo_app.storage.testing import LOGIN_PASSWORD, login_url, temporary_logins
    from geo_app.ui.state import Key

    reason = postgis_unreachable_reason()
    if reason is not None:
        if postgis_required():
            pytest.fail(reason)
        pytest.skip(reason)
    with temporary_logins("viewer") as logins, temporary_postgis_database() as url:
        grant_role(url, logins["viewer"], "geo_viewer")
        monkeypatch.setenv("GEO_APP_STORE", login_url(url, logins["viewer"], LOGIN_PASSWORD))
        at = app_page("acquisition").run()
        parcel_box(at).set_value("QC2-20").run()
        assert not at.exception and not at.error
        assert any("geo_officer" in i.value for i in at.info)
        assert not [b for b in at.button if b.key == Key.ACQ_SUBMIT]
        at = app_page("import").run()
        assert not at.exception and any("geo_admin" in i.value for i in at.info)

"""A database role's refusal reads in the user's language, naming the role to ask for."""

from __future__ import annotations

import pytest

from geo_app.domain.messages import render
from geo_app.storage.base import Capability
from geo_app.storage.roles import role_refusal
from geo_app.storage.testing import (
    LOGIN_PASSWORD,
    login_url,
    postgis_required,
    postgis_unreachable_reason,
    temporary_logins,
    temporary_postgis_database,
)


@pytest.mark.parametrize(("needed", "have", "zh", "en"), [
    (Capability.RECORD_STAGE, {"read"}, "只有查看权限", "may only read"),
    (Capability.IMPORT, {"read", "record_stage"}, "不能导入图层", "not import layers"),
    (Capability.READ, set(), "没有查看权限", "may not read this store"),
    (Capability.ADMIN, {"read"}, "不能管理", "may not administer"),
])
def test_each_refusal_reads_in_chinese_and_english(needed, have, zh, en):
    err = role_refusal(needed, "clerk_1", frozenset(have))
    assert zh in render(err, "zh") and "clerk_1" in render(err, "zh")
    assert en in render(err, "en") and en in str(err)
    assert "geo-app grant clerk_1 geo_" in render(err, "zh")
    assert "record_stage" not in render(err, "zh") + render(err, "en")


def test_the_viewer_is_refused_in_chinese_through_the_cli(run_cli):
    reason = postgis_unreachable_reason()
    if reason is not None:
        if postgis_required():
            pytest.fail(reason)
        pytest.skip(reason)
    with temporary_logins("clerk") as logins, temporary_postgis_database() as url:
        clerk = logins["clerk"]
        assert run_cli("grant", clerk, "geo_viewer", "--store", url).code == 0
        res = run_cli("--lang", "zh", "stage", "set", "QC2-20", "status_survey", "--date",
                      "2021-12-02", "--officer", "王建国", "--store",
                      login_url(url, clerk, LOGIN_PASSWORD))
    assert res.code == 2
    assert "无法登记阶段变更" in res.err and "只有查看权限" in res.err, res.err
    assert f"geo-app grant {clerk} geo_officer" in res.err

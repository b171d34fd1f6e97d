"""A brief reads any store the same way: PostGIS gives the figures the GeoPackage gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from geo_app.briefs import BriefKind, build_brief, load_brief_data
from geo_app.briefs.build import NEEDED
from geo_app.storage.testing import (
    BACKENDS,
    postgis_required,
    postgis_unreachable_reason,
    temporary_store,
)

AS_OF = dt.date(2021, 6, 30)


def _figures(backend: str, tmp_path: Path) -> dict[str, tuple[tuple[str, str], ...]]:
    if backend == "postgis":
        reason = postgis_unreachable_reason()
        if reason is not None:
            if postgis_required():
                pytest.fail(reason)
            pytest.skip(reason)
    out = {}
    tmp_path.mkdir()
    with temporary_store(backend, tmp_path) as case:
        for kind, name in ((BriefKind.VILLAGE, "挑水村"), (BriefKind.PARK, "青春化工园"),
                           (BriefKind.PROGRESS, None)):
            data = load_brief_data(case.store, NEEDED[kind])
            page = build_brief(data, kind, name, as_of=AS_OF, lang="zh")
            out[kind.value] = page.figures
    return out


def test_postgis_and_geopackage_briefs_agree(tmp_path: Path) -> None:
    assert "postgis" in BACKENDS
    gpkg = _figures("gpkg", tmp_path / "g")
    pg = _figures("postgis", tmp_path / "p")
    assert pg == gpkg
    assert any("1,420" in value for _, value in gpkg["progress"])

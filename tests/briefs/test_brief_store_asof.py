"""The progress brief as of a date asks the store (SQL) for the stages, never reads every
event, and shows what replaying the whole ledger shows, on a GeoPackage and on PostGIS."""

from __future__ import annotations

import datetime as dt

from geo_app.briefs import BriefData, BriefKind, build_brief, load_brief_data
from geo_app.briefs.build import NEEDED
from geo_app.domain.stages import stage_or_none
from geo_app.storage.gpkg import GeoPackageStore
from geo_app.storage.postgis import PostGISStore
from geo_app.storage.testing import StoreCase

DAYS = (dt.date(2020, 3, 31), dt.date(2021, 6, 30), dt.date(2030, 1, 1))


def _replayed(case: StoreCase) -> BriefData:
    """The brief's data the old way: every event with a known stage, replayed in Python."""
    data = load_brief_data(case.store, NEEDED[BriefKind.PROGRESS])
    events = case.store.read_events()
    events = events[[stage_or_none(s) is not None for s in events["to_stage"]]]
    return BriefData(data.layers, data.planes, events)


def test_progress_brief_as_of_asks_the_store(case, monkeypatch):
    reference = _replayed(case)
    assert len(reference.events) > 0

    def refuse(self, *args, **kwargs):
        raise AssertionError("read_events was called")

    for cls in (GeoPackageStore, PostGISStore):
        monkeypatch.setattr(cls, "read_events", refuse)
    data = load_brief_data(case.store, NEEDED[BriefKind.PROGRESS])
    assert data.has_history and len(data.events) == 0
    for day in (*DAYS, None):
        ours = build_brief(data, BriefKind.PROGRESS, as_of=day, lang="en")
        theirs = build_brief(reference, BriefKind.PROGRESS, as_of=day, lang="en")
        assert ours.figures == theirs.figures
        assert ours.subtitle == theirs.subtitle
        shown = {m.name: m for m in ours.map.layers}["parcels"].data
        expected = {m.name: m for m in theirs.map.layers}["parcels"].data
        assert list(shown["stage"]) == list(expected["stage"])

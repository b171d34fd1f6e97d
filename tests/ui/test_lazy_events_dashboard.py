"""A store of 25,000 parcels and 200,000 stage events: the dashboard and the month slider's
figures never read the ledger's events, and equal an independent computation.

The events are written with the bulk path (:func:`record_stage_changes`, the one an import
uses); ``GeoPackageStore.read_events`` (the real method) is wrapped to count its calls.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from geo_app.domain.stages import STAGE_ORDER
from geo_app.settings import BUNDLED_LAYERS
from geo_app.storage.events import record_stage_changes
from geo_app.storage.gpkg import GeoPackageStore
from geo_app.ui import loaders
from geo_app.ui.pages.acquisition import _cached

PARCELS = 25_000
EVENTS_PER_PARCEL = 8
TODAY = dt.date(2026, 1, 1)
M2_PER_MU = 10_000.0 / 15.0
CODES = [s.value for s in STAGE_ORDER]
NET_LAND_OR_LATER = set(CODES[CODES.index("net_land"):])
UNKNOWN_ROWS = [("S1", "legacy_hold"), ("S2", None)]


def _parcels(n: int, seed: int = 7) -> gpd.GeoDataFrame:
    """``n`` 38 m squares drawn in EPSG:4547 (near 113.49°E 31.65°N), stored in lon/lat."""
    rng = np.random.default_rng(seed)
    col, row = np.divmod(np.arange(n), int(np.ceil(np.sqrt(n))))
    minx, miny = 547_000.0 + col * 40.0, 3_502_000.0 + row * 40.0
    return gpd.GeoDataFrame({
        "id": np.char.add("S", np.arange(n).astype(str)).astype(object),
        "name": np.char.add("合成地块", np.arange(n).astype(str)).astype(object),
        "park": "青春化工园", "phase": rng.integers(1, 3, n), "stage": "pre_notice",
        "stage_date": "2019-01-01", "declared_area_mu": 2.0, "land_use": "工业用地",
    }, geometry=shapely.box(minx, miny, minx + 38.0, miny + 38.0), crs=4547).to_crs(4490)


def _changes(ids: np.ndarray, seed: int = 11) -> pd.DataFrame:
    """8 changes per parcel: forward from pre-notice, a random number of steps (the rest
    of the 8 a same-day correction back and forth), days to weeks apart."""
    rng = np.random.default_rng(seed)
    codes = CODES
    rows = []
    reach = rng.integers(2, len(codes) + 1, len(ids))
    start = dt.date(2019, 1, 1)
    for pid, top, offset in zip(ids, reach, rng.integers(0, 900, len(ids)), strict=True):
        day = start + dt.timedelta(days=int(offset))
        prev = None
        for k in range(EVENTS_PER_PARCEL):
            if k < top:
                to, corr = codes[k], False
            else:  # corrections: back one stage, then forward again, alternately
                to, corr = codes[top - 2 if (k - top) % 2 == 0 else top - 1], True
            rows.append((pid, prev, to, day, "王伟", corr, "登记有误" if corr else None))
            prev = to
            if not corr:
                day += dt.timedelta(days=int(rng.integers(5, 40)))
    return pd.DataFrame(rows, columns=["parcel_id", "from_stage", "to_stage",
                                       "effective_date", "officer", "is_correction",
                                       "correction_reason"])


@pytest.fixture(scope="module")
def big_ledger(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """The bundled layers, 25,000 synthetic parcels, 200,000 events written in bulk, and
    two rows another tool wrote with a stage no release knows."""
    path = tmp_path_factory.mktemp("lazy") / "ledger.gpkg"
    shutil.copyfile(BUNDLED_LAYERS, path)
    parcels = _parcels(PARCELS)
    pyogrio.write_dataframe(parcels, path, layer="parcels", driver="GPKG")
    table = _changes(parcels["id"].to_numpy(dtype=object))
    assert len(table) == PARCELS * EVENTS_PER_PARCEL
    outcome = record_stage_changes(GeoPackageStore(path), table,
                                   expected_versions=dict.fromkeys(parcels["id"], 0),
                                   today=TODAY)
    assert outcome.events == len(table)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        top = conn.execute("SELECT max(event_id) FROM stage_events").fetchone()[0]
        conn.executemany(
            "INSERT INTO stage_events (event_id, parcel_id, to_stage, effective_date, "
            "recorded_at, is_correction, officer) VALUES (?, ?, ?, '2025-01-01', "
            "'2025-01-01T09:00:00', 0, '外部系统')",
            [(top + i + 1, p, s) for i, (p, s) in enumerate(UNKNOWN_ROWS)])
    finally:
        conn.close()
    return path, table


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Every call of the real ``GeoPackageStore.read_events``, with its arguments."""
    calls: list[dict] = []
    real = GeoPackageStore.read_events

    def read_events(self, parcel_id=None, **options):
        calls.append({"parcel_id": parcel_id, **options})
        return real(self, parcel_id, **options)

    monkeypatch.setattr(GeoPackageStore, "read_events", read_events)
    return calls


def _expected_mu(path: Path, table: pd.DataFrame) -> pd.Series:
    """mu per (phase, stage): each parcel's last change, its square measured in EPSG:4547
    (the Gauss-Krüger zone of 114°E, where the synthetic squares were drawn)."""
    layer = pyogrio.read_dataframe(path, layer="parcels", columns=["id", "phase"])
    planar = layer.to_crs(4547)
    area_mu = shapely.area(planar.geometry.to_numpy()) / M2_PER_MU
    final = table.groupby("parcel_id", sort=False)["to_stage"].last()
    frame = pd.DataFrame({"phase": layer["phase"].astype(int).to_numpy(),
                          "stage": final.reindex(layer["id"]).to_numpy(), "mu": area_mu})
    return frame.groupby(["phase", "stage"])["mu"].sum()


def _figures_mu(phases) -> pd.Series:
    return pd.Series({(p.phase, code): mu for p in phases for code, mu in p.by_stage_mu.items()}
                     ).rename_axis(["phase", "stage"])


def test_dashboard_figures_equal_an_independent_sum_without_reading_events(big_ledger,
                                                                           counted):
    path, table = big_ledger
    location = str(path)
    token = loaders.store_token(location)
    data = loaders.load_store(location, token)
    assert not hasattr(data, "events") and not hasattr(data, "unknown_events")
    phases, stage_table = loaders.progress_figures(location, token, "zh")
    today = _cached.progress_on(location, token, dt.date(2025, 6, 30))  # the month slider
    assert counted == []  # neither loading nor the figures read the ledger's events

    expected = _expected_mu(path, table)
    got = _figures_mu(phases)
    assert len(got) >= 8  # both phases, several stages each
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), rtol=1e-9,
                                   check_names=False)
    pd.testing.assert_series_equal(_figures_mu(today).sort_index(), expected.sort_index(),
                                   rtol=1e-9, check_names=False)
    for phase in phases:
        mine = expected.loc[phase.phase]
        assert phase.net_land_mu == pytest.approx(
            mine[mine.index.isin(NET_LAND_OR_LATER)].sum(), rel=1e-9)
        assert phase.parcel_count == int((pyogrio.read_dataframe(
            path, layer="parcels", columns=["phase"], read_geometry=False)["phase"]
            == phase.phase).sum())
    assert stage_table["area_mu"].sum() == pytest.approx(expected.sum(), rel=1e-9)


def test_views_that_show_events_read_only_what_they_show(big_ledger, counted):
    path, table = big_ledger
    location, day = str(path), dt.date(2019, 6, 30)
    token = loaders.store_token(location)
    unknown = loaders.unknown_events(location, token)
    assert sorted(zip(unknown["parcel_id"], unknown["to_stage"], strict=True),
                  key=str) == sorted(UNKNOWN_ROWS, key=str)
    until = loaders.events_until(location, token, day)
    assert counted == [{"parcel_id": None, "unknown_only": True},
                       {"parcel_id": None, "until": day}]
    mine = table[table["effective_date"] <= day]
    bundled = GeoPackageStore(BUNDLED_LAYERS).read_events()
    bundled = bundled[bundled["effective_date"] <= day.isoformat()]
    assert len(until) == len(mine) + len(bundled)
    assert until["effective_date"].max() <= day.isoformat()
    assert sorted(until["parcel_id"].value_counts().to_dict().items()) == sorted(
        pd.concat([mine["parcel_id"], bundled["parcel_id"]]).value_counts()
         .to_dict().items())


def test_the_dashboard_page_reads_no_event(big_ledger, counted, app_page, monkeypatch):
    path, _table = big_ledger
    monkeypatch.setenv("GEO_APP_STORE", str(path))
    at = app_page("dashboard").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("目标 1,420 亩" in p.proto.text for p in at.get("progress"))
    assert counted == []

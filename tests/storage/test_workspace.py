from __future__ import annotations

import hashlib
import shutil
import sqlite3
import time

import pytest
from _storage_procs import start

from geo_app.errors import InputError, StoreError
from geo_app.settings import BUNDLED_LAYERS, get_settings
from geo_app.storage import GeoPackageStore, ensure_workspace, open_store


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_workspace_is_created_from_bundled_layers_on_first_use():
    before = _digest(BUNDLED_LAYERS)
    store = open_store()
    assert store.location == str(get_settings().workspace_path)
    assert store.list_layers() == GeoPackageStore(BUNDLED_LAYERS).list_layers()
    assert {"parks", "parcels", "projects", "villages", "facilities", "roads", "sites"} <= {
        i.name for i in store.list_layers()}
    assert _digest(BUNDLED_LAYERS) == before  # the bundled file is never modified


def test_store_from_environment(monkeypatch, sample_gpkg):
    monkeypatch.setenv("GEO_APP_STORE", str(sample_gpkg))
    assert open_store().location == str(sample_gpkg)


def test_missing_geopackage_says_what_to_do(tmp_path):
    with pytest.raises(StoreError, match="No GeoPackage at .*GEO_APP_STORE"):
        open_store(str(tmp_path / "nope.gpkg"))


def test_not_a_geopackage_is_refused(tmp_path):
    junk = tmp_path / "junk.gpkg"
    junk.write_text("not sqlite")
    with pytest.raises(StoreError, match="not a readable GeoPackage"):
        GeoPackageStore(junk).list_layers()


def test_unknown_layer_lists_what_is_there(bundled_store):
    with pytest.raises(InputError, match="No layer 'lakes'.*parcels"):
        bundled_store.read_layer("lakes")


def test_list_layers_has_counts_and_crs(bundled_store):
    info = {i.name: i for i in bundled_store.list_layers()}
    assert info["villages"].feature_count == 44
    assert info["parcels"].crs == "EPSG:4490"


# --- first use is atomic ---------------------------------------------------------------------

_FIRST_USE_WORKER = """
import datetime as dt, sys, time
from geo_app.domain.stages import ParcelStage
from geo_app.storage import open_store
from geo_app.storage.events import record_stage_change
start_at, parcel = float(sys.argv[1]), sys.argv[2]
time.sleep(max(start_at - time.time(), 0))
store = open_store()
record_stage_change(store, parcel, ParcelStage.SUPPLIED, effective_date=dt.date(2024, 1, 2),
                    officer="race " + parcel)
print(store.location)
"""


@pytest.fixture
def big_bundled(tmp_path, monkeypatch):
    """The sample padded with a 96 MB table: copying it takes long enough to race."""
    big = tmp_path / "bundled" / "suizhou.gpkg"
    big.parent.mkdir()
    big.write_bytes(BUNDLED_LAYERS.read_bytes())
    conn = sqlite3.connect(big)
    with conn:
        conn.execute("CREATE TABLE padding (b BLOB)")
        conn.executemany("INSERT INTO padding VALUES (randomblob(?))", [(1 << 20,)] * 96)
    conn.close()
    monkeypatch.setenv("GEO_APP_BUNDLED_LAYERS", str(big))
    return big


@pytest.mark.slow
def test_processes_opening_a_fresh_workspace_at_once_lose_no_event(big_bundled, tmp_path,
                                                                    monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("GEO_APP_HOME", str(home))
    parcels = ["QC1-01", "QC1-02", "QC1-03", "QC1-04", "QC1-05", "QC1-06"]
    start_at = time.time() + 3  # imports done, all start copying at once
    procs = [start(_FIRST_USE_WORKER, [str(start_at), p]) for p in parcels]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0] * len(procs), outputs
    workspace = home / "workspace.gpkg"
    assert {out.strip() for out, _ in outputs} == {str(workspace)}
    events = GeoPackageStore(workspace).read_events()
    recorded = events[events["officer"].str.startswith("race ")]
    assert sorted(recorded["parcel_id"]) == parcels  # every committed event survived
    assert sorted(p.name for p in home.iterdir()) == [".workspace.gpkg.lock", "workspace.gpkg"]


def test_an_existing_workspace_is_never_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_APP_HOME", str(tmp_path))
    first = ensure_workspace(get_settings())
    inode = first.stat().st_ino
    assert ensure_workspace(get_settings()) == first
    assert first.stat().st_ino == inode


def test_a_workspace_published_meanwhile_is_opened_not_overwritten(tmp_path, monkeypatch):
    """The winner published while this process was copying: os.link refuses, we open it."""
    monkeypatch.setenv("GEO_APP_HOME", str(tmp_path))
    winner = b"the winner's file"
    real_copy = shutil.copyfile

    def copy_then_lose_the_race(src, dst):
        real_copy(src, dst)
        (tmp_path / "workspace.gpkg").write_bytes(winner)
        return dst

    monkeypatch.setattr(shutil, "copyfile", copy_then_lose_the_race)
    assert ensure_workspace(get_settings()) == tmp_path / "workspace.gpkg"
    assert (tmp_path / "workspace.gpkg").read_bytes() == winner
    assert not list(tmp_path.glob("*.part"))

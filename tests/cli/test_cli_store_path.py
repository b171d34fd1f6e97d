"""`progress`, `progress --as-of` and `coverage` go the store's way (SQL on PostGIS, the
ledger's as-of SQL on both stores) and print what the Python path computes from the whole
layers and the whole event log, to 1e-9, on a GeoPackage and on PostGIS."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from geo_app.analysis.coverage import coverage
from geo_app.analysis.crs import choose_plane_crs
from geo_app.analysis.progress import PhaseProgress, at_stages, progress
from geo_app.analysis.report import area_report
from geo_app.domain.stages import ParcelStage
from geo_app.errors import InputError
from geo_app.settings import BUNDLED_LAYERS
from geo_app.storage import init_store
from geo_app.storage.events import record_stage_change
from geo_app.storage.gpkg import GeoPackageStore
from geo_app.storage.postgis import PostGISStore
from geo_app.storage.testing import (
    BACKENDS,
    StoreCase,
    postgis_required,
    postgis_unreachable_reason,
    temporary_postgis_database,
    temporary_store,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "storage"))
from _raw_ledger import append_raw_events

DAY = dt.date(2021, 6, 30)
UNKNOWN = "drone_survey"  # a stage another tool wrote, unknown to geo_app


def _require(backend: str) -> None:
    if backend != "postgis":
        return
    reason = postgis_unreachable_reason()
    if reason is not None:
        if postgis_required():
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(params=BACKENDS)
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreCase]:
    """The bundled layers and history, plus a correction recorded later for the same day
    and rows written by another tool (an unknown stage, a correction on the day itself)."""
    _require(request.param)
    with temporary_store(request.param, tmp_path) as made:
        record_stage_change(made.store, "QC1-04", ParcelStage.APPROVED, effective_date=DAY,
                            officer="王伟", correction_reason="公告日期录错",
                            today=dt.date(2022, 1, 5))
        append_raw_events(made, [
            ("QC1-02", UNKNOWN, "2021-06-29", "2022-01-02T09:00:00", False, "外部系统"),
            ("QC1-03", "compensation_plan", DAY.isoformat(), "2022-01-03T09:00:00", True,
             "外部系统"),
            ("QC2-01", "pre_notice", "2021-01-15", "2022-01-04T09:00:00", False, "外部系统"),
        ])
        yield made


def _block_read_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on reading the whole ledger fails the test: as-of figures must come from
    the store's SQL."""
    def refuse(self, *args, **kwargs):
        raise AssertionError("read_events was called")

    for cls in (GeoPackageStore, PostGISStore):
        monkeypatch.setattr(cls, "read_events", refuse)


def _close(a: float, b: float) -> None:
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


def _same_phases(got: list[dict], expected: list[PhaseProgress]) -> None:
    assert [p["phase"] for p in got] == [p.phase for p in expected]
    for g, e in zip(got, expected, strict=True):
        assert (g["parcel_count"], g["target_mu"]) == (e.parcel_count, e.target_mu)
        assert list(g["by_stage_mu"]) == list(e.by_stage_mu)
        _close(np.array([g["total_mu"], g["net_land_mu"], *g["by_stage_mu"].values()]),
               np.array([e.total_mu, e.net_land_mu, *e.by_stage_mu.values()]))
        if e.share_net_land is None:
            assert g["share_net_land"] is None
        else:
            _close(g["share_net_land"], e.share_net_land)


def _text(phases: list[PhaseProgress], as_of: str) -> list[str]:
    """The lines `geo-app progress` prints, written out from the reference figures."""
    lines = [f"as of {as_of}"]
    for p in phases:
        share = f"{p.share_net_land:.1%}" if p.share_net_land is not None else "-"
        lines.append(f"phase {p.phase}: {p.net_land_mu:.2f} mu net land of target "
                     f"{p.target_mu} ({share}); {p.total_mu:.2f} mu in {p.parcel_count} "
                     "parcels")
        lines += [f"    {s:<20} {mu:10.2f} mu" for s, mu in p.by_stage_mu.items()]
    return lines


def test_progress_as_of_equals_the_whole_log_path(run_cli, case, monkeypatch):
    parcels = case.store.read_layer("parcels")
    expected = progress(parcels, as_of=DAY, events=case.store.read_events())
    _block_read_events(monkeypatch)
    res = run_cli("progress", "--as-of", DAY.isoformat(), "--store", case.location, "--json")
    assert res.code == 0, res.err
    got = res.json()
    assert got["as_of"] == DAY.isoformat()
    _same_phases(got["phases"], expected)
    # the unknown stage counts in the phase's parcels and total, in no stage column
    p1 = got["phases"][0]
    qc1_02 = expected[0].total_mu - sum(expected[0].by_stage_mu.values())
    assert qc1_02 > 1.0
    _close(p1["total_mu"] - sum(p1["by_stage_mu"].values()), qc1_02)
    text = run_cli("progress", "--as-of", DAY.isoformat(), "--store", case.location)
    assert text.code == 0 and text.out.splitlines() == _text(expected, DAY.isoformat())


def test_progress_now_equals_the_python_path(run_cli, case):
    expected = progress(case.store.read_layer("parcels"))
    res = run_cli("progress", "--store", case.location, "--json")
    assert res.code == 0, res.err
    assert res.json()["as_of"] is None
    _same_phases(res.json()["phases"], expected)
    p1 = res.json()["phases"][0]  # the bundled phase 1: 1420 mu, net land but QC1-04
    assert round(p1["total_mu"], 2) == 1420.0 and set(p1["by_stage_mu"]) == {
        "approved", "net_land"}
    text = run_cli("progress", "--store", case.location)
    assert text.code == 0 and text.out.splitlines() == _text(expected, "now")


@pytest.mark.parametrize("status", [None, ["净地", "agreements_signed"]])
def test_coverage_equals_the_python_path(run_cli, case, status):
    target, cover = case.store.read_layer("parks"), case.store.read_layer("parcels")
    if status:
        cover = at_stages(cover, status)
    plane = choose_plane_crs(target)
    expected = coverage(target, cover, plane=plane)
    args = [a for s in status or [] for a in ("--status", s)]
    res = run_cli("coverage", "--of", "parks", "--by", "parcels", *args, "--store",
                  case.location, "--json")
    assert res.code == 0, res.err
    got = res.json()
    assert (got["crs_plane"], got["status"]) == (plane.name, status)
    rows = got["features"]
    assert [r["id"] for r in rows] == list(expected["id"])
    assert [r["name"] for r in rows] == list(expected["name"])
    for col in ("area_mu_plane", "covered_mu_plane", "covered_mu_ellipsoidal",
                "share_covered"):
        np.testing.assert_allclose([r[col] for r in rows], expected[col].to_numpy(),
                                   rtol=1e-9, atol=1e-9)
    assert set(rows[0]) == set(expected.columns)
    text = run_cli("coverage", "--of", "parks", "--by", "parcels", *args, "--store",
                   case.location)
    assert text.out.splitlines() == [
        f"{r.name!s:<14} {r.covered_mu_plane:>10.2f} / {r.area_mu_plane:>10.2f} mu"
        f"  {r.share_covered:6.1%}" for r in expected.itertuples()]


@pytest.fixture(params=BACKENDS)
def no_history(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new store holding the bundled parcels and an empty ledger."""
    _require(request.param)
    parcels = GeoPackageStore(BUNDLED_LAYERS).read_layer("parcels")
    if request.param == "gpkg":
        location = str(tmp_path / "new.gpkg")
        init_store(location).write_layer("parcels", parcels)
        yield location
        return
    with temporary_postgis_database(with_layers=False) as url:
        store = init_store(url)
        store.write_layer("parcels", parcels)
        store.close()
        yield url


def test_progress_as_of_without_history_is_refused_as_before(run_cli, no_history):
    with pytest.raises(InputError) as python_path:
        progress(GeoPackageStore(BUNDLED_LAYERS).read_layer("parcels"), as_of=DAY,
                 events=GeoPackageStore(BUNDLED_LAYERS).read_events().iloc[:0])
    res = run_cli("progress", "--as-of", DAY.isoformat(), "--store", no_history)
    assert res.code == 2 and res.out == ""
    assert res.err.strip() == f"error: {python_path.value}"
    assert run_cli("progress", "--store", no_history).code == 0


def _same_report(got: dict, expected: dict) -> None:
    """Same keys in the same order, same texts, numbers to 1e-9."""
    def walk(a, b, where):
        assert type(a) is type(b) or (isinstance(a, float) and isinstance(b, int | float)), (
            where, a, b)
        if isinstance(a, dict):
            assert list(a) == list(b), where
            for k in a:
                walk(a[k], b[k], f"{where}.{k}")
        elif isinstance(a, list):
            assert len(a) == len(b), where
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{where}[{i}]")
        elif isinstance(a, float):
            _close(a, b)
        else:
            assert a == b, (where, a, b)
    walk(got, expected, "report")


@pytest.mark.parametrize(("layer", "by"), [("parcels", "phase"), ("villages", None),
                                           ("parks", "kind")])
def test_area_of_a_store_layer_equals_the_python_path(run_cli, case, monkeypatch, tmp_path,
                                                      layer, by):
    expected = area_report(case.store.read_layer(layer), by=by, what=f"'{layer}'")
    json_expected = json.loads(json.dumps(expected, ensure_ascii=False))
    overlapping = any(f["issues"] for f in expected["features"])
    assert overlapping == (layer == "parks")  # the parks overlap: each pair reported
    args = ["area", layer, *(["--by", by] if by else []), "--store", case.location]
    res = run_cli(*args, "--json")
    assert res.code == 0, res.err
    _same_report(res.json(), json_expected)
    text = run_cli(*args)
    assert text.code == 0
    assert text.out == _python_area_text(run_cli, case, tmp_path, layer, by)


def _python_area_text(run_cli, case: StoreCase, tmp_path: Path, layer: str, by: str | None
                      ) -> str:
    """The text `geo-app area` prints for the same layer exported to a GeoPackage file (the
    Python path), but for the file's own CRS line."""
    from geo_app.transfer.export import export_layer

    path = tmp_path / f"{layer}-copy.gpkg"
    export_layer(case.store, layer, path)
    res = run_cli("area", str(path), *(["--by", by] if by else []))
    assert res.code == 0, res.err
    return res.out


def test_area_with_an_unknown_field_or_layer_says_so_on_both_paths(run_cli, case):
    res = run_cli("area", "parcels", "--by", "colour", "--store", case.location)
    assert res.code == 2 and "No field 'colour'" in res.err
    res = run_cli("area", "parcels", "--by", "geom", "--store", case.location)
    assert res.code == 2 and "No field 'geom'" in res.err
    res = run_cli("area", "lakes", "--store", case.location)
    assert res.code == 2 and "neither a layer in the store" in res.err


def test_area_of_a_layer_with_odd_features_reports_them_as_the_python_path(run_cli, case):
    """A bow-tie, a sliver of no area, a line among polygons, a duplicate: on PostGIS the
    SQL check sends the layer to the Python checks, which name each one."""
    import geopandas as gpd
    from shapely.geometry import LineString, Polygon, box

    base = case.store.read_layer("villages").to_crs(4547).geometry.iloc[0].centroid
    x, y = base.x, base.y
    odd = gpd.GeoDataFrame(
        {"id": ["ok", "bowtie", "flat", "line", "copy"], "name": list("ABCDE")},
        geometry=[box(x, y, x + 100, y + 100),
                  Polygon([(x + 200, y), (x + 300, y + 100), (x + 300, y), (x + 200, y + 100)]),
                  Polygon([(x + 400, y), (x + 450, y), (x + 500, y)]),
                  LineString([(x, y + 300), (x + 100, y + 300)]),
                  box(x, y, x + 100, y + 100)], crs=4547).to_crs(4490)
    case.store.write_layer("odd_shapes", odd)
    expected = area_report(case.store.read_layer("odd_shapes"), what="'odd_shapes'")
    kinds = {i["kind"] for f in expected["features"] for i in f["issues"]}
    assert {"self_intersection", "not_polygon", "duplicate"} <= kinds, kinds
    res = run_cli("area", "odd_shapes", "--store", case.location, "--json")
    assert res.code == 0, res.err
    _same_report(res.json(), json.loads(json.dumps(expected, ensure_ascii=False)))

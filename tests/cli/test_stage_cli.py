"""``geo-app stage set``, ``history``, ``progress --as-of`` and ``events export`` on both stores."""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from geo_app.storage.testing import (
    BACKENDS,
    StoreCase,
    postgis_required,
    postgis_unreachable_reason,
    temporary_store,
)

_spec = importlib.util.spec_from_file_location(
    "_storage_known", Path(__file__).parent.parent / "storage" / "_storage_known.py")
known = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(known)


@pytest.fixture(params=BACKENDS)
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreCase]:
    if request.param == "postgis":
        reason = postgis_unreachable_reason()
        if reason and postgis_required():
            pytest.fail(f"{reason} (GEO_APP_REQUIRE_POSTGIS is set)")
        if reason:
            pytest.skip(reason)
    with temporary_store(request.param, tmp_path) as store_case:
        yield store_case


def _set(run_cli, case, parcel, stage, day, officer, *extra):
    return run_cli("stage", "set", parcel, stage, "--date", day, "--officer", officer,
                   "--store", case.location, *extra)


MONTH = [  # (parcel, stage, date, officer): December 2021 in the zone's land office
    ("QC2-20", "status_survey", "2021-12-02", "王建国"),
    ("QC2-19", "risk_assessment", "2021-12-03", "李敏"),
    ("QC2-18", "社会稳定风险评估", "2021-12-06", "张伟"),  # Chinese stage names work too
    ("QC2-20", "risk_assessment", "2021-12-09", "王建国"),
    ("QC2-03", "net_land", "2021-12-13", "刘芳"),
    ("QC2-01", "Net land", "2021-12-16", "陈涛"),
    ("QC2-19", "compensation_plan", "2021-12-20", "李敏"),
    ("QC2-03", "supplied", "2021-12-28", "刘芳"),
]


def test_a_month_of_updates_through_the_cli(run_cli, case):
    for parcel, stage, day, officer in MONTH:
        result = _set(run_cli, case, parcel, stage, day, officer, "--evidence", f"文-{day}")
        assert result.code == 0, result.err
        assert result.out.startswith("recorded event ")
    hist = run_cli("history", "QC2-20", "--json", "--store", case.location)
    assert hist.code == 0, hist.err
    data = hist.json()
    assert (data["stage"], data["stage_date"], data["version"]) == (
        "risk_assessment", "2021-12-09", 3)
    assert [e["to_stage"] for e in data["events"]] == [
        "pre_notice", "status_survey", "risk_assessment"]
    assert [e["officer"] for e in data["events"][1:]] == ["王建国", "王建国"]
    assert data["events"][-1]["evidence"] == "文-2021-12-09"
    text = run_cli("history", "QC2-20", "--store", case.location)
    assert "QC2-20: risk_assessment since 2021-12-09, version 3" in text.out
    events = case.store.read_events()
    parcels = case.store.read_layer("parcels")
    for day in ("2021-12-01", "2021-12-14", "2021-12-31"):
        report = run_cli("progress", "--as-of", day, "--json", "--store", case.location).json()
        expected = known.net_land_mu_by_phase(parcels, events.to_dict("records"),
                                              dt.date.fromisoformat(day))
        got = {p["phase"]: p["net_land_mu"] for p in report["phases"]}
        assert got == pytest.approx(expected, abs=1e-6)
    report = run_cli("progress", "--as-of", "2021-12-31", "--json",
                     "--store", case.location).json()
    phase2 = next(p for p in report["phases"] if p["phase"] == 2)
    assert phase2["net_land_mu"] > 0  # QC2-01 and QC2-03 became net land in December
    assert phase2["by_stage_mu"]["supplied"] > 0


def test_a_skipped_stage_is_refused_with_one_line_and_exit_2(run_cli, case):
    result = _set(run_cli, case, "QC2-20", "approved", "2021-12-02", "王建国")
    assert result.code == 2 and result.out == ""
    assert len(result.err.strip().splitlines()) == 1
    # stage labels, never storage codes
    assert result.err.startswith("error: Parcel QC2-20 cannot go from Pre-acquisition notice")
    assert "Land status survey" in result.err and "status_survey" not in result.err
    assert "record it as a correction with a reason" in result.err
    assert case.store.parcel_version("QC2-20") == 1


def test_a_correction_needs_the_flag_and_a_reason(run_cli, case):
    no_reason = _set(run_cli, case, "QC2-05", "approved", "2021-12-10", "王建国", "--correction")
    assert no_reason.code == 2 and "correction needs a reason" in no_reason.err
    no_flag = _set(run_cli, case, "QC2-05", "approved", "2021-12-10", "王建国",
                   "--reason", "公告撤回")
    assert no_flag.code == 2 and "--reason goes with --correction" in no_flag.err
    ok = _set(run_cli, case, "QC2-05", "approved", "2021-12-10", "王建国",
              "--correction", "--reason", "公告撤回", "--json")
    assert ok.code == 0, ok.err
    event = ok.json()["event"]
    assert event["is_correction"] is True and event["correction_reason"] == "公告撤回"
    assert (event["from_stage"], event["to_stage"]) == ("acquisition_notice", "approved")
    assert ok.json()["version"] == 8
    hist = run_cli("history", "QC2-05", "--store", case.location)
    assert "correction: 公告撤回" in hist.out


def test_a_stale_expected_version_names_who_changed_the_parcel(run_cli, case):
    assert _set(run_cli, case, "QC2-17", "compensation_plan", "2021-12-02", "张伟").code == 0
    late = _set(run_cli, case, "QC2-17", "compensation_plan", "2021-12-03", "李敏",
                "--expect-version", "3")
    assert late.code == 2
    assert late.err.startswith("error: Parcel QC2-17 was changed by 张伟 at ")
    assert case.store.parcel_version("QC2-17") == 4


@pytest.mark.parametrize(("args", "message"), [
    (("stage", "set", "QC2-20", "status_survey", "--date", "2021-13-01", "--officer", "x"),
     "not a date"),
    (("stage", "set", "QC2-20", "finished", "--date", "2021-12-01", "--officer", "x"),
     "Unknown acquisition stage"),
    (("stage", "set", "QC9-99", "pre_notice", "--date", "2021-12-01", "--officer", "x"),
     "No parcel QC9-99"),
    (("history", "QC9-99"), "No parcel QC9-99 in the parcels layer"),
    (("events", "export", "out.csv"), "must end in .xlsx"),
])
def test_bad_input_is_one_line_and_exit_2(run_cli, case, args, message):
    result = run_cli(*args, "--store", case.location)
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1 and message in result.err


def test_events_export_writes_progress_and_the_log_with_mu_totals(run_cli, case, tmp_path):
    assert _set(run_cli, case, "QC2-03", "net_land", "2021-12-13", "刘芳").code == 0
    out = tmp_path / "进度.xlsx"
    result = run_cli("events", "export", str(out), "--as-of", "2021-12-31",
                     "--store", case.location)
    assert result.code == 0, result.err
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["进度 Progress", "事件 Events"]
    ws = wb["进度 Progress"]
    header = [c.value for c in ws[3]]
    assert header[0] == "期次\nPhase" and "净地\nNet land" in header
    col = {h.split("\n")[1]: i for i, h in enumerate(header)}
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4, max_row=6)]
    phase1, phase2, total = rows
    assert total[0] == "合计 Total"
    parcels = case.store.read_layer("parcels")
    expected = known.net_land_mu_by_phase(parcels, case.store.read_events().to_dict("records"),
                                          dt.date(2021, 12, 31))
    net = col["Net land (mu)"]
    assert phase1[net] == pytest.approx(expected[1], abs=1e-6)
    assert phase2[net] == pytest.approx(expected[2], abs=1e-6)
    assert phase1[col["Target (mu)"]] == 1420 and phase2[col["Target (mu)"]] == 1700
    for name in ("Total (mu)", "Net land (mu)", "Target (mu)", "Compensation paid"):
        assert total[col[name]] == pytest.approx(phase1[col[name]] + phase2[col[name]])
    assert total[col["Total (mu)"]] == pytest.approx(3120.0, abs=0.01)
    assert ws.cell(row=6, column=net + 1).number_format == "0.00"
    assert ws.cell(row=4, column=col["Share of target"] + 1).number_format == "0.0%"
    assert ws.column_dimensions["C"].width >= 10
    ev = wb["事件 Events"]
    assert [c.value for c in ev[1]][:2] == ["编号\nEvent ID", "地块\nParcel"]
    assert ev.max_row == 1 + 208
    last = [c.value for c in ev[ev.max_row]]
    assert last[1:4] == ["QC2-03", "compensation_paid", "net_land"]
    assert last[5] == dt.datetime(2021, 12, 13) and ev.cell(row=209, column=6).number_format == (
        "yyyy-mm-dd")
    assert result.out.strip() == f"wrote {out}: 2 phases, 208 events"


def test_refusals_speak_chinese_with_stage_labels(run_cli, case):
    result = run_cli("--lang", "zh", "stage", "set", "QC2-20", "approved", "--date", "2021-12-02",
                     "--officer", "王建国", "--store", case.location)
    assert result.code == 2 and result.err.startswith("error: ")
    assert "报批获批" in result.err and "现状调查" in result.err
    assert "approved" not in result.err and "status_survey" not in result.err
    assert case.store.parcel_version("QC2-20") == 1


def test_control_characters_are_refused_and_never_reach_the_terminal(run_cli, case):
    result = _set(run_cli, case, "QC2-20", "status_survey", "2021-12-02", "x\x1b[2Jy")
    assert result.code == 2 and "\x1b" not in result.err and "U+001B" in result.err
    assert case.store.parcel_version("QC2-20") == 1

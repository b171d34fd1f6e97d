"""``geo-app stage import FILE``: a spreadsheet of changes recorded at once, or refused whole."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from geo_app.cli import main


def _run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setenv("GEO_APP_LANG", "en")
    monkeypatch.setattr(sys, "argv", ["geo-app", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_csv_of_changes_is_recorded_in_one_go(store_case, tmp_path, monkeypatch, capsys):
    store = store_case.store
    version = store.parcel_version("QC2-18")
    file = tmp_path / "changes.csv"
    file.write_text(
        "parcel_id,to_stage,effective_date,officer,note,expected_version\n"
        f"QC2-18,risk_assessment,2022-01-05,王伟,评估完成,{version}\n"
        "QC2-18,补录安置方案公告,2022-01-06,王伟,,\n"
        "QC2-18,Agreements signed,2022-01-07, 李娜 ,签约,\n", encoding="utf-8")
    code, out, err = _run(monkeypatch, capsys, "stage", "import", str(file), "--store",
                          store_case.location, "--json")
    assert code == 2 and "补录安置方案公告" in err and "Traceback" not in err  # unknown stage
    assert store.parcel_version("QC2-18") == version  # nothing written
    fixed = file.read_text(encoding="utf-8").replace("补录安置方案公告", "补偿安置方案公告")
    file.write_text(fixed, encoding="utf-8")
    code, out, err = _run(monkeypatch, capsys, "stage", "import", str(file), "--store",
                          store_case.location, "--json")
    assert code == 0, err
    assert '"events": 3' in out and '"parcels": 1' in out
    events = store.read_events("QC2-18")
    assert list(events["to_stage"])[-3:] == ["risk_assessment", "compensation_plan",
                                             "agreements_signed"]
    assert list(events["officer"])[-1] == "李娜" and list(events["note"])[-2] is None


def test_a_refused_spreadsheet_writes_nothing_and_says_why(store_case, tmp_path, monkeypatch,
                                                           capsys):
    store = store_case.store
    before = store.read_events()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["parcel_id", "to_stage", "effective_date", "officer", "correction_reason"])
    sheet.append(["QC2-18", "risk_assessment", "2022-01-05", "王伟", None])
    sheet.append(["QC2-13", "net_land", "2022-01-05", "王伟", None])  # skips stages
    file = tmp_path / "changes.xlsx"
    book.save(file)
    code, _, err = _run(monkeypatch, capsys, "stage", "import", str(file), "--store",
                        store_case.location)
    assert code == 2 and "QC2-13" in err and "skips" in err and "Traceback" not in err
    pd.testing.assert_frame_equal(store.read_events(), before)


@pytest.mark.parametrize(("name", "text", "message"), [
    ("changes.txt", "x", "neither .csv nor .xlsx"),
    ("changes.csv", "parcel_id,to_stage\nQC2-18,risk_assessment\n", "lacks the column(s)"),
])
def test_a_file_that_is_not_a_table_of_changes_is_refused(gpkg_case, tmp_path, monkeypatch,
                                                          capsys, name, text, message):
    file = Path(tmp_path / name)
    file.write_text(text, encoding="utf-8")
    code, _, err = _run(monkeypatch, capsys, "stage", "import", str(file), "--store",
                        gpkg_case.location)
    assert code == 2 and message in err

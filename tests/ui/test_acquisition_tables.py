"""The tables and charts of the acquisition page, on four hand-built parcels.

Known answers: rectangles in EPSG:4547 of 90, 15, 30 and 7.5 mu, and stages read off the
hand-written event log below.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from known_cases import event_frame, four_parcels

from geo_app.analysis.progress import progress
from geo_app.analysis.timeline import compare_dates, net_land_by_month, parcel_timeline
from geo_app.domain.stages import STAGE_ORDER
from geo_app.ui.charts import history_chart, trend_chart
from geo_app.ui.tables import (
    changed_parcels_table,
    comparison_stage_table,
    history_table,
    stage_area_table,
    trend_table,
)

D = dt.date.fromisoformat



def _events() -> pd.DataFrame:
    rows = [
        (1, "a", None, "compensation_paid", "2021-03-01", "2021-03-02T09:00:00", False),
        (2, "c", None, "net_land", "2021-02-10", "2021-02-10T10:00:00", False),
        (3, "c", "net_land", "supplied", "2021-03-05", "2021-03-05T10:00:00", False),
        (4, "a", "compensation_paid", "net_land", "2021-04-10", "2021-04-10T10:00:00", False),
        (6, "b", None, "net_land", "2021-06-15", "2021-06-15T10:00:00", False),
        # a same-day correction, recorded the next day, overrides event 6
        (7, "b", "net_land", "compensation_paid", "2021-06-15", "2021-06-16T08:30:00", True),
        (8, "b", "compensation_paid", "net_land", "2021-06-25", "2021-06-25T10:00:00", False),
    ]
    return event_frame(rows)


# --- a parcel's history --------------------------------------------------------------------


def test_history_table_lists_the_events_newest_first_with_the_correction_marked():
    table = history_table(parcel_timeline(_events(), "b"), "zh")
    assert list(table.columns) == ["生效日期", "阶段", "经办人", "备注", "依据文件", "更正",
                                   "更正原因", "记录时间", "生效"]
    assert table["生效日期"].tolist() == [D("2021-06-25"), D("2021-06-15"), D("2021-06-15")]
    assert table["阶段"].tolist() == ["净地", "补偿到位", "净地"]
    assert table["更正"].tolist() == ["", "是", ""]
    assert table["更正原因"].tolist() == ["", "补录", ""]
    assert table["记录时间"].tolist() == ["2021-06-25 10:00", "2021-06-16 08:30",
                                      "2021-06-15 10:00"]
    assert table["生效"].tolist() == [True, True, False]  # the overridden record
    assert table["备注"].tolist() == ["", "", ""]


def test_history_table_in_english():
    table = history_table(parcel_timeline(_events(), "b"), "en")
    assert table.columns[:2].tolist() == ["Effective date", "Stage"]
    assert table["Stage"].tolist() == ["Net land", "Compensation paid", "Net land"]
    assert table["Correction"].tolist() == ["", "yes", ""]


def test_history_chart_climbs_the_workflow_and_marks_corrections():
    spec = history_chart(parcel_timeline(_events(), "b"), "zh").to_dict()
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["line", "point"]
    y = spec["layer"][0]["encoding"]["y"]
    assert y["scale"]["domain"] == [s.label_zh for s in reversed(STAGE_ORDER)]
    legend = spec["layer"][1]["encoding"]["color"].get("legend")
    assert legend == {"orient": "top"}  # b has a correction
    plain = history_chart(parcel_timeline(_events(), "a"), "zh").to_dict()
    assert plain["layer"][1]["encoding"]["color"]["legend"] is None


# --- as of a date, two dates ---------------------------------------------------------------


def test_stage_area_table_has_a_row_per_stage_held_and_a_column_per_phase():
    phases = progress(four_parcels(), as_of=D("2021-12-31"), events=_events())
    table = stage_area_table(phases, "zh")
    assert list(table.columns) == ["阶段", "一期", "二期"]
    assert table["阶段"].tolist() == ["未启动", "净地", "供地"]  # workflow order
    assert table["一期"].tolist() == pytest.approx([0.0, 105.0, 0.0], abs=1e-6)
    assert table["二期"].tolist() == pytest.approx([7.5, 0.0, 30.0], abs=1e-6)
    assert stage_area_table([], "zh").empty


def test_comparison_tables_show_the_stages_held_and_the_parcels_that_moved():
    cmp = compare_dates(four_parcels(), _events(), "2021-03-01", "2021-12-31")
    stages = comparison_stage_table(cmp, "zh")
    assert list(stages.columns) == ["期次", "阶段", "A（亩）", "B（亩）", "变化（亩）"]
    # on 1 March: a compensation paid, b not started, c net land, d not started
    expected = [("一期", "未启动", 15.0, 0.0), ("一期", "补偿到位", 90.0, 0.0),
                ("一期", "净地", 0.0, 105.0), ("二期", "未启动", 7.5, 7.5),
                ("二期", "净地", 30.0, 0.0), ("二期", "供地", 0.0, 30.0)]
    assert stages["期次"].tolist() == [e[0] for e in expected]
    assert stages["阶段"].tolist() == [e[1] for e in expected]
    assert stages["A（亩）"].tolist() == pytest.approx([e[2] for e in expected], abs=1e-6)
    assert stages["B（亩）"].tolist() == pytest.approx([e[3] for e in expected], abs=1e-6)
    assert stages["变化（亩）"].tolist() == pytest.approx(
        [e[3] - e[2] for e in expected], abs=1e-6)

    changed = changed_parcels_table(cmp, "zh")
    assert list(changed.columns) == ["地块", "名称", "面积（亩）", "2021-03-01 阶段",
                                     "2021-12-31 阶段"]
    assert changed["地块"].tolist() == ["a", "b", "c"]  # d never started
    assert changed["面积（亩）"].tolist() == pytest.approx([90.0, 15.0, 30.0], abs=1e-6)
    assert changed["2021-03-01 阶段"].tolist() == ["补偿到位", "未启动", "净地"]
    assert changed["2021-12-31 阶段"].tolist() == ["净地", "净地", "供地"]


# --- progress over time --------------------------------------------------------------------


def test_trend_table_has_labelled_phases_and_dates_or_timestamps():
    monthly = net_land_by_month(four_parcels(), _events(), start="2021-05-01", end="2021-06-30")
    table = trend_table(monthly, "zh")
    assert list(table.columns) == ["月末", "期次", "净地及以后（亩）", "完成率"]
    assert table["月末"].tolist() == [D("2021-05-31"), D("2021-06-30")] * 2
    assert table["期次"].tolist() == ["一期", "一期", "二期", "二期"]
    assert table["净地及以后（亩）"].tolist() == pytest.approx([90.0, 105.0, 30.0, 30.0],
                                                        abs=1e-6)
    assert table["完成率"].tolist() == pytest.approx(
        [90 / 1420, 105 / 1420, 30 / 1700, 30 / 1700])
    stamps = trend_table(monthly, "en", month_as_date=False)
    assert stamps["Month end"].iloc[0] == pd.Timestamp("2021-05-31")
    assert stamps["Phase"].iloc[0] == "Phase 1"


def test_trend_chart_draws_each_phases_target_as_a_labelled_rule():
    monthly = net_land_by_month(four_parcels(), _events(), start="2021-05-01", end="2021-06-30")
    spec = trend_chart(monthly, "zh").to_dict()
    lines, rule, text = spec["layer"]
    assert lines["mark"]["type"] == "line" and rule["mark"]["type"] == "rule"
    goals = spec["datasets"][rule["data"]["name"]]
    assert sorted(g["target_mu"] for g in goals) == [1420.0, 1700.0]
    assert sorted(g["label"] for g in goals) == ["一期目标 1,420 亩", "二期目标 1,700 亩"]
    assert text["encoding"]["text"]["field"] == "label"
    no_targets = monthly.assign(target_mu=np.nan, share_of_target=np.nan)
    assert trend_chart(no_targets, "zh").to_dict()["mark"]["type"] == "line"

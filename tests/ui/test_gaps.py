"""The pure helpers behind the pages' explanations: missing and empty layers, ledger rows
with an unknown stage, the history table that lists them, the stages the form offers."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from geo_app.analysis.timeline import parcel_timeline
from geo_app.domain.stages import STAGE_ORDER, ParcelStage
from geo_app.ui.gaps import (
    GapKind,
    LayerGap,
    gap_message,
    layer_gaps,
    split_unknown_stages,
    unknown_events_message,
)
from geo_app.ui.pages.acquisition.record_form import stage_options
from geo_app.ui.tables import history_table


def _events(rows: list[tuple]) -> pd.DataFrame:
    cols = ["event_id", "parcel_id", "from_stage", "to_stage", "effective_date", "officer",
            "note", "evidence", "recorded_at", "is_correction", "correction_reason"]
    return pd.DataFrame(rows, columns=cols)


EVENTS = _events([
    (1, "a", None, "pre_notice", "2021-01-05", "张", "", None, "2021-01-05T09:00:00", False,
     None),
    (2, "a", "pre_notice", "teleported", "2021-02-01", "tool", "", None,
     "2021-02-01T09:00:00", False, None),
    (3, "a", "teleported", "status_survey", "2021-03-01", "李", "", "文", "2021-03-01T09:00:00",
     False, None),
    (4, "b", None, "pre_notice", "2021-01-06", "王", "", None, "2021-01-06T09:00:00", False,
     None),
])


def test_layer_gaps_name_missing_then_empty_layers_in_the_order_asked():
    layers = {"parks": gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)]),
              "parcels": gpd.GeoDataFrame(geometry=[])}
    assert layer_gaps(layers, ["roads", "parcels", "parks"]) == [
        LayerGap("roads", GapKind.MISSING), LayerGap("parcels", GapKind.EMPTY)]
    assert gap_message(layer_gaps(layers, ["roads", "parcels"]), "zh") == (
        "本数据库没有“道路”图层，此处暂无内容。请在“导入”页面导入该图层。 "
        "“征地地块”图层中还没有要素，此处暂无内容。请在“导入”页面导入要素。")
    assert gap_message([LayerGap("x_layer", GapKind.MISSING)], "en").startswith(
        "This store has no x_layer layer")


def test_split_unknown_stages_keeps_known_rows_and_drops_an_unknown_from_stage():
    known, unknown = split_unknown_stages(EVENTS)
    assert list(known["event_id"]) == [1, 3, 4]
    assert list(unknown["event_id"]) == [2]
    assert known.loc[known["event_id"] == 3, "from_stage"].isna().all()
    assert EVENTS.loc[2, "from_stage"] == "teleported"  # the input is not changed
    empty_known, empty_unknown = split_unknown_stages(EVENTS.iloc[0:0])
    assert empty_known.empty and empty_unknown.empty


def test_unknown_events_message_counts_rows_and_escapes_codes():
    rows = _events([(9, "a", None, "x_[y](z)", "2021-01-01", "t", "", None,
                     "2021-01-01T00:00:00", False, None)] * 2)
    assert unknown_events_message(rows, "zh").startswith(
        "办理记录中有 2 条记录的阶段无法识别（x\\_\\[y\\]\\(z\\)）")


def test_history_table_lists_unknown_rows_as_unknown_stage_not_in_effect():
    known, unknown = split_unknown_stages(EVENTS)
    tl = parcel_timeline(known, "a")
    table = history_table(tl, "zh", unknown[unknown["parcel_id"] == "a"])
    assert list(table["阶段"]) == ["现状调查", "未知阶段（teleported）", "拟征收公告"]
    assert list(table["生效"]) == [True, False, True]
    assert [d.isoformat() for d in table["生效日期"]] == ["2021-03-01", "2021-02-01",
                                                         "2021-01-05"]
    only_unknown = history_table(parcel_timeline(known, "zzz"), "en", unknown)
    assert list(only_unknown["Stage"]) == ["unknown stage (teleported)"]


def test_the_form_offers_the_next_stage_only_unless_correcting():
    assert stage_options(None, correction=False) == [ParcelStage.PRE_NOTICE]
    assert stage_options(ParcelStage.APPROVED, correction=False) == [
        ParcelStage.ACQUISITION_NOTICE]
    assert stage_options(ParcelStage.SUPPLIED, correction=False) == []
    assert stage_options(ParcelStage.APPROVED, correction=True) == [
        s for s in STAGE_ORDER if s is not ParcelStage.APPROVED]
    assert len(stage_options(None, correction=True)) == len(STAGE_ORDER)

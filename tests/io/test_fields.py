"""Field mapping: aliases (any case, full-width forms), --map overrides, no silent overwrite."""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
from shapely.geometry import Point

import geo_app.io.fields as fields_module
from geo_app.errors import InputError
from geo_app.io.fields import ALIASES, FieldMapping, map_fields, parse_field_map


def frame(**columns: list[object]) -> gpd.GeoDataFrame:
    n = len(next(iter(columns.values())))
    return gpd.GeoDataFrame(dict(columns), geometry=[Point(i, i) for i in range(n)])


def test_parse_field_map() -> None:
    assert parse_field_map(["地块名称=name", " DKBH = id ", "面积（亩）＝declared_area_mu"]) == {
        "地块名称": "name", "DKBH": "id", "面积（亩）": "declared_area_mu",
    }
    assert parse_field_map([]) == {}


@pytest.mark.parametrize("item", ["地块名称", "=name", "地块名称=", "  =  "])
def test_parse_field_map_refuses_bad_syntax(item: str) -> None:
    with pytest.raises(InputError) as err:
        parse_field_map([item])
    assert str(err.value) == (
        f"--map '{item}' is not SRC=TARGET. Write the file's column, '=', then the layer's "
        "column, e.g. --map 地块名称=name."
    )


def test_parse_field_map_refuses_one_source_twice() -> None:
    with pytest.raises(InputError) as err:
        parse_field_map(["MC=name", "MC=id"])
    assert str(err.value) == "--map maps 'MC' twice (to 'name' and to 'id'). Keep one."


def test_chinese_and_upper_case_aliases() -> None:
    gdf = frame(宗地号=["0101"], NAME=["青春化工园一期"], 地块用途=["工业"],
                **{"面积（亩）": [1420.0]}, 征地阶段=["净地"], 期次=[1], 所属园区=["化工片区"])
    out, mappings = map_fields(gdf)
    assert list(out.columns) == ["id", "name", "land_use", "declared_area_mu", "stage", "phase",
                                 "park", "geometry"]
    assert out["name"].tolist() == ["青春化工园一期"]
    assert out["declared_area_mu"].tolist() == [1420.0]
    assert mappings[:2] == [
        FieldMapping("宗地号", "id", "'宗地号' is a usual column name for id"),
        FieldMapping("NAME", "name", "'NAME' is a usual column name for name"),
    ]
    assert gdf.columns[0] == "宗地号"  # the input is not changed


def test_kml_style_fcname_and_pinyin_codes() -> None:
    out, _ = map_fields(frame(FCNAME=["挑水村"], DKBH=["XH-01"], Description=["x"]))
    assert list(out.columns) == ["name", "id", "Description", "geometry"]


def test_higher_priority_alias_wins_and_the_other_is_left() -> None:
    gdf = frame(FCNAME=["a"], 地块名称=["b"], MC=["c"])
    out, mappings = map_fields(gdf, targets=["name"])
    assert list(out.columns) == ["FCNAME", "name", "MC", "geometry"]
    assert out["name"].tolist() == ["b"]
    assert mappings == [FieldMapping(
        "地块名称", "name",
        "'地块名称' is a usual column name for name; 'FCNAME', 'MC' also match and were left "
        "as is",
    )]


def test_same_alias_in_two_cases_prefers_the_exact_spelling_then_the_leftmost() -> None:
    out, mappings = map_fields(frame(FCNAME=["a"], fcname=["b"]), targets=["name"])
    assert out["name"].tolist() == ["b"]  # "fcname" is spelled exactly as the alias
    assert mappings == [FieldMapping(
        "fcname", "name",
        "'fcname' is a usual column name for name; 'FCNAME' also matches and was left as is",
    )]
    out, _ = map_fields(frame(NAME=["a"], Name=["b"]), targets=["name"])
    assert out["name"].tolist() == ["a"]
    assert list(out.columns) == ["name", "Name", "geometry"]


def test_existing_target_column_is_kept_and_never_overwritten() -> None:
    gdf = frame(name=["kml name"], NAME=["extended data NAME"], FCNAME=["f"])
    out, mappings = map_fields(gdf, targets=["id", "name"])
    assert list(out.columns) == ["name", "NAME", "FCNAME", "geometry"]
    assert out["name"].tolist() == ["kml name"]
    assert mappings == [FieldMapping(
        "name", "name", "the file already has 'name'; 'NAME', 'FCNAME' left as is"
    )]


def test_targets_limit_the_aliases() -> None:
    out, mappings = map_fields(frame(人口=[2300], 名称=["挑水村"]), targets=["id", "name"])
    assert list(out.columns) == ["人口", "name", "geometry"]
    assert [m.target for m in mappings] == ["name"]


def test_one_column_serves_one_target() -> None:
    out, _ = map_fields(frame(编号=["1"], id=["2"]))
    assert list(out.columns) == ["编号", "id", "geometry"]
    assert out["id"].tolist() == ["2"]


def test_overrides_win_over_aliases() -> None:
    gdf = frame(名称=["alias"], 项目=["override"], BH=["7"])
    out, mappings = map_fields(gdf, overrides={"项目": "name", "bh": "code_2021"})
    assert list(out.columns) == ["名称", "name", "code_2021", "geometry"]
    assert out["name"].tolist() == ["override"]
    assert mappings == [
        FieldMapping("项目", "name", "given with --map"),
        FieldMapping("BH", "code_2021", "given with --map"),  # matched ignoring case
        FieldMapping("name", "name", "--map gives it; '名称' left as is"),
    ]


def test_overrides_can_swap_names_away() -> None:
    gdf = frame(name=["old"], NAME=["new"])
    out, _ = map_fields(gdf, overrides={"name": "name_original", "NAME": "name"})
    assert out["name"].tolist() == ["new"]
    assert out["name_original"].tolist() == ["old"]


def test_override_of_a_missing_column_lists_the_columns() -> None:
    with pytest.raises(InputError) as err:
        map_fields(frame(名称=["a"], DKBH=["1"]), overrides={"地块名称": "name"})
    assert str(err.value) == "--map 地块名称=…: the file has no column '地块名称'. Its columns: " \
                             "名称, DKBH."


def test_override_onto_an_existing_column_is_refused() -> None:
    with pytest.raises(InputError) as err:
        map_fields(frame(name=["a"], MC=["b"]), overrides={"MC": "name"})
    assert str(err.value) == (
        "--map MC=name: the file already has a column 'name'. Move it out of the way first, "
        "e.g. add --map name=name_original."
    )


def test_two_overrides_onto_one_target_are_refused() -> None:
    with pytest.raises(InputError) as err:
        map_fields(frame(A=["a"], B=["b"]), overrides={"A": "name", "B": "name"})
    assert str(err.value) == "--map gives two columns the name 'name'. Map only one of them to it."


def test_ambiguous_override_source() -> None:
    with pytest.raises(InputError) as err:
        map_fields(frame(Mc=["a"], MC=["b"]), overrides={"mc": "name"})
    assert str(err.value) == (
        "--map mc=…: several columns match 'mc' (Mc, MC). Write the column name exactly as in "
        "the file."
    )


def test_bom_and_spaces_are_stripped_from_names() -> None:
    gdf = frame(**{"\ufeff宗地号": ["1"], " 备注 ": ["x"]})
    out, mappings = map_fields(gdf)
    assert list(out.columns) == ["id", "备注", "geometry"]
    assert mappings[:2] == [
        FieldMapping("\ufeff宗地号", "宗地号", "byte-order mark or spaces removed"),
        FieldMapping(" 备注 ", "备注", "byte-order mark or spaces removed"),
    ]


def test_geometry_column_is_never_mapped() -> None:
    gdf = gpd.GeoDataFrame({"name": ["a"]}, geometry=gpd.GeoSeries([Point(0, 0)]).rename("shape"))
    gdf = gdf.rename_geometry("shape")
    out, _ = map_fields(gdf)
    assert out.geometry.name == "shape"
    with pytest.raises(InputError, match="has no column 'shape'"):
        map_fields(gdf, overrides={"shape": "geom"})


def test_module_docstring_lists_every_alias() -> None:
    doc = re.sub(r"\s+", " ", fields_module.__doc__ or "")
    for target, aliases in ALIASES.items():
        row = doc[doc.index(f" {target} "):]
        for alias in aliases:
            assert alias in row, (target, alias)

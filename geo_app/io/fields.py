"""Map a file's field names onto the project's columns: by alias, or as the user says.

Public API
----------
:func:`parse_field_map` turns the CLI's ``--map SRC=TARGET`` options into a dict;
:func:`map_fields` renames a layer's columns and returns what it did and why as
:class:`FieldMapping` records (the import report lists them). The import pipeline calls
``map_fields(gdf, overrides=parse_field_map(options), targets=spec.column_names)``.

Rules
-----
1. Column names lose a byte-order mark and surrounding spaces.
2. ``--map`` overrides come first and win. A source that is not a column is an error
   listing the columns; a target that is already another column is an error (move that
   column away first with another ``--map``): nothing is ever overwritten silently.
3. Then, for each target (only those in ``targets`` when given) that is not a column yet,
   the columns whose name matches one of its aliases: the match ignores case, full-width
   forms (``面积（亩）`` = ``面积(亩)``) and surrounding spaces. When several columns
   match, the one with the alias earlier in the list below wins (equal aliases: the name
   spelled exactly as the alias, then the leftmost column); the others are left as they
   are and the reason says so. A column is used for one target at most.

Alias table (in priority order)
-------------------------------
==================  ==========================================================================
target              aliases
==================  ==========================================================================
id                  id, 地块编号, 宗地号, 宗地编号, 宗地代码, 编号, 地块号, dkbh, zdh, zddm,
                    bh, code, 代码
name                name, 名称, 地块名称, 宗地名称, 项目名称, 村庄名称, 村名, 园区名称,
                    片区名称, 设施名称, 道路名称, 景区名称, 地名, fcname, name_chn, mc, dkmc,
                    zdmc, xmmc
name_en             name_en, 英文名, 英文名称, name_eng
land_use            land_use, 地块用途, 用途, 土地用途, 用地性质, 用地类型, 规划用途, dlmc,
                    tdyt
declared_area_mu    declared_area_mu, 登记面积(亩), 面积(亩), 面积亩, 亩数, 亩, mj_mu, area_mu
stage               stage, 征地阶段, 阶段
stage_date          stage_date, 阶段日期
phase               phase, 期次, 期数
park                park, 所属园区, 所属片区, 园区, 片区
town                town, 乡镇, 所属乡镇, 镇
village             village, 所在村, 所属村
population          population, 人口, 总人口, 人口数
==================  ==========================================================================
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd

from geo_app.errors import InputError

__all__ = ["ALIASES", "FieldMapping", "map_fields", "parse_field_map"]

#: Project column → the names files use for it, in priority order (compared by :func:`_key`).
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "地块编号", "宗地号", "宗地编号", "宗地代码", "编号", "地块号", "dkbh", "zdh",
           "zddm", "bh", "code", "代码"),
    "name": ("name", "名称", "地块名称", "宗地名称", "项目名称", "村庄名称", "村名", "园区名称",
             "片区名称", "设施名称", "道路名称", "景区名称", "地名", "fcname", "name_chn", "mc",
             "dkmc", "zdmc", "xmmc"),
    "name_en": ("name_en", "英文名", "英文名称", "name_eng"),
    "land_use": ("land_use", "地块用途", "用途", "土地用途", "用地性质", "用地类型", "规划用途",
                 "dlmc", "tdyt"),
    "declared_area_mu": ("declared_area_mu", "登记面积(亩)", "面积(亩)", "面积亩", "亩数", "亩",
                         "mj_mu", "area_mu"),
    "stage": ("stage", "征地阶段", "阶段"),
    "stage_date": ("stage_date", "阶段日期"),
    "phase": ("phase", "期次", "期数"),
    "park": ("park", "所属园区", "所属片区", "园区", "片区"),
    "town": ("town", "乡镇", "所属乡镇", "镇"),
    "village": ("village", "所在村", "所属村"),
    "population": ("population", "人口", "总人口", "人口数"),
}


@dataclass(frozen=True)
class FieldMapping:
    """One column renamed (or kept) and why, for the import report."""

    source: str
    target: str
    reason: str


def column_for(name: str, columns: Sequence[str], mappings: Sequence[FieldMapping]) -> str:
    """The column that holds the file's field ``name`` after ``mappings`` (``名称`` → ``name``
    when it was mapped): ``name`` itself when it is one of ``columns`` or was not mapped."""
    if name in columns:
        return name
    for mapping in mappings:
        if mapping.source == name and mapping.target in columns:
            return mapping.target
    return name


def _key(name: str) -> str:
    """A column name as compared with aliases: NFKC (full-width → ASCII), case-folded."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def parse_field_map(items: Sequence[str]) -> dict[str, str]:
    """``["地块名称=name", "DKBH=id"]`` (``--map`` options) → ``{"地块名称": "name", …}``.

    Raises
    ------
    InputError
        An item is not ``SRC=TARGET`` with both sides non-empty, or one source is mapped
        to two different targets.
    """
    out: dict[str, str] = {}
    for item in items:
        text = item.replace("＝", "=")
        source, sep, target = text.partition("=")
        source, target = source.strip().lstrip("\ufeff"), target.strip()
        if not sep or not source or not target:
            raise InputError(
                f"--map '{item}' is not SRC=TARGET. Write the file's column, '=', then the "
                "layer's column, e.g. --map 地块名称=name."
            )
        if source in out and out[source] != target:
            raise InputError(
                f"--map maps '{source}' twice (to '{out[source]}' and to '{target}'). Keep one."
            )
        out[source] = target
    return out


def map_fields(
    gdf: gpd.GeoDataFrame,
    *,
    overrides: Mapping[str, str] | None = None,
    targets: Sequence[str] | None = None,
) -> tuple[gpd.GeoDataFrame, list[FieldMapping]]:
    """Rename ``gdf``'s columns to the project's names; return the new frame and what was done.

    Parameters
    ----------
    gdf
        Features as read (not changed; a renamed copy is returned).
    overrides
        ``{source column: target column}`` from ``--map`` (see :func:`parse_field_map`).
    targets
        The columns the destination layer has (``LayerSpec.column_names``); aliases are
        applied only for these. ``None``: every target of :data:`ALIASES`.

    Raises
    ------
    InputError
        An override names a column the file does not have (the message lists the columns),
        two overrides share a target, or an override's target is already another column.
    """
    geometry = gdf.geometry.name if isinstance(gdf, gpd.GeoDataFrame) else None
    columns, mappings = _clean_names(gdf, geometry)
    renames = _override_renames(columns, dict(overrides or {}), geometry)
    mappings += [FieldMapping(s, t, "given with --map") for s, t in renames.items()]
    by_alias = _alias_renames(columns, renames, targets, geometry)
    mappings += by_alias
    renames.update({m.source: m.target for m in by_alias if m.source != m.target})
    out = gdf.copy()
    out.columns = [renames.get(c, c) for c in columns]
    if geometry is not None:
        out = out.set_geometry(renames.get(geometry, geometry))
    return out, mappings


def _clean_names(
    gdf: gpd.GeoDataFrame, geometry: str | None
) -> tuple[list[str], list[FieldMapping]]:
    """Column names without BOM and surrounding spaces (unless that would make two equal).

    The geometry column is never renamed.
    """
    raw = [str(c) for c in gdf.columns]
    cleaned: list[str] = []
    mappings = []
    for name in raw:
        clean = name.replace("\ufeff", "").strip()
        if (clean != name and clean and name != geometry and clean not in raw
                and clean not in cleaned):
            mappings.append(FieldMapping(name, clean, "byte-order mark or spaces removed"))
            cleaned.append(clean)
        else:
            cleaned.append(name)
    return cleaned, mappings


def _resolve_source(source: str, columns: list[str], geometry: str | None) -> str:
    if source in columns and source != geometry:
        return source
    matches = [c for c in columns if _key(c) == _key(source) and c != geometry]
    if len(matches) == 1:
        return matches[0]
    shown = ", ".join(c for c in columns if c != geometry)
    if matches:
        raise InputError(
            f"--map {source}=…: several columns match '{source}' ({', '.join(matches)}). "
            "Write the column name exactly as in the file."
        )
    raise InputError(
        f"--map {source}=…: the file has no column '{source}'. Its columns: {shown}."
    )


def _override_renames(
    columns: list[str], overrides: dict[str, str], geometry: str | None
) -> dict[str, str]:
    renames: dict[str, str] = {}
    for source, target in overrides.items():
        column = _resolve_source(source, columns, geometry)
        if column == target:
            continue
        if target in renames.values():
            raise InputError(
                f"--map gives two columns the name '{target}'. Map only one of them to it."
            )
        renames[column] = target
    for column, target in renames.items():
        if target in columns and target not in renames:
            raise InputError(
                f"--map {column}={target}: the file already has a column '{target}'. Move it "
                f"out of the way first, e.g. add --map {target}={target}_original."
            )
    return renames


def _alias_renames(
    columns: list[str],
    renames: Mapping[str, str],
    targets: Sequence[str] | None,
    geometry: str | None,
) -> list[FieldMapping]:
    """Alias matches for targets not yet present, highest-priority alias first."""
    wanted = [t for t in ALIASES if targets is None or t in targets]
    final = {renames.get(c, c) for c in columns}
    used = set(renames) | {c for c in columns if c in ALIASES and c not in renames}
    mappings: list[FieldMapping] = []
    for target in wanted:
        keys = [_key(a) for a in ALIASES[target]]
        candidates = [
            (keys.index(_key(c)), c != ALIASES[target][keys.index(_key(c))], i, c)
            for i, c in enumerate(columns)
            if _key(c) in keys and c not in used and c != geometry
        ]
        if not candidates:
            continue
        candidates.sort()
        others = [c for *_, c in candidates[1:]]
        verb = "matches and was" if len(others) == 1 else "match and were"
        left = f"; {', '.join(repr(c) for c in others)} also {verb} left as is" if others else ""
        if target in final:  # already a column: keep it, say what else matched
            names = ", ".join(repr(c) for *_, c in candidates)
            why = ("--map gives it" if target in renames.values()
                   else f"the file already has '{target}'")
            mappings.append(FieldMapping(target, target, f"{why}; {names} left as is"))
            continue
        source = candidates[0][3]
        used.add(source)
        final.add(target)
        mappings.append(FieldMapping(
            source, target, f"'{source}' is a usual column name for {target}{left}"
        ))
    return mappings

"""The Import page's preview: the file's features as read, problem features outlined in red.

:class:`~geo_app.transfer.importer.ImportPlan` keeps only the features it would write
(none when the report has errors), so :func:`preview_features` reads the file again with
the same reader and coordinate decision as the import (``read_any`` then
``resolve_source_crs``) unless the plan carries the read features itself
(``plan.read_features``, asked of the import pipeline). Positions match the report's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_app.analysis.crs import resolve_source_crs
from geo_app.io.read import read_any
from geo_app.maps.build import build_zone_map
from geo_app.maps.elements import ClassLayer
from geo_app.maps.encode import display_geometries, geometry_families, pack_features
from geo_app.maps.style import PathStyle
from geo_app.transfer.importer import ImportOptions, ImportPlan, ImportReport, Severity

GEOGRAPHIC_EPSG = 4490
#: The preview draws every problem feature and at most this many features in all.
PREVIEW_MAX_FEATURES = 20_000
PREVIEW_LAYER = "import_preview"
PROBLEM_HEX = "#d7191c"
PROBLEM_STYLE = PathStyle(PROBLEM_HEX, PROBLEM_HEX, weight=3.0, fill_opacity=0.12, radius=8.0)
#: The file's features in the one neutral style of a user's layer (maps.style.layer_style).
FEATURE_HEX = "#3f6fb5"
#: The preview has its own legend under it (fixed labels), not the zone map's legend and
#: layer switch, which would name the internal preview layer.
_PLAIN_MAP_CSS = (
    "<style>.geo-legend, .leaflet-control-layers { display: none !important; }</style>"
)
#: Columns of :func:`preview_features` (besides the geometry).
COL_NUMBER, COL_LABEL, COL_ISSUES, COL_PROBLEM = "id", "name", "issues", "problem"
_SYMBOL = {"polygon": "polygon", "line": "line", "point": "point"}


def file_columns(columns: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The file's attribute columns in file order (no geometry column)."""
    return tuple(str(c) for c in columns)


def _read_features(plan: ImportPlan, path: Path, options: ImportOptions, source: str
                   ) -> gpd.GeoDataFrame:
    read = getattr(plan, "read_features", None)
    if isinstance(read, gpd.GeoDataFrame):
        return read
    result = read_any(path, layer=options.source_layer, encoding=options.encoding,
                      source=source)
    gdf, _source = resolve_source_crs(result.gdf, declared_reason=result.crs_reason,
                                      override=options.crs, gcj02=options.gcj02)
    return gdf


def preview_features(plan: ImportPlan, path: Path, options: ImportOptions, *, source: str
                     ) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The drawable features in lon/lat (feature number, label, issues, problem flag) and
    the file's attribute columns.

    Features without a drawable geometry (empty, missing, NaN or infinite coordinates) are
    left out: the report lists them. Above :data:`PREVIEW_MAX_FEATURES` the first features
    are drawn, problem features always.
    """
    gdf = _read_features(plan, path, options, source)
    columns = list(plan.report.source_columns)  # the file's own names, before mapping
    return preview_frame(gdf, plan.report), columns


def preview_frame(gdf: gpd.GeoDataFrame, report: ImportReport) -> gpd.GeoDataFrame:
    """:func:`preview_features` for features already read (file order, the report's)."""
    n = len(gdf)
    issues = _issue_text(report, n)
    problem = np.zeros(n, dtype=bool)
    positions = [p for p in report.problem_positions() if 0 <= p < n]
    problem[positions] = True
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    keep = _drawable(geoms)
    if keep.sum() > PREVIEW_MAX_FEATURES:
        first = np.cumsum(keep & ~problem) <= PREVIEW_MAX_FEATURES - int((keep & problem).sum())
        keep &= problem | first
    frame = gpd.GeoDataFrame(
        {COL_NUMBER: [str(i + 1) for i in range(n)], COL_LABEL: _labels(gdf),
         COL_ISSUES: issues, COL_PROBLEM: problem},
        geometry=gpd.GeoSeries(geoms, crs=gdf.crs), crs=gdf.crs)
    frame = frame[keep]
    if frame.crs is None or not len(frame):
        return frame.iloc[0:0].set_crs(GEOGRAPHIC_EPSG, allow_override=True)
    frame = frame.to_crs(GEOGRAPHIC_EPSG)
    return frame[_drawable_lonlat(np.asarray(frame.geometry.array, dtype=object))]


def _issue_text(report: ImportReport, n: int) -> list[str]:
    texts: list[list[str]] = [[] for _ in range(n)]
    for issue in report.issues:
        if issue.position is not None and 0 <= issue.position < n:
            texts[issue.position].append(f"{Severity(issue.severity).value}: {issue.message}")
    return ["\n".join(t) for t in texts]


def _labels(gdf: gpd.GeoDataFrame) -> list[str]:
    """The file's own id or name of each feature (empty when it has neither)."""
    lowered = {str(c).lower(): c for c in gdf.columns if c != gdf.geometry.name}
    for want in ("name", "名称", "地块名称", "id", "地块编号", "宗地号"):
        column = lowered.get(want)
        if column is not None:
            return gdf[column].astype("string").fillna("").tolist()
    return [""] * len(gdf)


def _drawable(geoms: np.ndarray) -> np.ndarray:
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    coords, index = shapely.get_coordinates(geoms[ok], return_index=True)
    bad = np.zeros(int(ok.sum()), dtype=bool)
    bad[index[~np.isfinite(coords).all(axis=1)]] = True
    ok[np.flatnonzero(ok)[bad]] = False
    return np.asarray(ok, dtype=bool)


def _drawable_lonlat(geoms: np.ndarray) -> np.ndarray:
    ok = _drawable(geoms)
    bounds = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        inside = ((bounds[:, 0] >= -180) & (bounds[:, 2] <= 180)
                  & (bounds[:, 1] >= -90) & (bounds[:, 3] <= 90))
    return ok & inside


@dataclass(frozen=True)
class PreviewLabels:
    """The words of the preview's popups, in the page's language."""

    feature: str
    issues: str
    problems: str


def build_preview_map(preview: gpd.GeoDataFrame, *, lang: str, labels: PreviewLabels,
                      context: gpd.GeoDataFrame | None = None,
                      asset_base_url: str = "app/static/vendor") -> folium.Map | None:
    """The file's features (blue), problem features outlined in red on top; ``None`` when
    nothing can be drawn. ``context`` (the district outline) is drawn under them."""
    if not len(preview):
        return None
    issues_label = labels.issues
    attrs = pd.DataFrame({COL_NUMBER: preview[COL_NUMBER].to_numpy(),
                          COL_LABEL: preview[COL_LABEL].to_numpy(),
                          issues_label: preview[COL_ISSUES].to_numpy()})
    shown = gpd.GeoDataFrame(attrs, geometry=preview.geometry.to_numpy(), crs=preview.crs)
    layers = {PREVIEW_LAYER: shown}
    if context is not None and len(context):
        layers = {"boundary": context, **layers}
    m = build_zone_map(layers, lang=lang, asset_base_url=asset_base_url)
    m.get_root().header.add_child(folium.Element(_PLAIN_MAP_CSS), name="geo_app_plain_map")
    problems = preview[preview[COL_PROBLEM].to_numpy(dtype=bool)]
    if len(problems):
        _add_problems(m, problems, labels)
    return m


def _add_problems(m: folium.Map, problems: gpd.GeoDataFrame, labels: PreviewLabels) -> None:
    issues_label = labels.issues
    geoms = display_geometries(np.asarray(problems.geometry.array, dtype=object))
    families = geometry_families(geoms)
    attrs = pd.DataFrame({COL_NUMBER: problems[COL_NUMBER].to_numpy(),
                          COL_LABEL: problems[COL_LABEL].to_numpy(),
                          issues_label: problems[COL_ISSUES].to_numpy()})
    meta = {"layer": "import_problems", "layer_label": labels.problems, "class_label": "",
            "title_keys": [COL_LABEL, COL_NUMBER], "area": None,
            "fields": [{"key": COL_NUMBER, "label": labels.feature, "kind": "text"},
                       {"key": issues_label, "label": issues_label, "kind": "text"}]}
    group = folium.FeatureGroup(name="problems", control=False).add_to(m)
    for family in ("polygon", "line", "point"):
        mask = families == family
        if not mask.any():
            continue
        options = PROBLEM_STYLE.leaflet_options(_SYMBOL[family]) | {
            "className": "geo-import-problem"}
        packed = pack_features(geoms[mask], attrs[mask].reset_index(drop=True))
        ClassLayer(packed, layer="import_problems", class_key="problem", symbol=family,
                   options=options, meta=meta).add_to(group)

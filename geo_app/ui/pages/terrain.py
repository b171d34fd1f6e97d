"""Terrain and land cover: a feature's figures, land-cover shares and suitability flags; the
whole layer's table (Excel); a map with hillshade, elevation and land-cover overlays."""

from __future__ import annotations

import math
from enum import StrEnum

import altair as alt
import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo_app.analysis.suitability import Thresholds, default_thresholds
from geo_app.analysis.terrain_classes import LandCoverClass
from geo_app.analysis.terrain_report import TerrainTable
from geo_app.analysis.zonal import RasterKind
from geo_app.maps.build import build_zone_map
from geo_app.maps.terrain import OverlayKind, add_elevation, add_hillshade, add_landcover
from geo_app.raster.service import store_layer_terrain
from geo_app.storage import open_store
from geo_app.ui import loaders, state
from geo_app.ui.components import error_boundary, store_caption
from geo_app.ui.i18n import Lang, t
from geo_app.ui.tables import csv_bytes, excel_bytes, layer_label
from geo_app.ui.text import md_line

MAP_HEIGHT_PX = 520
CHART_HEIGHT_PX = 220


class TerrainKey(StrEnum):
    """Widget keys of this page."""

    LAYER = "terrain_layer"
    FEATURE = "terrain_feature"
    MAX_SLOPE = "terrain_max_slope"
    MIN_ELEVATION = "terrain_min_elevation"
    MAX_CROPLAND = "terrain_max_cropland"
    OVERLAYS = "terrain_overlays"
    OPACITY = "terrain_opacity"
    MAP = "terrain_map"


# --- pure helpers (tested without streamlit) ------------------------------------------------------


def polygon_layers(layers: dict[str, object]) -> list[str]:
    """Names of the layers holding polygons."""
    out = []
    for name, gdf in layers.items():
        types = set(getattr(gdf, "geom_type", pd.Series(dtype=object)).dropna())
        if types and types <= {"Polygon", "MultiPolygon"}:
            out.append(name)
    return out


def shares_frame(feature: dict[str, object], classes: tuple[LandCoverClass, ...],
                 lang: str) -> pd.DataFrame:
    """One row per class: label, mu, share (0–1), colour; classes in the raster's order."""
    mu = feature.get("landcover_mu") or {}
    share = feature.get("landcover_share") or {}
    rows = [{"class": c.label(lang), "mu": float(mu.get(c.code, 0.0) or 0.0),  # type: ignore[union-attr]
             "share": float(share.get(c.code, 0.0) or 0.0), "colour": c.colour}  # type: ignore[union-attr]
            for c in classes]
    return pd.DataFrame(rows, columns=["class", "mu", "share", "colour"])


def feature_view(gdf: object, feature_id: str, *, margin: float = 2.0
                 ) -> tuple[float, float, float, float] | None:
    """Lon/lat bounds around one feature (``margin`` times its size each side)."""
    frame = gdf[gdf["id"].astype(str) == feature_id]  # type: ignore[index]
    if frame.empty:
        return None
    minx, miny, maxx, maxy = (float(v) for v in frame.total_bounds)
    if not all(map(math.isfinite, (minx, miny, maxx, maxy))):
        return None
    dx, dy = max(maxx - minx, 0.002) * margin, max(maxy - miny, 0.002) * margin
    return minx - dx, miny - dy, maxx + dx, maxy + dy


def display_table(table: TerrainTable, lang: str) -> pd.DataFrame:
    """The layer's terrain table with headers in ``lang`` (numbers kept at full precision)."""
    flat = table.flat(lang)
    names = {"id": "terrain.col.id", "name": "terrain.col.name",
             "area_mu_ellipsoidal": "terrain.area", "elev_min": "terrain.elev_min",
             "elev_mean": "terrain.elev_mean", "elev_max": "terrain.elev_max",
             "slope_mean_deg": "terrain.slope_mean", "slope_max_deg": "terrain.slope_max",
             "suitability": "terrain.col.suitability", "reason": "terrain.col.reason"}
    keep = [c for c in flat.columns if c in names or c.endswith((" mu", " %"))]
    out = flat[keep].copy()
    if "suitability" in out.columns:
        out["suitability"] = [t(f"terrain.status.{s}", lang) for s in out["suitability"]]
    return out.rename(columns={c: t(k, lang) for c, k in names.items()})


# --- cached computation ----------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=16)
def _terrain(location: str, token: str, layer: str, thresholds: Thresholds) -> TerrainTable:
    store = open_store(location)
    try:
        return store_layer_terrain(store, layer, thresholds=thresholds)
    finally:
        store.close()


# --- the page ----------------------------------------------------------------------------------


def _threshold_widgets(lang: Lang) -> Thresholds:
    base = default_thresholds()
    with st.sidebar.expander(t("terrain.thresholds", lang), expanded=True):
        slope = st.number_input(t("terrain.max_slope", lang), 0.0, 89.0,
                                value=base.max_slope_deg, step=1.0, key=TerrainKey.MAX_SLOPE)
        low = st.number_input(t("terrain.min_elevation", lang), -500.0, 9000.0,
                              value=base.min_elevation_m, step=1.0,
                              key=TerrainKey.MIN_ELEVATION)
        crop = st.number_input(t("terrain.max_cropland", lang), 0.0, 100.0,
                               value=base.max_cropland_share * 100.0, step=5.0,
                               key=TerrainKey.MAX_CROPLAND)
    return Thresholds(float(slope), float(low), float(crop) / 100.0)


def _feature_panel(table: TerrainTable, lang: Lang, feature_id: str) -> None:
    f = table.feature(feature_id)
    figures = (("terrain.area", "area_mu_ellipsoidal", 2),
               ("terrain.slope_mean", "slope_mean_deg", 1),
               ("terrain.slope_max", "slope_max_deg", 1),
               ("terrain.elev_min", "elev_min", 1),
               ("terrain.elev_mean", "elev_mean", 1),
               ("terrain.elev_max", "elev_max", 1))
    for start in (0, 3):
        for col, (key, field, digits) in zip(st.columns(3), figures[start:start + 3],
                                             strict=True):
            value = f.get(field)
            col.metric(t(key, lang), "—" if value is None else f"{value:,.{digits}f}")
    status = str(f.get("suitability"))
    reason = f.get("reason_zh" if lang == Lang.ZH else "reason_en")
    text = f"**{t(f'terrain.status.{status}', lang)}**"
    if status == "flagged":
        text += f"：{md_line(reason)}" if lang == Lang.ZH else f": {md_line(reason)}"
    {"ok": st.success, "flagged": st.warning}.get(status, st.info)(text)
    if f.get("landcover_share"):
        st.subheader(t("terrain.shares", lang))
        frame = shares_frame(f, table.classes, lang)
        chart = alt.Chart(frame).mark_bar().encode(
            x=alt.X("mu:Q", title=t("terrain.mu", lang)),
            y=alt.Y("class:N", sort=None, title=None),
            color=alt.Color("class:N", scale=alt.Scale(domain=list(frame["class"]),
                                                       range=list(frame["colour"])),
                            legend=None),
            tooltip=[alt.Tooltip("class:N", title=t("terrain.class", lang)),
                     alt.Tooltip("mu:Q", format=",.2f", title=t("terrain.mu", lang)),
                     alt.Tooltip("share:Q", format=".1%", title=t("terrain.share", lang))],
        ).properties(height=CHART_HEIGHT_PX)
        st.altair_chart(chart, width="stretch")
        nodata = f.get("landcover_no_data_share")
        if nodata:
            st.caption(t("terrain.no_data_share", lang, share=f"{nodata:.1%}"))


def _map(layer: str, gdf: object, feature_id: str, rasters: dict, lang: Lang) -> None:
    kinds = [k.value for k in OverlayKind]
    chosen = st.multiselect(t("terrain.overlays", lang), kinds, default=["hillshade"],
                            key=TerrainKey.OVERLAYS,
                            format_func=lambda k: t(f"terrain.overlay.{k}", lang))
    opacity = st.slider(t("terrain.opacity", lang), 0.0, 1.0, 0.7, 0.05,
                        key=TerrainKey.OPACITY)
    dem, lc = rasters.get(RasterKind.DEM), rasters.get(RasterKind.LANDCOVER)

    def overlays(fmap: folium.Map, lang_: str) -> None:
        if dem is not None and "hillshade" in chosen:
            add_hillshade(fmap, dem.path, 1.0 if len(chosen) > 1 else opacity,
                          name=t("terrain.overlay.hillshade", lang_))
        if dem is not None and "elevation" in chosen:
            add_elevation(fmap, dem.path, opacity, lang=lang_)
        if lc is not None and "landcover" in chosen:
            add_landcover(fmap, lc.path, lc.classes, opacity, lang=lang_)

    fmap = build_zone_map({layer: gdf}, lang=str(lang), layer_control=False,  # type: ignore[dict-item]
                          selected=(layer, feature_id), labels=(), overlays=[overlays],
                          fit_bounds=feature_view(gdf, feature_id))
    # the component's frame starts 0 px high: Leaflet would fit the view into nothing (NaN)
    st.html('<style>[data-testid="stMain"] iframe[title="streamlit_folium.st_folium"] '
            f"{{ height: {MAP_HEIGHT_PX}px !important; }}</style>")
    st_folium(fmap, key=TerrainKey.MAP, height=MAP_HEIGHT_PX, use_container_width=True,
              returned_objects=[])


def render() -> None:
    lang = state.lang()
    st.title(t("terrain.page", lang))
    with error_boundary(lang):
        location, token = loaders.current_store()
        data = loaders.load_store(location, token)
        store_caption(location, lang)
        rasters = loaders.rasters(location, token)
        none = t("terrain.none", lang)
        dem, lc = rasters.get(RasterKind.DEM), rasters.get(RasterKind.LANDCOVER)
        st.caption(t("terrain.rasters", lang, dem=md_line(dem.name if dem else none),
                     landcover=md_line(lc.name if lc else none)))
        st.caption(t("terrain.illustrative", lang))
        names = polygon_layers(data.layers)
        if not names:
            st.info(t("terrain.no_polygons", lang))
            return
        thresholds = _threshold_widgets(lang)
        first = names.index("parcels") if "parcels" in names else 0
        layer = st.selectbox(t("terrain.layer", lang), names, index=first, key=TerrainKey.LAYER,
                             format_func=lambda n: layer_label(n, lang))
        if layer is None:
            return
        table = _terrain(location, token, layer, thresholds)
        for text in table.notes:
            st.caption(md_line(text))
        labels = {str(i): f"{i} — {n}" for i, n in zip(table.frame["id"], table.frame["name"],
                                                        strict=True)}
        feature_id = st.selectbox(t("terrain.feature", lang), list(labels),
                                  format_func=lambda i: labels[i], key=TerrainKey.FEATURE)
        if feature_id is None:
            return
        _feature_panel(table, lang, feature_id)
        st.subheader(t("terrain.map", lang))
        _map(layer, data.layer(layer), feature_id, rasters, lang)
        st.subheader(t("terrain.table", lang))
        shown = display_table(table, lang)
        formats = {c: st.column_config.NumberColumn(format="%.2f")
                   for c in shown.columns if pd.api.types.is_float_dtype(shown[c])}
        st.dataframe(shown, hide_index=True, width="stretch", column_config=formats)
        stem = f"terrain_{layer}_{lang}"
        buttons = st.container(horizontal=True)
        buttons.download_button(
            t("terrain.excel", lang),
            data=lambda: excel_bytes(shown, sheet=t("terrain.page", lang)),
            file_name=f"{stem}.xlsx", on_click="ignore", icon=":material/download:",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        buttons.download_button(t("terrain.csv", lang), data=lambda: csv_bytes(shown),
                                file_name=f"{stem}.csv", mime="text/csv", on_click="ignore",
                                icon=":material/download:")

"""Showing an import report: how the file was read, the counts, the fields, the issues and
the preview map. Everything that came from the file (names, fields, values, messages that
quote them) is shown as plain text or in dataframes, never as HTML."""

from __future__ import annotations

import copy

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo_app.maps.style import layer_label, layer_style, swatch_css
from geo_app.transfer.importer import ImportReport, Severity
from geo_app.ui import loaders
from geo_app.ui.components import swatch_legend
from geo_app.ui.i18n import TEXT, Lang, t
from geo_app.ui.map_cache import ASSET_BASE_URL
from geo_app.ui.pages.importing import _state
from geo_app.ui.pages.importing._check import CheckedImport
from geo_app.ui.pages.importing._preview import (
    FEATURE_HEX,
    PROBLEM_HEX,
    PreviewLabels,
    build_preview_map,
)
from geo_app.ui.pages.importing._state import ImportKey
from geo_app.ui.text import md_text

MAP_HEIGHT_PX = 460
ROW_PX = 35
MAX_TABLE_PX = 420



def show_report(checked: CheckedImport, lang: Lang, *, context_location: str,
                context_token: str) -> None:
    """The whole report of ``checked`` and its preview map."""
    report = checked.report
    st.subheader(t("imp.report", lang, source=md_text(report.source)))
    _counts(report, lang)
    _how_read(report, lang)
    _notes(report, lang)
    _fields(report, lang)
    _issues(report, lang)
    _preview(checked, lang, context_location, context_token)


def _counts(report: ImportReport, lang: Lang) -> None:
    counts = report.counts()
    cols = st.columns(6)
    cols[0].metric(t("imp.r.read", lang), f"{report.features_read:,}")
    cols[1].metric(t("imp.r.to_write", lang), f"{report.features_to_write:,}")
    cols[2].metric(t("imp.r.area", lang), f"{report.area_mu_plane:,.2f}")
    cols[3].metric(t("imp.r.errors", lang), f"{counts.get(Severity.ERROR.value, 0):,}")
    cols[4].metric(t("imp.r.warnings", lang), f"{counts.get(Severity.WARNING.value, 0):,}")
    cols[5].metric(t("imp.r.repaired", lang), f"{counts.get(Severity.REPAIRED.value, 0):,}")
    mode = t(f"imp.mode.{report.mode}", lang)
    key = "imp.r.layer_exists" if report.layer_exists else "imp.r.layer_new"
    st.caption(t(key, lang, layer=md_text(report.layer), mode=mode))


def _how_read(report: ImportReport, lang: Lang) -> None:
    crs = (report.crs or "") + (t("imp.r.inferred", lang) if report.crs_inferred else "")
    table = pd.DataFrame({
        " ": [t("imp.r.format", lang), t("imp.r.encoding", lang), t("imp.r.crs", lang)],
        t("details.value", lang): [report.format, report.encoding or "", crs],
        t("imp.r.field_reason", lang): [
            "", report.encoding_reason or "", report.crs_reason or ""],
    })
    st.dataframe(table, hide_index=True, width="stretch")


def _notes(report: ImportReport, lang: Lang) -> None:
    if not report.notes:
        return
    st.markdown(f"**{t('imp.r.notes', lang)}**")
    st.text("\n".join(f"• {note}" for note in report.notes))


def _fields(report: ImportReport, lang: Lang) -> None:
    if not report.fields:
        return
    st.markdown(f"**{t('imp.r.fields', lang)}**")
    table = pd.DataFrame({
        t("imp.r.field_source", lang): [str(f.get("source", "")) for f in report.fields],
        t("imp.r.field_target", lang): [str(f.get("target", "")) for f in report.fields],
        t("imp.r.field_reason", lang): [str(f.get("reason", "")) for f in report.fields],
    })
    st.dataframe(table, hide_index=True, width="stretch", height=_height(len(table)))


def issues_table(report: ImportReport, lang: Lang) -> pd.DataFrame:
    """One row per issue: feature number (1-based, empty for the whole file), id, kind,
    severity (in the page's language) and message."""
    rows = [i.to_dict() for i in report.issues]
    return pd.DataFrame({
        t("imp.col.feature", lang): pd.array([r["feature"] for r in rows], dtype="Int64"),
        t("imp.col.id", lang): ["" if r["id"] is None else str(r["id"]) for r in rows],
        t("imp.col.kind", lang): [_kind(str(r["kind"]), lang) for r in rows],
        t("imp.col.severity", lang): [t(f"imp.sev.{r['severity']}", lang) for r in rows],
        t("imp.col.message", lang): [str(r["message"]) for r in rows],
    })


def _kind(kind: str, lang: Lang) -> str:
    """The kind in words when the page knows it, else the library's code."""
    key = f"imp.kind.{kind}"
    return t(key, lang) if key in TEXT else kind


def _issues(report: ImportReport, lang: Lang) -> None:
    st.markdown(f"**{t('imp.r.issues', lang, count=len(report.issues))}**")
    if not report.issues:
        st.caption(t("imp.r.no_issues", lang))
    else:
        table = issues_table(report, lang)
        st.dataframe(table, hide_index=True, width="stretch", height=_height(len(table)))
    if not report.ok:
        st.error(t("imp.blocked", lang, count=len(report.errors)))


def _preview(checked: CheckedImport, lang: Lang, location: str, token: str) -> None:
    st.markdown(f"**{t('imp.preview', lang)}**")
    maps = _state.preview_maps()
    boundary = loaders.load_store(location, token).layers.get("boundary")
    if lang not in maps:
        labels = PreviewLabels(feature=t("imp.col.feature", lang),
                               issues=t("imp.col.issues", lang),
                               problems=t("imp.legend.problems", lang))
        maps[lang] = build_preview_map(checked.preview, lang=lang, labels=labels,
                                       context=boundary, asset_base_url=ASSET_BASE_URL)
    pristine = maps[lang]
    if pristine is None:
        st.caption(t("imp.preview.none", lang))
        return
    # streamlit-folium renames what it renders: render a copy of the kept map
    st_folium(copy.deepcopy(pristine), key=ImportKey.MAP_WIDGET, height=MAP_HEIGHT_PX,
              use_container_width=True, returned_objects=[])
    _legend(lang, boundary=boundary is not None and len(boundary) > 0)
    total = checked.report.features_read
    if len(checked.preview) < total:
        st.caption(t("imp.preview.partial", lang, shown=len(checked.preview), total=total))


def _legend(lang: Lang, *, boundary: bool) -> None:
    """Swatches like the map's: the file's features, then the red outline of problems."""
    entries = [(t("imp.legend.features", lang),
                f"background:rgba(63,111,181,0.3);border:2px solid {FEATURE_HEX}"),
               (t("imp.legend.problems", lang),
                f"background:transparent;border:3px solid {PROBLEM_HEX}")]
    if boundary:
        style = layer_style("boundary")
        drawn = next(iter(style.classes.values()), style.other)
        entries.append((layer_label("boundary", lang), swatch_css(drawn, style.symbol)))
    swatch_legend(entries)


def _height(rows: int) -> int:
    return min(ROW_PX * (rows + 1) + 3, MAX_TABLE_PX)

"""Download a one-page brief (PDF or PNG) of a village, a park or the acquisition progress.

One widget for any page: the map (the selected village or park, the one filtered park:
:func:`brief_targets`), the dashboard (progress, a chosen park) and the Acquisition page's
as-of view (progress on the page's date)::

    from geo_app.ui.brief_widget import brief_buttons

    brief_buttons("village", "挑水村", lang, key="map_brief")
    brief_buttons("park", selected_park, lang, key="dash_park_brief")
    brief_buttons("progress", None, lang, as_of=day, key="acq_brief")

It reads the store the app reads (:func:`geo_app.ui.loaders.load_store`, cached), so the
brief's figures are the dashboard's. Nothing is drawn until the user presses "make the
brief"; the PDF and PNG bytes are then made once per store version, brief, language and
page size (:func:`brief_bytes`, cached) and offered by two download buttons.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo_app.briefs import BriefData, BriefKind, PageSize, build_brief, render_pages
from geo_app.briefs.build import terrain_sources
from geo_app.domain.messages import render
from geo_app.errors import GeoAppError
from geo_app.ui import loaders
from geo_app.ui.i18n import t
from geo_app.ui.models import Selection
from geo_app.ui.text import md_line, md_text

#: The layer whose features each named brief is about.
BRIEF_LAYERS: dict[BriefKind, str] = {BriefKind.VILLAGE: "villages", BriefKind.PARK: "parks"}


@dataclass(frozen=True)
class BriefTarget:
    """A brief a page offers: its kind, the name the brief finds the feature by, the name
    shown to the reader (the page's language) and the widget key."""

    kind: BriefKind
    name: str
    label: str
    key: str


@st.cache_data(show_spinner=False, max_entries=16)
def brief_bytes(location: str, token: str, kind: str, name: str | None,
                as_of: dt.date | None, lang: str, size: str) -> tuple[bytes, bytes]:
    """The brief as (PDF bytes, PNG bytes), made once per store version and choice."""
    data = loaders.load_store(location, token)
    events = loaders.stage_events(location, token)
    page = build_brief(BriefData(data.layers, data.planes, events,
                                 **terrain_sources(loaders.rasters(location, token))),
                       kind, name, as_of=as_of, lang=lang)
    pdf, png = io.BytesIO(), io.BytesIO()
    render_pages([page], pdf, size=size, fmt="pdf")
    render_pages([page], png, size=size, fmt="png")
    return pdf.getvalue(), png.getvalue()


def brief_file_stem(kind: str, name: str | None, as_of: dt.date | None) -> str:
    """``brief-village-挑水村``: letters, digits and CJK kept, anything else ``_``."""
    label = name if name else (as_of.isoformat() if as_of else "now")
    safe = re.sub(r"[^\w\u3400-\u9fff-]+", "_", label, flags=re.UNICODE).strip("_")[:60]
    return f"brief-{kind}-{safe or 'x'}"


def brief_target(layers: dict[str, gpd.GeoDataFrame], kind: BriefKind | str, feature_id: str,
                 lang: str, *, key: str) -> BriefTarget | None:
    """The brief of the village or park with id ``feature_id``, ``None`` if it is not there.

    The brief finds the feature by its Chinese name when that name is unique in the layer
    (readable file names), else by its id.
    """
    kind = BriefKind(kind)
    gdf = layers.get(BRIEF_LAYERS.get(kind, ""))
    if gdf is None or "id" not in gdf.columns:
        return None
    ids = gdf["id"].astype(str).to_numpy()
    rows = gdf[ids == str(feature_id)]
    if rows.empty:
        return None
    row = rows.iloc[0]
    name = _text(row.get("name"))
    unique = bool(name) and int((gdf["name"].astype(str) == name).sum()) == 1
    shown = _text(row.get("name_en")) if lang == "en" else ""
    return BriefTarget(kind, name if unique else str(feature_id),
                       shown or name or str(feature_id), key)


def brief_targets(layers: dict[str, gpd.GeoDataFrame], selection: Selection | None,
                  parks: tuple[str, ...], lang: str, *, key: str) -> list[BriefTarget]:
    """The map's briefs: the selected (clicked or searched) village or park, and the park
    chosen in the filters when exactly one is (once, if it is also the selection)."""
    out: list[BriefTarget] = []
    kinds = {layer: kind for kind, layer in BRIEF_LAYERS.items()}
    if selection is not None and selection.layer in kinds:
        target = brief_target(layers, kinds[selection.layer], selection.feature_id, lang,
                              key=f"{key}_sel")
        if target is not None:
            out.append(target)
    park_layer = layers.get("parks")
    if len(parks) == 1 and park_layer is not None and "name" in park_layer.columns:
        hit = park_layer[park_layer["name"].astype(str) == parks[0]]
        if len(hit):
            target = brief_target(layers, BriefKind.PARK, str(hit.iloc[0]["id"]), lang,
                                  key=f"{key}_park")
            if target is not None and all(
                    (o.kind, o.name) != (target.kind, target.name) for o in out):
                out.append(target)
    return out


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def brief_title(kind: BriefKind | str, label: str | None, lang: str, *,
                as_of: dt.date | None = None) -> str:
    """The popover's label: which brief it makes (markdown-escaped names)."""
    kind = BriefKind(kind)
    if kind is BriefKind.PROGRESS:
        if as_of is not None:
            return t("brief.title.progress_as_of", lang, date=as_of.isoformat())
        return t("brief.title.progress", lang)
    if not label:
        return t("brief.title", lang)
    return t(f"brief.title.{kind.value}", lang, name=md_line(label))


def brief_buttons(kind: BriefKind | str, name: str | None, lang: str, *,
                  as_of: dt.date | None = None, key: str, label: str | None = None) -> None:
    """A popover: page size, "make the brief", then "download PDF" and "download PNG".

    ``kind`` is ``village``, ``park`` or ``progress``; ``name`` the village or park
    (Chinese name, English name or id; ``None`` for progress); ``as_of`` the date of a
    progress brief (``None``: now); ``key`` prefixes the widget keys (one per page);
    ``label`` the name shown on the popover (default ``name``).
    Errors (unknown name, no CJK font) are shown in ``lang``, never as a traceback.
    """
    kind = BriefKind(kind)
    title = brief_title(kind, label or name, lang, as_of=as_of)
    with st.popover(title, icon=":material/picture_as_pdf:"):
        if kind is not BriefKind.PROGRESS and not name:
            st.info(t("brief.no_name", lang))
            return
        size = st.radio(t("brief.size", lang), [s.value for s in PageSize], horizontal=True,
                        key=f"{key}_size", format_func=lambda s: t(f"brief.size.{s}", lang))
        location, token = loaders.current_store()
        choice = (location, token, kind.value, name, as_of, str(lang), str(size))
        ready_key = f"{key}_ready"
        if st.button(t("brief.prepare", lang), key=f"{key}_prepare"):
            st.session_state[ready_key] = choice
        if st.session_state.get(ready_key) != choice:
            return
        try:
            pdf, png = brief_bytes(*choice)
        except GeoAppError as exc:
            st.error(md_text(render(exc, lang)))
            return
        stem = brief_file_stem(kind.value, name, as_of)
        # one under the other: side by side, a narrow popover cut the labels short
        st.download_button(t("brief.download_pdf", lang), data=pdf, file_name=f"{stem}.pdf",
                           mime="application/pdf", on_click="ignore", key=f"{key}_pdf",
                           icon=":material/download:", type="primary", width="stretch")
        st.download_button(t("brief.download_png", lang), data=png, file_name=f"{stem}.png",
                           mime="image/png", on_click="ignore", key=f"{key}_png",
                           icon=":material/download:", width="stretch")

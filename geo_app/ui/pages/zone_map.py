"""The map (home page): every layer, filters, basemap, search, click for details, export."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo_app.domain.categories import ProjectStatus, VillagePlan, WorksProgramme
from geo_app.domain.stages import ParcelStage
from geo_app.maps.build import to_true_coords
from geo_app.maps.gcj02 import wgs84_to_gcj02
from geo_app.maps.labels import (
    DEFAULT_LABEL_LAYERS,
    DEFAULT_LABEL_PX,
    LABEL_LAYERS,
    LABEL_SIZES_PX,
    PROJECTOR_LABEL_PX,
)
from geo_app.maps.style import Basemap, VillageTheme
from geo_app.ui import loaders, map_cache, state
from geo_app.ui.brief_widget import brief_buttons, brief_targets
from geo_app.ui.components import error_boundary, full_height_map, store_caption
from geo_app.ui.export_widget import export_widget
from geo_app.ui.filters import MapFilters, options, unless_all
from geo_app.ui.i18n import Lang, phase_label, t
from geo_app.ui.map_cache import MapLook
from geo_app.ui.models import MapView, Selection
from geo_app.ui.search import SearchHit, view_for_bounds
from geo_app.ui.selection import (
    AREA_UNITS,
    click_tolerance_m,
    feature_at,
    feature_details,
    selection_of_feature,
)
from geo_app.ui.state import Key
from geo_app.ui.tables import AREA_DECIMALS, layer_label
from geo_app.ui.text import md_line, md_text

#: The component's own height; the page's CSS stretches the map to the window's bottom
#: (:func:`geo_app.ui.components.full_height_map`).
MAP_HEIGHT_PX = 650
#: Room above the map (page padding, title and search row, the counts row) and below it.
MAP_TOP_OFFSET_PX = 190
#: Session keys of the map's display widgets and of the filters last zoomed to.
LABELS_KEY = "mapx_labels"
LABEL_PX_KEY = "mapx_label_px"
THEME_KEY = "mapx_village_theme"
BELT_KEY = "mapx_belt"
FILTERS_SEEN_KEY = "mapx_filters_seen"
#: What the map sends back (each change reruns the page): the click, the clicked
#: feature's GeoJSON (its properties carry ``layer`` and ``id``) and the view.
RETURNED = ["last_object_clicked", "last_active_drawing", "center", "zoom"]


def render() -> None:
    lang = state.lang()
    with error_boundary(lang):
        location, token = loaders.current_store()
        data = loaders.load_store(location, token)
        if not any(len(gdf) for gdf in data.layers.values()):
            st.info(t("map.nothing", lang))
        filters = _filter_widgets(data.layers, lang)
        visible = _layer_widget(list(data.layers), lang)
        look = _display_widgets(data.layers, lang)
        basemap = _basemap_widget(lang)
        store_caption(location, lang)
        shown = loaders.filtered_layers(location, token, filters)
        searched = _search(location, token, lang, basemap)
        zoomed = _zoom_to_filters(filters)
        key = map_cache.tianditu_key()
        _footer(shown, location, token, filters, lang, basemap, visible, key, look)
        full_height_map(MAP_TOP_OFFSET_PX)
        left, right = st.columns([5, 2], gap="medium")
        with left:
            drawn = map_cache.zone_map(location, token, filters, lang, basemap,
                                       tuple(visible), key, look)
            view = _requested_view(drawn.identity, searched or zoomed)
            out = st_folium(
                drawn.fresh(), key=Key.MAP_WIDGET, height=MAP_HEIGHT_PX,
                use_container_width=True,
                returned_objects=RETURNED,
                center=view.center if view else None, zoom=view.zoom if view else None,
            )
            _handle_map_output(out, {k: v for k, v in shown.items() if k in visible}, basemap)
        with right:
            _details_panel(data, lang)
            _briefs(data, filters, lang)


# --- sidebar widgets ------------------------------------------------------------------------


def _filter_widgets(layers: dict, lang: Lang) -> MapFilters:
    sb = st.sidebar
    sb.subheader(t("map.filters", lang))
    all_ = t("map.all", lang)
    parks = layers.get("parks")
    park_names = {}
    if parks is not None and "name_en" in parks.columns:
        park_names = dict(zip(parks["name"], parks["name_en"], strict=True))
    park_options = options(layers, "parks", "name")
    phase_options = options(layers, "parcels", "phase")
    stage_options = [s.value for s in ParcelStage]
    plan_options = [p.value for p in VillagePlan]
    status_options = [s.value for s in ProjectStatus]
    chosen_parks = sb.multiselect(
        t("map.filter.park", lang), park_options, key=Key.FILTER_PARKS, placeholder=all_,
        format_func=lambda n: n if lang == Lang.ZH else f"{park_names.get(n, n)}")
    phases = sb.multiselect(
        t("map.filter.phase", lang), phase_options, key=Key.FILTER_PHASES, placeholder=all_,
        format_func=lambda p: phase_label(p, lang))
    stages = sb.multiselect(
        t("map.filter.stage", lang), stage_options, key=Key.FILTER_STAGES, placeholder=all_,
        format_func=lambda s: ParcelStage(s).label(lang))
    plans = sb.multiselect(
        t("map.filter.village_plan", lang), plan_options, key=Key.FILTER_VILLAGE_PLANS,
        placeholder=all_, format_func=lambda p: VillagePlan(p).label(lang))
    works_options = [w.value for w in WorksProgramme]
    works = sb.multiselect(
        t("mapx.filter.works", lang), works_options, key="mapx_filter_works",
        placeholder=all_, format_func=lambda w: WorksProgramme(w).label(lang))
    statuses = sb.multiselect(
        t("map.filter.project_status", lang), status_options,
        key=Key.FILTER_PROJECT_STATUSES, placeholder=all_,
        format_func=lambda s: ProjectStatus(s).label(lang))
    return MapFilters.of(
        parks=unless_all(chosen_parks, park_options), phases=unless_all(phases, phase_options),
        stages=unless_all(stages, stage_options), village_plans=unless_all(plans, plan_options),
        project_statuses=unless_all(statuses, status_options),
        works_programmes=unless_all(works, works_options))


def _layer_widget(names: list[str], lang: Lang) -> list[str]:
    chosen = st.sidebar.pills(
        t("map.layers", lang), names, selection_mode="multi", default=names,
        key=Key.VISIBLE_LAYERS, format_func=lambda n: md_text(layer_label(n, lang)))
    return [n for n in names if n in (chosen or [])]


def _display_widgets(layers: dict, lang: Lang) -> MapLook:
    """The belt, the name labels (which layers, what size) and the village colours."""
    sb = st.sidebar
    belt = False
    if "villages" in layers and "roads" in layers:
        belt = sb.toggle(t("mapx.belt", lang), key=BELT_KEY, help=t("mapx.belt.help", lang))
    sb.subheader(t("mapx.display", lang))
    names = [n for n in LABEL_LAYERS if n in layers]
    chosen = sb.pills(
        t("mapx.labels", lang), names, selection_mode="multi",
        default=[n for n in DEFAULT_LABEL_LAYERS if n in names], key=LABELS_KEY,
        help=t("mapx.labels.help", lang), format_func=lambda n: md_text(layer_label(n, lang)))
    size = sb.select_slider(
        t("mapx.label_size", lang), LABEL_SIZES_PX, value=DEFAULT_LABEL_PX, key=LABEL_PX_KEY,
        format_func=lambda px: t("mapx.label_size.projector" if px >= PROJECTOR_LABEL_PX
                                 else "mapx.label_size.option", lang, px=px))
    theme = sb.radio(t("mapx.village_theme", lang), list(VillageTheme), key=THEME_KEY,
                     horizontal=True, format_func=lambda v: VillageTheme(v).label(lang))
    return MapLook(labels=tuple(n for n in names if n in (chosen or [])),
                   label_px=int(size), village_theme=VillageTheme(theme or VillageTheme.PLAN),
                   belt=bool(belt))


def _zoom_to_filters(filters: MapFilters) -> bool:
    """When the filters change, let the new map open on its own view: what the filters
    kept, fitted by Leaflet to the map's real size (all of the zone when cleared).
    Returns whether the view was reset."""
    seen = st.session_state.get(FILTERS_SEEN_KEY)
    st.session_state[FILTERS_SEEN_KEY] = filters
    if seen is None or seen == filters:
        return False
    state.set_map_view(None)
    return True


def _basemap_widget(lang: Lang) -> Basemap:
    choices = list(Basemap)
    if not map_cache.tianditu_key():
        choices = [b for b in choices if b not in (Basemap.TIANDITU_VEC, Basemap.TIANDITU_IMG)]
    picked = st.sidebar.selectbox(
        t("map.basemap", lang), choices, key=Key.BASEMAP, help=t("map.basemap.help", lang),
        format_func=lambda b: Basemap(b).label(lang))
    return Basemap(picked or Basemap.NONE)


# --- search ---------------------------------------------------------------------------------


def _search(location: str, token: str, lang: Lang, basemap: Basemap) -> bool:
    """The search box; returns whether a new match moved the map in this run."""
    col_title, col_query, col_pick = st.columns([3, 3, 3], vertical_alignment="bottom")
    col_title.subheader(t("app.title", lang))
    query = col_query.text_input(t("map.search", lang), key=Key.SEARCH,
                                 placeholder=t("map.search.placeholder", lang))
    if not query.strip():
        return False
    hits = map_cache.search(location, token, query)
    if not hits:
        col_pick.warning(t("map.search.none", lang, query=md_text(query.strip())))
        return False
    hit = hits[0]
    if len(hits) > 1:
        hit = col_pick.selectbox(
            t("map.search.pick", lang, count=len(hits)), hits, key=Key.SEARCH_PICK,
            format_func=lambda h: _hit_label(h, lang)) or hits[0]
    else:
        col_pick.caption(md_text(_hit_label(hit, lang)))
    done = f"{query.strip()}|{hit.layer}|{hit.feature_id}"
    if state.search_done() == done:
        return False
    state.set_search_done(done)
    state.set_map_view(_display_view(view_for_bounds(hit.bounds), basemap))
    state.set_selection(Selection(hit.layer, hit.feature_id))
    return True


def _hit_label(hit: SearchHit, lang: Lang) -> str:
    name = hit.name if lang == Lang.ZH or not hit.name_en else f"{hit.name_en} ({hit.name})"
    return f"{name} · {layer_label(hit.layer, lang)}"


def _display_view(view: MapView, basemap: Basemap) -> MapView:
    """A view in true coordinates moved to where the basemap draws it (GCJ-02 for Gaode)."""
    if basemap is not Basemap.GAODE:
        return view
    lon, lat = wgs84_to_gcj02(view.center[1], view.center[0])
    return MapView((float(lat), float(lon)), view.zoom)


# --- map output and details ----------------------------------------------------------------


def _requested_view(identity: str, searched: bool) -> MapView | None:
    """The view passed to the map: set by a search, or the user's last view for a new map.

    The component moves the map only when this value changes, so it stays the same while
    the user pans; a new map (other language, basemap, layers) opens where the user was,
    one with other filters on what they kept (:func:`_zoom_to_filters`).
    """
    if state.map_identity() != identity:
        state.set_map_identity(identity)
        if not searched and state.reported_view() is not None:
            state.set_map_view(state.reported_view())
    return state.map_view()


def _handle_map_output(out: dict | None, shown: dict, basemap: Basemap) -> None:
    if not out:
        return
    center, zoom = out.get("center"), out.get("zoom")
    if center and zoom is not None:
        # only remembered: feeding reports back as the requested view makes the map jump
        # between a stale report and the latest one
        state.set_reported_view(MapView((float(center["lat"]), float(center["lng"])),
                                        float(zoom)))
    clicked = out.get("last_object_clicked")
    if not clicked:
        return
    click = (float(clicked["lat"]), float(clicked["lng"]))
    if click == state.last_click():
        return
    state.set_last_click(click)
    picked = selection_of_feature(out.get("last_active_drawing"))
    if picked is None:  # not a feature of ours: find it under the click
        lat, lon = to_true_coords(click[0], click[1], basemap)
        tolerance = click_tolerance_m(zoom if isinstance(zoom, int | float) else None, lat)
        picked = feature_at(shown, lat, lon, tolerance_m=tolerance)
    state.set_selection(picked)


def _details_panel(data: loaders.StoreData, lang: Lang) -> None:
    st.subheader(t("details.title", lang))
    sel = state.selection()
    details = (feature_details(data.layers, sel, lang=lang, plane=data.planes.get(sel.layer))
               if sel else None)
    if details is None:
        st.info(t("details.hint", lang))
        return
    st.markdown(f"**{md_text(details.title)}**")
    st.caption(f"{t('details.layer', lang)}: {md_text(details.layer_label)}")
    if details.areas is not None:
        header = [t("details.area", lang), *details.areas.columns]
        rows = [[label, *(f"{v:,.{AREA_DECIMALS[unit]}f}" for v in values)]
                for unit, label, values in zip(AREA_UNITS, details.areas.index,
                                               details.areas.to_numpy(), strict=True)]
        st.markdown(_md_table(header, rows, numbers=True))
        st.caption(md_text(details.area_note))
    st.markdown(_md_table([t("details.field", lang), t("details.value", lang)],
                          [[k, v] for k, v in details.fields]))
    if st.button(t("details.clear", lang), key=Key.CLEAR_SELECTION):
        state.set_selection(None)
        st.rerun()


def _briefs(data: loaders.StoreData, filters: MapFilters, lang: Lang) -> None:
    """The printable briefs of the selected village or park and of the one filtered park."""
    for target in brief_targets(data.layers, state.selection(), filters.parks, lang,
                                key="map_brief"):
        brief_buttons(target.kind, target.name, lang, key=target.key, label=target.label)


def _md_table(header: list[str], rows: list[list[str]], *, numbers: bool = False) -> str:
    """A markdown table; with ``numbers`` all but the first column align right."""
    align = "--:" if numbers else ":--"
    lines = ["| " + " | ".join(md_line(h) for h in header) + " |",
             "|" + "|".join([":--", *[align] * (len(header) - 1)]) + "|"]
    lines += ["| " + " | ".join(md_line(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _footer(shown: dict, location: str, token: str, filters: MapFilters, lang: Lang,
            basemap: Basemap, visible: list[str], key: str | None,
            look: MapLook) -> None:
    def count(layer: str) -> int:
        gdf = shown.get(layer)
        return 0 if gdf is None or layer not in visible else len(gdf)

    left, right = st.columns([3, 2])
    caption = t("map.showing", lang, parcels=count("parcels"), villages=count("villages"),
                projects=count("projects"))
    if look.belt:
        belt = map_cache.belt_frame(location, token)
        if belt is not None:
            caption += " · " + t("mapx.belt.count", lang,
                                 count=int((belt["kind"] == "village").sum()))
    left.caption(caption)
    right = right.container(horizontal=True)
    right.download_button(
        t("map.download", lang),
        data=lambda: map_cache.map_html(location, token, filters, lang, basemap,
                                        tuple(visible), key, look),
        file_name="suizhou_map.html", mime="text/html", on_click="ignore",
        help=t("map.download.help", lang),
        icon=":material/download:",
    )
    with right:
        export_widget(location, token, [n for n in shown if n in visible] or list(shown),
                      lang, key="map_export")

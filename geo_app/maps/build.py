"""Build the zone map: every layer toggleable, styled by class, with a matching legend.

Designed for 50k parcels (see ``benchmarks/map_payload.py``):

* each class of each layer is one ``L.geoJson`` with a constant style: folium's
  ``style_function`` would become a per-feature JavaScript ``switch``;
* features are packed with vectorised shapely/numpy (:mod:`geo_app.maps.encode`),
  never through folium's per-feature GeoJSON path;
* big layers are simplified for display (≈1 m) and drawn on a canvas;
* tooltips and popups are one function per class layer, not HTML per feature.

The caller's GeoDataFrames are never modified: display geometry is a new array.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import folium
import folium.elements
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.template import Template
from folium.utilities import JsCode

from geo_app.domain.layers import LAYER_SPECS, LayerSpec
from geo_app.domain.phases import phase_label
from geo_app.errors import CRSError, InputError
from geo_app.maps.assets import (
    ensure_assets,
    inline_assets,
    localize_assets,
    resolve_base_url,
    vendor_dir,
    walk,
)
from geo_app.maps.basemaps import add_basemap
from geo_app.maps.csp import PolicyMeta, app_policy, asset_source, export_policy, set_policy
from geo_app.maps.elements import (
    ClassLayer,
    GeoAppRuntime,
    LabelLayer,
    LayerControl,
    Legend,
    MapTools,
    RawMacroElement,
    ReadyFlag,
)
from geo_app.maps.encode import (
    QUANTUM_DEG,
    SIMPLIFY_DEG,
    display_geometries,
    geometry_families,
    pack_features,
)
from geo_app.maps.gcj02 import gcj02_to_wgs84, wgs84_to_gcj02
from geo_app.maps.labels import (
    DEFAULT_LABEL_PX,
    check_label_layers,
    check_label_px,
    layer_labels,
)
from geo_app.maps.style import (
    BACKGROUND_HEX,
    LAYER_STYLES,
    OTHER_CLASS,
    Z_ORDER,
    Basemap,
    LayerStyle,
    PathStyle,
    Symbol,
    layer_label,
    layer_style,
    swatch_css,
)
from geo_app.textsafe import html_text, script_json

#: From this many features in all layers, draw on a canvas instead of SVG.
CANVAS_MIN_FEATURES = 3000
#: From this many features in a layer, simplify its display geometry.
SIMPLIFY_MIN_FEATURES = 5000
#: From this many features in a layer, send only id, name and area (lean popups).
DETAILS_MAX_FEATURES = 5000
#: Suizhou city centre (lat, lon): the view when there is nothing to show.
DEFAULT_CENTER = (31.69, 113.38)
DEFAULT_ZOOM = 12
GEOGRAPHIC_EPSG = 4490
#: Legend sections, most consulted first.
LEGEND_ORDER: tuple[str, ...] = (
    "parcels", "projects", "villages", "loop_belt", "sites", "parks", "roads", "facilities",
    "boundary",
)
#: Layers drawn for context only: the initial view fits the other layers (the zone), not
#: the whole district, unless nothing else is shown.
CONTEXT_LAYERS = frozenset({"boundary"})
SELECTED_HEX = "#00b7ff"
#: Room (px) around ``fit_bounds``: the zoom buttons and labels stay clear of the features.
FIT_PADDING_PX = 56

#: Area columns from ``geo_app.analysis.area.add_areas`` shown in popups.
_AREA_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("area_mu_plane", "面积(亩)", "Area (mu)"),
    ("area_mu_ellipsoidal", "椭球面积(亩)", "Ellipsoidal area (mu)"),
    ("area_ha_plane", "面积(公顷)", "Area (ha)"),
)
_TOOLTIP_AREA_KEYS = ("area_mu_plane", "area_mu_ellipsoidal", "declared_area_mu")
_SYMBOL_OF_FAMILY: dict[str, Symbol] = {"polygon": "polygon", "line": "line", "point": "point"}
#: Coded columns that are not enums, shown as words in popups (期次 1 → 一期).
_VALUE_LABELS: dict[str, Callable[[object, str], str]] = {"phase": phase_label}


def build_zone_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    lang: str = "zh",
    basemap: Basemap = Basemap.NONE,
    visible: set[str] | None = None,
    tianditu_key: str | None = None,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    asset_base_url: str | None = "app/static/vendor",
    prefer_canvas: bool | None = None,
    simplify_deg: float | None = None,
    quantum_deg: float = QUANTUM_DEG,
    selected: tuple[str, str] | None = None,
    details: bool | None = None,
    labels: Iterable[str] | None = None,
    label_px: float = DEFAULT_LABEL_PX,
    layer_control: bool = True,
    styles: Mapping[str, LayerStyle] | None = None,
    legend_open: bool = False,
    fit_bounds: tuple[float, float, float, float] | None = None,
    overlays: Sequence[Callable[[folium.Map, str], None]] = (),
) -> folium.Map:
    """A folium map of ``layers``, each in its own toggleable group, with a legend.

    Parameters
    ----------
    layers
        Layer name → GeoDataFrame (EPSG:4490, or any CRS that is then reprojected),
        already filtered. Known layers (parks, parcels, projects, villages, facilities,
        roads, sites) get their class styles; others one neutral style. Area columns
        from ``add_areas`` are shown when present.
    lang
        ``"zh"`` or ``"en"``: layer names, legend, tooltips and popups.
    basemap
        Tiles under the overlays. ``GAODE`` shifts every overlay to GCJ-02 so it lines
        up with Gaode's tiles; map clicks then come back in GCJ-02: convert them with
        :func:`to_true_coords`.
    visible
        Layers shown at first; the others are in the layer control, unticked.
        ``None`` shows all.
    tianditu_key
        The Tianditu ``tk``, needed for the Tianditu basemaps only.
    center, zoom
        Initial view, ``(lat, lon)`` in true (EPSG:4490) coordinates; by default the
        map fits all features.
    asset_base_url
        Where Leaflet is served: a path from the Streamlit server root (default
        ``app/static/vendor``, see :func:`geo_app.maps.assets.resolve_base_url`), a URL
        (``file:``, ``https:``) or ``None`` for folium's CDN links (comparisons only).
    prefer_canvas
        Canvas instead of SVG; by default from 3000 features on.
    simplify_deg
        Display simplification tolerance; by default 1e-5° for layers of 5000+ features.
    quantum_deg
        Coordinate rounding step sent to the browser (1e-6° ≈ 0.1 m).
    selected
        ``(layer, id)`` of a feature to outline on top of the others.
    details
        Send every attribute for the popups. By default only for layers under 5000
        features; bigger layers send id, name and area (half the payload at 50k
        parcels), and the app's side panel shows the rest.

    labels
        Layers whose features get name labels (see :mod:`geo_app.maps.labels`); ``None``
        for :data:`~geo_app.maps.labels.DEFAULT_LABEL_LAYERS`, ``()`` for none. The
        browser places them by priority and hides those that would overlap.
    label_px
        Label font size in CSS px (14 by default, 18+ for a projector).
    layer_control
        Leaflet's own layer box. The app passes ``False``: its sidebar is the one layer
        control, and layers not in ``visible`` are then left out of the page.
    styles
        Layer name → :class:`~geo_app.maps.style.LayerStyle` replacing the default
        (e.g. villages by works programme, the belt with its village count).
    legend_open
        Every legend section open at first (exports and slides); by default only the
        parcel stages (else the first section).
    fit_bounds
        ``(minx, miny, maxx, maxy)`` in lon/lat to fit at first (e.g. what the filters
        kept), instead of every feature; ignored with ``center``.
    overlays
        Functions ``(map, lang)`` called after the vector layers and before the legend,
        to add more (raster) layers: the place for terrain overlays.

    Every feature's properties carry ``id`` and ``layer`` so a click
    (streamlit-folium's ``last_active_drawing``) maps back to the record.
    """
    if lang not in ("zh", "en"):
        raise InputError(f"Unknown language {lang!r}: use 'zh' (中文) or 'en' (English).")
    basemap = Basemap(basemap)
    label_layers = check_label_layers(labels)
    label_px = check_label_px(label_px)
    if asset_base_url is not None:
        ensure_assets()
    frames = {name: _geographic(name, gdf) for name, gdf in layers.items()
              if layer_control or visible is None or name in visible}
    styles = dict(styles or {})
    total = sum(len(gdf) for gdf in frames.values())
    canvas = prefer_canvas if prefer_canvas is not None else total >= CANVAS_MIN_FEATURES
    gcj = basemap is Basemap.GAODE

    m = folium.Map(location=list(DEFAULT_CENTER), zoom_start=zoom or DEFAULT_ZOOM, tiles=None,
                   prefer_canvas=canvas, control_scale=False, max_zoom=20, min_zoom=4,
                   zoom_snap=0.25, zoom_delta=0.5)  # fractional zoom: the zone fills the map
    title = "随州高新区规划图" if lang == "zh" else "Suizhou High-tech Zone map"
    m.get_root().title = html_text(title)  # branca writes <title> unescaped
    GeoAppRuntime(background=BACKGROUND_HEX if Basemap(basemap).offline else None).add_to(m)
    MapTools(_tools_spec(lang, label_px, BACKGROUND_HEX)).add_to(m)
    add_basemap(m, basemap, lang=lang, tianditu_key=tianditu_key)

    bounds: list[tuple[float, float, float, float]] = []
    context_bounds: list[tuple[float, float, float, float]] = []
    present: dict[str, set[str]] = {}
    for z, name in enumerate(_draw_order(frames)):
        group = folium.FeatureGroup(name=layer_label(name, lang), overlay=True, control=True,
                                    show=visible is None or name in visible)
        group.add_to(m)
        _Register(m.get_name(), name, z).add_to(group)
        style = styles.get(name) or _default_style(name, frames[name])
        drawn = _add_classes(group, name, frames[name], lang=lang, gcj=gcj,
                             simplify_deg=simplify_deg, quantum_deg=quantum_deg,
                             details=details, style=style)
        styles[name] = drawn.style
        present[name] = drawn.classes
        (context_bounds if name in CONTEXT_LAYERS else bounds).extend(drawn.bounds)
        if name in label_layers and drawn.drawn.any():
            labelled = layer_labels(name, frames[name][drawn.drawn], drawn.display[drawn.drawn],
                                    lang=lang)
            if len(labelled):
                LabelLayer(m.get_name(), labelled.to_payload()).add_to(group)
    if selected is not None:
        _add_selected(m, frames, selected, gcj=gcj, quantum_deg=quantum_deg)
    for overlay in overlays:
        overlay(m, lang)
    names = ([n for n in LEGEND_ORDER if n in frames]
             + [n for n in frames if n not in LEGEND_ORDER])
    Legend(_legend_spec(names, lang, styles=styles, present=present,
                        open_all=legend_open)).add_to(m)
    if layer_control:
        LayerControl(
            position="topright", collapsed=False, sortLayers=True,
            sortFunction=JsCode(
                "function (a, b) { return (b.geoAppZ || 0) - (a.geoAppZ || 0); }"),
        ).add_to(m)
    padding_px = 16
    if fit_bounds is not None and center is None:
        fit = _checked_bounds(fit_bounds)
        if fit is not None:  # a few features: room around them for the controls and labels
            bounds, padding_px = [_display_bounds(fit, gcj)], FIT_PADDING_PX
    _set_view(m, bounds or context_bounds, center=center, zoom=zoom, gcj=gcj,
              padding_px=padding_px)
    ReadyFlag().add_to(m)
    if asset_base_url is not None:
        localize_assets(m, asset_base_url)
        source = asset_source(resolve_base_url(asset_base_url))
        if source is not None:
            set_policy(m, app_policy(m, source))
    return m


def export_map_html(m: folium.Map) -> str:
    """The map as one self-contained HTML page (Leaflet inlined) that opens offline.

    Online basemap tiles still need the internet; everything else is in the file. The
    page carries a Content-Security-Policy (:func:`geo_app.maps.csp.export_policy`) that
    forbids every request except images from the chosen basemap's tile servers.
    """
    saved = [
        (el, el.__dict__.get("default_js"), el.__dict__.get("default_css"))
        for el in walk(m) if isinstance(el, folium.elements.JSCSSMixin)
    ]
    legends = [(el, el.spec_json) for el in walk(m) if isinstance(el, Legend)]
    header = m.get_root().header
    previous = header._children.get(PolicyMeta.__name__)
    previous_policy = previous.policy if isinstance(previous, PolicyMeta) else None
    try:
        for el, _ in legends:  # an export is read, not operated: the legend fully open
            el.set_spec(_opened(el.spec))
        localize_assets(m, vendor_dir().as_uri())
        set_policy(m, export_policy(m))
        html = m.get_root().render()
        return inline_assets(html, m)
    finally:
        for el, spec_json in legends:
            el.spec_json = spec_json
        for el, js, css in saved:
            _restore(el, "default_js", js)
            _restore(el, "default_css", css)
        if previous_policy is None:
            header._children.pop(PolicyMeta.__name__, None)
        else:
            set_policy(m, previous_policy)


def _opened(spec: dict[str, object]) -> dict[str, object]:
    sections = spec.get("sections")
    if not isinstance(sections, list):
        return spec
    return {**spec, "sections": [{**sec, "open": True} for sec in sections],
            "collapsed": False, "remember": False}


def to_true_coords(lat: float, lon: float, basemap: Basemap) -> tuple[float, float]:
    """``(lat, lon)`` of a map position in true coordinates (undoes the GCJ-02 shift)."""
    if Basemap(basemap) is not Basemap.GAODE:
        return float(lat), float(lon)
    true_lon, true_lat = gcj02_to_wgs84(float(lon), float(lat))
    return float(true_lat), float(true_lon)


# --- layers -------------------------------------------------------------------------------

class _Register(RawMacroElement):
    """Registers a layer group with the runtime (drawing order, legend sync)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        geoApp.register({{ this.map_name }}, {{ this._parent.get_name() }},
                        {{ this.layer_json }}, {{ this.z }});
        {% endmacro %}
        """
    )

    def __init__(self, map_name: str, layer: str, z: int) -> None:
        super().__init__()
        self._name = "Register"
        self.map_name, self.layer, self.z = map_name, layer, z
        self.layer_json = script_json(layer)


def _geographic(name: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise InputError(f"Layer {name!r} is not a GeoDataFrame.")
    if gdf.crs is None:
        raise CRSError(
            f"Layer {name!r} has no CRS; set it (EPSG:4490 for CGCS2000 lon/lat) before mapping."
        )
    if gdf.crs.to_epsg() in (GEOGRAPHIC_EPSG, 4326):
        return gdf
    return gdf.to_crs(GEOGRAPHIC_EPSG)


def _draw_order(frames: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    rank = {name: i for i, name in enumerate(Z_ORDER)}
    parcels_rank = rank["parcels"] - 0.5  # user layers go between sites and parcels
    return sorted(frames, key=lambda n: rank.get(n, parcels_rank))


@dataclass(frozen=True)
class _Drawn:
    """What :func:`_add_classes` drew of a layer."""

    bounds: list[tuple[float, float, float, float]]
    classes: set[str]
    display: np.ndarray
    drawn: np.ndarray
    style: LayerStyle


def _default_style(name: str, gdf: gpd.GeoDataFrame) -> LayerStyle | None:
    """The style of a known layer; ``None`` for a user's layer (chosen by geometry)."""
    return layer_style(name) if name in LAYER_STYLES else None


def _add_classes(
    group: folium.FeatureGroup, name: str, gdf: gpd.GeoDataFrame, *,
    lang: str, gcj: bool, simplify_deg: float | None, quantum_deg: float,
    details: bool | None, style: LayerStyle | None = None,
) -> _Drawn:
    """Add one ClassLayer per (class, geometry family) of a layer."""
    if len(gdf) == 0:
        return _Drawn([], set(), np.empty(0, dtype=object), np.zeros(0, dtype=bool),
                      style or layer_style(name))
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    families = geometry_families(geoms)
    tolerance = simplify_deg if simplify_deg is not None else (
        SIMPLIFY_DEG if len(gdf) >= SIMPLIFY_MIN_FEATURES else None)
    present = families != ""
    display = np.empty(len(geoms), dtype=object)
    display[present] = display_geometries(geoms[present], simplify_deg=tolerance, gcj02=gcj)
    # simplification can empty a tiny polygon: leave it out of the display
    families = np.where(present & ~_is_empty(display), families, "")

    if style is None:
        style = layer_style(name, _SYMBOL_OF_FAMILY.get(_first(families), "polygon"))
    keys = _class_keys(gdf, style)
    lean = not details if details is not None else len(gdf) >= DETAILS_MAX_FEATURES
    spec = LAYER_SPECS.get(name)
    bounds = []
    classes: set[str] = set()
    for class_key in [*style.classes, OTHER_CLASS]:
        for family in ("polygon", "line", "point"):
            mask = (keys == class_key) & (families == family)
            if not mask.any():
                continue
            path_style = style.style_of(class_key)
            symbol = _SYMBOL_OF_FAMILY[family]
            attrs = _attributes(gdf, mask, spec, style, include_class=class_key == OTHER_CLASS,
                                lang=lang, lean=lean)
            packed = pack_features(display[mask], attrs, quantum_deg=quantum_deg)
            options = path_style.leaflet_options(symbol)
            options["className"] = f"geo-layer-{_css_token(name)} geo-class-{_css_token(class_key)}"
            meta = _meta(name, gdf, spec, style, class_key, attrs.columns, lang)
            if not path_style.interactive:
                meta["interactive"] = False
            ClassLayer(packed, layer=name, class_key=class_key, symbol=symbol, options=options,
                       meta=meta).add_to(group)
            bounds.append(packed.bounds)
            classes.add(class_key)
    return _Drawn(bounds, classes, display, families != "", style)


def _class_keys(gdf: gpd.GeoDataFrame, style: LayerStyle) -> np.ndarray:
    if style.column is None or style.column not in gdf.columns:
        return np.full(len(gdf), OTHER_CLASS, dtype=object)
    raw = gdf[style.column].astype("string").fillna("").to_numpy(dtype=object)
    known = np.isin(raw, list(style.classes))
    return np.where(known, raw, OTHER_CLASS)


def _attributes(gdf: gpd.GeoDataFrame, mask: np.ndarray, spec: LayerSpec | None,
                style: LayerStyle, *, include_class: bool, lang: str, lean: bool) -> pd.DataFrame:
    """The per-feature properties sent to the browser; ``id`` first."""
    cols = _property_columns(gdf, spec, style, include_class=include_class, lang=lang)
    if lean:
        area = next((k for k in _TOOLTIP_AREA_KEYS if k in cols), None)
        cols = [c for c in ("id", "name", "name_en", area) if c in cols]
    subset = gdf.loc[mask, [c for c in cols if c in gdf.columns]]
    out = pd.DataFrame(index=subset.index)
    out["id"] = (subset["id"] if "id" in subset.columns else subset.index.to_series()).astype(
        "string")
    for col in subset.columns:
        if col == "id":
            continue
        values = subset[col]
        if col.startswith(("area_mu", "area_ha")) or col == "declared_area_mu":
            out[col] = pd.to_numeric(values, errors="coerce").round(4)
        elif pd.api.types.is_datetime64_any_dtype(values):
            out[col] = values.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            out[col] = values
        else:
            out[col] = values.astype("string")
    return out.reset_index(drop=True)


def _property_columns(gdf: gpd.GeoDataFrame, spec: LayerSpec | None, style: LayerStyle, *,
                      include_class: bool, lang: str) -> list[str]:
    geometry = gdf.geometry.name
    if spec is None:
        cols = [c for c in gdf.columns if c != geometry and not c.startswith("area_m2")]
    else:
        cols = [c.name for c in spec.columns]
        cols += [key for key, _, _ in _AREA_FIELDS]
    drop = {geometry}
    if not include_class and style.column:
        drop.add(style.column)
    if lang == "zh":
        drop.add("name_en")
    return [c for c in dict.fromkeys(["id", *cols]) if c not in drop and c in gdf.columns]


def _meta(name: str, gdf: gpd.GeoDataFrame, spec: LayerSpec | None, style: LayerStyle,
          class_key: str, columns: pd.Index, lang: str) -> dict[str, object]:
    """What the tooltip and popup functions need: labels and field kinds, per class."""
    zh = lang == "zh"
    fields: list[dict[str, object]] = []
    area_labels = {key: (lz if zh else le) for key, lz, le in _AREA_FIELDS}
    for col in columns:
        if col == "name" or (col == "name_en" and not zh):
            continue
        field: dict[str, object] = {"key": col, "label": col, "kind": "text"}
        if col in area_labels:
            field.update(label=area_labels[col], kind="area")
        elif col in _VALUE_LABELS and spec is not None and col in spec.column_names:
            cspec = spec.column(col)
            field.update(label=cspec.zh if zh else cspec.en, kind="enum",
                         labels=_value_labels(gdf[col], _VALUE_LABELS[col], lang))
        elif spec is not None and col in spec.column_names:
            cspec = spec.column(col)
            field["label"] = cspec.zh if zh else cspec.en
            if isinstance(cspec.kind, type) and issubclass(cspec.kind, StrEnum):
                field.update(kind="enum", labels={m.value: m.label(lang)  # type: ignore[attr-defined]
                                                  for m in cspec.kind})
            elif col == "declared_area_mu":
                field["kind"] = "area"
            elif cspec.kind == "float":
                field["kind"] = "number"
        elif pd.api.types.is_float_dtype(gdf[col]):
            field["kind"] = "number"
        fields.append(field)
    area_key = next((k for k in _TOOLTIP_AREA_KEYS if k in columns), None)
    return {
        "layer": name,
        "layer_label": layer_label(name, lang),
        "class_label": style.label_of(class_key, lang) if style.classes else "",
        "title_keys": ["name"] if zh else ["name_en", "name"],
        "area": {"key": area_key, "unit": "亩" if zh else "mu"} if area_key else None,
        "fields": fields,
    }


def _value_labels(values: pd.Series, label: Callable[[object, str], str],
                  lang: str) -> dict[str, str]:
    """Label of each value present, keyed as JavaScript prints the value (1.0 → "1")."""
    labels = {}
    for value in pd.unique(values.dropna()):
        number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
        key = (str(int(number)) if pd.notna(number) and float(number).is_integer()
               else str(value))
        labels[key] = label(value, lang)
    return labels


def _add_selected(m: folium.Map, frames: Mapping[str, gpd.GeoDataFrame],
                  selected: tuple[str, str], *, gcj: bool, quantum_deg: float) -> None:
    layer, feature_id = selected
    gdf = frames.get(layer)
    if gdf is None or "id" not in gdf.columns:
        return
    mask = (gdf["id"].astype("string") == str(feature_id)).fillna(False).to_numpy(dtype=bool)
    if not mask.any():
        return
    geoms = display_geometries(np.asarray(gdf.geometry.array, dtype=object)[mask], gcj02=gcj)
    family = _first(geometry_families(geoms))
    if not family:
        return
    symbol = _SYMBOL_OF_FAMILY[family]
    highlight = PathStyle(SELECTED_HEX, SELECTED_HEX, weight=4.0, fill_opacity=0.0, radius=11.0)
    options = highlight.leaflet_options(symbol) | {"interactive": False, "fill": False,
                                                   "className": "geo-selected"}
    attrs = pd.DataFrame({"id": [str(feature_id)] * int(mask.sum())})
    packed = pack_features(geoms, attrs, quantum_deg=quantum_deg)
    group = folium.FeatureGroup(name="selected", control=False).add_to(m)
    ClassLayer(packed, layer=layer, class_key="selected", symbol=symbol, options=options,
               meta={"interactive": False}).add_to(group)


# --- legend and view ---------------------------------------------------------------------

def _legend_spec(names: list[str], lang: str, *,
                 styles: Mapping[str, LayerStyle] | None = None,
                 present: Mapping[str, set[str]] | None = None,
                 open_all: bool = False) -> dict[str, object]:
    """Legend sections in ``names`` order, with only the classes drawn (``present``).

    Only the parcel stages (else the first section) are open, or all with ``open_all``.
    A layer with nothing drawn has no section.
    """
    styles = styles or {}
    if present is not None:
        names = [n for n in names if present.get(n)]
    opened = "parcels" if "parcels" in names else (names[0] if names else None)
    sections = []
    for name in names:
        style = styles.get(name) or layer_style(name)
        classes = [*style.classes.items(), (OTHER_CLASS, style.other)]
        if present is not None:
            classes = [(k, s) for k, s in classes if k in present[name]]
        elif style.classes:
            classes = classes[:-1]
        entries = [
            {
                "label": (style.label_of(key, lang) if style.classes
                          else layer_label(name, lang)),
                "hex": s.hex,
                "css": swatch_css(s, style.symbol),
            }
            for key, s in classes
        ]
        sections.append({"layer": name, "title": layer_label(name, lang),
                         "symbol": style.symbol, "entries": entries,
                         "open": open_all or name == opened})
    zh = lang == "zh"
    return {
        "title": "图例" if zh else "Legend",
        "toggle_hint": "点击折叠/展开图例" if zh else "Click to fold or unfold the legend",
        "section_hint": "点击展开/收起" if zh else "Click to open or close",
        "sections": sections,
    }


def _checked_bounds(b: tuple[float, float, float, float]
                    ) -> tuple[float, float, float, float] | None:
    """``(minx, miny, maxx, maxy)`` as floats if finite and ordered, else ``None``."""
    try:
        minx, miny, maxx, maxy = (float(v) for v in b)
    except (TypeError, ValueError) as exc:
        raise InputError(f"Bounds {b!r} are not (minx, miny, maxx, maxy) numbers.") from exc
    if not np.isfinite([minx, miny, maxx, maxy]).all() or minx > maxx or miny > maxy:
        return None
    return minx, miny, maxx, maxy


def _display_bounds(b: tuple[float, float, float, float], gcj: bool
                    ) -> tuple[float, float, float, float]:
    if not gcj:
        return b
    x0, y0 = wgs84_to_gcj02(b[0], b[1])
    x1, y1 = wgs84_to_gcj02(b[2], b[3])
    return x0, y0, x1, y1


def _tools_spec(lang: str, label_px: float, background: str) -> dict[str, object]:
    """Options and words of the map's tools (labels, full screen, offline notice)."""
    zh = lang == "zh"
    return {
        "label_px": label_px,
        "background": background,
        "fullscreen": "全屏显示" if zh else "Full screen",
        "exit_fullscreen": "退出全屏" if zh else "Exit full screen",
        "offline": ("底图无法加载（离线）：已改为无底图显示。连网后可重新选择在线底图。" if zh
                    else "Basemap could not be loaded (offline): showing no basemap. "
                         "Choose the online basemap again when connected."),
        "dismiss": "关闭" if zh else "Close",
    }


def _set_view(m: folium.Map, bounds: list[tuple[float, float, float, float]], *,
              center: tuple[float, float] | None, zoom: int | None, gcj: bool,
              padding_px: int = 16) -> None:
    if center is not None:
        lat, lon = float(center[0]), float(center[1])
        if gcj:
            lon, lat = wgs84_to_gcj02(lon, lat)
        m.location = [lat, lon]
        m.options["zoom"] = zoom or 15
        return
    if not bounds:
        return
    b = np.array(bounds)
    minx, miny, maxx, maxy = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    m.location = [float((miny + maxy) / 2), float((minx + maxx) / 2)]
    if zoom is not None:
        m.options["zoom"] = zoom
        return
    m.fit_bounds([[float(miny), float(minx)], [float(maxy), float(maxx)]],
                 padding=(padding_px, padding_px))


# --- helpers -------------------------------------------------------------------------------

def _is_empty(geoms: np.ndarray) -> np.ndarray:
    return np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms), dtype=bool)


def _first(values: np.ndarray) -> str:
    nonempty = values[values != ""]
    return str(nonempty[0]) if len(nonempty) else ""


def _css_token(value: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in value)


def _restore(element: object, attr: str, value: object) -> None:
    if value is None:
        element.__dict__.pop(attr, None)
    else:
        setattr(element, attr, value)

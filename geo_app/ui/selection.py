"""Map clicks back to features, and the details of a feature for the side panel."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_app.analysis.crs import PlaneCRS
from geo_app.domain.layers import get_spec
from geo_app.ui.i18n import Lang, t
from geo_app.ui.models import Selection
from geo_app.ui.tables import column_header, label_value, layer_label

#: Point and line layers are hit within a tolerance, nearest first.
POINT_LAYERS = ("projects", "facilities")
LINE_LAYERS = ("roads",)
#: Polygon layers, most specific first: a parcel lies inside a park.
POLYGON_LAYERS = ("parcels", "villages", "sites", "parks")
#: Rows of the areas table of :class:`FeatureDetails`, as keys of ``unit.*`` texts.
AREA_UNITS: tuple[str, ...] = ("m2", "mu", "ha")
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON_EQ = 111_320.0


def click_tolerance_m(zoom: float | None, lat: float, *, pixels: float = 10.0) -> float:
    """Ground distance of ``pixels`` screen pixels at a Web Mercator zoom and latitude."""
    z = 13 if zoom is None else zoom
    return pixels * 156_543.03 * math.cos(math.radians(lat)) / 2**z


def _distance_m(geoms: np.ndarray, lat: float, lon: float) -> np.ndarray:
    """Approximate ground distance from (lat, lon) to each geometry, in metres (local scale)."""
    kx = _M_PER_DEG_LON_EQ * math.cos(math.radians(lat))
    scaled = shapely.transform(geoms, lambda xy: np.column_stack(
        ((xy[:, 0] - lon) * kx, (xy[:, 1] - lat) * _M_PER_DEG_LAT)))
    return shapely.distance(scaled, shapely.Point(0.0, 0.0))


def feature_at(
    layers: dict[str, gpd.GeoDataFrame], lat: float, lon: float, *, tolerance_m: float = 30.0
) -> Selection | None:
    """The feature a click at (lat, lon) in true coordinates lands on, or ``None``.

    Points and lines within ``tolerance_m`` win (nearest first), then the smallest
    polygon containing the click, parcels before villages, sites and parks.
    """
    best: tuple[float, str, str] | None = None
    for layer in (*POINT_LAYERS, *LINE_LAYERS):
        gdf = layers.get(layer)
        if gdf is None or gdf.empty:
            continue
        dist = _distance_m(gdf.geometry.to_numpy(), lat, lon)
        pos = int(np.argmin(dist))
        if dist[pos] <= tolerance_m and (best is None or dist[pos] < best[0]):
            best = (float(dist[pos]), layer, str(gdf["id"].iloc[pos]))
    if best is not None:
        return Selection(best[1], best[2])
    for layer in POLYGON_LAYERS:
        gdf = layers.get(layer)
        if gdf is None or gdf.empty:
            continue
        inside = shapely.contains_xy(gdf.geometry.to_numpy(), lon, lat)
        if inside.any():
            hits = gdf[inside]
            areas = (hits["area_m2_plane"].to_numpy() if "area_m2_plane" in hits.columns
                     else shapely.area(hits.geometry.to_numpy()))
            return Selection(layer, str(hits["id"].iloc[int(np.argmin(areas))]))
    return None


def selection_of_feature(feature: object) -> Selection | None:
    """The selection named by a clicked GeoJSON feature's ``layer`` and ``id`` properties."""
    if not isinstance(feature, dict):
        return None
    props = feature.get("properties")
    if not isinstance(props, dict) or not props.get("layer") or props.get("id") is None:
        return None
    return Selection(str(props["layer"]), str(props["id"]))


@dataclass(frozen=True)
class FeatureDetails:
    title: str
    layer_label: str
    fields: list[tuple[str, str]]
    areas: pd.DataFrame | None  # rows AREA_UNITS (m², mu, ha); columns plane, ellipsoidal
    area_note: str = ""


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def feature_details(
    layers: dict[str, gpd.GeoDataFrame],
    selection: Selection,
    *,
    lang: str = Lang.ZH,
    plane: PlaneCRS | None = None,
) -> FeatureDetails | None:
    """What the side panel shows about a feature: attributes with labels, and its areas."""
    gdf = layers.get(selection.layer)
    if gdf is None or "id" not in gdf.columns:
        return None
    rows = gdf[gdf["id"].astype(str).to_numpy() == selection.feature_id]
    if rows.empty:
        return None
    row = rows.iloc[0]
    spec = get_spec(selection.layer)
    name = _text(row.get("name", selection.feature_id))
    if lang == Lang.EN and isinstance(row.get("name_en"), str):
        title = f"{row['name_en']} ({name})"
    else:
        title = name
    skip = {"name", "name_en", gdf.geometry.name}
    columns = [c for c in (spec.column_names if spec else gdf.columns) if c in gdf.columns]
    fields = [(column_header(spec, c, lang), _text(label_value(spec, c, row[c], lang)))
              for c in columns if c not in skip and not c.startswith("area_")]
    areas = None
    if "area_m2_plane" in gdf.columns:
        areas = pd.DataFrame(
            {
                t("details.plane", lang): [
                    row["area_m2_plane"], row["area_mu_plane"], row["area_ha_plane"]],
                t("details.ellipsoidal", lang): [
                    row["area_m2_ellipsoidal"], row["area_mu_ellipsoidal"],
                    row["area_ha_ellipsoidal"]],
            },
            index=[t(f"unit.{unit}", lang) for unit in AREA_UNITS],
        )
    crs = plane.name if plane else "GK"
    note = t("details.area_note", lang, crs=crs) if areas is not None else ""
    return FeatureDetails(title, layer_label(selection.layer, lang), fields, areas, note)

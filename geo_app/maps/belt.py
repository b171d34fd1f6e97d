"""The 2 km belt either side of the tourism loop road, as a layer the map can draw.

The belt is buffered in the GK plane of the analysis (metres, never degrees), then
brought back to CGCS2000 lon/lat for the map. The villages it reaches are those of
:func:`geo_app.analysis.dashboard.loop_belt_villages` (the dashboard's table), drawn as
thick outlines over their own colours: the map and the table cannot disagree.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from geo_app.analysis.crs import PlaneCRS, choose_plane_crs
from geo_app.analysis.dashboard import loop_belt_villages
from geo_app.domain.categories import RoadKind
from geo_app.domain.targets import LOOP_BELT_M
from geo_app.errors import InputError
from geo_app.maps.style import BELT_LAYER, LAYER_STYLES, LayerStyle

GEOGRAPHIC_EPSG = 4490
#: Segments per quarter circle of the buffer's round ends (≈ 0.2 % short of the true
#: circle at 2 km: a few metres, far below what the map shows).
BUFFER_QUAD_SEGS = 16


def loop_belt(roads: gpd.GeoDataFrame, *, distance_m: float = LOOP_BELT_M,
              plane: PlaneCRS | None = None) -> shapely.Geometry:
    """The area within ``distance_m`` of the tourism loop road, in EPSG:4490 lon/lat."""
    if "kind" not in roads.columns:
        raise InputError("The roads layer has no 'kind' column, so the loop road cannot be "
                         "found; add it (kind 'tourism_loop').")
    loop = roads[(roads["kind"] == RoadKind.TOURISM_LOOP.value).to_numpy(dtype=bool)]
    if loop.empty:
        raise InputError("The roads layer has no tourism loop road (kind 'tourism_loop'); "
                         "add it to draw its belt.")
    if roads.crs is None:
        raise InputError("The roads layer has no CRS; set it (EPSG:4490) before drawing the "
                         "belt.")
    plane = plane or choose_plane_crs(loop)
    merged = shapely.union_all(loop.geometry.to_crs(plane.epsg).to_numpy())
    buffered = shapely.buffer(merged, distance_m, quad_segs=BUFFER_QUAD_SEGS)
    return gpd.GeoSeries([buffered], crs=plane.epsg).to_crs(GEOGRAPHIC_EPSG).iloc[0]


def belt_layer(villages: gpd.GeoDataFrame, roads: gpd.GeoDataFrame, *,
               distance_m: float = LOOP_BELT_M,
               plane: PlaneCRS | None = None) -> gpd.GeoDataFrame:
    """The belt (``kind`` ``belt``) and the villages it reaches (``kind`` ``village``).

    Columns ``id``, ``name``, ``name_en``, ``kind``, ``distance_m``; EPSG:4490. The
    villages are :func:`loop_belt_villages`'s, in its order (nearest first).
    """
    plane = plane or choose_plane_crs(roads)
    belt = loop_belt(roads, distance_m=distance_m, plane=plane)
    near = loop_belt_villages(villages, roads, distance_m=distance_m, plane=plane)
    geo = villages.to_crs(GEOGRAPHIC_EPSG)
    by_id = geo.set_index(geo["id"].astype(str)).geometry
    rows = pd.DataFrame({
        "id": ["belt", *near["id"].astype(str)],
        "name": ["环线两侧 2 公里范围", *near["name"].astype(str)],
        "name_en": ["Loop-road 2 km belt",
                    *(near["name_en"].astype(str) if "name_en" in near.columns
                      else near["name"].astype(str))],
        "kind": ["belt", *["village"] * len(near)],
        "distance_m": [0.0, *near["distance_m"].astype(float)],
    })
    geoms = [belt, *by_id.loc[near["id"].astype(str)].to_numpy()]
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=GEOGRAPHIC_EPSG)


def belt_style(village_count: int, distance_m: float = LOOP_BELT_M) -> LayerStyle:
    """The belt's style with the distance and the number of villages in the legend."""
    base = LAYER_STYLES[BELT_LAYER]
    km = f"{distance_m / 1000:g}"
    labels = {
        "belt": (f"环线两侧 {km} 公里范围", f"{km} km either side of the loop road"),
        "village": (f"范围内村庄（{village_count} 个）",
                    f"Villages within the belt ({village_count})"),
    }
    return LayerStyle(base.layer, base.symbol, base.column, base.classes, labels, base.other)

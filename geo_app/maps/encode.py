"""Display copies of geometry and their compact, vectorised encoding for the browser.

Nothing here touches the caller's GeoDataFrame: every function returns new arrays.

The encoding ("packed features") keeps the browser's work to one pass and the payload
small. Coordinates are quantised to ``quantum_deg`` (1e-6° ≈ 0.1 m by default),
delta-encoded as integers along the flat coordinate array that
:func:`shapely.to_ragged_array` returns (polygon rings without their closing vertex),
and the ragged offsets are sent as counts. Attribute rows travel as arrays with the
column names sent once. The runtime (``runtime.js``, ``geoApp.features``) builds one
Leaflet layer per feature with a GeoJSON ``feature`` attached, so ``toGeoJSON()`` and
streamlit-folium's click data (``last_active_drawing``) are ordinary GeoJSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo_app.errors import InputError
from geo_app.maps.gcj02 import shift_to_gcj02
from geo_app.textsafe import escape_script_json, script_json

#: Default coordinate step: 1e-6° is 0.11 m north-south, below a pixel at zoom 19.
QUANTUM_DEG = 1e-6
#: Display simplification tolerance for big layers: 1e-5° ≈ 1 m.
SIMPLIFY_DEG = 1e-5

GeometryArray = npt.NDArray[np.object_]

#: Geometry family by shapely type id (Point, LineString, LinearRing, Polygon,
#: MultiPoint, MultiLineString, MultiPolygon, GeometryCollection).
_FAMILY_BY_TYPE_ID = np.array(["point", "line", "line", "polygon", "point", "line", "polygon", ""])
_COLLECTION_ID = 7


def display_geometries(
    geoms: GeometryArray, *, simplify_deg: float | None = None, gcj02: bool = False
) -> GeometryArray:
    """New geometries for drawing: optionally simplified, optionally shifted to GCJ-02."""
    out = np.asarray(geoms, dtype=object)
    if simplify_deg:
        # Douglas-Peucker without topology checks is 4-5x faster; a feature it would
        # collapse keeps its original shape so that nothing disappears from the map.
        simplified = shapely.simplify(out, simplify_deg, preserve_topology=False)
        out = np.where(shapely.is_empty(simplified) & ~shapely.is_empty(out), out, simplified)
    if gcj02:
        out = shift_to_gcj02(out)
    return out


def geometry_families(geoms: GeometryArray) -> npt.NDArray[np.str_]:
    """``point`` / ``line`` / ``polygon`` per geometry; ``""`` for missing or empty."""
    type_ids = np.asarray(shapely.get_type_id(geoms))
    valid = (type_ids >= 0) & ~shapely.is_empty(geoms)
    if np.any(valid & (type_ids == _COLLECTION_ID)):
        raise InputError(
            "A layer contains a GeometryCollection, which the map cannot draw. "
            "Split it into points, lines and polygons (e.g. GeoDataFrame.explode) first."
        )
    return np.where(valid, _FAMILY_BY_TYPE_ID[np.clip(type_ids, 0, _COLLECTION_ID)], "")


@dataclass(frozen=True)
class PackedFeatures:
    """One layer's features in the compact form; :meth:`to_json` is the payload."""

    geometry_type: str
    n_features: int
    origin: tuple[float, float]
    quantum_deg: float
    deltas: npt.NDArray[np.int64]
    counts: tuple[npt.NDArray[np.int64], ...]
    columns: tuple[str, ...]
    rows_json: str
    bounds: tuple[float, float, float, float]

    def to_json(self) -> str:
        parts = [
            '{"t":', json.dumps(self.geometry_type),
            ',"o":', json.dumps(list(self.origin)),
            ',"q":', repr(self.quantum_deg),
            ',"c":', _int_array_json(self.deltas),
            ',"n":[', ",".join(_int_array_json(c) for c in self.counts), "]",
            ',"k":', script_json(list(self.columns)),
            ',"v":', escape_script_json(self.rows_json),
            "}",
        ]
        # placed inside an inline <script>: no raw "<", ">", "&", U+2028/9 (textsafe)
        return "".join(parts)


def pack_features(
    geoms: GeometryArray, attributes: pd.DataFrame, *, quantum_deg: float = QUANTUM_DEG
) -> PackedFeatures:
    """Pack geometries of one family with their attribute rows (same length, same order).

    Polygons and MultiPolygons may be mixed (sent as MultiPolygon), likewise lines and
    points. Missing or empty geometries must be removed by the caller.
    """
    if len(geoms) != len(attributes):
        raise ValueError("geometries and attributes differ in length")
    if len(geoms) == 0:
        raise ValueError("nothing to pack")
    geom_type, coords, offsets = shapely.to_ragged_array(np.asarray(geoms, dtype=object))
    xy = np.asarray(coords[:, :2], dtype=float)
    counts = [np.diff(np.asarray(o, dtype=np.int64)) for o in offsets]
    if geom_type.name in ("POLYGON", "MULTIPOLYGON"):
        # a ring's closing vertex repeats its first: Leaflet closes rings itself
        keep = np.ones(len(xy), dtype=bool)
        keep[np.asarray(offsets[0][1:], dtype=np.int64) - 1] = False
        xy = xy[keep]
        counts[0] = counts[0] - 1
    minx, miny = float(xy[:, 0].min()), float(xy[:, 1].min())
    maxx, maxy = float(xy[:, 0].max()), float(xy[:, 1].max())
    origin = (round(minx, 3), round(miny, 3))
    steps = np.rint((xy - np.array(origin)) / quantum_deg).astype(np.int64)
    deltas = np.diff(steps, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()
    rows_json = attributes.to_json(orient="values", force_ascii=False, double_precision=6,
                                   date_format="iso")
    return PackedFeatures(
        geometry_type=_GEOJSON_TYPE[geom_type.name],
        n_features=len(geoms),
        origin=origin,
        quantum_deg=quantum_deg,
        deltas=deltas,
        counts=tuple(counts),
        columns=tuple(str(c) for c in attributes.columns),
        rows_json=rows_json,
        bounds=(minx, miny, maxx, maxy),
    )


_GEOJSON_TYPE = {
    "POINT": "Point", "LINESTRING": "LineString", "POLYGON": "Polygon",
    "MULTIPOINT": "MultiPoint", "MULTILINESTRING": "MultiLineString",
    "MULTIPOLYGON": "MultiPolygon",
}


def _int_array_json(values: npt.NDArray[np.int64]) -> str:
    return pd.Series(values, dtype=np.int64).to_json(orient="values")

"""Write a layer as KML 2.2: names in ``<name>``, attributes in ``<ExtendedData>``, lon/lat.

Written with :mod:`xml.etree.ElementTree`, so every text is escaped (``<``, ``&``, quotes);
characters XML cannot hold at all are replaced by U+FFFD. Attributes use a ``<Schema>`` and
``<SchemaData>``/``<SimpleData>``, which GDAL (KML and LIBKML drivers), Google Earth and
奥维 read as fields. Polygon exteriors are written counter-clockwise, holes clockwise.
"""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import (
    GeometryCollection,
    LinearRing,
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from geo_app.io._export_frame import attribute_columns, clean_text, is_missing

KML_NS = "http://www.opengis.net/kml/2.2"


def _text(value: object) -> str:
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.bool_ | bool):
        return "true" if bool(value) else "false"
    if isinstance(value, np.integer):
        return str(int(value))
    if isinstance(value, np.floating | float):
        return repr(float(value))
    return clean_text(str(value))


def _field_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "double"
    return "string"


def _coordinates(coords: Iterable[tuple[float, ...]]) -> str:
    return " ".join(",".join(f"{v:.9f}".rstrip("0").rstrip(".") for v in xy) for xy in coords)


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def _ring(parent: ET.Element, boundary: str, ring: LinearRing) -> None:
    linear = _sub(_sub(parent, boundary), "LinearRing")
    _sub(linear, "coordinates", _coordinates(ring.coords))


def _geometry(parent: ET.Element, geom: BaseGeometry) -> None:
    if isinstance(geom, Point):
        _sub(_sub(parent, "Point"), "coordinates", _coordinates(geom.coords))
    elif isinstance(geom, LineString):
        _sub(_sub(parent, "LineString"), "coordinates", _coordinates(geom.coords))
    elif isinstance(geom, Polygon):
        polygon = _sub(parent, "Polygon")
        oriented = orient(geom, sign=1.0)
        _ring(polygon, "outerBoundaryIs", oriented.exterior)
        for hole in oriented.interiors:
            _ring(polygon, "innerBoundaryIs", hole)
    elif isinstance(geom, MultiPoint | MultiLineString | MultiPolygon | GeometryCollection):
        multi = _sub(parent, "MultiGeometry")
        for part in geom.geoms:
            if not part.is_empty:
                _geometry(multi, part)
    else:  # pragma: no cover - shapely has no other geometry types
        raise TypeError(f"cannot write {geom.geom_type} as KML")


def kml_bytes(gdf: gpd.GeoDataFrame, *, layer_name: str, name_column: str | None = None) -> bytes:
    """The features as a KML document (UTF-8 bytes).

    Parameters
    ----------
    gdf
        Features in longitude/latitude (WGS 84 / CGCS2000); the caller reprojects.
    layer_name
        The document's and folder's name, and the schema id.
    name_column
        The column shown as each placemark's ``<name>``; every column, this one included,
        is also written to ``<ExtendedData>``.
    """
    root = ET.Element("kml", xmlns=KML_NS)
    document = _sub(root, "Document")
    title = clean_text(layer_name)
    _sub(document, "name", title)
    schema_id = "schema_" + "".join(c if c.isalnum() else "_" for c in layer_name)
    columns = attribute_columns(gdf)
    schema = _sub(document, "Schema")
    schema.set("name", title)
    schema.set("id", schema_id)
    for column in columns:
        field = _sub(schema, "SimpleField")
        field.set("name", clean_text(column))
        field.set("type", _field_type(gdf[column]))
    folder = _sub(document, "Folder")
    _sub(folder, "name", title)
    values = {c: gdf[c].tolist() for c in columns}
    for i, geom in enumerate(gdf.geometry):
        placemark = _sub(folder, "Placemark")
        if name_column is not None and not is_missing(values[name_column][i]):
            _sub(placemark, "name", _text(values[name_column][i]))
        data = _sub(_sub(placemark, "ExtendedData"), "SchemaData")
        data.set("schemaUrl", f"#{schema_id}")
        for column in columns:
            value = values[column][i]
            if not is_missing(value):
                simple = _sub(data, "SimpleData", _text(value))
                simple.set("name", clean_text(column))
        if geom is not None and not geom.is_empty:
            _geometry(placemark, geom)
    buffer = io.BytesIO()
    ET.ElementTree(root).write(buffer, encoding="utf-8", xml_declaration=True)
    return buffer.getvalue()

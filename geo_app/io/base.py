"""What every reader returns: the features, and how the file was read (said aloud).

A reader never guesses silently: the encoding it used and why, the CRS it found in the
file (``.prj``, GeoJSON ``crs``, the boundary-TXT header) and why, and anything odd
about the file as a whole go into the :class:`ReadResult` so the CLI, the import
report and the app can show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import geopandas as gpd


class FileFormat(StrEnum):
    """Formats geo_app reads (and, for most, writes)."""

    SHAPEFILE = "shapefile"
    GEOPACKAGE = "geopackage"
    GEOJSON = "geojson"
    FLATGEOBUF = "flatgeobuf"
    CSV = "csv"
    KML = "kml"
    DXF = "dxf"
    BOUNDARY_TXT = "boundary-txt"
    OTHER = "other"  # anything else GDAL reads


@dataclass
class ReadResult:
    """Features read from a file, with what was decided while reading it.

    Attributes
    ----------
    gdf
        The features. ``gdf.crs`` is the CRS the *file declares* (``None`` when it declares
        none: the CRS is then inferred by :mod:`geo_app.analysis.crs`, never here).
    format
        The file format.
    source
        The file name the user gave (for messages and provenance), not a temporary path.
    encoding, encoding_reason
        The text encoding used for attributes and why (``.cpg``, DBF code page, detected
        from the bytes, given with ``--encoding``); ``None`` for formats that fix it.
    crs_reason
        Where ``gdf.crs`` came from (``"the .prj file"``, ``"the header: 坐标系=…, 带号=38"``).
    notes
        File-level remarks the user must see (header zone disagrees with the eastings,
        a 1980 Xi'an datum, a GCJ-02 hint for Amap-style KML, rows skipped, …).
    declared_area_m2_column
        Name of a column holding an area declared by the file, converted to m², if any
        (the boundary TXT's 地块面积 in hectares), to compare with the computed area.
    metadata
        Key=value pairs the file declares about itself as a whole (the boundary TXT's
        ``[属性描述]`` header: 坐标系, 带号, 数据产生单位…), as written; empty if none.
    extra_sections
        Text of sections the reader does not interpret (the boundary TXT's ``[项目信息]``,
        ``[扩展信息]``…), by section name, kept so they can be shown or written back.
    """

    gdf: gpd.GeoDataFrame
    format: FileFormat
    source: str
    encoding: str | None = None
    encoding_reason: str | None = None
    crs_reason: str | None = None
    notes: list[str] = field(default_factory=list)
    declared_area_m2_column: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    extra_sections: dict[str, str] = field(default_factory=dict)

"""Read any vector file pyogrio (GDAL) reads, with clear messages for user mistakes."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from geo_app.errors import InputError


def read_vector(path: Path | str, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read one layer of a vector file; raise :class:`InputError` with what to do."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"No file at {path}. Check the path.")
    try:
        layers = [str(n) for n, _ in pyogrio.list_layers(path)]
    except DataSourceError:
        raise InputError(
            f"{path} is not a vector file GDAL can read. Give a GeoPackage, Shapefile, "
            "GeoJSON, KML or another OGR format."
        ) from None
    if layer is not None and layer not in layers:
        raise InputError(f"{path} has no layer '{layer}'. Its layers: {', '.join(layers)}.")
    if layer is None and len(layers) > 1:
        raise InputError(
            f"{path} holds {len(layers)} layers ({', '.join(layers)}); pick one with --layer."
        )
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer)
    except (DataSourceError, DataLayerError) as exc:
        raise InputError(f"Cannot read {path}: {exc}") from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.isna().all():
        raise InputError(f"{path} has no geometries to measure.")
    return gdf

"""What the analyses read from a GeoPackage, and no more.

:meth:`~geo_app.storage.gpkg.GeoPackageStore.read_layer` reads and checks every column;
progress needs a parcel's id, phase (and stage) and geometry. On 100k parcels reading the
rest and checking it is two thirds of the time of ``geo-app progress --as-of``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import geopandas as gpd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from geo_app.domain.layers import get_spec
from geo_app.domain.validate import validate_layer
from geo_app.storage._gpkg_sql import file_lock
from geo_app.storage.gpkg import GeoPackageStore


def read_layer_columns(store: GeoPackageStore, name: str, columns: Sequence[str]
                       ) -> gpd.GeoDataFrame:
    """Layer ``name`` with only ``columns`` and the geometry, typed and checked as
    :meth:`~geo_app.storage.gpkg.GeoPackageStore.read_layer` types and checks them (the
    layer's spec narrowed to these columns).

    Anything unexpected (no such layer, a column missing, the file unreadable) is left to
    ``read_layer`` itself, so the user gets its one message.
    """
    spec = get_spec(name)
    if spec is None or any(c not in spec.column_names for c in columns):
        return store.read_layer(name)
    try:
        with file_lock(store.path):
            gdf = pyogrio.read_dataframe(store.path, layer=name, columns=list(columns))
    except (DataLayerError, DataSourceError, ValueError):
        return store.read_layer(name)
    if any(c not in gdf.columns for c in columns):
        return store.read_layer(name)
    wanted = set(columns) | {spec.id_column}
    narrow = dataclasses.replace(
        spec, columns=tuple(c for c in spec.columns if c.name in wanted))
    return validate_layer(gdf, narrow)

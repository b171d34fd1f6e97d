"""Checks every store makes before it replaces a layer, so both backends refuse the same."""

from __future__ import annotations

import re

import geopandas as gpd

from geo_app.domain.layers import get_spec
from geo_app.domain.validate import validate_layer
from geo_app.errors import CRSError, InputError
from geo_app.storage.base import EVENTS_TABLE, RESERVED_TABLES

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def check_layer_name(name: str) -> str:
    """``name`` if it is a plain identifier usable as a table name in both stores."""
    if not _NAME_RE.match(name or ""):
        raise InputError(
            f"'{name}' cannot be a layer name: use letters, digits and _ (not first), "
            "at most 63 characters."
        )
    return name


def prepare_layer_write(name: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Validate a layer about to be written; return it without any ``fid`` column."""
    check_layer_name(name)
    if name.lower() == EVENTS_TABLE:
        raise InputError("The stage-event log is append-only; record stage changes instead.")
    if name.lower() in RESERVED_TABLES:  # all lower case
        raise InputError("The provenance ledger is append-only; it is written by imports.")
    spec = get_spec(name)
    data = validate_layer(gdf, spec) if spec else gdf
    if data.crs is None:
        raise CRSError(f"Layer '{name}' has no CRS. Set it (e.g. EPSG:4490) before saving.")
    return data[[c for c in data.columns if c.lower() != "fid"]]

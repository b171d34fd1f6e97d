"""The store interface every backend (GeoPackage, PostGIS) implements the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import geopandas as gpd
import pandas as pd

#: The non-spatial table holding the append-only stage-change log.
EVENTS_TABLE = "stage_events"

EVENT_COLUMNS = (
    "event_id",
    "parcel_id",
    "from_stage",
    "to_stage",
    "effective_date",
    "officer",
    "note",
    "evidence",
    "recorded_at",
    "is_correction",
)


@dataclass(frozen=True)
class LayerInfo:
    name: str
    geometry_type: str | None
    feature_count: int
    crs: str | None


@runtime_checkable
class LayerStore(Protocol):
    """Where layers live. Reads return validated GeoDataFrames; writes are transactions."""

    @property
    def location(self) -> str: ...

    def list_layers(self) -> list[LayerInfo]: ...

    def read_layer(self, name: str) -> gpd.GeoDataFrame: ...

    def write_layer(self, name: str, gdf: gpd.GeoDataFrame) -> None: ...

    def read_events(self) -> pd.DataFrame: ...

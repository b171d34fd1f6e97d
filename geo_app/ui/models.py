"""Small value types the pages pass around (no streamlit here)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MapView:
    """Where the map looks: centre (lat, lon) in displayed coordinates, and zoom (the map
    zooms in quarter steps, so a zoom may be fractional)."""

    center: tuple[float, float]
    zoom: float


@dataclass(frozen=True)
class Selection:
    """A clicked or searched feature: its layer and id."""

    layer: str
    feature_id: str

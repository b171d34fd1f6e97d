"""geo_app: geospatial planning for Suizhou High-tech Zone (随州高新区)."""

from __future__ import annotations

__version__ = "0.1.0"

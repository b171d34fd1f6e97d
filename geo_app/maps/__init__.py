"""Folium maps of the zone: styles and legends, builders, offline assets, GCJ-02 shift."""

from __future__ import annotations

from geo_app.maps.assets import ensure_assets, localize_assets, vendor_dir
from geo_app.maps.build import build_zone_map, export_map_html, to_true_coords
from geo_app.maps.style import LAYER_STYLES, Basemap, layer_label, legend_entries

__all__ = [
    "LAYER_STYLES",
    "Basemap",
    "build_zone_map",
    "ensure_assets",
    "export_map_html",
    "layer_label",
    "legend_entries",
    "localize_assets",
    "to_true_coords",
    "vendor_dir",
]

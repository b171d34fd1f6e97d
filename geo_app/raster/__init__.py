"""Terrain use cases over a store: resolve its rasters, compute a layer's terrain table.

Like :mod:`geo_app.transfer`, this package joins storage and analysis; the CLI and the
Terrain page call these functions and nothing lower.
"""

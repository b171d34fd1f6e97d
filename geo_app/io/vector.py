"""Read a vector file as a GeoDataFrame (kept for existing callers; prefer ``read_any``)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from geo_app.io.read import read_any


def read_vector(
    path: Path | str, *, layer: str | None = None, encoding: str | None = None
) -> gpd.GeoDataFrame:
    """The features of any file :func:`geo_app.io.read.read_any` reads, without the reasons.

    Same formats, same :class:`~geo_app.errors.InputError` messages. Callers that show
    the user how the file was read (encoding, CRS source, notes) should call
    :func:`~geo_app.io.read.read_any` and use its :class:`~geo_app.io.base.ReadResult`.
    """
    return read_any(path, layer=layer, encoding=encoding).gdf

"""Fixtures of the terrain tests: synthetic GeoTIFFs written in any CRS."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import rasterio

WriteRaster = Callable[..., Path]


@pytest.fixture
def write_raster(tmp_path: Path) -> WriteRaster:
    """``write_raster(name, array, crs, transform, nodata=None)`` → a GeoTIFF path."""

    def write(name: str, array: np.ndarray, crs: str, transform: object,
              nodata: float | None = None) -> Path:
        path = tmp_path / name
        with rasterio.open(path, "w", driver="GTiff", width=array.shape[1],
                           height=array.shape[0], count=1, dtype=array.dtype, crs=crs,
                           transform=transform, nodata=nodata) as dst:
            dst.write(array, 1)
        return path

    return write

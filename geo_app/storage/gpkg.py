"""GeoPackage store: one embedded file, read and written with pyogrio (GDAL)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from geo_app.domain.layers import get_spec
from geo_app.domain.validate import validate_layer
from geo_app.errors import InputError, StoreError
from geo_app.storage.base import EVENT_COLUMNS, EVENTS_TABLE, LayerInfo


class GeoPackageStore:
    """Layers in one GeoPackage file; the stage-event log is a table in the same file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise StoreError(
                f"No GeoPackage at {self.path}. Check the path given with --store or "
                "GEO_APP_STORE, or unset it to use the workspace."
            )

    @property
    def location(self) -> str:
        return str(self.path)

    def _tables(self) -> list[tuple[str, str | None]]:
        try:
            return [(str(n), t) for n, t in pyogrio.list_layers(self.path)]
        except DataSourceError as exc:
            raise StoreError(f"{self.path} is not a readable GeoPackage ({exc}).") from None

    def list_layers(self) -> list[LayerInfo]:
        infos = []
        for name, geom_type in self._tables():
            if geom_type is None:
                continue
            meta = pyogrio.read_info(self.path, layer=name)
            crs = meta.get("crs")
            infos.append(LayerInfo(name, geom_type, int(meta["features"]), crs))
        return infos

    def read_layer(self, name: str) -> gpd.GeoDataFrame:
        spatial = [n for n, t in self._tables() if t is not None]
        if name not in spatial:
            raise InputError(
                f"No layer '{name}' in {self.path}. Layers here: {', '.join(spatial) or 'none'}."
            )
        try:
            gdf = pyogrio.read_dataframe(self.path, layer=name)
        except (DataLayerError, DataSourceError) as exc:
            raise StoreError(f"Cannot read layer '{name}' from {self.path}: {exc}") from None
        spec = get_spec(name)
        return validate_layer(gdf, spec) if spec else gdf

    def write_layer(self, name: str, gdf: gpd.GeoDataFrame) -> None:
        spec = get_spec(name)
        if spec:
            validate_layer(gdf, spec)
        pyogrio.write_dataframe(gdf, self.path, layer=name, driver="GPKG")

    def read_events(self) -> pd.DataFrame:
        if EVENTS_TABLE not in {n for n, _ in self._tables()}:
            return pd.DataFrame(columns=list(EVENT_COLUMNS))
        frame = pyogrio.read_dataframe(self.path, layer=EVENTS_TABLE, read_geometry=False)
        return pd.DataFrame(frame)

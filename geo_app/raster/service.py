"""One function per terrain use case: add a raster, list them, zonal figures, terrain table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from geo_app.analysis.suitability import Thresholds
from geo_app.analysis.terrain_classes import (
    DEFAULT_CLASSES,
    LandCoverClass,
    classes_from_dicts,
    read_classes,
)
from geo_app.analysis.terrain_report import TerrainTable, layer_terrain
from geo_app.analysis.zonal import RasterKind, Stat, ZonalResult, parse_stats, zonal
from geo_app.errors import InputError
from geo_app.storage.base import LayerStore
from geo_app.storage.rasters import (
    BUNDLED_CLASSES,
    RasterEntry,
    add_raster,
    default_raster,
    get_raster,
    list_rasters,
)


@dataclass(frozen=True)
class ResolvedRaster:
    """A raster ready to read: its file, kind (if known), classes and display name."""

    path: Path
    kind: RasterKind | None
    classes: tuple[LandCoverClass, ...]
    name: str


def entry_classes(entry: RasterEntry) -> tuple[LandCoverClass, ...]:
    """The classes of a land-cover raster: stored with it, the bundled file, or the default."""
    if entry.classes:
        return classes_from_dicts(list(entry.classes))  # type: ignore[arg-type]
    if entry.bundled and BUNDLED_CLASSES.is_file():
        return read_classes(BUNDLED_CLASSES)
    return DEFAULT_CLASSES


def register_raster(store: LayerStore, file: Path | str, *, kind: str, name: str | None = None,
                    classes_file: Path | str | None = None) -> RasterEntry:
    """``geo-app raster add``: check the classes file and the raster, then record it."""
    if kind not in {k.value for k in RasterKind}:
        raise InputError(f"--kind must be dem or landcover, not {kind!r}.")
    classes = read_classes(classes_file) if classes_file is not None else None
    if classes is not None and kind != RasterKind.LANDCOVER:
        raise InputError("--classes is for land-cover rasters, not a DEM.")
    return add_raster(store, file, kind=kind, name=name,
                      classes=[c.to_dict() for c in classes] if classes else None)


def resolve_raster(store: LayerStore, name_or_file: str, *,
                   classes_file: Path | str | None = None) -> ResolvedRaster:
    """A raster of the store by name, else a file; ``classes_file`` overrides the classes."""
    override = read_classes(classes_file) if classes_file is not None else None
    names = {e.name for e in list_rasters(store)}
    if name_or_file in names:
        entry = get_raster(store, name_or_file)
        classes = override or (entry_classes(entry) if entry.kind == RasterKind.LANDCOVER
                                else DEFAULT_CLASSES)
        return ResolvedRaster(entry.path, RasterKind(entry.kind), classes, entry.name)
    path = Path(name_or_file).expanduser()
    if not path.exists():
        raise InputError(f"{name_or_file!r} is neither a raster of the store "
                         f"({', '.join(sorted(names)) or 'none'}) nor a file. Check the name "
                         "or the path (`geo-app raster list`).")
    return ResolvedRaster(path, None, override or DEFAULT_CLASSES, path.name)


def store_rasters(store: LayerStore) -> dict[RasterKind, ResolvedRaster | None]:
    """The DEM and land cover a store uses by default (newest registered, else bundled)."""
    out: dict[RasterKind, ResolvedRaster | None] = {}
    for kind in RasterKind:
        entry = default_raster(store, kind.value)
        out[kind] = None if entry is None else ResolvedRaster(
            entry.path, kind, entry_classes(entry) if kind == RasterKind.LANDCOVER
            else DEFAULT_CLASSES, entry.name)
    return out


def layer_zonal(store: LayerStore, layer: str, raster: str, *,
                stats: str | Sequence[str] | None = None, kind: str | None = None,
                classes_file: Path | str | None = None) -> ZonalResult:
    """``geo-app zonal``: figures of one raster for every feature of a store layer."""
    resolved = resolve_raster(store, raster, classes_file=classes_file)
    kind_value = RasterKind(kind) if kind else resolved.kind
    asked: tuple[Stat, ...] = parse_stats(stats, kind_value)
    gdf = store.read_layer(layer)
    result = zonal(gdf, resolved.path, asked, classes=resolved.classes, what=f"layer '{layer}'")
    result.raster = resolved.name
    return result


def store_layer_terrain(store: LayerStore, layer: str, *, thresholds: Thresholds | None = None,
                        dem: str | None = None, landcover: str | None = None) -> TerrainTable:
    """``geo-app suitability`` and the Terrain page: a layer's terrain table."""
    defaults = store_rasters(store)
    dem_r = resolve_raster(store, dem) if dem else defaults[RasterKind.DEM]
    lc_r = resolve_raster(store, landcover) if landcover else defaults[RasterKind.LANDCOVER]
    gdf = store.read_layer(layer)
    return layer_terrain(gdf, dem=dem_r.path if dem_r else None,
                         landcover=lc_r.path if lc_r else None,
                         classes=lc_r.classes if lc_r else DEFAULT_CLASSES,
                         thresholds=thresholds, what=f"layer '{layer}'")

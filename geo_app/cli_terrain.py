"""``geo-app raster add|list``, ``geo-app zonal`` and ``geo-app suitability``: thin commands
over :mod:`geo_app.raster.service`."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer

from geo_app.analysis.suitability import default_thresholds
from geo_app.cli_support import JsonOpt, StoreOpt, cell, emit, note
from geo_app.raster.service import (
    layer_zonal,
    register_raster,
    store_layer_terrain,
)
from geo_app.secrets import mask_url
from geo_app.storage import open_store
from geo_app.storage.rasters import list_rasters

raster_app = typer.Typer(no_args_is_help=True,
                         help="DEM and land-cover rasters of the store (地形与土地覆盖).")

LayerOpt = Annotated[str, typer.Option("--layer", help="A polygon layer of the store.")]


def _num(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{value:.{digits}f}"


@raster_app.command("add")
def raster_add(
    file: Annotated[Path, typer.Argument(help="A GeoTIFF in any CRS.")],
    kind: Annotated[str, typer.Option("--kind", help="dem or landcover.")],
    classes: Annotated[Path | None, typer.Option(
        "--classes", help="Land-cover classes CSV: value,code,name_zh,name_en[,colour].")
    ] = None,
    name: Annotated[str | None, typer.Option(
        "--name", help="Name in the store (default: the file name).")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a DEM or land-cover raster (copied beside a GeoPackage; by path in PostGIS)."""
    entry = register_raster(open_store(store), file, kind=kind, name=name,
                            classes_file=classes)
    if as_json:
        emit(entry.to_dict())
        return
    typer.echo(f"added {cell(entry.name)} ({entry.kind}, {entry.crs}): {cell(entry.path)}")


@raster_app.command("list")
def raster_list(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """The store's rasters, then the bundled illustrative ones."""
    st = open_store(store)
    entries = list_rasters(st)
    if as_json:
        emit({"store": mask_url(st.location), "rasters": [e.to_dict() for e in entries]})
        return
    typer.echo(f"store: {cell(mask_url(st.location))}")
    for e in entries:
        tag = " (bundled, illustrative)" if e.bundled else ""
        typer.echo(f"  {cell(e.name):<20} {e.kind:<10} {e.crs:<12} {cell(e.path)}{tag}")


def zonal_cmd(
    raster: Annotated[str, typer.Argument(help="A raster of the store (name) or a file.")],
    layer: LayerOpt,
    stats: Annotated[str | None, typer.Option(
        "--stats", help="elevation,slope (DEM) or landcover; default: by the raster's kind.")
    ] = None,
    kind: Annotated[str | None, typer.Option(
        "--kind", help="dem or landcover, for a file not in the store.")] = None,
    classes: Annotated[Path | None, typer.Option(
        "--classes", help="Land-cover classes CSV (overrides the stored classes).")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Zonal statistics of a raster per feature (fractional cell coverage, exactextract)."""
    result = layer_zonal(open_store(store), layer, raster, stats=stats, kind=kind,
                         classes_file=classes)
    for text in result.notes:
        note(text)
    if as_json:
        emit(result.to_dict())
        return
    typer.echo(f"raster {cell(result.raster)} ({result.crs}), layer {cell(layer)}")
    keys = result.keys()
    for f in result.to_dict()["features"]:
        area = _num(f["area_mu_ellipsoidal"], 2)
        parts = [f"{cell(f['id']):<10} {cell(f['name']):<16} {area:>10} mu"]
        if "elev_mean" in keys:
            parts.append(f"elev {_num(f['elev_min'])}/{_num(f['elev_mean'])}/"
                         f"{_num(f['elev_max'])} m")
        if "slope_mean_deg" in keys:
            parts.append(f"slope {_num(f['slope_mean_deg'])}°/{_num(f['slope_max_deg'])}°")
        if "landcover_mu" in keys and f["landcover_mu"]:
            parts.append(" ".join(f"{cell(k)} {_num(v, 2)} mu ({_num(100 * s)}%)"
                                  for (k, v), s in zip(f["landcover_mu"].items(),
                                                       f["landcover_share"].values(),
                                                       strict=True) if s))
        typer.echo("  ".join(parts))


def suitability_cmd(
    layer: LayerOpt,
    max_slope: Annotated[float | None, typer.Option(
        "--max-slope", help="Flag mean slope above this, degrees (default 15).")] = None,
    min_elevation: Annotated[float | None, typer.Option(
        "--min-elevation", help="Flag lowest ground below this, metres (default 62).")] = None,
    max_cropland: Annotated[float | None, typer.Option(
        "--max-cropland", help="Flag a cropland share above this, 0–1 (default 0.3).")] = None,
    dem: Annotated[str | None, typer.Option(
        "--dem", help="DEM (store name or file; default: the store's, else the bundled).")
    ] = None,
    landcover: Annotated[str | None, typer.Option(
        "--landcover", help="Land-cover raster (store name or file).")] = None,
    lang: Annotated[str, typer.Option("--reason-lang", help="zh or en reasons.")] = "zh",
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Screen each feature: steep, low-lying (flood-prone), farmland; the reason said."""
    thresholds = default_thresholds().with_overrides(
        max_slope_deg=max_slope, min_elevation_m=min_elevation,
        max_cropland_share=max_cropland)
    table = store_layer_terrain(open_store(store), layer, thresholds=thresholds, dem=dem,
                                landcover=landcover)
    for text in table.notes:
        note(text)
    if as_json:
        emit(table.to_dict())
        return
    t = table.thresholds
    typer.echo(f"layer {cell(layer)}: slope > {t.max_slope_deg:g}°, lowest ground < "
               f"{t.min_elevation_m:g} m, cropland > {t.max_cropland_share:.0%}")
    reason = "reason_zh" if lang == "zh" else "reason_en"
    for f in table.to_dict()["features"]:
        typer.echo(f"  {cell(f['id']):<10} {cell(f['name']):<16} {f['suitability']:<8} "
                   f"{cell(f[reason])}")


def register(app: typer.Typer) -> None:
    """Add ``raster``, ``zonal`` and ``suitability`` to the ``geo-app`` command."""
    app.add_typer(raster_app, name="raster")
    app.command("zonal")(zonal_cmd)
    app.command("suitability")(suitability_cmd)

"""Terrain overlays for the folium maps: hillshade, elevation colour ramp, land cover.

Each raster is rendered once to a PNG (cached in memory by file, size and modification
time) and placed as a Leaflet ``ImageOverlay`` from a ``data:`` URI: no tile server, no
network, allowed by the pages' CSP (``img-src data:``). Rendering reads a decimated view
(the COG's overviews, at most ``max_px`` cells a side, so a DEM larger than memory renders),
warps it to Web Mercator (nearest neighbour for classes) so the image lines up with Leaflet's
own projection, and gives its bounds in WGS 84.

Overlays go in their own map pane (:data:`TERRAIN_PANE`, z-index 250) between the basemap
tiles (200) and the vector layers (400): the hillshade can be the background of an offline
map and never hides a parcel. Their legend is a small Leaflet control whose labels are set
as text (class names come from users' files).

For :func:`geo_app.maps.build.build_zone_map`'s ``overlays``: :func:`hillshade_overlay`,
:func:`elevation_overlay`, :func:`landcover_overlay` return ``(map, lang) -> None``.
"""

from __future__ import annotations

import base64
import io
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import folium
import numpy as np
from affine import Affine
from folium.template import Template
from PIL import Image
from pyproj import Transformer
from rasterio.enums import Resampling
from rasterio.warp import calculate_default_transform, reproject
from rasterio.windows import Window

from geo_app.analysis.terrain import (
    bounds_window,
    grid_cell_size_m,
    hillshade,
    open_raster,
    window_transform,
)
from geo_app.analysis.terrain_classes import DEFAULT_CLASSES, LandCoverClass
from geo_app.maps.elements import RawMacroElement
from geo_app.textsafe import script_json

TERRAIN_PANE = "geoAppTerrain"
TERRAIN_PANE_Z = 250
MAX_PX = 1024
#: Vertical exaggeration of the hillshade (display only; slopes are never exaggerated).
HILLSHADE_Z = 3.0
#: Hypsometric ramp: position 0–1 → colour (lowland green to upland brown, snow-white tops).
RAMP = ((0.0, (46, 125, 50)), (0.2, (139, 195, 74)), (0.4, (240, 228, 140)),
        (0.65, (205, 150, 80)), (0.85, (140, 90, 60)), (1.0, (245, 245, 240)))
MERCATOR = "EPSG:3857"


class OverlayKind(StrEnum):
    HILLSHADE = "hillshade"
    ELEVATION = "elevation"
    LANDCOVER = "landcover"


@dataclass(frozen=True)
class LegendEntry:
    colour: str
    label: str


@dataclass(frozen=True)
class RasterImage:
    """A rendered overlay: image bytes (``mime``), bounds ``((south, west), (north, east))``
    in WGS 84."""

    data: bytes
    bounds: tuple[tuple[float, float], tuple[float, float]]
    legend: tuple[LegendEntry, ...] = ()
    title: str = ""
    mime: str = "image/png"

    def data_uri(self) -> str:
        return f"data:{self.mime};base64," + base64.b64encode(self.data).decode("ascii")


# --- reading and warping -------------------------------------------------------------------


def _decimated(path: Path, max_px: int, resampling: Resampling,
               area: tuple[float, float, float, float] | None = None
               ) -> tuple[np.ndarray, Affine, str, float | None]:
    """Band 1 at most ``max_px`` a side (overviews when present), its transform and CRS.

    ``area`` (west, south, east, north in WGS 84) reads only the window covering it, so a
    province-wide DEM under a district map keeps its detail and is never read whole.
    """
    with open_raster(path) as src:
        window = Window(0, 0, src.width, src.height)
        if area is not None:
            window = _area_window(src, area)
        factor = max(1.0, max(window.width, window.height) / max_px)
        width = max(1, round(window.width / factor))
        height = max(1, round(window.height / factor))
        data = src.read(1, window=window, out_shape=(height, width), resampling=resampling,
                        masked=True)
        t = window_transform(src.transform, window)
        transform = Affine(t.a * window.width / width, t.b, t.c, t.d,
                           t.e * window.height / height, t.f)
        arr = np.ma.filled(data.astype(float), np.nan)
        return arr, transform, src.crs.to_wkt(), src.nodata


def _area_window(src: object, area: tuple[float, float, float, float]) -> Window:
    """The raster's cells covering a lon/lat box (whole raster if it covers none)."""
    west, south, east, north = area
    to_src = Transformer.from_crs("EPSG:4326", src.crs.to_wkt(), always_xy=True)  # type: ignore[attr-defined]
    lons = np.array([west, east, west, east, (west + east) / 2, (west + east) / 2])
    lats = np.array([south, south, north, north, south, north])
    xs, ys = to_src.transform(lons, lats)
    win = bounds_window(src.transform, (float(np.min(xs)), float(np.min(ys)),  # type: ignore[attr-defined]
                                        float(np.max(xs)), float(np.max(ys))))
    c0, r0 = max(int(win.col_off), 0), max(int(win.row_off), 0)
    c1 = min(int(win.col_off + win.width), src.width)  # type: ignore[attr-defined]
    r1 = min(int(win.row_off + win.height), src.height)  # type: ignore[attr-defined]
    if c1 <= c0 or r1 <= r0:
        return Window(0, 0, src.width, src.height)  # type: ignore[attr-defined]
    return Window(c0, r0, c1 - c0, r1 - r0)


def _to_mercator(arr: np.ndarray, transform: Affine, crs: str, resampling: Resampling
                 ) -> tuple[np.ndarray, tuple[tuple[float, float], tuple[float, float]]]:
    height, width = arr.shape
    left, top = transform.c, transform.f
    right, bottom = left + transform.a * width, top + transform.e * height
    with warnings.catch_warnings():  # rasterio 1.4 still multiplies Affines with ``*``
        warnings.filterwarnings("ignore", message="Use `@` matmul",
                                category=PendingDeprecationWarning)
        dst_t, dst_w, dst_h = calculate_default_transform(
            crs, MERCATOR, width, height, left=left, bottom=bottom, right=right, top=top)
        out = np.full((int(dst_h), int(dst_w)), np.nan)
        reproject(arr, out, src_transform=transform, src_crs=crs, dst_transform=dst_t,
                  dst_crs=MERCATOR, resampling=resampling, src_nodata=np.nan,
                  dst_nodata=np.nan)
    to_ll = Transformer.from_crs(MERCATOR, "EPSG:4326", always_xy=True)
    x0, y0 = dst_t.c, dst_t.f
    x1, y1 = x0 + dst_t.a * int(dst_w), y0 + dst_t.e * int(dst_h)
    west, north = to_ll.transform(x0, y0)
    east, south = to_ll.transform(x1, y1)
    return out, ((float(south), float(west)), (float(north), float(east)))


def _png(rgba: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgba).save(buf, format="PNG", compress_level=6)
    return buf.getvalue()


#: The hillshade is a photograph-like grey shade under the map: lossy WebP (alpha kept
#: exact) is about a tenth of the PNG (bundled DEM: 35 KB vs 440 KB), so it can be the
#: background of every map rerun and export without weighing on them.
HILLSHADE_WEBP_QUALITY = 80


def _webp(rgba: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgba).save(buf, format="WEBP", quality=HILLSHADE_WEBP_QUALITY,
                               alpha_quality=100, method=4)
    return buf.getvalue()


def _key(path: Path | str) -> tuple[str, int, int]:
    p = Path(path).resolve()
    stat = p.stat()
    return str(p), stat.st_mtime_ns, stat.st_size


# --- the three renderings ------------------------------------------------------------------------


def render_hillshade(path: Path | str, *, max_px: int = MAX_PX,
                     area: tuple[float, float, float, float] | None = None) -> RasterImage:
    """Grey hillshade (light from the north-west), transparent off the data.

    ``area`` (west, south, east, north, WGS 84): render only that part of the DEM.
    """
    return _hillshade_cached(_key(path), max_px, area)


@lru_cache(maxsize=8)
def _hillshade_cached(key: tuple[str, int, int], max_px: int,
                      area: tuple[float, float, float, float] | None) -> RasterImage:
    arr, transform, crs, _ = _decimated(Path(key[0]), max_px, Resampling.average, area)
    rows = np.arange(arr.shape[0])
    dx, dy = grid_cell_size_m(transform, crs, rows, arr.shape[1] / 2.0)
    padded = np.pad(arr, 1, mode="edge")
    # a plain reads as a landscape only with the relief exaggerated (more on coarse views)
    z_factor = HILLSHADE_Z * max(1.0, math.sqrt(float(np.nanmean(dx)) / 30.0))
    shade = hillshade(padded, dx, dy, z_factor=z_factor)
    shade = np.where(np.isnan(arr), np.nan, shade)
    merc, bounds = _to_mercator(shade, transform, crs, Resampling.bilinear)
    valid = np.isfinite(merc)
    # flat ground light grey (near the map's blank background), slopes lit or shaded
    flat = math.cos(math.radians(90.0 - 45.0))
    grey = np.clip(232.0 + (np.nan_to_num(merc, nan=flat) - flat) * 420.0, 70, 255)
    grey = grey.astype(np.uint8)
    rgba = np.dstack([grey, grey, grey, np.where(valid, 255, 0).astype(np.uint8)])
    return RasterImage(_webp(rgba), bounds, (), "hillshade", mime="image/webp")


def ramp_colours(values: np.ndarray, vmin: float, vmax: float) -> np.ndarray:
    """RGB (uint8) of ``values`` on :data:`RAMP` between ``vmin`` and ``vmax``."""
    pos = np.clip((values - vmin) / max(vmax - vmin, 1e-9), 0.0, 1.0)
    stops = np.array([s for s, _ in RAMP])
    cols = np.array([c for _, c in RAMP], dtype=float)
    rgb = np.stack([np.interp(pos, stops, cols[:, i]) for i in range(3)], axis=-1)
    return rgb.astype(np.uint8)


def _hex(rgb: Sequence[int]) -> str:
    return "#" + "".join(f"{int(v):02x}" for v in rgb)


def render_elevation(path: Path | str, *, max_px: int = MAX_PX) -> RasterImage:
    """Elevation on a hypsometric ramp (1st–99th percentile), with a legend in metres."""
    return _elevation_cached(_key(path), max_px)


@lru_cache(maxsize=8)
def _elevation_cached(key: tuple[str, int, int], max_px: int) -> RasterImage:
    arr, transform, crs, _ = _decimated(Path(key[0]), max_px, Resampling.average)
    merc, bounds = _to_mercator(arr, transform, crs, Resampling.bilinear)
    valid = np.isfinite(merc)
    if not valid.any():
        vmin = vmax = 0.0
    else:
        vmin, vmax = (float(v) for v in np.nanpercentile(merc, [1, 99]))
    rgb = ramp_colours(np.nan_to_num(merc, nan=vmin), vmin, vmax)
    rgba = np.dstack([rgb, np.where(valid, 255, 0).astype(np.uint8)])
    legend = tuple(
        LegendEntry(_hex(ramp_colours(np.array([v]), vmin, vmax)[0]), f"{v:.0f} m")
        for v in np.linspace(vmax, vmin, 5))
    return RasterImage(_png(rgba), bounds, legend, "elevation")


def render_landcover(path: Path | str, classes: Sequence[LandCoverClass] = DEFAULT_CLASSES, *,
                     lang: str = "zh", max_px: int = MAX_PX) -> RasterImage:
    """Each class in its colour (nearest neighbour, no blending), legend of the classes."""
    return _landcover_cached(_key(path), tuple(classes), lang, max_px)


@lru_cache(maxsize=8)
def _landcover_cached(key: tuple[str, int, int], classes: tuple[LandCoverClass, ...],
                      lang: str, max_px: int) -> RasterImage:
    arr, transform, crs, _ = _decimated(Path(key[0]), max_px, Resampling.mode)
    merc, bounds = _to_mercator(arr, transform, crs, Resampling.nearest)
    rgba = np.zeros((*merc.shape, 4), dtype=np.uint8)
    for cls in classes:
        hit = merc == cls.value
        rgba[hit] = (*(int(cls.colour[i:i + 2], 16) for i in (1, 3, 5)), 255)
    legend = tuple(LegendEntry(c.colour, c.label(lang)) for c in classes)
    return RasterImage(_png(rgba), bounds, legend, "landcover")


# --- folium -----------------------------------------------------------------------------------


def ensure_terrain_pane(fmap: folium.Map) -> str:
    """Add the terrain pane (z-index 250, no pointer events) once; return its name."""
    for child in fmap._children.values():
        if isinstance(child, folium.map.CustomPane) and child.name == TERRAIN_PANE:
            return TERRAIN_PANE
    folium.map.CustomPane(TERRAIN_PANE, z_index=TERRAIN_PANE_Z,
                          pointer_events=False).add_to(fmap)
    return TERRAIN_PANE


def _image_overlay(fmap: folium.Map, image: RasterImage, *, opacity: float, name: str,
                   control: bool = True, gcj: bool = False) -> folium.raster_layers.ImageOverlay:
    if not 0.0 <= opacity <= 1.0:
        raise ValueError(f"opacity {opacity} must be between 0 and 1")
    bounds = image.bounds
    if gcj:  # Gaode tiles: shift the corners as the vector overlays are shifted
        from geo_app.analysis.gcj02 import wgs84_to_gcj02

        (s, w), (n, e) = bounds
        w2, s2 = wgs84_to_gcj02(w, s)
        e2, n2 = wgs84_to_gcj02(e, n)
        bounds = ((float(s2), float(w2)), (float(n2), float(e2)))
    pane = ensure_terrain_pane(fmap)
    overlay = folium.raster_layers.ImageOverlay(
        image=image.data_uri(), bounds=[list(bounds[0]), list(bounds[1])], opacity=opacity,
        name=name, overlay=True, control=control, pane=pane, interactive=False,
        cross_origin=False)
    overlay.add_to(fmap)
    return overlay


def add_hillshade(fmap: folium.Map, raster_path: Path | str, opacity: float = 1.0, *,
                  name: str = "地形晕渲 Hillshade", control: bool = True, gcj: bool = False,
                  max_px: int = MAX_PX, area: tuple[float, float, float, float] | None = None
                  ) -> folium.raster_layers.ImageOverlay:
    """Add the DEM's hillshade under the vector layers; returns the ImageOverlay.

    ``area`` (west, south, east, north, WGS 84) renders only the part of the DEM under the
    map's features (a large DEM keeps its detail); the image is cached per file and area.
    """
    image = render_hillshade(raster_path, max_px=max_px, area=area)
    return _image_overlay(fmap, image, opacity=opacity, name=name, control=control, gcj=gcj)


def add_elevation(fmap: folium.Map, raster_path: Path | str, opacity: float = 0.7, *,
                  lang: str = "zh", gcj: bool = False, max_px: int = MAX_PX
                  ) -> folium.raster_layers.ImageOverlay:
    """Add the elevation ramp and its legend."""
    image = render_elevation(raster_path, max_px=max_px)
    title = "高程" if lang == "zh" else "Elevation"
    overlay = _image_overlay(fmap, image, opacity=opacity, name=title, gcj=gcj)
    TerrainLegend(title, image.legend).add_to(fmap)
    return overlay


def add_landcover(fmap: folium.Map, raster_path: Path | str,
                  classes: Sequence[LandCoverClass] = DEFAULT_CLASSES, opacity: float = 0.7, *,
                  lang: str = "zh", gcj: bool = False, max_px: int = MAX_PX
                  ) -> folium.raster_layers.ImageOverlay:
    """Add the land-cover classes in their colours and their legend."""
    image = render_landcover(raster_path, classes, lang=lang, max_px=max_px)
    title = "土地覆盖" if lang == "zh" else "Land cover"
    overlay = _image_overlay(fmap, image, opacity=opacity, name=title, gcj=gcj)
    TerrainLegend(title, image.legend).add_to(fmap)
    return overlay


Overlay = Callable[[folium.Map, str], None]


def hillshade_overlay(raster_path: Path | str, opacity: float = 1.0, *,
                      control: bool = False,
                      area: tuple[float, float, float, float] | None = None) -> Overlay:
    """For ``build_zone_map(overlays=[...])``: the hillshade as the map's background."""

    def add(fmap: folium.Map, lang: str) -> None:
        name = "地形晕渲" if lang == "zh" else "Hillshade"
        add_hillshade(fmap, raster_path, opacity, name=name, control=control, area=area)

    return add


def elevation_overlay(raster_path: Path | str, opacity: float = 0.7) -> Overlay:
    def add(fmap: folium.Map, lang: str) -> None:
        add_elevation(fmap, raster_path, opacity, lang=lang)

    return add


def landcover_overlay(raster_path: Path | str,
                      classes: Sequence[LandCoverClass] = DEFAULT_CLASSES,
                      opacity: float = 0.7) -> Overlay:
    def add(fmap: folium.Map, lang: str) -> None:
        add_landcover(fmap, raster_path, classes, opacity, lang=lang)

    return add


class TerrainLegend(RawMacroElement):
    """A legend control (bottom right): swatches and labels set as text, never as HTML."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var spec = {{ this.spec_json }};
            var control = L.control({position: "bottomright"});
            control.onAdd = function () {
                var box = L.DomUtil.create("div", "geoapp-terrain-legend");
                box.style.cssText = "background:rgba(255,255,255,.9);padding:6px 8px;" +
                    "border-radius:4px;font:12px/1.4 sans-serif;box-shadow:0 1px 4px #0004";
                var head = document.createElement("div");
                head.style.fontWeight = "bold";
                head.textContent = spec.title;
                box.appendChild(head);
                spec.entries.forEach(function (e) {
                    var row = document.createElement("div");
                    var sw = document.createElement("span");
                    sw.style.cssText = "display:inline-block;width:14px;height:10px;" +
                        "margin-right:6px;border:1px solid #0003;vertical-align:middle";
                    sw.style.background = /^#[0-9a-fA-F]{6}$/.test(e.colour) ? e.colour : "#ccc";
                    row.appendChild(sw);
                    row.appendChild(document.createTextNode(e.label));
                    box.appendChild(row);
                });
                return box;
            };
            control.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, title: str, entries: Sequence[LegendEntry]) -> None:
        super().__init__()
        self._name = "TerrainLegend"
        self.spec_json = script_json(
            {"title": title, "entries": [{"colour": e.colour, "label": e.label}
                                         for e in entries]})

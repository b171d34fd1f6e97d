"""Terrain overlays: the image lines up with the raster (bounds from pyproj on its corners),
class colours are exact, the legend's text is inert, the overlay sits under the vectors."""

from __future__ import annotations

import io

import folium
import numpy as np
import pytest
from PIL import Image
from pyproj import Transformer
from terrain_grids import GK_CELL, GK_X0, GK_Y0, gk_transform

from geo_app.analysis.terrain_classes import LandCoverClass
from geo_app.maps.terrain import (
    TERRAIN_PANE,
    add_hillshade,
    add_landcover,
    render_elevation,
    render_hillshade,
    render_landcover,
)

N = 60


@pytest.fixture
def dem(write_raster):
    cols, rows = np.meshgrid(np.arange(N), np.arange(N))
    z = (50.0 + 40.0 * np.exp(-((cols - 30) ** 2 + (rows - 30) ** 2) / 200.0)).astype("float32")
    return write_raster("hill.tif", z, "EPSG:4547", gk_transform())


def test_hillshade_bounds_are_the_raster_corners_in_wgs84(dem):
    image = render_hillshade(dem)
    to_ll = Transformer.from_crs(4547, 4326, always_xy=True)
    xs = [GK_X0, GK_X0 + N * GK_CELL]
    ys = [GK_Y0 - N * GK_CELL, GK_Y0]
    lons, lats = zip(*(to_ll.transform(x, y) for x in xs for y in ys), strict=True)
    (south, west), (north, east) = image.bounds
    # the warped image covers the raster's corners to within one cell (30 m ≈ 3.2e-4°)
    cell_deg = GK_CELL / 94_000.0
    assert abs(west - min(lons)) < cell_deg and abs(east - max(lons)) < cell_deg
    assert abs(south - min(lats)) < cell_deg and abs(north - max(lats)) < cell_deg
    assert image.mime == "image/webp" and image.data_uri().startswith("data:image/webp;base64,")
    png = Image.open(io.BytesIO(image.data))
    assert png.format == "WEBP" and png.mode in ("RGB", "RGBA") and png.size[0] > 0
    grey = np.asarray(png)[..., 0]
    assert grey.max() > grey.min()  # a hill is lit on one side and shaded on the other


def test_elevation_legend_spans_the_data(dem):
    image = render_elevation(dem)
    labels = [e.label for e in image.legend]
    assert labels[0].endswith(" m") and len(labels) == 5
    top, bottom = float(labels[0][:-2]), float(labels[-1][:-2])
    assert 50 <= bottom < top <= 90


def test_landcover_colours_are_the_class_colours(write_raster):
    board = np.where(np.indices((N, N)).sum(0) % 2 == 0, 1, 2).astype("uint8")
    board[:, :30] = 1
    raster = write_raster("lc.tif", board, "EPSG:4547", gk_transform(), nodata=0)
    classes = (LandCoverClass(1, "a", "甲", "A", "#112233"),
               LandCoverClass(2, "b", "乙", "B", "#aabbcc"))
    rgba = np.asarray(Image.open(io.BytesIO(render_landcover(raster, classes).data)))
    opaque = rgba[rgba[..., 3] == 255][:, :3]
    seen = {tuple(int(v) for v in px) for px in np.unique(opaque, axis=0)}
    assert seen <= {(0x11, 0x22, 0x33), (0xAA, 0xBB, 0xCC)}
    assert (0x11, 0x22, 0x33) in seen


def test_overlay_in_the_terrain_pane_and_hostile_legend_is_text(write_raster, dem):
    m = folium.Map(location=[31.7, 113.4], zoom_start=12, tiles=None)
    overlay = add_hillshade(m, dem, 0.5)
    assert isinstance(overlay, folium.raster_layers.ImageOverlay)
    assert overlay.options["pane"] == TERRAIN_PANE and overlay.options["opacity"] == 0.5
    board = np.ones((N, N), dtype="uint8")
    raster = write_raster("lc1.tif", board, "EPSG:4547", gk_transform(), nodata=0)
    hostile = "</script><img src=x onerror=alert(1)>{{7*7}}"
    add_landcover(m, raster, (LandCoverClass(1, "a", hostile, hostile, "#123456"),), 0.6)
    html = m.get_root().render()
    assert "</script><img" not in html
    assert "\\u003c/script\\u003e\\u003cimg" in html  # the name travels as JSON text
    assert html.count("L.imageOverlay(") == 2
    assert "data:image/png;base64," in html and "http" not in overlay.url
    with pytest.raises(ValueError, match="opacity"):
        add_hillshade(m, dem, 1.5)


def test_hillshade_of_an_area_reads_only_that_window(dem):
    whole = render_hillshade(dem)
    (s0, w0), (n0, e0) = whole.bounds
    area = (w0 + (e0 - w0) * 0.25, s0 + (n0 - s0) * 0.25, w0 + (e0 - w0) * 0.5,
            s0 + (n0 - s0) * 0.5)
    part = render_hillshade(dem, area=area)
    (s1, w1), (n1, e1) = part.bounds
    cell_deg = GK_CELL / 94_000.0
    assert abs(w1 - area[0]) < 2 * cell_deg and abs(e1 - area[2]) < 2 * cell_deg
    assert abs(s1 - area[1]) < 2 * cell_deg and abs(n1 - area[3]) < 2 * cell_deg
    # an area the raster does not cover falls back to the whole raster
    assert render_hillshade(dem, area=(100.0, 20.0, 100.1, 20.1)).bounds == whole.bounds

"""The offline hillshade basemap of the zone map: the store's DEM shaded as an image under
the layers (a data: WebP, no tiles); the plain basemap draws none; no DEM falls back."""

from __future__ import annotations

import base64
import io
import shutil

import numpy as np
import pytest
from PIL import Image

from geo_app.analysis.zonal import RasterKind
from geo_app.maps.style import Basemap
from geo_app.settings import BUNDLED_LAYERS
from geo_app.ui import loaders, map_cache
from geo_app.ui.filters import MapFilters

LAYERS = ("parks", "villages", "parcels")


def _html(location: str, basemap: Basemap) -> str:
    m = map_cache._build(location, "t", MapFilters(), "zh", basemap, LAYERS, None,
                         "app/static/vendor")
    return m.get_root().render()


def _overlay_png(html: str) -> Image.Image:
    start = html.index('"data:image/webp;base64,') + len('"data:image/webp;base64,')
    data = html[start:html.index('"', start)]
    return Image.open(io.BytesIO(base64.b64decode(data)))


def test_hillshade_basemap_draws_the_dem_shaded_without_tiles():
    html = _html(str(BUNDLED_LAYERS), Basemap.HILLSHADE)
    assert "L.imageOverlay" in html and "L.tileLayer" not in html
    image = np.asarray(_overlay_png(html).convert("LA"))
    grey, alpha = image[..., 0][image[..., 1] > 0], image[..., 1]
    assert alpha.max() > 0
    # relief is shaded: the plain by the rivers and the hills give many grey levels
    assert np.unique(grey).size > 50 and grey.std() > 5


def test_plain_basemap_has_no_image(tmp_path):
    html = _html(str(BUNDLED_LAYERS), Basemap.NONE)
    assert "L.imageOverlay" not in html and "L.tileLayer" not in html


def test_hillshade_without_a_dem_is_the_plain_background(tmp_path, monkeypatch):
    # a store with no raster registered and no bundled DEM beside it
    store = tmp_path / "only_vectors.gpkg"
    shutil.copyfile(BUNDLED_LAYERS, store)
    monkeypatch.setattr(loaders, "store_rasters",
                        lambda _store: {kind: None for kind in RasterKind})
    loaders.rasters.clear()
    html = _html(str(store), Basemap.HILLSHADE)
    assert "L.imageOverlay" not in html and "L.tileLayer" not in html


@pytest.mark.parametrize("basemap", list(Basemap))
def test_offline_means_no_tile_server(basemap):
    assert basemap.offline == (basemap in (Basemap.NONE, Basemap.HILLSHADE))

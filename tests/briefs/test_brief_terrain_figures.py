"""Village and park briefs carry the terrain figures (mean elevation and slope, cropland in
mu and %), checked against exactextract and pyproj.Geod run here on the bundled rasters."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest
import rasterio
from exactextract import exact_extract
from pyproj import Geod

from geo_app.analysis.units import M2_PER_MU
from geo_app.briefs.build import BriefData, load_brief_data, park_brief, village_brief
from geo_app.settings import BUNDLED_LAYERS
from geo_app.storage import GeoPackageStore

LAYERS = ("villages", "roads", "facilities", "sites", "boundary", "parks", "parcels",
          "projects")
CROPLAND_CODE = 1  # layers/landcover_classes.csv
GEOD = Geod(ellps="GRS80")


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> BriefData:
    store = tmp_path_factory.mktemp("brief_terrain") / "s.gpkg"
    shutil.copyfile(BUNDLED_LAYERS, store)
    gpkg = GeoPackageStore(store)
    try:
        return load_brief_data(gpkg, LAYERS)
    finally:
        gpkg.close()


def _figures(page) -> dict[str, str]:
    return dict(page.figures)


def _expected(feature_lonlat, data: BriefData) -> tuple[float, float]:
    """(mean elevation m, cropland mu) with exactextract and the GRS80 geodesic area."""
    with rasterio.open(data.dem) as src:
        crs = src.crs
    projected = feature_lonlat[["geometry"]].to_crs(crs)
    elev = float(exact_extract(str(data.dem), projected, ["mean"], output="pandas")["mean"][0])
    lc = exact_extract(str(data.landcover), projected, ["unique", "frac"], output="pandas")
    classes, fracs = list(lc["unique"][0]), list(lc["frac"][0])
    frac = fracs[classes.index(CROPLAND_CODE)] if CROPLAND_CODE in classes else 0.0
    geom = feature_lonlat.geometry.iloc[0]
    area_m2 = abs(GEOD.geometry_area_perimeter(geom)[0])
    return elev, frac * area_m2 / M2_PER_MU


@pytest.mark.parametrize(("kind", "name"), [("village", "挑水村"), ("park", "青春化工园")])
def test_terrain_figures_match_exactextract_and_geod(data, kind, name):
    layer = "villages" if kind == "village" else "parks"
    gdf = data.layers[layer]
    feature = gdf[gdf["name"] == name]
    page = (village_brief if kind == "village" else park_brief)(data, name, lang="zh")
    figures = _figures(page)
    elev_text = figures["平均高程 · 平均坡度"]
    elev = float(re.match(r"([\d,]+) 米 · ([\d.]+)°", elev_text).group(1).replace(",", ""))
    crop_text = figures["耕地"]
    mu, share = re.match(r"([\d,.]+) 亩（([\d.]+)%）", crop_text).groups()
    want_elev, want_mu = _expected(feature, data)
    assert elev == pytest.approx(want_elev, abs=0.5)  # shown to the metre
    assert float(mu.replace(",", "")) == pytest.approx(want_mu, abs=0.02)  # to 0.01 mu
    area_mu = abs(GEOD.geometry_area_perimeter(feature.geometry.iloc[0])[0]) / M2_PER_MU
    assert float(share) / 100 == pytest.approx(want_mu / area_mu, abs=0.0006)
    assert want_mu > 0  # the sample puts farmland in both


def test_english_brief_names_the_terrain_figures(data):
    figures = _figures(village_brief(data, "挑水村", lang="en"))
    assert re.fullmatch(r"[\d,]+ m · [\d.]+°", figures["Mean elevation · slope"])
    assert re.fullmatch(r"[\d,.]+ mu \([\d.]+%\)", figures["Cropland"])


def test_without_rasters_the_brief_has_no_terrain_figures(data):
    bare = BriefData(data.layers, data.planes, data.events)
    figures = _figures(village_brief(bare, "挑水村", lang="zh"))
    assert "耕地" not in figures and "平均高程 · 平均坡度" not in figures
    assert "村域面积（平面）" in figures


def test_slope_shown_is_the_terrain_tables(data):
    from geo_app.analysis.terrain_report import layer_terrain

    villages = data.layers["villages"]
    one = villages[villages["name"] == "挑水村"]
    table = layer_terrain(one, dem=data.dem, landcover=None).frame
    text = _figures(village_brief(data, "挑水村", lang="zh"))["平均高程 · 平均坡度"]
    assert text.endswith(f"{float(table['slope_mean_deg'].iloc[0]):.1f}°")
    assert np.isfinite(table["slope_mean_deg"].iloc[0])

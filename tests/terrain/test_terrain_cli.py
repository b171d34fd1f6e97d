"""geo-app raster / zonal / suitability through the real entry point, on a copy of the
bundled layers and the bundled illustrative rasters."""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import pytest
import rasterio
from affine import Affine
from pyproj import Geod

from geo_app.analysis.units import M2_PER_MU
from geo_app.cli import main
from geo_app.settings import BUNDLED_LAYERS

GEOD = Geod(ellps="GRS80")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    target = tmp_path / "store.gpkg"
    shutil.copyfile(BUNDLED_LAYERS, target)
    return target


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("GEO_APP_LANG", "en")

    def run(*args: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["geo-app", *args])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return Result(code, out.out, out.err)

    return run


def _geod_mu(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / M2_PER_MU


def test_zonal_landcover_json_mu_sum_to_each_parcel_area(cli, store):
    r = cli("zonal", "sample_landcover", "--layer", "parcels", "--store", str(store), "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert data["raster"] == "sample_landcover" and data["crs"] == "EPSG:4547"
    parcels = pyogrio.read_dataframe(store, layer="parcels")
    by_id = dict(zip(parcels["id"], parcels.geometry, strict=True))
    assert len(data["features"]) == len(parcels)
    for f in data["features"]:
        assert set(f) == {"id", "name", "area_mu_ellipsoidal", "landcover_mu",
                          "landcover_share", "landcover_no_data_share"}
        area = _geod_mu(by_id[f["id"]])
        assert sum(f["landcover_mu"].values()) == pytest.approx(area, abs=1e-6 * max(area, 1))
        assert sum(f["landcover_share"].values()) == pytest.approx(1.0, abs=1e-9)
        assert set(f["landcover_mu"]) == {"cropland", "forest", "grassland", "water",
                                          "built_up", "other"}


def test_zonal_elevation_only_gives_elevation_keys(cli, store):
    r = cli("zonal", "sample_dem", "--layer", "villages", "--stats", "elevation",
            "--store", str(store), "--json")
    assert r.code == 0, r.err
    f = r.json()["features"][0]
    assert {"elev_min", "elev_mean", "elev_max"} <= set(f)
    assert "slope_mean_deg" not in f and "landcover_mu" not in f
    assert f["elev_min"] <= f["elev_mean"] <= f["elev_max"]


def test_zonal_text_output(cli, store):
    r = cli("zonal", "sample_dem", "--layer", "parcels", "--store", str(store))
    assert r.code == 0, r.err
    assert "slope" in r.out and "QC1-01" in r.out


def test_suitability_flags_follow_the_thresholds(cli, store):
    base = cli("suitability", "--layer", "parcels", "--store", str(store), "--json").json()
    flags = {f["id"]: f["flags"] for f in base["features"]}
    assert base["thresholds"] == {"max_slope_deg": 15.0, "min_elevation_m": 62.0,
                                  "max_cropland_share": 0.3}
    # every phase-2 parcel not yet acquired is farmland in the illustrative land cover
    assert all("farmland" in flags[i] for i in flags if i.startswith("QC2"))
    strict = cli("suitability", "--layer", "parcels", "--max-slope", "0", "--min-elevation",
                 "1000", "--max-cropland", "1", "--store", str(store), "--json").json()
    for f in strict["features"]:
        assert "steep" in f["flags"] and "low_lying" in f["flags"]
        assert "farmland" not in f["flags"]
        assert f["suitability"] == "flagged"
        assert "1000 m" in f["reason_en"] and "易涝" in f["reason_zh"]


def test_raster_add_then_list_then_zonal_by_name(cli, store, tmp_path):
    dem = tmp_path / "flat.tif"
    with rasterio.open(dem, "w", driver="GTiff", width=2000, height=2000, count=1,
                       dtype="float32", crs="EPSG:4326",
                       transform=Affine(0.0002, 0, 113.2, 0, -0.0002, 31.9)) as dst:
        dst.write(np.full((2000, 2000), 88.0, dtype="float32"), 1)
    r = cli("raster", "add", str(dem), "--kind", "dem", "--store", str(store))
    assert r.code == 0, r.err
    listed = cli("raster", "list", "--store", str(store), "--json").json()
    assert [e["name"] for e in listed["rasters"]][:1] == ["flat"]
    z = cli("zonal", "flat", "--layer", "parcels", "--store", str(store), "--json").json()
    assert z["crs"] == "EPSG:4326"
    assert all(f["elev_mean"] == pytest.approx(88.0) for f in z["features"])
    assert all(f["slope_max_deg"] == pytest.approx(0.0, abs=1e-9) for f in z["features"])
    # the store's newest DEM is now the default of the suitability screen
    s = cli("suitability", "--layer", "parcels", "--store", str(store), "--json").json()
    assert s["dem"].endswith("flat.tif")


@pytest.mark.parametrize(("args", "message"), [
    (("zonal", "sample_dem", "--layer", "nope"), "No layer 'nope'"),
    (("zonal", "missing.tif", "--layer", "parcels"), "neither a raster of the store"),
    (("zonal", "sample_dem", "--layer", "parcels", "--stats", "aspect"), "Unknown statistic"),
    (("zonal", "sample_dem", "--layer", "projects"), "which have no area"),
    (("suitability", "--layer", "parcels", "--max-cropland", "30"), "between 0 and 1"),
])
def test_bad_input_is_one_error_line(cli, store, args, message):
    r = cli(*args, "--store", str(store))
    assert r.code == 2
    assert r.err.startswith("error: ") and message in r.err
    assert "Traceback" not in r.err


def test_no_overlap_and_not_a_raster_are_refused_and_nothing_written(cli, store, tmp_path):
    far = tmp_path / "far.tif"
    with rasterio.open(far, "w", driver="GTiff", width=10, height=10, count=1, dtype="float32",
                       crs="EPSG:4326", transform=Affine(0.01, 0, 100.0, 0, -0.01, 40.0)) as dst:
        dst.write(np.zeros((10, 10), dtype="float32"), 1)
    r = cli("zonal", str(far), "--kind", "dem", "--layer", "parcels", "--store", str(store))
    assert r.code == 2 and "overlaps the raster" in r.err
    text = tmp_path / "x.tif"
    text.write_text("hello", encoding="utf-8")
    before = store.read_bytes()
    r = cli("raster", "add", str(text), "--kind", "dem", "--store", str(store))
    assert r.code == 2 and "is not a raster" in r.err
    assert store.read_bytes() == before
    assert not store.with_suffix(".rasters").exists()
    bad_classes = tmp_path / "c.csv"
    bad_classes.write_text("value,code\n1,a\n", encoding="utf-8")
    r = cli("zonal", "sample_landcover", "--layer", "parcels", "--classes", str(bad_classes),
            "--store", str(store))
    assert r.code == 2 and "lacks the column" in r.err

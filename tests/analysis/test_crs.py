from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo_app.analysis.crs import choose_plane_crs, ensure_crs, gk3_epsg, gk3_zone, infer_crs
from geo_app.errors import CRSError


def _pts(xs, ys, crs=None):
    return gpd.GeoDataFrame(geometry=[Point(x, y) for x, y in zip(xs, ys, strict=True)], crs=crs)


@pytest.mark.parametrize(("lon", "zone", "epsg"), [(113.38, 38, 4547), (115.6, 39, 4548),
                                                   (75.2, 25, 4534), (134.9, 45, 4554)])
def test_zone_and_epsg_follow_round_l_over_3(lon, zone, epsg):
    assert gk3_zone(lon) == zone
    assert gk3_epsg(zone) == epsg
    assert gk3_epsg(zone, prefixed=True) == 4513 + zone - 25


def test_suizhou_data_gets_cm_114_plane_with_reason():
    plane = choose_plane_crs(_pts([113.3, 113.6], [31.6, 31.8], crs=4490))
    assert plane.epsg == 4547
    assert "114°E" in plane.reason and "zone 38" in plane.reason


def test_plane_chosen_from_projected_input_too():
    gdf = gpd.GeoDataFrame(geometry=[box(440000, 3500000, 441000, 3501000)], crs=4547)
    assert choose_plane_crs(gdf).epsg == 4547


@pytest.mark.parametrize("bad", ["EPSG:3857", "EPSG:4326"])
def test_override_refuses_web_mercator_and_degrees(bad):
    with pytest.raises(CRSError, match=r"EPSG:4547"):
        choose_plane_crs(_pts([113.4], [31.7], crs=4490), override=bad)


def test_override_unknown_code_says_what_to_write():
    with pytest.raises(CRSError, match="Use a code such as EPSG:4547"):
        choose_plane_crs(_pts([113.4], [31.7], crs=4490), override="EPSG:999999")


def test_lonlat_without_crs_is_read_as_cgcs2000_and_said():
    epsg, reason = infer_crs(_pts([113.4, 113.5], [31.7, 31.75]))
    assert epsg == 4490 and "longitude/latitude" in reason


def test_prefixed_gk_eastings_identify_zone_38():
    epsg, reason = infer_crs(_pts([38441921.1, 38442121.1], [3507412.3, 3507712.3]))
    assert epsg == 4526 and "zone prefix 38" in reason


def test_six_digit_eastings_without_crs_assume_suizhou_zone_and_say_it():
    epsg, reason = infer_crs(_pts([441921.1, 442121.1], [3507412.3, 3507712.3]))
    assert epsg == 4547
    assert ("no zone prefix: assumed CM 114°E (EPSG:4547), the zone of Suizhou; give --crs if "
            "the data is elsewhere") in reason


def test_coordinates_of_no_known_system_are_refused():
    with pytest.raises(CRSError, match="identify no known system"):
        infer_crs(_pts([5e9], [7e9]))


def test_ensure_crs_prefers_the_users_source_crs():
    gdf, note = ensure_crs(_pts([441921.1], [3507412.3]), source_crs="EPSG:4547")
    assert gdf.crs.to_epsg() == 4547 and note is None

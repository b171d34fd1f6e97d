"""resolve_source_crs: the user's --crs, the file's CRS, or an inference said aloud."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import Point, Polygon, box

from geo_app.analysis.crs import CRSSource, ensure_crs, resolve_source_crs
from geo_app.analysis.gcj02 import shift_to_gcj02
from geo_app.errors import CRSError

GEOD = Geod(ellps="GRS80")


def _gdf(geoms, crs=None) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": list(range(len(geoms)))}, geometry=list(geoms), crs=crs)


def _nan_polygon() -> Polygon:
    with np.errstate(invalid="ignore"):
        return shapely.from_wkt("POLYGON ((113.4 31.7, NaN 31.7, 113.41 31.71, 113.4 31.7))")


def test_lonlat_without_crs_is_cgcs2000_and_nan_and_empty_are_ignored():
    gdf = _gdf([box(113.40, 31.70, 113.41, 31.71), _nan_polygon(), None, Polygon()])
    out, src = resolve_source_crs(gdf)
    assert isinstance(src, CRSSource)
    assert (src.crs, src.inferred) == ("EPSG:4490", True)
    assert "look like longitude/latitude, read as CGCS2000 (EPSG:4490)" in src.reason
    assert "113.400..113.410" in src.reason
    assert out.crs.to_epsg() == 4490 and gdf.crs is None  # a copy


def test_swapped_lat_lon_is_swapped_back_and_said():
    out, src = resolve_source_crs(_gdf([box(31.70, 113.40, 31.71, 113.41)]))
    assert src.crs == "EPSG:4490" and "swapped order" in src.reason
    np.testing.assert_allclose(out.total_bounds, [113.40, 31.70, 113.41, 31.71])


@pytest.mark.parametrize(
    ("x0", "epsg", "said"),
    [(38_441_000, 4526, "carry zone prefix 38, read as CGCS2000 3-degree Gauss-Krüger zone 38"),
     (37_700_000, 4525, "zone prefix 37"),
     (19_600_000, 4497, "CGCS2000 6-degree Gauss-Krüger zone 19 with prefix (CM 111°E")],
)
def test_zone_prefixed_eastings(x0, epsg, said):
    out, src = resolve_source_crs(_gdf([box(x0, 3_507_000, x0 + 1000, 3_508_000)]))
    assert src.crs == f"EPSG:{epsg}" and said in src.reason
    assert out.geometry.iloc[0].area == pytest.approx(1e6)


def test_swapped_xy_with_prefix_is_swapped_back():
    out, src = resolve_source_crs(_gdf([box(3_507_000, 38_441_000, 3_508_000, 38_442_000)]))
    assert src.crs == "EPSG:4526" and "X and Y are swapped" in src.reason
    np.testing.assert_allclose(out.total_bounds, [38_441_000, 3_507_000, 38_442_000, 3_508_000])


def test_bare_eastings_assume_the_suizhou_zone_loudly():
    _out, src = resolve_source_crs(_gdf([box(441_000, 3_507_000, 442_000, 3_508_000)]))
    assert src.crs == "EPSG:4547"
    assert ("no zone prefix: assumed CM 114°E (EPSG:4547), the zone of Suizhou; give --crs if "
            "the data is elsewhere") in src.reason
    _out, src = resolve_source_crs(_gdf([box(441_000, 3_507_000, 442_000, 3_508_000)]),
                                   default_cm_deg=111.0, flag="--source-crs")
    assert src.crs == "EPSG:4546" and "assumed CM 111°E (EPSG:4546); give --source-crs" in (
        src.reason)


def test_several_zone_prefixes_are_read_per_feature_and_converted_to_lonlat():
    west = box(37_600_000, 3_450_000, 37_601_000, 3_451_000)  # zone 37, CM 111°E
    east = box(38_441_000, 3_507_000, 38_442_000, 3_508_000)  # zone 38, CM 114°E
    out, src = resolve_source_crs(_gdf([west, east, None]))
    assert src.crs == "EPSG:4490" and src.inferred
    assert "zone prefixes 37, 38" in src.reason
    assert "1 feature(s) in zone 37 = EPSG:4525, 1 feature(s) in zone 38 = EPSG:4526" in (
        src.reason)
    for geom, epsg, got in ((west, 4525, out.geometry.iloc[0]), (east, 4526,
                                                                  out.geometry.iloc[1])):
        xy = shapely.get_coordinates(geom)
        lon, lat = Transformer.from_crs(epsg, 4490, always_xy=True).transform(xy[:, 0], xy[:, 1])
        np.testing.assert_allclose(shapely.get_coordinates(got), np.column_stack([lon, lat]),
                                   atol=1e-9)


def test_a_feature_spanning_two_prefixes_is_refused():
    bad = Polygon([(37_600_000, 3_450_000), (38_400_000, 3_450_000), (38_400_000, 3_451_000)])
    ok = box(38_441_000, 3_507_000, 38_442_000, 3_508_000)
    with pytest.raises(CRSError, match=r"feature\(s\) 1 mix prefixes .* give the CRS with --crs"):
        resolve_source_crs(_gdf([bad, ok]))


def test_nothing_fits_gives_the_ranges_and_asks_for_crs():
    with pytest.raises(CRSError) as err:
        resolve_source_crs(_gdf([Point(5e9, 7e9)]))
    assert "x 5000000000..5000000000, y 7000000000..7000000000" in str(err.value)
    assert "Give it with --crs EPSG:NNNN" in str(err.value)


def test_the_files_crs_is_honoured_with_its_reason():
    gdf = _gdf([box(441_000, 3_507_000, 442_000, 3_508_000)], crs=4547)
    out, src = resolve_source_crs(gdf, declared_reason="the .prj file")
    assert (src.crs, src.inferred, src.notes) == ("EPSG:4547", False, ())
    assert src.reason.startswith("declared by the file (EPSG:4547") and "the .prj file" in (
        src.reason)
    assert out.crs.to_epsg() == 4547


def test_geojson_in_metres_declared_as_degrees_is_inferred_and_said():
    gdf = _gdf([box(38_441_000, 3_507_000, 38_442_000, 3_508_000)], crs=4326)
    _out, src = resolve_source_crs(gdf, declared_reason="GeoJSON default")
    assert src.crs == "EPSG:4526" and src.inferred
    assert "the file declares EPSG:4326 (GeoJSON default), but EPSG:4326 is longitude/latitude" \
        in src.notes[0]


@pytest.mark.parametrize(("epsg", "datum"), [(2383, "1980 Xi'an"), (2435, "1954 Beijing")])
def test_legacy_datums_are_noted_not_shifted(epsg, datum):
    gdf = _gdf([box(441_000, 3_507_000, 442_000, 3_508_000)], crs=epsg)
    out, src = resolve_source_crs(gdf)
    assert src.notes == (
        f"EPSG:{epsg} uses the {datum} datum, not CGCS2000: no datum shift applied (it needs "
        "the local seven-parameter transformation); positions on a CGCS2000 map may be off by "
        "up to ~100 m; areas in its own plane are unaffected",)
    # and indeed no datum shift: to CGCS2000 lon/lat gives the legacy datum's own lon/lat
    legacy_geographic = 4610 if epsg == 2383 else 4214
    a = shapely.get_coordinates(out.to_crs(4490).geometry.iloc[0])
    b = shapely.get_coordinates(out.to_crs(legacy_geographic).geometry.iloc[0])
    np.testing.assert_allclose(a, b, atol=1e-12)


def test_override_wins_and_is_said():
    gdf = _gdf([box(441_000, 3_507_000, 442_000, 3_508_000)], crs=4546)
    out, src = resolve_source_crs(gdf, override="4547")
    assert out.crs.to_epsg() == 4547 and not src.inferred
    assert src.reason.startswith("given with --crs (EPSG:4547")
    assert src.notes == ("the file declares EPSG:4546; --crs overrides it",)


@pytest.mark.parametrize(
    ("override", "coords", "message"),
    [("EPSG:4326", (441_000, 3_507_000), "EPSG:4326 is longitude/latitude (degrees) but the "
      "coordinates run x 441000..442000"),
     ("EPSG:4547", (113.40, 31.70), "EPSG:4547 is projected (metres) but the coordinates "
      "(x 113.400..113.401, y 31.700..31.701) look like longitude/latitude degrees"),
     ("EPSG:999999", (113.40, 31.70), "Cannot read the CRS 'EPSG:999999'"),
     ("+proj=nonsense", (113.40, 31.70), "Use a code such as EPSG:4547"),
     ("not a crs", (113.40, 31.70), "Use a code such as EPSG:4547")],
)
def test_bad_overrides_are_one_clear_crs_error(override, coords, message):
    x, y = coords
    step = 1000 if x > 1000 else 0.001
    with pytest.raises(CRSError) as err:
        resolve_source_crs(_gdf([box(x, y, x + step, y + step)]), override=override)
    assert message in str(err.value)


def test_gcj02_is_converted_before_anything_else():
    wgs = box(113.40, 31.70, 113.41, 31.71)
    gcj = shift_to_gcj02(np.array([wgs], dtype=object))[0]
    out, src = resolve_source_crs(_gdf([gcj]), gcj02=True)
    assert "declared GCJ-02 (--gcj02): every vertex converted GCJ-02 → WGS 84" in src.reason
    shift = int(src.reason.split("median shift ")[1].split(" m")[0])
    assert 400 < shift < 800
    a, b = shapely.get_coordinates(out.geometry.iloc[0]), shapely.get_coordinates(wgs)
    assert np.max(GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])[2]) < 1e-3


def test_gcj02_on_projected_data_is_refused():
    with pytest.raises(CRSError, match="GCJ-02, which is only ever longitude/latitude"):
        resolve_source_crs(_gdf([box(38_441_000, 3_507_000, 38_442_000, 3_508_000)]),
                           gcj02=True)


def test_no_finite_coordinate_at_all_is_reported_not_a_traceback():
    out, src = resolve_source_crs(_gdf([None, Polygon(), shapely.points([np.inf, 1.0])]))
    assert src.crs == "EPSG:4490" and "no finite coordinate" in src.reason
    assert len(out) == 3


def test_ensure_crs_keeps_working_for_old_callers():
    gdf, note = ensure_crs(_gdf([Point(441921.1, 3507412.3)]), source_crs="EPSG:4547")
    assert gdf.crs.to_epsg() == 4547 and note is None
    _gdf2, note = ensure_crs(_gdf([Point(441921.1, 3507412.3)]))
    assert note is not None and "give --source-crs if the data is elsewhere" in note

"""The packed-feature encoding decodes back to the geometry, within the rounding step."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon

from geo_app.errors import InputError
from geo_app.maps.encode import display_geometries, geometry_families, pack_features

Q = 1e-6


def _decode(payload: str) -> tuple[str, list, list[list]]:
    """An independent reading of the format documented in geo_app.maps.encode."""
    d = json.loads(payload)
    steps = np.cumsum(np.array(d["c"], dtype=np.int64).reshape(-1, 2), axis=0)
    xy = np.array(d["o"]) + steps * d["q"]
    offs = [np.concatenate([[0], np.cumsum(c)]).astype(int) for c in d["n"]]
    t = d["t"]

    def ring(s, e, closed):
        pts = [tuple(p) for p in xy[s:e]]
        return [*pts, pts[0]] if closed else pts

    geoms = []
    for f in range(len(d["v"])):
        if t == "Point":
            geoms.append(Point(xy[f]))
        elif t == "LineString":
            geoms.append(LineString(ring(offs[0][f], offs[0][f + 1], False)))
        elif t == "MultiLineString":
            geoms.append(MultiLineString([ring(offs[0][i], offs[0][i + 1], False)
                                          for i in range(offs[1][f], offs[1][f + 1])]))
        elif t == "Polygon":
            rings = [ring(offs[0][r], offs[0][r + 1], True)
                     for r in range(offs[1][f], offs[1][f + 1])]
            geoms.append(Polygon(rings[0], rings[1:]))
        elif t == "MultiPolygon":
            polys = []
            for p in range(offs[2][f], offs[2][f + 1]):
                rings = [ring(offs[0][r], offs[0][r + 1], True)
                         for r in range(offs[1][p], offs[1][p + 1])]
                polys.append(Polygon(rings[0], rings[1:]))
            geoms.append(MultiPolygon(polys))
    return t, geoms, d["v"]


def _same_within(a, b, tol):
    ca, cb = shapely.get_coordinates(a), shapely.get_coordinates(b)
    assert ca.shape == cb.shape
    assert np.abs(ca - cb).max() <= tol


def _attrs(n: int) -> pd.DataFrame:
    return pd.DataFrame({"id": [f"F{i}" for i in range(n)], "name": ["甲</script>乙"] * n})


def test_polygons_with_holes_and_multipolygons_round_trip():
    outer = [(113.40, 31.70), (113.41, 31.70), (113.41, 31.71), (113.40, 31.71)]
    hole = [(113.402, 31.702), (113.404, 31.702), (113.404, 31.704)]
    square = Polygon([(113.5, 31.6), (113.5001, 31.6), (113.5001, 31.6001), (113.5, 31.6001)])
    geoms = np.array([Polygon(outer, [hole]), MultiPolygon([square, Polygon(outer)])])
    packed = pack_features(geoms, _attrs(2), quantum_deg=Q)
    t, decoded, rows = _decode(packed.to_json())
    assert t == "MultiPolygon"
    for original, back in zip(geoms, decoded, strict=True):
        original = MultiPolygon([original]) if original.geom_type == "Polygon" else original
        _same_within(original, back, Q / 2 + 1e-12)
    assert [r[0] for r in rows] == ["F0", "F1"]


def test_lines_and_points_round_trip():
    lines = np.array([LineString([(113.3, 31.6), (113.31, 31.61), (113.32, 31.6)]),
                      LineString([(113.4, 31.7), (113.41, 31.7)])])
    t, decoded, _ = _decode(pack_features(lines, _attrs(2)).to_json())
    assert t == "LineString"
    for a, b in zip(lines, decoded, strict=True):
        _same_within(a, b, Q / 2 + 1e-12)
    points = np.array([Point(113.38, 31.69), Point(113.5, 31.65)])
    t, decoded, _ = _decode(pack_features(points, _attrs(2)).to_json())
    assert t == "Point"
    for a, b in zip(points, decoded, strict=True):
        _same_within(a, b, Q / 2 + 1e-12)


def test_payload_cannot_close_the_script_tag():
    payload = pack_features(np.array([Point(113.38, 31.69)]), _attrs(1)).to_json()
    assert "</script" not in payload
    assert json.loads(payload)["v"][0][1] == "甲</script>乙"


def test_display_copy_simplifies_without_touching_the_input():
    ring = [(113.4 + 0.001 * np.cos(a), 31.7 + 0.001 * np.sin(a))
            for a in np.linspace(0, 2 * np.pi, 400)[:-1]]
    geoms = np.array([Polygon(ring)], dtype=object)
    before = shapely.get_coordinates(geoms).copy()
    shown = display_geometries(geoms, simplify_deg=1e-5, gcj02=True)
    np.testing.assert_array_equal(shapely.get_coordinates(geoms), before)
    assert shapely.get_num_coordinates(shown[0]) < 0.5 * len(before)


def test_a_feature_that_simplification_would_erase_keeps_its_shape():
    tiny = Polygon([(113.4, 31.7), (113.400004, 31.7), (113.400004, 31.700004)])
    shown = display_geometries(np.array([tiny], dtype=object), simplify_deg=1e-4)
    assert not shown[0].is_empty


def test_geometry_collections_are_refused_with_advice():
    gc = shapely.GeometryCollection([Point(1, 1), LineString([(0, 0), (1, 1)])])
    with pytest.raises(InputError, match="explode"):
        geometry_families(np.array([gc], dtype=object))


def test_families_of_mixed_and_missing_geometries():
    geoms = np.array([Point(0, 0), None, Polygon(), LineString([(0, 0), (1, 1)]),
                      MultiPolygon([Polygon([(0, 0), (1, 0), (1, 1)])])], dtype=object)
    assert geometry_families(geoms).tolist() == ["point", "", "", "line", "polygon"]

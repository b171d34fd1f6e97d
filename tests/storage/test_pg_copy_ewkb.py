"""The COPY geometry field is GEOS's own hex EWKB with the layer's SRID."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geo_app.storage._pg_copy import geometry_field

GEOMS = [shapely.Point(1, 2), shapely.Point(1, 2, 3), shapely.LineString([(0, 0), (1, 1)]),
         shapely.box(0, 0, 1, 1), shapely.box(0, 0, 3, 3).difference(shapely.box(1, 1, 2, 2)),
         shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 3)]),
         shapely.Polygon(), shapely.Point(), None,
         shapely.GeometryCollection([shapely.Point(0, 0)]),
         shapely.Polygon([(0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 0, 1)]),
         shapely.MultiPoint([(0, 0), (1, 1)])]


@pytest.mark.parametrize("srid", [4490, 4547, 0])
def test_same_as_geos_hex_ewkb(srid):
    geoms = np.array(GEOMS, dtype=object)
    expected = shapely.to_wkb(shapely.set_srid(geoms, srid), hex=True, include_srid=True,
                              flavor="extended")
    assert geometry_field(geoms, srid) == ["" if h is None else h.lower() for h in expected]


def test_the_srid_reads_back():
    (field,) = geometry_field(np.array([shapely.box(113, 31, 114, 32)], dtype=object), 4490)
    back = shapely.from_wkb(field)
    assert shapely.get_srid(back) == 4490
    assert back.equals(shapely.box(113, 31, 114, 32))

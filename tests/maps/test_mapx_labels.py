"""Name labels: text by language, anchors inside their features, priorities, payload."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo_app.errors import InputError
from geo_app.maps import build_zone_map
from geo_app.maps.assets import walk
from geo_app.maps.elements import LabelLayer
from geo_app.maps.labels import (
    DEFAULT_LABEL_LAYERS,
    LAYER_PRIORITY,
    check_label_layers,
    check_label_px,
    label_anchors,
    layer_labels,
)

DEMONSTRATION = {"挑水村", "新店村", "老湾村"}


def _labels(m) -> dict[str, dict]:
    return {e.payload_data["layer"]: e.payload_data for e in walk(m)
            if isinstance(e, LabelLayer)}


def test_default_labels_name_the_features_of_the_default_layers(zone_layers):
    labels = _labels(build_zone_map(zone_layers))
    assert set(labels) == {n for n in DEFAULT_LABEL_LAYERS if n in zone_layers}
    for name, payload in labels.items():
        gdf = zone_layers[name]
        named = gdf["name"].dropna().astype(str)
        assert sorted(payload["t"]) == sorted(named), name
        assert len(payload["x"]) == len(payload["y"]) == len(payload["t"])
        assert isinstance(payload["p"], int) or len(payload["p"]) == len(payload["t"])


def test_english_labels_use_english_names_and_parcels_their_ids(zone_layers):
    m = build_zone_map(zone_layers, lang="en", labels=["villages", "parcels"])
    labels = _labels(m)
    assert set(labels) == {"villages", "parcels"}
    assert sorted(labels["villages"]["t"]) == sorted(zone_layers["villages"]["name_en"])
    assert sorted(labels["parcels"]["t"]) == sorted(zone_layers["parcels"]["id"])
    assert labels["parcels"]["p"] == LAYER_PRIORITY["parcels"]  # one rank: sent once
    assert _labels(build_zone_map(zone_layers, labels=())) == {}


def test_polygon_anchors_lie_inside_their_feature(zone_layers):
    for name in ("villages", "parks", "sites", "parcels"):
        gdf = zone_layers[name]
        geoms = np.asarray(gdf.geometry.array, dtype=object)
        xs, ys, kind = label_anchors(geoms)
        assert kind == "area"
        inside = shapely.contains_properly(geoms, shapely.points(xs, ys))
        assert inside.all(), name


def test_line_and_point_anchors():
    line = shapely.LineString([(0, 0), (10, 0)])
    multi = shapely.MultiLineString([[(0, 5), (1, 5)], [(20, 5), (40, 5)]])
    xs, ys, kind = label_anchors(np.array([line, multi], dtype=object))
    assert kind == "line"
    assert (xs.tolist(), ys.tolist()) == ([5.0, 30.0], [0.0, 5.0])  # middle of the longest
    xs, ys, kind = label_anchors(np.array([shapely.Point(3, 4), None], dtype=object))
    assert kind == "point" and xs[0] == 3 and ys[0] == 4 and np.isnan(xs[1])


def test_priorities_parks_then_works_programme_villages_then_the_rest(zone_layers):
    villages = zone_layers["villages"]
    geoms = np.asarray(villages.geometry.array, dtype=object)
    labels = layer_labels("villages", villages, geoms, lang="zh")
    order = labels.text
    # the three demonstration villages first, then the consolidation villages
    assert set(order[:3]) == DEMONSTRATION
    consolidation = set(villages.loc[villages["works_programme"] == "consolidation", "name"])
    assert set(order[3:3 + len(consolidation)]) == consolidation
    assert list(labels.priority) == sorted(labels.priority, reverse=True)
    # within one rank, bigger villages first (independent: plane areas)
    rest = villages.set_index("name").loc[order[3 + len(consolidation):]]
    area = rest.to_crs(4547).area.to_numpy()
    assert (np.diff(area) <= 1e-6).all()
    parks = zone_layers["parks"]
    park_labels = layer_labels("parks", parks, np.asarray(parks.geometry.array, dtype=object),
                               lang="zh")
    assert park_labels.priority.min() > labels.priority.max() - 40  # parks above plain villages
    assert park_labels.priority.min() > LAYER_PRIORITY["villages"]


def test_label_payload_is_sorted_and_hostile_text_stays_text():
    gdf = gpd.GeoDataFrame(
        {"id": ["a", "b", "c"], "name": ["<img src=x onerror=alert(1)>", "  ", None]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(2, 0, 3, 1), shapely.box(4, 0, 5, 1)],
        crs=4490)
    m = build_zone_map({"mine": gdf}, labels=["mine"], asset_base_url=None)
    payload = _labels(m)["mine"]
    assert payload["t"] == ["<img src=x onerror=alert(1)>"]  # blank and missing: no label
    html = m.get_root().render()
    assert "<img src=x" not in html  # the script JSON escapes < and >
    element = next(e for e in walk(m) if isinstance(e, LabelLayer))
    assert json.loads(element.payload)["t"] == payload["t"]


def test_label_settings_are_checked():
    assert check_label_layers(None) == DEFAULT_LABEL_LAYERS
    assert check_label_layers(["villages", "villages", "parks"]) == ("villages", "parks")
    with pytest.raises(InputError, match="list of layer names"):
        check_label_layers("villages")
    assert check_label_px(18) == 18.0
    for bad in (4, 100, float("nan")):
        with pytest.raises(InputError, match="8 to 48 px"):
            check_label_px(bad)


def test_label_size_and_tools_reach_the_page(zone_layers):
    html = build_zone_map(zone_layers, label_px=22).get_root().render()
    assert '"label_px":22.0' in html
    assert "底图无法加载（离线）" in html

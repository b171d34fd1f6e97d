"""A call of the real brief code for each ``brief.*`` message code (tests of the catalogue).

Small synthetic inputs only: nothing here reads the bundled store or draws a page.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import geopandas as gpd
import shapely

from geo_app.analysis.crs import choose_plane_crs
from geo_app.briefs import BriefData, BriefPage, StaticMapSpec, build_brief, find_cjk_font
from geo_app.briefs.build import find_feature
from geo_app.briefs.page import MapLayer, output_format, parse_page_size
from geo_app.briefs.render import render_pages
from geo_app.briefs.static_map import view_bounds

_VILLAGES = gpd.GeoDataFrame({"id": ["v1", "v2"], "name": ["挑水村", "桃园村"]},
                             geometry=[shapely.Point(113.4, 31.6), shapely.Point(113.5, 31.7)],
                             crs=4490)
_PARKS = gpd.GeoDataFrame({"id": ["p1"], "name": ["青春化工园"]},
                          geometry=[shapely.box(113.4, 31.6, 113.5, 31.7)], crs=4490)


def _page(spec: StaticMapSpec | None = None) -> BriefPage:
    return BriefPage(title="t", map=spec)


def _view(frame: gpd.GeoDataFrame) -> None:
    spec = StaticMapSpec(layers=(MapLayer("parks", frame),))
    view_bounds(spec, choose_plane_crs(_PARKS), 1.5)


def brief_triggers() -> dict[str, Callable[[], None]]:
    """code -> a call refused with it."""
    no_crs = _PARKS.copy().set_crs(None, allow_override=True)
    empty = _PARKS.iloc[0:0]
    nan_point = gpd.GeoDataFrame(geometry=[shapely.Point(float("inf"), 1.0)], crs=4490)
    return {
        "brief.layer_missing": lambda: BriefData({}).layer("villages"),
        "brief.village_name_missing": lambda: build_brief(BriefData({}), "village", " "),
        "brief.park_name_missing": lambda: build_brief(BriefData({}), "park", None),
        "brief.village_unknown": lambda: find_feature(_VILLAGES, "xyz", what="village"),
        "brief.village_unknown_near": lambda: find_feature(_VILLAGES, "挑水", what="village"),
        "brief.park_unknown": lambda: find_feature(_PARKS, "xyz", what="park"),
        "brief.park_unknown_near": lambda: find_feature(_PARKS, "化工园", what="park"),
        "brief.font_missing": lambda: find_cjk_font(("No Such Font A", "No Such Font B")),
        "brief.format_unknown": lambda: output_format("brief.jpg"),
        "brief.format_missing": lambda: output_format("brief"),
        "brief.stream_format": lambda: render_pages([_page()], io.BytesIO()),
        "brief.no_pages": lambda: render_pages([], io.BytesIO(), fmt="pdf"),
        "brief.png_pages": lambda: render_pages([_page(), _page()], io.BytesIO(), fmt="png"),
        "brief.folder_missing": lambda: render_pages([_page()], "/nonexistent-dir-x/b.pdf"),
        "brief.size_unknown": lambda: parse_page_size("a3"),
        "brief.map_empty": lambda: _view(empty),
        "brief.map_no_crs": lambda: _view(no_crs),
        "brief.map_no_coordinates": lambda: _view(nan_point),
    }



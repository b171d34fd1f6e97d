"""The page renderer: hostile text drawn literally, labels never overlap, the legend lists
only what is drawn, the map is in true metres, multi-page PDFs, format errors."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hostile_text import FEATURE_NAMES, hostile_layer
from pypdf import PdfReader
from pyproj import Geod, Transformer

from geo_app.briefs import (
    BriefData,
    BriefPage,
    MapLayer,
    PageSize,
    StaticMapSpec,
    draw_page,
    render_pages,
)
from geo_app.briefs.fonts import default_cjk_font
from geo_app.briefs.static_map import draw_map
from geo_app.errors import InputError

MATH = r"$\frac{1}{2}$ 100$ & 50%"


def _pdf_pages(path: Path | io.BytesIO) -> list[str]:
    return [p.extract_text() for p in PdfReader(path).pages]


def _flat(text: str) -> str:
    return "".join(text.split())


def test_hostile_names_are_drawn_literally_on_map_figures_and_table(tmp_path: Path) -> None:
    names = [*FEATURE_NAMES, MATH]
    layer = hostile_layer().iloc[[0]]
    pages = []
    for name in names:
        one = layer.assign(name=[name])
        pages.append(BriefPage(
            title=name, subtitle=name, date="2021-12-31",
            map=StaticMapSpec(layers=(MapLayer("villages", one, labels=True),),
                              highlight=one, highlight_label=name),
            figures=((name, name),),
            table=pd.DataFrame({name: [name], "mu": [1.5]}), table_title=name, notes=name))
    out = tmp_path / "hostile.pdf"
    render_pages(pages, out)
    texts = _pdf_pages(out)
    assert len(texts) == len(names)
    for name, text in zip(names, texts, strict=True):
        shown = name.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        # title, subtitle, figure label and value, table header and cell, notes, label,
        # legend: every one literal (pypdf may drop spaces, so compare without them)
        assert _flat(text).count(_flat(shown)) >= 8, (name, text)


def test_hostile_names_render_to_png_without_warnings(tmp_path: Path) -> None:
    layer = hostile_layer().assign(name=[*FEATURE_NAMES[:-1], MATH])
    page = BriefPage(title=MATH, map=StaticMapSpec(
        layers=(MapLayer("villages", layer, labels=True),)))
    out = tmp_path / "hostile.png"
    render_pages([page], out)  # pytest turns any warning (missing glyph, mathtext) into an error
    assert out.stat().st_size > 10_000


def _zone_page(brief_data: BriefData) -> BriefPage:
    layers = tuple(MapLayer(n, brief_data.layer(n), labels=n != "boundary")
                   for n in ("boundary", "parks", "villages", "sites", "roads", "facilities",
                             "projects"))
    return BriefPage(title="随州高新区", map=StaticMapSpec(layers=layers))


def test_zone_wide_labels_never_overlap_and_the_crowd_is_thinned(brief_data: BriefData) -> None:
    fig = draw_page(_zone_page(brief_data), size=PageSize.SLIDE)
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_text() not in ("北", "N")]
    boxes = [t.get_window_extent(renderer) for t in labels]
    assert len(boxes) >= 20
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    frame = ax.get_window_extent(renderer)
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0
               and b.y1 <= frame.y1 for b in boxes)
    candidates = sum(len(brief_data.layer(n)) for n in
                     ("parks", "villages", "sites", "roads", "facilities", "projects"))
    assert len(labels) < candidates  # 150 names cannot all fit: lower priorities gave way
    shown = {t.get_text() for t in labels}
    # parks come first: every park whose name fits is there before any project
    assert {"青春化工园", "淅河片区"} <= shown


def test_the_legend_lists_only_classes_drawn(brief_data: BriefData) -> None:
    parcels = brief_data.layer("parcels")
    net = parcels[parcels["stage"] == "net_land"]
    villages = brief_data.layer("villages")
    page = BriefPage(title="t", map=StaticMapSpec(
        layers=(MapLayer("parcels", net), MapLayer("villages", villages)), fit=net))
    fig = draw_page(page)
    legend = fig.axes[1].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["净地"]  # no village is in view


def test_the_map_is_drawn_in_true_metres_on_the_gk_plane(brief_data: BriefData) -> None:
    fig = draw_page(_zone_page(brief_data))
    ax = fig.axes[0]
    spec = _zone_page(brief_data).map
    assert spec is not None
    drawn = draw_map(fig.add_axes(ax.get_position()), spec, lang="zh",
                     font=default_cjk_font(), renderer=fig.canvas.get_renderer())
    assert drawn.plane.epsg == 4547
    x0, y0, x1, y1 = drawn.bounds_m
    to_lonlat = Transformer.from_crs(4547, 4490, always_xy=True)
    (lon0, lon1), (lat0, lat1) = to_lonlat.transform([x0, x1], [(y0 + y1) / 2] * 2)
    _, _, geodesic_m = Geod(ellps="GRS80").inv(lon0, lat0, lon1, lat1)
    assert (x1 - x0) == pytest.approx(geodesic_m, rel=5e-4)  # GK scale error < 0.05 % here


def test_a_storyboard_style_multi_page_pdf(brief_data: BriefData, tmp_path: Path) -> None:
    parks = brief_data.layer("parks")
    pages = [BriefPage(title=str(name), lang="en", figures=(("Area", "1 mu"),),
                       map=StaticMapSpec(layers=(MapLayer("parks", parks, labels=True),),
                                         fit=parks[parks["name"] == name]))
             for name in parks["name"]]
    pages.append(BriefPage(title="Text only", table=pd.DataFrame({"a": [1.25]})))
    out = tmp_path / "deck.pdf"
    render_pages(pages, out, size=PageSize.SLIDE)
    texts = _pdf_pages(out)
    assert len(texts) == len(parks) + 1
    assert all(str(n) in t for n, t in zip(parks["name"], texts, strict=False))
    assert "1.25" in texts[-1]
    box = PdfReader(out).pages[0].mediabox
    assert float(box.width) / float(box.height) == pytest.approx(16 / 9, rel=1e-3)


def test_png_holds_one_page_and_streams_need_a_format(tmp_path: Path) -> None:
    page = BriefPage(title="t")
    with pytest.raises(InputError, match="one page"):
        render_pages([page, page], tmp_path / "two.png")
    with pytest.raises(InputError, match="fmt"):
        render_pages([page], io.BytesIO())
    stream = io.BytesIO()
    render_pages([page], stream, fmt="pdf")
    assert _pdf_pages(io.BytesIO(stream.getvalue())) and not list(tmp_path.iterdir())


def test_an_empty_map_is_refused(tmp_path: Path) -> None:
    empty = gpd.GeoDataFrame({"name": []}, geometry=[], crs=4490)
    with pytest.raises(InputError, match="nothing to show"):
        render_pages([BriefPage(title="t", map=StaticMapSpec(
            layers=(MapLayer("villages", empty),)))], tmp_path / "e.pdf")
    assert not list(tmp_path.iterdir())


def test_the_highlighted_feature_is_always_labelled(brief_data: BriefData) -> None:
    villages = brief_data.layer("villages")
    for name in villages["name"].head(12):
        one = villages[villages["name"] == name]
        spec = StaticMapSpec(layers=(MapLayer("villages", villages, labels=True),),
                             fit=villages, highlight=one)
        fig = draw_page(BriefPage(title="t", map=spec))
        assert name in {t.get_text() for t in fig.axes[0].texts}


def test_a_long_title_is_cut_inside_the_page() -> None:
    fig = draw_page(BriefPage(title="很长的标题" * 30, subtitle="副" * 300))
    renderer = fig.canvas.get_renderer()
    width = fig.get_figwidth() * fig.dpi
    for text in fig.texts:
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= width
    assert any(t.get_text().endswith("…") for t in fig.texts)


def _pixel_at(fig, lon: float, lat: float) -> np.ndarray:
    """The rendered colour at a lon/lat point of the page's map."""
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    x, y = Transformer.from_crs(4490, 4547, always_xy=True).transform(lon, lat)
    px, py = fig.axes[0].transData.transform((x, y))
    return pixels[int(pixels.shape[0] - py), int(px)].astype(int)


@pytest.mark.parametrize("reverse", [False, True])  # either winding of the hole in the file
def test_a_hole_in_a_polygon_stays_empty(reverse: bool) -> None:
    from shapely.geometry import Polygon

    outer = [(113.40, 31.70), (113.43, 31.70), (113.43, 31.73), (113.40, 31.73)]
    hole = [(113.41, 31.71), (113.42, 31.71), (113.42, 31.72), (113.41, 31.72)]
    ring = hole[::-1] if reverse else hole
    donut = gpd.GeoDataFrame({"id": ["d"], "name": ["d"]},
                             geometry=[Polygon(outer, [ring])], crs=4490)
    fig = draw_page(BriefPage(title="t", map=StaticMapSpec(
        layers=(MapLayer("sites", donut),), margin=0.0)), size=PageSize.SLIDE)
    fig.canvas.draw()
    in_hole, in_fill = _pixel_at(fig, 113.415, 31.715), _pixel_at(fig, 113.405, 31.705)
    background = np.array([0xF4, 0xF3, 0xEF])
    assert np.abs(in_hole - background).max() <= 2
    assert np.abs(in_fill - background).max() > 10

"""Time to export a storyboard: the offline HTML deck and the 16:9 PDF.

Measured on the bundled layers and storyboard (``geo_app/storyboards/zone.toml``), and
optionally with ``--parcels N`` synthetic parcels added to the parcels layer (a bigger
map on every slide that shows parcels). Goal: the bundled storyboard as PDF in ≤ 15 s.

HTML, three ways, in the same run on the same data:

* **deck**: :func:`geo_app.present.export_deck_html` (maps with the app's styles, legend
  and labels, the progress animation, figures, tables, notes, navigation);
* **maps**: just each slide's map document (``export_map_html(build_slide_map(...))``)
  and the animation: the share of the deck that is the app's map builder;
* **floor**: the least any one-file offline deck with a Leaflet map per slide must do:
  each slide's features as GeoJSON (vectorised ``shapely.to_geojson``), Leaflet's JS/CSS
  copied into each slide's document, everything escaped into one page. No styles,
  legend, labels, figures.

Same answers asserted: every feature id of every slide's layers is in the deck's and in
the floor's slide document, and every figure the slides name is in the deck as computed.

PDF: :func:`geo_app.present.pdf.export_deck_pdf` against ``render_pages`` of the same
pages built beforehand (the renderer alone): the overhead of turning slides into pages.

    python benchmarks/storyboard_render.py [--parcels 0 5000] [--repeats 3] [--no-pdf]
"""

from __future__ import annotations

import argparse
import io
import json
import time
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_app.maps.assets import vendor_dir
from geo_app.maps.build import export_map_html
from geo_app.maps.synthetic import synthetic_parcels
from geo_app.present import (
    Storyboard,
    StoryData,
    bundled_storyboards,
    compute_figure,
    export_deck_html,
    load_story_data,
    load_storyboard,
)
from geo_app.present.animate import progress_animation_html
from geo_app.present.model import Animation
from geo_app.present.view import build_slide_map, slide_layers
from geo_app.settings import BUNDLED_LAYERS
from geo_app.textsafe import html_text, script_json


def _best(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _fresh(data: StoryData) -> StoryData:
    """The same data with an empty memo (no figure computed before the timed run)."""
    return StoryData(data.layers, data.events, data.planes, data.as_of)


def _with_parcels(data: StoryData, n: int) -> StoryData:
    if n == 0:
        return data
    extra = synthetic_parcels(n)
    extra = extra.assign(id=[f"SYN-{i}" for i in range(n)], name=extra["id"],
                         park="青春化工园", phase=2)
    parcels = pd.concat([data.layers["parcels"], extra[["id", "name", "park", "phase",
                                                        "stage", "geometry"]]],
                        ignore_index=True)
    parcels = gpd.GeoDataFrame(parcels, geometry="geometry", crs=4490)
    return StoryData({**data.layers, "parcels": parcels}, data.events, {}, data.as_of)


def _maps_only(board: Storyboard, data: StoryData) -> list[str]:
    data = data.with_as_of(board.as_of)
    return [progress_animation_html(data, end=board.as_of) if s.animate is Animation.PROGRESS
            else export_map_html(build_slide_map(data, s.view)) for s in board.slides]


def _floor(board: Storyboard, data: StoryData) -> str:
    root = vendor_dir()
    leaflet_js = (root / "leaflet" / "leaflet.js").read_text(encoding="utf-8")
    leaflet_css = (root / "leaflet" / "leaflet.css").read_text(encoding="utf-8")
    docs = []
    for slide in board.slides:
        layers = slide_layers(data, slide.view)
        features = []
        for gdf in layers.values():
            geoms = shapely.set_precision(np.asarray(gdf.geometry.array, dtype=object), 1e-6)
            ids = gdf["id"].astype(str).tolist()
            features += [f'{{"type":"Feature","properties":{{"id":{json.dumps(i)}}},'
                         f'"geometry":{g}}}' for i, g in zip(ids, shapely.to_geojson(geoms),
                                                            strict=True)]
        fc = '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
        docs.append(f"<html><head><style>{leaflet_css}</style><script>{leaflet_js}</script>"
                    "</head><body><div id=m style='height:100%'></div><script>var m=L.map('m');"
                    f"var g=L.geoJSON({fc}).addTo(m);m.fitBounds(g.getBounds());</script>"
                    "</body></html>")
    titles = "".join(f"<section><h1>{html_text(s.title)}</h1></section>" for s in board.slides)
    return f"<html><body>{titles}<script type='application/json'>{script_json(docs)}</script>"


def _slide_docs(page: str) -> list[str]:
    start = page.index("<script type=")
    start = page.index(">", start) + 1
    return json.loads(page[start:page.index("</script>", start)])


def _check(board: Storyboard, data: StoryData, deck: str, floor: str) -> int:
    deck_docs, floor_docs = _slide_docs(deck), _slide_docs(floor)
    features = 0
    for slide, ours, bare in zip(board.slides, deck_docs, floor_docs, strict=True):
        assert html_text(slide.title) in deck
        if slide.animate is Animation.PROGRESS:
            continue
        for gdf in slide_layers(data, slide.view).values():
            for fid in gdf["id"].astype(str):
                assert json.dumps(fid)[1:-1] in ours, (slide.title, fid)
                assert json.dumps(fid) in bare, (slide.title, fid)
                features += 1
    as_of = data.with_as_of(board.as_of)
    for slide in board.slides:
        for key in slide.figures:
            assert html_text(compute_figure(as_of, key).text) in deck, key
    return features


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parcels", type=int, nargs="*", default=[0, 5000],
                        help="synthetic parcels added (0 = the bundled layers only)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    board = load_storyboard(bundled_storyboards()["zone.toml"])
    base = load_story_data(str(BUNDLED_LAYERS))
    print(f"storyboard: {board.source}, {len(board.slides)} slides; best of {args.repeats}")
    print(f"{'extra parcels':>13} {'method':<7} {'seconds':>8} {'ratio':>6} {'MB':>6}")
    for n in args.parcels:
        data = _with_parcels(base, n)
        t_deck, deck = _best(lambda d=data: export_deck_html(board, _fresh(d)), args.repeats)
        t_maps, _ = _best(lambda d=data: _maps_only(board, _fresh(d)), args.repeats)
        t_floor, floor = _best(lambda d=data: _floor(board, d), args.repeats)
        features = _check(board, data, str(deck), str(floor))
        for name, seconds, size in (("deck", t_deck, len(str(deck))),
                                    ("maps", t_maps, None),
                                    ("floor", t_floor, len(str(floor)))):
            mb = f"{size / 1e6:6.1f}" if size else "     -"
            print(f"{n:>13} {name:<7} {seconds:8.2f} {seconds / t_floor:6.1f} {mb}")
        print(f"{'':>13} same {features} features on every slide, all figures: OK")
    if args.no_pdf:
        return
    from geo_app.briefs import PageSize, render_pages
    from geo_app.present.pdf import export_deck_pdf, slide_page

    data = base.with_as_of(board.as_of)
    t_pdf, _ = _best(lambda: export_deck_pdf(board, _fresh(base), io.BytesIO()), 1)
    pages = [slide_page(data, s, date=board.as_of) for s in board.slides]
    t_render, _ = _best(lambda: render_pages(pages, io.BytesIO(), size=PageSize.SLIDE,
                                             fmt="pdf"), 1)
    buf = io.BytesIO()
    assert export_deck_pdf(board, _fresh(base), buf) == len(board.slides)
    print(f"PDF ({len(board.slides)} pages, bundled layers): {t_pdf:.2f} s "
          f"(goal ≤ 15 s); render_pages alone {t_render:.2f} s, ratio "
          f"{t_pdf / t_render:.2f}")


if __name__ == "__main__":
    main()

"""Time each brief as PNG and PDF (goal ≤ 2 s each) against a bare matplotlib floor.

    python benchmarks/brief_render.py [--repeat N] [--cpu]   (default: 3, median shown)

For each brief (village 挑水村, park 青春化工园, progress as of 2021-06-30) the breakdown:
``figures`` (build the BriefPage: analysis on the bundled layers), ``draw`` (lay out the
page, draw the map in the GK plane, place labels and legend), ``save`` (PNG at the page's
dpi / PDF with the CJK font subset embedded). The floor draws the same layers in the same
plane as one bare matplotlib collection per layer (default colours; no labels, legend or
layout) with one CJK title (so the PDF embeds the font too), on the same figure size and
dpi, in the same process: what any matplotlib brief must at least cost. Same answers
asserted: equal PNG sizes, and the brief's PDF holds the net-land figure computed by the
analysis.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import time

import matplotlib.image as mpimg
import shapely
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from pypdf import PdfReader

from geo_app.analysis.progress import progress
from geo_app.briefs import BriefData, PageSize, build_brief, default_cjk_font, load_brief_data
from geo_app.briefs.render import _rc, draw_page
from geo_app.briefs.static_map import _polygon_path
from geo_app.settings import BUNDLED_LAYERS
from geo_app.storage import GeoPackageStore

LAYERS = ("boundary", "parks", "parcels", "projects", "villages", "roads", "facilities",
          "sites")
BRIEFS = (("village", "挑水村", None), ("park", "青春化工园", None),
          ("progress", None, dt.date(2021, 6, 30)))
SIZE = PageSize.A4
CPU = {"on": False}


def _time(fn):
    """Wall time of ``fn()`` (CPU time with ``--cpu``: steadier on a busy machine)."""
    clock = time.process_time if CPU["on"] else time.perf_counter
    start = clock()
    out = fn()
    return clock() - start, out


def brief_once(data: BriefData, kind: str, name: str | None, as_of: dt.date | None,
               fmt: str) -> tuple[dict[str, float], bytes]:
    font = default_cjk_font()
    t_fig, page = _time(lambda: build_brief(data, kind, name, as_of=as_of, lang="zh"))
    buf = io.BytesIO()
    with rc_context(_rc(font)):
        t_draw, fig = _time(lambda: draw_page(page, size=SIZE, font=font))
        t_save, _ = _time(lambda: fig.savefig(buf, format=fmt, dpi=SIZE.png_dpi,
                                              facecolor="white"))
    return {"figures": t_fig, "draw": t_draw, "save": t_save}, buf.getvalue()


def floor_once(data: BriefData, kind: str, fmt: str) -> tuple[float, bytes]:
    """The same layers in the same plane as bare matplotlib collections (one per layer,
    default colours), one CJK title, same page size and dpi: no labels, legend or layout."""
    names = {"village": ("boundary", "villages", "roads", "facilities", "sites"),
             "park": ("boundary", "parks", "parcels", "projects"),
             "progress": ("boundary", "parks", "parcels")}[kind]
    font = default_cjk_font()

    def run() -> bytes:
        fig = Figure(figsize=SIZE.inches)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.03, 0.08, 0.6, 0.75))
        for n in names:
            geoms = data.layer(n).to_crs(4547).geometry.to_numpy()
            kinds = shapely.get_type_id(geoms)
            polys = geoms[(kinds == 3) | (kinds == 6)]
            if len(polys):
                ax.add_collection(PathCollection([_polygon_path(g) for g in polys]))
            lines = geoms[(kinds == 1) | (kinds == 5)]
            if len(lines):
                ax.add_collection(LineCollection(
                    [shapely.get_coordinates(g) for g in lines]))
            xy = shapely.get_coordinates(geoms[kinds == 0])
            if len(xy):
                ax.scatter(xy[:, 0], xy[:, 1])
        ax.autoscale_view()
        ax.set_aspect("equal")
        fig.text(0.03, 0.93, "青春化工园 挑水村 1,420.00 亩", fontproperties=font.font_properties(
            size=20))
        buf = io.BytesIO()
        with rc_context(_rc(font)):
            fig.savefig(buf, format=fmt, dpi=SIZE.png_dpi)
        return buf.getvalue()

    return _time(run)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cpu", action="store_true",
                        help="Process CPU time instead of wall time (a machine shared with "
                             "other jobs).")
    args = parser.parse_args()
    CPU["on"] = args.cpu
    print(f"clock: {'process CPU' if args.cpu else 'wall'}; median of {args.repeat}")
    store = GeoPackageStore(BUNDLED_LAYERS)
    t_load, data = _time(lambda: load_brief_data(store, LAYERS))
    default_cjk_font().codepoints  # noqa: B018 - warm the font's cmap once
    print(f"load layers + areas (once per store version; cached in the app): {t_load:.2f} s")
    print(f"{'brief':<10}{'fmt':<5}{'figures':>9}{'draw':>8}{'save':>8}{'total':>8}"
          f"{'floor':>8}{'ratio':>7}")
    worst = 0.0
    for kind, name, as_of in BRIEFS:
        for fmt in ("png", "pdf"):
            runs = [brief_once(data, kind, name, as_of, fmt) for _ in range(args.repeat)]
            floors = [floor_once(data, kind, fmt) for _ in range(args.repeat)]
            parts = {k: statistics.median(r[0][k] for r in runs) for k in runs[0][0]}
            total = sum(parts.values())
            floor = statistics.median(f[0] for f in floors)
            worst = max(worst, total)
            out, base = runs[0][1], floors[0][1]
            if fmt == "png":
                assert mpimg.imread(io.BytesIO(out)).shape == \
                    mpimg.imread(io.BytesIO(base)).shape
            elif kind == "progress":
                phases = progress(data.layer("parcels"), as_of=as_of, events=data.events,
                                  plane=data.planes["parcels"])
                text = PdfReader(io.BytesIO(out)).pages[0].extract_text()
                assert f"{phases[0].net_land_mu:,.2f} / 1,420 亩" in text
            print(f"{kind:<10}{fmt:<5}{parts['figures']:>8.2f}s{parts['draw']:>7.2f}s"
                  f"{parts['save']:>7.2f}s{total:>7.2f}s{floor:>7.2f}s{total / floor:>6.1f}x")
    print(f"slowest brief: {worst:.2f} s (goal ≤ 2 s)")


if __name__ == "__main__":
    main()

"""Map payload and time to first paint: ``build_zone_map`` against naive folium.

For 1k / 10k / 50k synthetic parcels (a jittered cadastral grid near Suizhou, EPSG:4490,
random stages, areas from ``add_areas``) this builds

* **ours**: ``build_zone_map({"parcels": gdf})``;
* **naive**: ``folium.GeoJson(gdf, style_function=...)`` of the raw geometries, coloured
  by stage, on a canvas map (``prefer_canvas=True``) with the same vendored Leaflet,

writes each page to a file and opens it in headless Chromium from ``file://`` with every
other request blocked. *Paint* is ``performance.now()`` (from navigation start) two
animation frames after ``map.whenReady`` once every layer has been added, i.e. after
the first paint of all parcels; the best of ``--repeats`` loads is kept. The table
gives payload (HTML bytes), Python build + render time and paint time, with ratios.

    python benchmarks/map_payload.py [--sizes 1000 10000 50000] [--repeats 3]

Needs ``python scripts/fetch_assets.py`` first and Debian's ``/usr/bin/chromium``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import folium
import geopandas as gpd

from geo_app.analysis.area import add_areas
from geo_app.maps import build_zone_map, localize_assets, vendor_dir
from geo_app.maps.elements import GeoAppRuntime, ReadyFlag
from geo_app.maps.style import BACKGROUND_HEX, STAGE_HEX
from geo_app.maps.synthetic import synthetic_parcels

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
VIEWPORT = {"width": 1200, "height": 800}
_COUNT_PATHS_JS = """() => {
  const map = Object.values(window).find((v) => v instanceof L.Map);
  let n = 0;
  map.eachLayer((l) => { if (l instanceof L.Path) { n += 1; } });
  return n;
}"""


@dataclass
class Row:
    parcels: int
    naive_bytes: int
    ours_bytes: int
    naive_build_s: float
    ours_build_s: float
    naive_paint_s: float
    ours_paint_s: float
    naive_drawn: int
    ours_drawn: int


def naive_map(gdf: gpd.GeoDataFrame, asset_base_url: str) -> folium.Map:
    """What one writes without care: one GeoJson of the raw data, style by function."""
    colours = {stage.value: hex_ for stage, hex_ in STAGE_HEX.items()}
    m = folium.Map(tiles=None, prefer_canvas=True, location=[31.7, 113.55], zoom_start=12)
    GeoAppRuntime(background=BACKGROUND_HEX).add_to(m)  # only for the ready flag
    folium.GeoJson(
        gdf,
        style_function=lambda f: {
            "fillColor": colours.get(f["properties"]["stage"], "#bdbdbd"),
            "color": "#333333", "weight": 1, "fillOpacity": 0.78,
        },
    ).add_to(m)
    minx, miny, maxx, maxy = gdf.total_bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(16, 16))
    ReadyFlag().add_to(m)
    localize_assets(m, asset_base_url)
    return m


def _render(build, path: Path) -> tuple[int, float]:
    start = time.perf_counter()
    html = build().get_root().render()
    seconds = time.perf_counter() - start
    data = html.encode("utf-8")
    path.write_bytes(data)
    return len(data), seconds


def paint_seconds(browser, path: Path, repeats: int, timeout_s: float) -> tuple[float, int]:
    """Best time to first paint over ``repeats`` loads, and the number of paths drawn."""
    best, drawn = float("inf"), 0
    for _ in range(repeats):
        page = browser.new_page(viewport=VIEWPORT)
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
            ("file:", "data:")) else r.abort())
        page.goto(path.as_uri(), wait_until="commit")
        page.wait_for_selector("html[data-geo-app-ready]", state="attached",
                               timeout=timeout_s * 1000)
        best = min(best, page.evaluate("window.geoAppReadyMs") / 1000.0)
        drawn = page.evaluate(_COUNT_PATHS_JS)
        page.close()
    return best, drawn


def run(sizes: list[int], repeats: int, points_per_edge: int, timeout_s: float) -> list[Row]:
    from playwright.sync_api import sync_playwright

    base = vendor_dir().as_uri()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for n in sizes:
            gdf, _ = add_areas(synthetic_parcels(n, seed=n, points_per_edge=points_per_edge))
            ours_path, naive_path = Path(tmp) / f"ours_{n}.html", Path(tmp) / f"naive_{n}.html"
            ours_bytes, ours_build = _render(
                lambda gdf=gdf: build_zone_map({"parcels": gdf}, asset_base_url=base), ours_path)
            naive_bytes, naive_build = _render(lambda gdf=gdf: naive_map(gdf, base), naive_path)
            ours_paint, ours_drawn = paint_seconds(browser, ours_path, repeats, timeout_s)
            naive_paint, naive_drawn = paint_seconds(browser, naive_path, repeats, timeout_s)
            rows.append(Row(n, naive_bytes, ours_bytes, naive_build, ours_build,
                            naive_paint, ours_paint, naive_drawn, ours_drawn))
            print(f"  {n} parcels done", flush=True)
        browser.close()
    return rows


def table(rows: list[Row]) -> str:
    head = (f"{'parcels':>8} | {'naive MB':>9} {'ours MB':>8} {'ratio':>6} | "
            f"{'naive build s':>13} {'ours build s':>12} | "
            f"{'naive paint s':>13} {'ours paint s':>12} {'ratio':>6} | drawn")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r.parcels:>8} | {r.naive_bytes / 1e6:>9.2f} {r.ours_bytes / 1e6:>8.2f} "
            f"{r.ours_bytes / r.naive_bytes:>6.3f} | {r.naive_build_s:>13.2f} "
            f"{r.ours_build_s:>12.2f} | {r.naive_paint_s:>13.2f} {r.ours_paint_s:>12.2f} "
            f"{r.ours_paint_s / r.naive_paint_s:>6.3f} | {r.ours_drawn}/{r.naive_drawn}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Map payload and paint-time benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--points-per-edge", type=int, default=5,
                        help="corner + boundary points per parcel edge (1: quadrilaterals)")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per page load")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    print(f"Chromium {CHROMIUM}, {os.cpu_count()} cores, load average {load:.2f}")
    rows = run(args.sizes, args.repeats, args.points_per_edge, args.timeout)
    print(table(rows))
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

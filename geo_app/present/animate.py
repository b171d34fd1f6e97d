"""The progress slide's animation: the parcels and net land against the targets, month by
month through the stage-event ledger, as one small offline HTML document.

The same document runs in the Present page (a component) and in the exported deck (an
iframe): an SVG of the parcels coloured by their stage on each month end, one bar per
phase (net land 净地 and later against its target), a slider bounded to the ledger's
first and last month with a tick at each new year, and play/pause. Everything is
computed here with the analysis functions (:func:`~geo_app.analysis.progress.stages_as_of`,
:func:`~geo_app.analysis.timeline.net_land_by_month`); the browser only looks values up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from geo_app.analysis.dashboard import stage_label
from geo_app.analysis.progress import NOT_STARTED
from geo_app.analysis.timeline import event_span, month_ends, net_land_by_month
from geo_app.domain.phases import phase_label
from geo_app.domain.stages import ParcelStage
from geo_app.errors import InputError
from geo_app.maps.style import NOT_STARTED_HEX, STAGE_HEX
from geo_app.present.figures import StoryData
from geo_app.textsafe import html_text, script_json

#: Milliseconds per month when playing.
STEP_MS = 700
_SVG_W = 1000.0


@dataclass(frozen=True)
class ProgressFrames:
    """Everything the animation shows, per month end (``months``, ISO dates)."""

    months: list[str]
    #: phase → net land mu per month
    net_land_mu: dict[int, list[float]]
    targets_mu: dict[int, float | None]
    #: stage code index (into ``stages``) per parcel per month
    stage_index: list[list[int]]
    stages: list[str]
    paths: list[str]
    view_box: tuple[float, float]
    #: ``(x, y, phase)``: where each phase's name goes in the drawing (its parcels' middle)
    phase_marks: list[tuple[float, float, int]]


def progress_frames(data: StoryData, *, end: dt.date | None = None) -> ProgressFrames:
    """The monthly frames from the ledger's first month to its last (or ``end``)."""
    parcels = data.layer("parcels")
    events = data.events
    span = event_span(events)
    if span is None:
        raise InputError("The store has no stage-event ledger, so there is no progress to "
                         "animate; record stage changes first.")
    last = min(span[1], end) if end is not None and end >= span[0] else span[1]
    months = month_ends(span[0], last)
    monthly = net_land_by_month(parcels, events, start=span[0], end=last,
                                plane=data.planes.get("parcels"))
    net = {int(p): [round(float(v), 2) for v in rows["net_land_mu"]]
           for p, rows in monthly.groupby("phase", sort=True)}
    targets = {int(p): (None if pd.isna(t) else float(t))
               for p, t in monthly.groupby("phase", sort=True)["target_mu"].first().items()}
    stages = [NOT_STARTED, *(s.value for s in ParcelStage)]
    stage_index = _stage_index(parcels["id"].astype(str).to_numpy(), events, months, stages)
    paths, view_box, to_svg = _svg_paths(parcels)
    lonlat = parcels
    if parcels.crs is not None and parcels.crs.to_epsg() not in (4490, 4326):
        lonlat = parcels.to_crs(4490)
    marks = []
    for phase, rows in lonlat.groupby(lonlat["phase"].astype("int64"), sort=True):
        minx, miny, maxx, maxy = rows.total_bounds
        x, y = to_svg((minx + maxx) / 2, (miny + maxy) / 2)
        marks.append((round(x, 1), round(y, 1), int(phase)))
    return ProgressFrames([d.isoformat() for d in months], net, targets, stage_index, stages,
                          paths, view_box, marks)


def _stage_index(ids: np.ndarray, events: pd.DataFrame, months: list[dt.date],
                 stages: list[str]) -> list[list[int]]:
    """Per parcel, the index in ``stages`` of its stage on each month end.

    The rule of :func:`~geo_app.analysis.progress.stages_as_of` (the last event in effect
    by effective date, then recording time, then event id; none yet: not started), read
    for all months at once: one sorted search per parcel instead of one replay per month.
    """
    position = {code: i for i, code in enumerate(stages)}
    ordered = events.assign(day=pd.to_datetime(events["effective_date"].astype("string")
                                               .str.slice(0, 10)))
    ordered = ordered.sort_values(["day", "recorded_at", "event_id"], kind="stable")
    points = pd.to_datetime(pd.Series(months)).to_numpy()
    by_parcel = {str(pid): (rows["day"].to_numpy(),
                            np.array([position.get(c, 0) for c in rows["to_stage"]]))
                 for pid, rows in ordered.groupby(ordered["parcel_id"].astype(str), sort=False)}
    out = []
    for pid in ids:
        if pid not in by_parcel:
            out.append([0] * len(months))
            continue
        days, codes = by_parcel[pid]
        at = np.searchsorted(days, points, side="right") - 1
        out.append(np.where(at >= 0, codes[np.maximum(at, 0)], 0).tolist())
    return out


def _svg_paths(parcels: object) -> tuple[list[str], tuple[float, float],
                                        Callable[[float, float], tuple[float, float]]]:
    """SVG path data of each parcel, lon/lat scaled by cos(lat) into a 1000-wide box; the
    box's size; the lon/lat → box function."""
    gdf = parcels
    if gdf.crs is not None and gdf.crs.to_epsg() not in (4490, 4326):  # type: ignore[union-attr]
        gdf = gdf.to_crs(4490)  # type: ignore[union-attr]
    geoms = np.asarray(gdf.geometry.array, dtype=object)  # type: ignore[union-attr]
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    kx = float(np.cos(np.radians((miny + maxy) / 2)))
    width = max((maxx - minx) * kx, 1e-9)
    scale = _SVG_W / width
    height = max((maxy - miny) * scale, 1.0)

    def ring(coords: np.ndarray) -> str:
        xs = (coords[:, 0] - minx) * kx * scale
        ys = (maxy - coords[:, 1]) * scale
        return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True)) + "Z"

    paths = []
    for geom in geoms:
        parts = []
        for poly in getattr(geom, "geoms", [geom]):
            if poly is None or poly.is_empty or poly.geom_type != "Polygon":
                continue
            parts.append(ring(np.asarray(poly.exterior.coords)))
            parts += [ring(np.asarray(r.coords)) for r in poly.interiors]
        paths.append("".join(parts))

    def to_svg(lon: float, lat: float) -> tuple[float, float]:
        return float((lon - minx) * kx * scale), float((maxy - lat) * scale)

    return paths, (_SVG_W, round(height, 1)), to_svg


_CSS = """
*{box-sizing:border-box}
html,body{margin:0;height:100%;background:#fff;color:#1a1a1a;
 font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif}
#anim{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);grid-template-rows:1fr auto;
 gap:12px 28px;height:100%;padding:10px 16px}
#map{grid-row:1;grid-column:1;min-height:0;display:flex;align-items:center;justify-content:center}
#map svg{max-width:100%;max-height:100%}
#map path{stroke:#333;stroke-width:1.2;fill-rule:evenodd;transition:fill .25s}
#map text{font-size:44px;font-weight:700;fill:#111;stroke:#fff;stroke-width:7px;
 paint-order:stroke;text-anchor:middle;dominant-baseline:middle}
#side{grid-row:1;grid-column:2;display:flex;flex-direction:column;justify-content:center;gap:22px}
#phases{display:flex;flex-direction:column;gap:18px}
#date{font-size:44px;font-weight:700}
.phase .name{font-size:24px;font-weight:700}
.phase .bar{height:30px;background:#e8e8e8;border-radius:4px;overflow:hidden;margin:6px 0}
.phase .fill{height:100%;background:#1d91c0;transition:width .25s}
.phase .num{font-size:24px}
#legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:17px}
#legend i{display:inline-block;width:16px;height:16px;margin-right:5px;vertical-align:-2px;
 border:1px solid #333}
#controls{grid-row:2;grid-column:1 / span 2;display:flex;align-items:center;gap:18px;
 padding-bottom:6px}
#play{font-size:22px;padding:6px 18px;min-width:120px;cursor:pointer}
#track{flex:1;position:relative;padding-bottom:26px;margin:0 22px}
#slider{width:100%;margin:0}
.tick{position:absolute;top:22px;font-size:17px;transform:translateX(-50%);color:#444}
.tick::before{content:"";position:absolute;left:50%;top:-6px;height:6px;border-left:2px solid #666}
"""

_JS = """
(function () {
  var F = JSON.parse(document.getElementById('frames').textContent);
  var T = JSON.parse(document.getElementById('texts').textContent);
  var svg = document.querySelector('#map svg'), NS = 'http://www.w3.org/2000/svg';
  var shapes = F.paths.map(function (d) {
    var p = document.createElementNS(NS, 'path'); p.setAttribute('d', d);
    svg.appendChild(p); return p;
  });
  F.marks.forEach(function (m) {
    var t = document.createElementNS(NS, 'text');
    t.setAttribute('x', m[0]); t.setAttribute('y', m[1]);
    t.textContent = T.phaseNames[String(m[2])]; svg.appendChild(t);
  });
  var legend = document.getElementById('legend');
  T.stages.forEach(function (s, i) {
    var item = document.createElement('span'), sw = document.createElement('i');
    sw.style.background = T.colours[i]; item.appendChild(sw);
    item.appendChild(document.createTextNode(s)); legend.appendChild(item);
  });
  var side = document.getElementById('phases'), bars = {};
  Object.keys(F.net).forEach(function (ph) {
    var box = document.createElement('div'); box.className = 'phase';
    var name = document.createElement('div'); name.className = 'name';
    name.textContent = T.phases[ph];
    var bar = document.createElement('div'); bar.className = 'bar';
    var fill = document.createElement('div'); fill.className = 'fill'; bar.appendChild(fill);
    var num = document.createElement('div'); num.className = 'num';
    box.appendChild(name); box.appendChild(bar); box.appendChild(num); side.appendChild(box);
    bars[ph] = {fill: fill, num: num};
  });
  var slider = document.getElementById('slider'), play = document.getElementById('play');
  var date = document.getElementById('date'), track = document.getElementById('track');
  slider.min = 0; slider.max = F.months.length - 1; slider.value = F.months.length - 1;
  F.months.forEach(function (m, i) {
    if (i === 0 || m.slice(5, 7) === '01') {
      var t = document.createElement('span'); t.className = 'tick';
      t.style.left = (F.months.length > 1 ? 100 * i / (F.months.length - 1) : 0) + '%';
      t.textContent = m.slice(0, 4); track.appendChild(t);
    }
  });
  function fmt(v) {
    return v.toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2});
  }
  function show(i) {
    slider.value = i; date.textContent = F.months[i];
    document.body.setAttribute('data-month', F.months[i]);
    shapes.forEach(function (p, k) { p.style.fill = T.colours[F.stage[k][i]]; });
    Object.keys(bars).forEach(function (ph) {
      var v = F.net[ph][i], target = F.targets[ph];
      bars[ph].fill.style.width = (target ? Math.min(100, 100 * v / target) : 0) + '%';
      bars[ph].num.textContent = fmt(v) + ' / ' + (target ? target.toLocaleString('en-US') : '—')
        + ' ' + T.mu;
    });
  }
  var timer = null;
  function stop() { if (timer) { clearInterval(timer); timer = null; } play.textContent = T.play; }
  play.addEventListener('click', function () {
    if (timer) { stop(); return; }
    if (+slider.value >= F.months.length - 1) { show(0); }
    play.textContent = T.pause;
    timer = setInterval(function () {
      var i = +slider.value + 1;
      if (i >= F.months.length) { stop(); return; }
      show(i);
    }, %(step)d);
  });
  slider.addEventListener('input', function () { stop(); show(+slider.value); });
  play.textContent = T.play;
  show(F.months.length - 1);
  document.addEventListener('keydown', function (e) {
    if (['ArrowLeft', 'ArrowRight', 'PageUp', 'PageDown', 'n', 'N'].indexOf(e.key) >= 0) {
      e.preventDefault();
      if (window.parent !== window) { window.parent.postMessage({presentKey: e.key}, '*'); }
    }
  });
})();
"""


def progress_animation_html(data: StoryData, *, lang: str = "zh",
                            end: dt.date | None = None) -> str:
    """The animation as one self-contained HTML document (no network, no library)."""
    frames = progress_frames(data, end=end)
    zh = lang == "zh"
    texts = {
        "stages": [stage_label(code, lang) for code in frames.stages],
        "colours": [NOT_STARTED_HEX if code == NOT_STARTED else STAGE_HEX[ParcelStage(code)]
                    for code in frames.stages],
        "phases": {str(p): (f"{phase_label(p, lang)}净地" if zh
                            else f"{phase_label(p, lang)} net land") for p in frames.net_land_mu},
        "phaseNames": {str(m[2]): phase_label(m[2], lang) for m in frames.phase_marks},
        "mu": "亩" if zh else "mu",
        "play": "▶ 播放" if zh else "▶ Play",
        "pause": "❚❚ 暂停" if zh else "❚❚ Pause",
    }
    payload = {"months": frames.months, "net": {str(k): v for k, v in frames.net_land_mu.items()},
               "targets": {str(k): v for k, v in frames.targets_mu.items()},
               "stage": frames.stage_index, "paths": frames.paths,
               "marks": [list(m) for m in frames.phase_marks]}
    w, h = frames.view_box
    title = "征地进度逐月回放" if zh else "Acquisition progress month by month"
    return (
        "<!DOCTYPE html><html lang=\"" + ("zh-CN" if zh else "en") + "\"><head>"
        "<meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'\">"
        f"<title>{html_text(title)}</title><style>{_CSS}</style></head><body>"
        "<div id=\"anim\"><div id=\"map\">"
        f"<svg viewBox=\"-10 -10 {w + 20:.0f} {h + 20:.0f}\" role=\"img\" "
        f"aria-label=\"{html_text(title)}\"></svg></div>"
        "<div id=\"side\"><div id=\"date\"></div><div id=\"phases\"></div>"
        "<div id=\"legend\"></div></div>"
        "<div id=\"controls\"><button id=\"play\" type=\"button\"></button>"
        "<div id=\"track\"><input id=\"slider\" type=\"range\" step=\"1\" "
        f"aria-label=\"{html_text('月份' if zh else 'Month')}\"></div></div></div>"
        f"<script type=\"application/json\" id=\"frames\">{script_json(payload)}</script>"
        f"<script type=\"application/json\" id=\"texts\">{script_json(texts)}</script>"
        f"<script>{_JS.replace('%(step)d', str(STEP_MS))}</script></body></html>"
    )

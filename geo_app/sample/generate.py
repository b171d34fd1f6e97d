"""Deterministic generator of the bundled, illustrative Suizhou sample layers.

The article (December 2021) gives figures but no coordinates, so the geometry is drawn
near the real places and sized so that the analysis functions reproduce the figures:
1420 mu of phase-1 net land, 1700 mu of phase 2, 44 villages, a 25 km loop road whose
2 km belt reaches 16 villages, 6 sewage plants, 77 key projects. Every area comes from
geometry; nothing is typed in. Every feature lies at least :data:`EDGE_MARGIN_M` inside the
real outline of 曾都区 (:mod:`geo_app.sample.boundary`), bundled as the ``boundary`` layer.
See ``data_sources.md``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point, Polygon

from geo_app.analysis.crs import GEOGRAPHIC_EPSG
from geo_app.analysis.units import M2_PER_MU
from geo_app.domain.stages import STAGE_ORDER, ParcelStage
from geo_app.domain.targets import LOOP_BELT_M, LOOP_BELT_VILLAGES, LOOP_ROAD_LENGTH_KM
from geo_app.sample import names
from geo_app.sample.boundary import read_boundary
from geo_app.sample.geometry import (
    PLANE_EPSG,
    blob,
    jittered_grid,
    lonlat_to_plane,
    loop_road,
    rect,
    scale_to_area,
)

SEED = 20211201
PHASE1_MU, PHASE2_MU = 1420.0, 1700.0
#: Every feature keeps at least this far inside the district boundary (its outline is
#: accurate to a few hundred metres).
EDGE_MARGIN_M = 300.0
#: The date the sample describes: the article's "as of now".
SAMPLE_DATE = dt.date(2021, 12, 1)


@dataclass
class SampleData:
    layers: dict[str, gpd.GeoDataFrame]
    events: pd.DataFrame


def _frame(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs=PLANE_EPSG)
    return gdf.to_crs(GEOGRAPHIC_EPSG)


# --- parks ---------------------------------------------------------------------------------

_PARKS = (  # id, zh, en, kind, parent, centre lon/lat, width m, height m
    ("CD", "城东片区", "Chengdong District", "district", None, (113.440, 31.700), 4200, 3600),
    ("TB", "铁北片区", "Tiebei District", "district", None, (113.380, 31.735), 4000, 2600),
    ("FN", "府南片区", "Funan District", "district", None, (113.390, 31.640), 3800, 3000),
    ("HG", "化工片区", "Chemical District", "district", None, (113.490, 31.650), 4200, 3800),
    ("QC", "青春化工园", "Qingchun Chemical Park", "park", "化工片区", (113.490, 31.650),
     2400, 2400),
    ("DS", "随州大数据产业园", "Big Data Industrial Park", "park", None, (113.400, 31.700),
     900, 700),
    # 淅河片区 sits against the east edge of 曾都区: at 113.56°E it fell 78 % in 广水市
    ("XH", "淅河片区", "Xihe District", "district", None, (113.515, 31.680), 3600, 3200),
)


def _parks() -> gpd.GeoDataFrame:
    rows, geoms = [], []
    for pid, zh, en, kind, parent, (lon, lat), w, h in _PARKS:
        x, y = lonlat_to_plane(lon, lat)
        rows.append({"id": f"P-{pid}", "name": zh, "name_en": en, "kind": kind, "parent": parent})
        geoms.append(rect(x - w / 2, y - h / 2, w, h))
    return _frame(rows, geoms)


# --- parcels and their stage history ---------------------------------------------------------

_PHASE2_STAGES = (  # 20 parcels of phase 2, all started by December 2021
    ParcelStage.COMPENSATION_PAID, ParcelStage.COMPENSATION_PAID, ParcelStage.COMPENSATION_PAID,
    ParcelStage.ACQUISITION_NOTICE, ParcelStage.ACQUISITION_NOTICE, ParcelStage.APPROVED,
    ParcelStage.APPROVED, ParcelStage.APPROVED, ParcelStage.AGREEMENTS_SIGNED,
    ParcelStage.AGREEMENTS_SIGNED, ParcelStage.AGREEMENTS_SIGNED, ParcelStage.AGREEMENTS_SIGNED,
    ParcelStage.COMPENSATION_PLAN, ParcelStage.COMPENSATION_PLAN, ParcelStage.COMPENSATION_PLAN,
    ParcelStage.RISK_ASSESSMENT, ParcelStage.RISK_ASSESSMENT, ParcelStage.STATUS_SURVEY,
    ParcelStage.STATUS_SURVEY, ParcelStage.PRE_NOTICE,
)
_OFFICERS = ("王建国", "李敏", "张伟", "刘芳", "陈涛")


def _parcels(rng: np.random.Generator) -> gpd.GeoDataFrame:
    x, y = lonlat_to_plane(113.490, 31.650)  # centre of 青春化工园 (2400 m square)
    width = 2000.0
    h1 = PHASE1_MU * M2_PER_MU / width
    h2 = PHASE2_MU * M2_PER_MU / width
    gap = 40.0  # a park road between the phases
    y0 = y - (h1 + gap + h2) / 2
    phase1 = jittered_grid(x - width / 2, y0, width, h1, 4, 3, rng)
    phase2 = jittered_grid(x - width / 2, y0 + h1 + gap, width, h2, 5, 4, rng)
    rows, geoms = [], []
    for i, geom in enumerate(phase1, start=1):
        rows.append({"id": f"QC1-{i:02d}", "name": f"青春化工园一期{i:02d}地块", "phase": 1,
                     "stage": ParcelStage.NET_LAND.value})
        geoms.append(geom)
    for i, geom in enumerate(phase2, start=1):
        rows.append({"id": f"QC2-{i:02d}", "name": f"青春化工园二期{i:02d}地块", "phase": 2,
                     "stage": _PHASE2_STAGES[i - 1].value})
        geoms.append(geom)
    for row, geom in zip(rows, geoms, strict=True):
        row["park"] = "青春化工园"
        row["land_use"] = "工业用地"
        row["declared_area_mu"] = round(geom.area / M2_PER_MU, 2)
    return _frame(rows, geoms)


def _history(parcels: gpd.GeoDataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A plausible event log: phase 1 reaches net land during 2021; phase 2 starts late 2021."""
    events = []
    for row in parcels.itertuples():
        final = ParcelStage(row.stage)
        steps = STAGE_ORDER[: final.order + 1]
        if row.phase == 1:
            start = dt.date(2019, 9, 1) + dt.timedelta(days=int(rng.integers(0, 120)))
            end = dt.date(2021, 1, 15) + dt.timedelta(days=int(rng.integers(0, 300)))
        else:
            start = dt.date(2021, 9, 20) + dt.timedelta(days=int(rng.integers(0, 25)))
            end = SAMPLE_DATE - dt.timedelta(days=int(rng.integers(0, 10)))
        span = (end - start).days
        offsets = np.sort(rng.integers(0, span, len(steps) - 1)) if len(steps) > 1 else []
        dates = [start, *(start + dt.timedelta(days=int(o)) for o in offsets)]
        dates[-1] = end if len(steps) > 1 else start
        previous, last_recorded = None, dt.datetime.min
        for stage, day in zip(steps, dates, strict=True):
            recorded = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(
                days=int(rng.integers(0, 3)), minutes=int(rng.integers(0, 480))
            )
            # one parcel's steps are recorded in workflow order (domain.workflow.replay)
            recorded = last_recorded = max(recorded, last_recorded + dt.timedelta(minutes=5))
            events.append({
                "parcel_id": row.id, "from_stage": previous, "to_stage": stage.value,
                "effective_date": day.isoformat(),
                "officer": _OFFICERS[int(rng.integers(0, len(_OFFICERS)))],
                "note": stage.label_zh,
                "evidence": f"随高新征〔{day.year}〕{len(events) + 1}号",
                "recorded_at": recorded.isoformat(timespec="seconds"), "is_correction": 0,
            })
            previous = stage.value
        parcels.loc[parcels["id"] == row.id, "stage_date"] = day.isoformat()
    frame = pd.DataFrame(events).sort_values(["recorded_at", "parcel_id"], kind="stable")
    frame.insert(0, "event_id", np.arange(1, len(frame) + 1))
    return frame.reset_index(drop=True)


# --- loop road, sites and villages ----------------------------------------------------------

#: Centre of the tourism loop: the loop, its belt villages and the farmland around 挑水
#: must fit between the city parks and the east edge of 曾都区.
_LOOP_CENTRE = (113.470, 31.765)


def _road(rng: np.random.Generator) -> tuple[gpd.GeoDataFrame, shapely.LineString]:
    cx, cy = lonlat_to_plane(*_LOOP_CENTRE)
    line = loop_road(cx, cy, LOOP_ROAD_LENGTH_KM * 1000.0, rng)
    rows = [{"id": "R-01", "name": "乡村振兴旅游循环道路", "name_en": "Tourism loop road",
             "kind": "tourism_loop"}]
    return _frame(rows, [line]), line


def _sites(rng: np.random.Generator, road: shapely.LineString, avoid: list[Polygon],
           district: shapely.Geometry) -> tuple[gpd.GeoDataFrame, tuple[float, float]]:
    cx, cy = lonlat_to_plane(*_LOOP_CENTRE)
    # 挑水: on the south-east of the loop, just outside the road
    ring_pt = road.interpolate(road.project(Point(cx + 2600, cy - 2600)))
    tiaoshui = (ring_pt.x + 500.0, ring_pt.y - 500.0)
    rows: list[dict] = []
    geoms: list[Polygon] = []

    def add(sid: str, zh: str, en: str, kind: str, geom: Polygon, rating: str | None = None):
        rows.append({"id": sid, "name": zh, "name_en": en, "kind": kind, "rating": rating})
        geoms.append(geom)

    add("S-FJS", "府君山生态示范片", "Fujunshan ecological demonstration area", "ecological",
        blob(cx - 200, cy + 4600, 1100, rng, n=12))
    add("S-DS", "独山龙王坳景区", "Dushan Longwang'ao scenic area", "scenic",
        blob(cx - 900, cy + 300, 700, rng, n=11), "3A")
    add("S-HH", "挑水荷花生态园", "Tiaoshui lotus eco-park", "scenic",
        blob(tiaoshui[0] + 750, tiaoshui[1] + 250, 380, rng, n=10))
    farm = scale_to_area(rect(tiaoshui[0] - 500, tiaoshui[1] - 3600, 3000, 2600),
                         10000 * M2_PER_MU)
    add("S-KH", "康华农业流转农田", "Kanghua Agriculture contract farmland", "contract_farmland",
        farm)
    placed = [*avoid, *geoms]
    inner = district.buffer(-EDGE_MARGIN_M)
    xmin, ymin = lonlat_to_plane(113.32, 31.61)
    xmax, ymax = lonlat_to_plane(113.58, 31.79)
    i = 0
    while i < len(names.AGRI_BASES):
        bx, by = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        geom = scale_to_area(blob(bx, by, 400, rng, n=8), rng.uniform(200, 900) * M2_PER_MU)
        if (any(geom.distance(p) < 900 for p in placed) or geom.distance(road) < 600
                or not inner.contains(geom)):
            continue
        zh, en = names.AGRI_BASES[i]
        add(f"S-AG{i + 1}", zh, en, "agricultural_base", geom)
        placed.append(geom)
        i += 1
    return _frame(rows, geoms), tiaoshui


def _villages(
    rng: np.random.Generator, road: shapely.LineString, avoid: list[Polygon],
    tiaoshui: tuple[float, float], district: shapely.Geometry,
) -> gpd.GeoDataFrame:
    cx, _cy = lonlat_to_plane(*_LOOP_CENTRE)
    xmin, ymin = lonlat_to_plane(113.31, 31.605)
    xmax, ymax = lonlat_to_plane(113.59, 31.795)
    all_names = [*names.ARTICLE_VILLAGES, *names.INVENTED_VILLAGES]
    near_needed = LOOP_BELT_VILLAGES
    polys: list[Polygon] = []
    centres: list[tuple[float, float]] = []
    # a village is at most 560 m from its centre: a centre in here keeps it inside the district
    inner = district.buffer(-(EDGE_MARGIN_M + 560.0))

    def free(x: float, y: float, r: float) -> bool:
        p = Point(x, y)
        return (all(np.hypot(x - a, y - b) > 1700 for a, b in centres)
                and all(p.distance(g) > r + 500 for g in avoid)
                and xmin < x < xmax and ymin < y < ymax and inner.contains(p))

    # 挑水 first, where the sites put it; then the rest of the 16 belt villages along the road
    order_near = [0, 1, 2, 3, 4, 5, *range(6, near_needed)]
    for k in order_near:
        for _ in range(10_000):
            if k == 0:
                x, y = tiaoshui
            else:
                at = road.interpolate(rng.uniform(0, road.length))
                off = rng.uniform(-1200, 1200, 2)
                x, y = at.x + off[0], at.y + off[1]
            r = rng.uniform(320, 520)
            if (k == 0 or free(x, y, r)) and Point(x, y).distance(road) < 1300:
                break
        else:  # pragma: no cover - the seed is fixed
            raise RuntimeError("could not place a belt village")
        centres.append((x, y))
        polys.append(blob(x, y, r, rng))
    while len(polys) < len(all_names):
        x, y = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        r = rng.uniform(320, 560)
        if free(x, y, r) and Point(x, y).distance(road) > LOOP_BELT_M + 1300:
            centres.append((x, y))
            polys.append(blob(x, y, r, rng))
    plan = (["demonstration"] * 5 + ["remediation"] * 15
            + ["planned"] * (len(all_names) - 20))
    works = (["phase2_demonstration"] * 3 + ["consolidation"] * 3 + ["none"] * 10
             + ["consolidation"] * 4 + ["none"] * (len(all_names) - 20))
    rows = []
    for i, ((zh, en), (x, _y)) in enumerate(zip(all_names, centres, strict=True)):
        near = i < near_needed
        rows.append({
            "id": f"V-{i + 1:02d}", "name": zh, "name_en": en,
            "town": "淅河镇" if near or x > cx - 6000 else "何店镇",
            "plan_category": plan[i], "works_programme": works[i],
            "population": int(rng.integers(1300, 1800) if near else rng.integers(700, 3200)),
        })
    return _frame(rows, polys)


def _facilities(villages: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    plane = villages.to_crs(PLANE_EPSG)
    rows, geoms = [], []
    for i, v in enumerate(plane.head(6).itertuples(), start=1):
        c = v.geometry.centroid
        rows.append({"id": f"F-{i:02d}", "name": f"{v.name}污水处理站", "kind": "sewage_plant",
                     "village": v.name, "capacity_t_per_day": float(rng.choice([50, 80, 100]))})
        geoms.append(Point(c.x + rng.uniform(-150, 150), c.y + rng.uniform(-150, 150)))
    return _frame(rows, geoms)


# --- projects ------------------------------------------------------------------------------

def _projects(parks: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """77 projects: 28 infrastructure; 25 newly started in 2021 at >= 5000 (10k CNY)."""
    plane_parks = parks.to_crs(PLANE_EPSG).set_index("name")
    park_names = list(plane_parks.index)
    rows = []
    for zh, en, park, cat, status, start in names.ARTICLE_PROJECTS:
        rows.append({"name": zh, "name_en": en, "park": park, "category": cat,
                     "status": status, "start_year": start})
    n_infra_named = sum(r["category"] == "infrastructure" for r in rows)
    i = 0
    while len(rows) < 77:
        i += 1
        park = park_names[int(rng.integers(0, len(park_names)))]
        short = park.replace("片区", "").replace("随州", "")
        if n_infra_named < 28:
            kind_zh, kind_en = names.INFRA_KINDS[i % len(names.INFRA_KINDS)]
            rows.append({"name": f"{short}{kind_zh}{i:02d}", "name_en": f"{kind_en} {i:02d}",
                         "park": park, "category": "infrastructure"})
            n_infra_named += 1
        else:
            k = i % len(names.INDUSTRIES)
            rows.append({"name": f"{short}{names.INDUSTRIES[k]}项目{i:02d}",
                         "name_en": f"{names.INDUSTRIES_EN[k]} project {i:02d}", "park": park,
                         "category": "industrial"})
    # start year, status and investment: exactly 25 newly started in 2021 at >= 5000
    statuses = ["under_construction", "newly_started", "trial_production", "in_production"]
    new_big = 0
    for row in rows:
        if "status" not in row:
            row["start_year"] = int(rng.choice([2019, 2020, 2021, 2021, 2022]))
            if row["start_year"] == 2022:
                row["status"] = "preparing"
            elif row["start_year"] == 2021:
                row["status"] = statuses[int(rng.integers(0, 2))]
            else:
                row["status"] = statuses[int(rng.integers(0, 4))]
        big = row["start_year"] == 2021 and new_big < 25
        if big:
            row["investment_10k_cny"] = float(rng.integers(5000, 60000))
            new_big += 1
        elif row["start_year"] == 2021:
            row["investment_10k_cny"] = float(rng.integers(800, 4999))
        else:
            row["investment_10k_cny"] = float(rng.integers(2000, 80000))
    # article-given sizes
    for row in rows:
        if row["name"] == "犇星新材料产业园":
            row["investment_10k_cny"] = 300000.0
        if row["name"] == "国能长源随州火电厂":
            row["investment_10k_cny"] = 680000.0
    # 19 newly signed in 2021, 11 of them >= 10000 (10k CNY) summing 629,000; the 7 projects
    # signed into the chemical park are among them
    signed = [r for r in rows if r["park"] == "青春化工园"][:7]
    others = [r for r in rows if r not in signed and r["start_year"] in (2021, 2022)]
    signed += others[: 19 - len(signed)]
    big_values = _split_total(629000.0, 11, lower=12000.0, rng=rng)
    for j, row in enumerate(signed):
        row["signed_year"] = 2021
        row["contract_10k_cny"] = big_values[j] if j < 11 else float(rng.integers(3000, 9900))
    geoms = []
    for k, row in enumerate(rows, start=1):
        row["id"] = f"K-{k:02d}"
        poly = plane_parks.loc[row["park"], "geometry"]
        minx, miny, maxx, maxy = poly.bounds
        while True:
            p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if poly.buffer(-60).contains(p):
                break
        geoms.append(p)
        row.setdefault("signed_year", None)
        row.setdefault("contract_10k_cny", None)
    return _frame(rows, geoms)


def _split_total(total: float, n: int, *, lower: float, rng: np.random.Generator) -> list[float]:
    weights = rng.uniform(0.5, 1.5, n)
    values = lower + (total - lower * n) * weights / weights.sum()
    values = np.round(values, 0)
    values[-1] += total - values.sum()
    return [float(v) for v in values]


# --- all together -----------------------------------------------------------------------

def build_sample(seed: int = SEED) -> SampleData:
    """Build every sample layer and the stage-event history, deterministically."""
    rng = np.random.default_rng(seed)
    boundary = read_boundary()
    district = boundary.to_crs(PLANE_EPSG).geometry.union_all()
    parks = _parks()
    parcels = _parcels(rng)
    events = _history(parcels, rng)
    roads, road = _road(rng)
    park_polys = list(parks.to_crs(PLANE_EPSG).geometry)
    sites, tiaoshui = _sites(rng, road, park_polys, district)
    site_polys = list(sites.to_crs(PLANE_EPSG).geometry)
    villages = _villages(rng, road, [*park_polys, *site_polys], tiaoshui, district)
    facilities = _facilities(villages, rng)
    projects = _projects(parks, rng)
    _check_inside(
        {"parks": parks, "parcels": parcels, "projects": projects, "villages": villages,
         "facilities": facilities, "roads": roads, "sites": sites},
        district.buffer(-EDGE_MARGIN_M),
    )
    layers = {
        "parks": parks, "parcels": parcels, "projects": projects, "villages": villages,
        "facilities": facilities, "roads": roads, "sites": sites, "boundary": boundary,
    }
    return SampleData(layers=layers, events=events)


def _check_inside(layers: dict[str, gpd.GeoDataFrame], inner: shapely.Geometry) -> None:
    for name, gdf in layers.items():
        outside = gdf.loc[~gdf.to_crs(PLANE_EPSG).within(inner), "id"].tolist()
        if outside:  # pragma: no cover - the seed and anchors are fixed
            raise RuntimeError(f"sample {name} {outside} fall outside the district boundary")


def write_sample(path: Path, *, seed: int = SEED) -> SampleData:
    """Write the sample into a fresh GeoPackage at ``path`` (replacing it atomically)."""
    import os

    import pyogrio

    from geo_app.domain.layers import LAYER_SPECS
    from geo_app.domain.validate import validate_layer
    from geo_app.storage.base import EVENTS_TABLE
    from geo_app.storage.gpkg import protect_events_table

    data = build_sample(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.part.gpkg")
    tmp.unlink(missing_ok=True)
    for name, gdf in data.layers.items():
        validate_layer(gdf, LAYER_SPECS[name])
        cols = [*LAYER_SPECS[name].column_names, "geometry"]
        pyogrio.write_dataframe(gdf[cols], tmp, layer=name, driver="GPKG")
    pyogrio.write_dataframe(data.events, tmp, layer=EVENTS_TABLE, driver="GPKG")
    protect_events_table(tmp)
    os.replace(tmp, path)
    return data

"""Areas, park coverage and progress computed by PostGIS, equal to the Python path.

When the store is PostGIS the heavy work runs in the database, next to the data: nothing but
the small result tables crosses the network. Each figure is the one the Python path
(:mod:`geo_app.analysis.area`, :mod:`~geo_app.analysis.coverage`,
:mod:`~geo_app.analysis.progress`) gives, computed the same way, so they agree to 1e-9
(tests run both on the same data):

- plane area: ``ST_Area(ST_Transform(geom, <GK zone>))``, each feature in the 3° zone of its
  centroid, or one plane for all;
- ellipsoidal area: ``ST_Area`` in the same GRS80 Lambert azimuthal equal-area projection,
  centred on the layer's extent, that the Python path uses. ``ST_Area(geom::geography)``
  (geodesic edges on the ellipsoid) is returned beside it as ``area_m2_geodesic``: for
  parcels it agrees to 1e-9, for polygons of several km the edge conventions differ
  (1e-7 at 10 km), so it is not what the tables show;
- coverage: the algorithm of :mod:`geo_app.analysis.coverage` in SQL: covers strictly inside
  a target count whole, crossing ones are intersected, and only clusters of covers whose
  interiors meet are dissolved. Overlaps are found as in Python: the covers' edges (shells
  counter-clockwise) are grouped by their end points, opposite copies cancel, the left-over
  edges are noded and polygonized, a face holding a point inside two covers or more marks
  its covers as suspects, and only suspects get the pairwise ``ST_Relate`` test;
- progress: one grouped sum of plane areas per phase and stage.

:func:`coverage_of_layers`, :func:`progress_of_store` and :func:`areas_of_layer` choose the
path by the store: SQL on a :class:`~geo_app.storage.postgis.PostGISStore`, the Python
functions on any other store.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import text

from geo_app.analysis.area import AREA_KEYS, PLANE_COLUMN, add_areas
from geo_app.analysis.coverage import EDGE_STEP_M, INTERIORS_MEET, LONG_EDGE_M, coverage
from geo_app.analysis.crs import GEOGRAPHIC_EPSG, PlaneCRS, choose_plane_crs, majority_plane
from geo_app.analysis.progress import NET_LAND_OR_LATER, PhaseProgress, at_stages, progress
from geo_app.analysis.units import M2_PER_HA, M2_PER_MU
from geo_app.domain.stages import ParcelStage, parse_stage
from geo_app.domain.targets import PHASE_TARGETS_MU
from geo_app.errors import InputError
from geo_app.storage._gpkg_sql import quote
from geo_app.storage.postgis import PostGISStore

NOT_STARTED = "not_started"


def in_database(store: object) -> bool:
    """True when ``store`` computes the analyses itself (a PostGIS store)."""
    return isinstance(store, PostGISStore)


# --- the entry points: one per analysis, the path chosen by the store ----------------------


def coverage_of_layers(
    store: object, of: str, by: str, *, stages: Sequence[str] | None = None,
    plane: PlaneCRS | None = None,
) -> tuple[pd.DataFrame, PlaneCRS]:
    """Coverage of layer ``of`` by layer ``by`` (only covers at ``stages`` if given), as
    :func:`geo_app.analysis.coverage.coverage`; and the plane used."""
    if not in_database(store):
        target, cover = store.read_layer(of), store.read_layer(by)  # type: ignore[attr-defined]
        if stages:
            cover = at_stages(cover, list(stages), layer=by)
        plane = plane or choose_plane_crs(target)
        return coverage(target, cover, plane=plane, of_name=f"'{of}'",
                        by_name=f"'{by}'"), plane
    return _coverage_sql(store, of, by, stages=stages, plane=plane)  # type: ignore[arg-type]


def progress_of_store(
    store: object, *, targets_mu: dict[int, float] | None = None,
    plane: PlaneCRS | None = None,
) -> list[PhaseProgress]:
    """Progress per phase now (the parcels' current stage), as
    :func:`geo_app.analysis.progress.progress`."""
    if not in_database(store):
        return progress(store.read_layer("parcels"),  # type: ignore[attr-defined]
                        targets_mu=targets_mu, plane=plane)
    return _progress_sql(store, targets_mu=targets_mu, plane=plane)  # type: ignore[arg-type]


def areas_of_layer(store: object, layer: str, *, plane: PlaneCRS | None = None
                   ) -> tuple[pd.DataFrame, PlaneCRS]:
    """Each feature's ``id``, six area columns and ``crs_plane``, as
    :func:`geo_app.analysis.area.add_areas`; and the plane naming the layer."""
    if not in_database(store):
        measured, used = add_areas(store.read_layer(layer), plane=plane)  # type: ignore
        cols = [c for c in ("id", *AREA_KEYS, PLANE_COLUMN) if c in measured.columns]
        return pd.DataFrame(measured[cols]).reset_index(drop=True), used
    return _areas_sql(store, layer, plane=plane)  # type: ignore[arg-type]


# --- SQL ---------------------------------------------------------------------------------


def _require_polygons(conn, layer: str, what: str) -> None:
    """Refuse points and lines as :func:`geo_app.analysis.area.require_polygons` does."""
    kinds = dict(conn.execute(text(
        f"SELECT ST_GeometryType(geom), count(*) FROM {quote(layer)} WHERE geom IS NOT NULL "
        "AND NOT ST_IsEmpty(geom) GROUP BY 1")).fetchall())
    names = {k: k.removeprefix("ST_") for k in kinds}
    other = {names[k]: int(n) for k, n in kinds.items()
             if names[k] not in ("Polygon", "MultiPolygon")}
    if not other:
        return
    listed = ", ".join(sorted(other))
    if len(other) == len(kinds):
        raise InputError(
            f"{what} holds {listed} geometries, which have no area. Areas and coverage need "
            "polygons (parks, parcels, villages, sites); for points and lines use "
            "`geo-app proximity`.")
    raise InputError(
        f"{what} mixes polygons with {sum(other.values())} {listed} feature(s), which have no "
        "area. Keep only the polygons (e.g. split the file by geometry type) and try again.")


def _no_jit(conn) -> None:
    """PostGIS functions carry large cost estimates, so PostgreSQL would JIT-compile these
    one-off queries: 2–3 s of compiling for a query that runs in a fraction of that."""
    conn.execute(text("SET LOCAL jit = off"))


def _layer_srid(conn, store: PostGISStore, layer: str) -> int:
    srid = conn.execute(text("SELECT srid FROM geo_app_layers WHERE name = :n"),
                        {"n": layer}).scalar()
    if srid is None:
        raise InputError(f"No layer '{layer}' in {store.location}.")
    return int(srid)


def _lonlat(srid: int) -> str:
    return "geom" if srid == GEOGRAPHIC_EPSG else f"ST_Transform(geom, {GEOGRAPHIC_EPSG})"


def _extent(conn, layer: str, srid: int, where: str = "", params: dict | None = None
            ) -> tuple[float, float, float, float] | None:
    row = conn.execute(text(
        f"SELECT min(ST_XMin(b)), min(ST_YMin(b)), max(ST_XMax(b)), max(ST_YMax(b)) FROM "
        f"(SELECT Box3D({_lonlat(srid)}) AS b FROM {quote(layer)} WHERE geom IS NOT NULL "
        f"AND NOT ST_IsEmpty(geom) {where}) e"), params or {}).one()
    return None if row[0] is None else tuple(float(v) for v in row)  # type: ignore[return-value]


def _laea(extent: tuple[float, float, float, float] | None) -> str:
    """The equal-area projection :func:`geo_app.analysis.area.equal_area_crs` builds."""
    minx, miny, maxx, maxy = extent if extent is not None else (114.0, 31.7, 114.0, 31.7)
    lon0, lat0 = (minx + maxx) / 2.0, (miny + maxy) / 2.0
    return (f"+proj=laea +lat_0={lat0:.6f} +lon_0={lon0:.6f} +x_0=0 +y_0=0 +ellps=GRS80 "
            "+units=m")


def _plane_of(extent: tuple[float, float, float, float] | None, layer: str) -> PlaneCRS:
    if extent is None:
        raise InputError(f"Layer '{layer}' has no geometry to choose a plane from.")
    box = gpd.GeoDataFrame(geometry=[shapely.box(*extent)], crs=GEOGRAPHIC_EPSG)
    return choose_plane_crs(box)


def _stage_filter(stages: Sequence[str] | None) -> tuple[str, dict]:
    if not stages:
        return "", {}
    codes = sorted({parse_stage(s).value for s in stages})
    names = {f"s{i}": c for i, c in enumerate(codes)}
    return f"AND stage IN ({', '.join(':' + k for k in names)})", names


_COVERAGE_SQL = """
WITH
t AS MATERIALIZED (
  SELECT row_number() OVER (ORDER BY fid) - 1 AS ti, ST_Transform(geom, :epsg) AS g
  FROM {of}),
c AS MATERIALIZED (
  SELECT fid AS ci, geom AS src, ST_Transform(geom, :epsg) AS g FROM {by}
  WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom) {stage_filter}),
rel AS MATERIALIZED (
  SELECT c.ci, c.src, c.g FROM c
  WHERE EXISTS (SELECT 1 FROM t WHERE ST_Intersects(t.g, c.g))),
seg AS (
  SELECT (ST_DumpSegments(ST_ForcePolygonCCW(g))).geom AS s FROM rel),
ends AS (
  SELECT ST_X(ST_StartPoint(s)) AS x1, ST_Y(ST_StartPoint(s)) AS y1,
         ST_X(ST_EndPoint(s)) AS x2, ST_Y(ST_EndPoint(s)) AS y2 FROM seg),
canon AS (
  SELECT CASE WHEN fwd THEN x1 ELSE x2 END AS lx, CASE WHEN fwd THEN y1 ELSE y2 END AS ly,
         CASE WHEN fwd THEN x2 ELSE x1 END AS hx, CASE WHEN fwd THEN y2 ELSE y1 END AS hy,
         CASE WHEN fwd THEN 1 ELSE -1 END AS d
  FROM (SELECT *, (x1, y1) < (x2, y2) AS fwd FROM ends WHERE (x1, y1) <> (x2, y2)) e),
leftover AS (
  SELECT ST_SetSRID(ST_MakeLine(ST_MakePoint(lx, ly), ST_MakePoint(hx, hy)), :epsg) AS line
  FROM canon GROUP BY lx, ly, hx, hy HAVING sum(d) <> 0),
faces AS MATERIALIZED (
  SELECT (ST_Dump(ST_Polygonize(n.geom))).geom AS f
  FROM (SELECT (ST_Dump(ST_Node(ST_Collect(line)))).geom FROM leftover) n),
bad AS MATERIALIZED (
  SELECT f FROM faces
  WHERE ST_Area(f) > 0
    AND (SELECT count(*) FROM rel WHERE ST_Intersects(rel.g, ST_PointOnSurface(f))) >= 2),
suspect AS MATERIALIZED (
  SELECT rel.ci, rel.g FROM rel
  WHERE EXISTS (SELECT 1 FROM bad WHERE ST_Intersects(rel.g, bad.f))),
pair AS MATERIALIZED (
  SELECT a.ci AS a, b.ci AS b FROM suspect a JOIN suspect b
  ON a.ci < b.ci AND ST_Intersects(a.g, b.g) AND ST_Relate(a.g, b.g, :meet)),
member AS MATERIALIZED (
  SELECT a AS ci FROM pair UNION SELECT b FROM pair),
cluster AS MATERIALIZED (
  SELECT ST_Union(g) AS g FROM (
    SELECT rel.g, ST_ClusterDBSCAN(rel.g, 0, 1) OVER () AS k
    FROM rel JOIN member USING (ci)) x
  GROUP BY k),
piece AS MATERIALIZED (
  SELECT t.ti, ST_ContainsProperly(t.g, s.g) AS inside, s.src, s.g AS cg, t.g AS tg
  FROM t JOIN rel s ON ST_Intersects(t.g, s.g)
  WHERE NOT EXISTS (SELECT 1 FROM member WHERE member.ci = s.ci)),
part AS MATERIALIZED (
  SELECT row_number() OVER () AS rn, ti, inside AND ST_NPoints(ST_Segmentize(cg, :long_m))
         = ST_NPoints(cg) AS as_drawn, src, x.g
  FROM (SELECT ti, inside, src, cg,
               CASE WHEN inside THEN cg ELSE ST_Intersection(cg, tg) END AS g FROM piece
        UNION ALL
        SELECT t.ti, false, NULL, NULL, ST_Intersection(k.g, t.g)
        FROM t JOIN cluster k ON ST_Intersects(t.g, k.g)) x
  WHERE NOT ST_IsEmpty(x.g)),
-- one transform to the equal-area projection per source CRS (PostGIS builds the
-- projection from its text on every call, so rows are collected and dumped back)
drawn AS (
  SELECT rn, row_number() OVER (ORDER BY rn) AS k, src AS g FROM part WHERE as_drawn),
densified AS (
  SELECT rn, row_number() OVER (ORDER BY rn) AS k, ST_Segmentize(g, :step_m) AS g
  FROM part WHERE NOT as_drawn),
ell AS (
  SELECT d.rn, e.a FROM drawn d JOIN (
    SELECT (x).path[1] AS k, sum(ST_Area((x).geom)) AS a FROM (
      SELECT ST_Dump(ST_Transform(ST_Collect(g ORDER BY k), CAST(:laea AS text))) AS x
      FROM drawn) q GROUP BY 1) e USING (k)
  UNION ALL
  SELECT d.rn, e.a FROM densified d JOIN (
    SELECT (x).path[1] AS k, sum(ST_Area((x).geom)) AS a FROM (
      SELECT ST_Dump(ST_Transform(ST_Collect(g ORDER BY k), CAST(:laea AS text))) AS x
      FROM densified) q GROUP BY 1) e USING (k)),
sums AS (
  SELECT part.ti, ST_Area(part.g) AS plane_m2, ell.a AS ell_m2
  FROM part JOIN ell USING (rn))
SELECT t.ti, ST_Area(t.g), sum(s.plane_m2), sum(s.ell_m2)
FROM t LEFT JOIN sums s USING (ti) GROUP BY t.ti, t.g ORDER BY t.ti
"""


def _coverage_sql(store: PostGISStore, of: str, by: str, *, stages: Sequence[str] | None,
                  plane: PlaneCRS | None) -> tuple[pd.DataFrame, PlaneCRS]:
    where, names = _stage_filter(stages)
    with store._begin(f"compute the coverage of '{of}' by '{by}'") as conn:
        _no_jit(conn)
        of_srid, by_srid = _layer_srid(conn, store, of), _layer_srid(conn, store, by)
        _require_polygons(conn, of, f"'{of}'")
        _require_polygons(conn, by, f"'{by}'")
        plane = plane or _plane_of(_extent(conn, of, of_srid), of)
        laea = _laea(_extent(conn, by, by_srid, where, names))
        info = conn.execute(text(f"SELECT * FROM {quote(of)} LIMIT 0")).keys()
        cols = ", ".join(quote(c) for c in ("id", "name") if c in info) or "fid"
        labels = conn.execute(text(f"SELECT {cols} FROM {quote(of)} ORDER BY fid")).fetchall()
        rows = conn.execute(
            text(_COVERAGE_SQL.format(of=quote(of), by=quote(by), stage_filter=where)),
            {"epsg": plane.epsg, "laea": laea, "meet": INTERIORS_MEET,
             "step_m": EDGE_STEP_M, "long_m": LONG_EDGE_M, **names}).fetchall()
    area = np.array([np.nan if r[1] is None else r[1] for r in rows], dtype=float)
    present = np.isfinite(area)
    covered = np.where(present, [r[2] or 0.0 for r in rows], np.nan)
    covered_ell = np.where(present, [r[3] or 0.0 for r in rows], np.nan)
    share = np.divide(covered, area, out=np.zeros_like(area), where=area > 0)
    ids = [r[0] for r in labels]
    names_col = [r[1] for r in labels] if "name" in info and "id" in info else None
    table = pd.DataFrame({
        "id": np.array(ids, dtype=object), "name": names_col,
        "area_mu_plane": area / M2_PER_MU, "covered_mu_plane": covered / M2_PER_MU,
        "covered_mu_ellipsoidal": covered_ell / M2_PER_MU, "share_covered": share,
    })
    return table, plane


def _progress_sql(store: PostGISStore, *, targets_mu: dict[int, float] | None,
                  plane: PlaneCRS | None) -> list[PhaseProgress]:
    targets = PHASE_TARGETS_MU if targets_mu is None else targets_mu
    with store._begin("compute the acquisition progress") as conn:
        _no_jit(conn)
        srid = _layer_srid(conn, store, "parcels")
        extent = _extent(conn, "parcels", srid)
        if extent is None:
            return []
        plane = plane or _plane_of(extent, "parcels")
        rows = conn.execute(text(
            "SELECT phase, coalesce(stage, :ns), count(*), "
            "sum(coalesce(ST_Area(ST_Transform(geom, :epsg)), 'NaN'::float8)) "
            "FROM parcels GROUP BY 1, 2 ORDER BY 1, 2"),
            {"epsg": plane.epsg, "ns": NOT_STARTED}).fetchall()
    frame = pd.DataFrame(rows, columns=["phase", "stage", "count", "m2"])
    order = [NOT_STARTED, *(s.value for s in ParcelStage)]
    result = []
    for phase, part in frame.groupby("phase", sort=True):
        mu = dict(zip(part["stage"], part["m2"].astype(float) / M2_PER_MU, strict=True))
        result.append(PhaseProgress(
            phase=int(phase), target_mu=targets.get(int(phase)),
            parcel_count=int(part["count"].sum()), total_mu=float(sum(mu.values())),
            net_land_mu=float(sum(v for k, v in mu.items() if k in NET_LAND_OR_LATER)),
            by_stage_mu={s: float(mu[s]) for s in order if s in mu}))
    return result


def _areas_sql(store: PostGISStore, layer: str, *, plane: PlaneCRS | None
               ) -> tuple[pd.DataFrame, PlaneCRS]:
    with store._begin(f"measure layer '{layer}'") as conn:
        _no_jit(conn)
        srid = _layer_srid(conn, store, layer)
        laea = _laea(_extent(conn, layer, srid))
        zone = (f"{int(plane.epsg)}" if plane is not None else
                f"4534 + floor(ST_X(ST_Centroid({_lonlat(srid)})) / 3 + 0.5)::int - 25")
        info = conn.execute(text(f"SELECT * FROM {quote(layer)} LIMIT 0")).keys()
        ident = quote("id") if "id" in info else "fid"
        rows = conn.execute(text(
            f"WITH f AS MATERIALIZED (SELECT fid, {ident} AS id, geom, CASE WHEN geom IS NULL "
            f"OR ST_IsEmpty(geom) THEN NULL ELSE {zone} END AS epsg FROM {quote(layer)}), "
            "m AS (SELECT fid, row_number() OVER (ORDER BY fid) AS k, geom FROM f "
            "WHERE epsg IS NOT NULL), "
            "e AS (SELECT (x).path[1] AS k, sum(ST_Area((x).geom)) AS a FROM (SELECT "
            "ST_Dump(ST_Transform(ST_Collect(geom ORDER BY k), CAST(:laea AS text))) AS x "
            "FROM m) q GROUP BY 1) "
            f"SELECT f.id, f.epsg, ST_Area(ST_Transform(f.geom, f.epsg)), e.a, "
            f"ST_Area({_lonlat(srid).replace('geom', 'f.geom')}::geography) "
            "FROM f LEFT JOIN m USING (fid) LEFT JOIN e USING (k) ORDER BY f.fid"),
            {"laea": laea}).fetchall()
    epsg = np.array([r[1] or 0 for r in rows], dtype=int)
    plane_m2 = np.array([np.nan if r[2] is None else r[2] for r in rows], dtype=float)
    ell_m2 = np.array([np.nan if r[3] is None else r[3] for r in rows], dtype=float)
    geodesic = np.array([np.nan if r[4] is None else r[4] for r in rows], dtype=float)
    if plane is None:
        zones = np.where(epsg != 0, epsg - 4534 + 25, 0)
        plane = majority_plane(zones) if (zones != 0).any() else PlaneCRS(
            4547, "no feature has a finite geometry: nothing measured")
    table = pd.DataFrame({
        "id": np.array([r[0] for r in rows], dtype=object),
        "area_m2_plane": plane_m2, "area_m2_ellipsoidal": ell_m2,
        "area_mu_plane": plane_m2 / M2_PER_MU, "area_mu_ellipsoidal": ell_m2 / M2_PER_MU,
        "area_ha_plane": plane_m2 / M2_PER_HA, "area_ha_ellipsoidal": ell_m2 / M2_PER_HA,
        PLANE_COLUMN: np.array([f"EPSG:{e}" if e else None for e in epsg], dtype=object),
        "area_m2_geodesic": geodesic,
    })
    return table, plane

"""Areas, park coverage and progress as SQL, run by PostGIS next to the data.

The queries only: each takes plain values (the plane's EPSG code, the equal-area
projection's PROJ text, the coverage's tolerances) and returns raw measures in m², so the
storage layer depends on nothing in :mod:`geo_app.analysis`. The use case that chooses the
path by store and turns these into the Python path's figures (equal to 1e-9, tested) is
:mod:`geo_app.usecases.store_analysis`.

- plane area: ``ST_Area(ST_Transform(geom, <GK zone>))``, each feature in the 3° zone of its
  centroid, or one plane for all;
- ellipsoidal area: ``ST_Area`` in the GRS80 Lambert azimuthal equal-area projection given;
  ``ST_Area(geom::geography)`` (geodesic edges on the ellipsoid) is returned beside it;
- coverage: covers strictly inside a target count whole, crossing ones are intersected, and
  only clusters of covers whose interiors meet are dissolved. Overlaps are found as in
  Python: the covers' edges (shells counter-clockwise) are grouped by their end points,
  opposite copies cancel, the left-over edges are noded and polygonized, a face holding a
  point inside two covers or more marks its covers as suspects, and only suspects get the
  pairwise ``ST_Relate`` test;
- progress: one grouped sum of plane areas per phase and stage, now or as of a date (the
  ledger's as-of stage of each parcel joined in the same query).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import text

from geo_app.domain.stages import parse_stage
from geo_app.errors import InputError
from geo_app.storage._gpkg_sql import quote
from geo_app.storage._ledger_sql import ORDER_DESC, known_stages_sql
from geo_app.storage.base import EVENTS_TABLE
from geo_app.storage.postgis import PARCELS, PostGISStore

#: CGCS2000 lon/lat: extents are given in it.
LONLAT_EPSG = 4490

#: ``(min lon, min lat, max lon, max lat)``.
Extent = tuple[float, float, float, float]


def in_database(store: object) -> bool:
    """True when ``store`` can compute the analyses itself (a PostGIS store)."""
    return isinstance(store, PostGISStore)


# --- SQL -----------------------------------------------------------------------------------


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
    return "geom" if srid == LONLAT_EPSG else f"ST_Transform(geom, {LONLAT_EPSG})"


def _extent(conn, layer: str, srid: int, where: str = "", params: dict | None = None
            ) -> tuple[float, float, float, float] | None:
    row = conn.execute(text(
        f"SELECT min(ST_XMin(b)), min(ST_YMin(b)), max(ST_XMax(b)), max(ST_YMax(b)) FROM "
        f"(SELECT Box3D({_lonlat(srid)}) AS b FROM {quote(layer)} WHERE geom IS NOT NULL "
        f"AND NOT ST_IsEmpty(geom) {where}) e"), params or {}).one()
    return None if row[0] is None else tuple(float(v) for v in row)  # type: ignore[return-value]


def _stage_filter(stages: Sequence[str] | None) -> tuple[str, dict]:
    if not stages:
        return "", {}
    codes = sorted({parse_stage(s).value for s in stages})
    names = {f"s{i}": c for i, c in enumerate(codes)}
    return f"AND stage IN ({', '.join(':' + k for k in names)})", names


#: From ``rel`` (``ci``, ``g``: features in one CRS, SRID ``:epsg``): ``pair`` (``a``, ``b``),
#: the pairs whose interiors meet (``:meet``), found as the Python path finds them: edges
#: grouped by their end points, opposite copies cancel, the left-over edges noded and
#: polygonized, a face inside two features or more marks them as suspects, and only
#: suspects get the pairwise ``ST_Relate`` test.
_PAIRS_SQL = """seg AS (
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
  SELECT f, ST_PointOnSurface(f) AS p FROM (
    SELECT (ST_Dump(ST_Polygonize(n.geom))).geom AS f
    FROM (SELECT (ST_Dump(ST_Node(ST_Collect(line)))).geom FROM leftover) n) d
  WHERE ST_Area(f) > 0),
bad AS MATERIALIZED (
  SELECT f FROM faces
  WHERE (SELECT count(*) FROM (SELECT 1 FROM rel WHERE rel.g && faces.p
                                 AND ST_Intersects(rel.g, faces.p) LIMIT 2) two) >= 2),
suspect AS MATERIALIZED (
  SELECT rel.ci, rel.g FROM rel
  WHERE EXISTS (SELECT 1 FROM bad WHERE ST_Intersects(rel.g, bad.f))),
pair AS MATERIALIZED (
  SELECT a.ci AS a, b.ci AS b FROM suspect a JOIN suspect b
  ON a.ci < b.ci AND ST_Intersects(a.g, b.g) AND ST_Relate(a.g, b.g, :meet)),
"""

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
""" + _PAIRS_SQL + """member AS MATERIALIZED (
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


def layer_extent(store: PostGISStore, layer: str, *, stages: Sequence[str] | None = None
                 ) -> Extent | None:
    """The lon/lat extent of the layer's features (at ``stages`` if given); ``None`` when
    none has a geometry. Refuses a layer the store does not have."""
    where, names = _stage_filter(stages)
    with store.transaction(f"read the extent of '{layer}'") as conn:
        _no_jit(conn)
        return _extent(conn, layer, _layer_srid(conn, store, layer), where, names)


def require_polygon_layer(store: PostGISStore, layer: str) -> None:
    """Refuse a layer of points or lines with the Python path's message."""
    with store.transaction(f"read the geometry types of '{layer}'") as conn:
        _layer_srid(conn, store, layer)
        _require_polygons(conn, layer, f"'{layer}'")


def coverage_m2(store: PostGISStore, of: str, by: str, *, epsg: int, laea: str,
                stages: Sequence[str] | None, meet: str, step_m: float, long_m: float
                ) -> pd.DataFrame:
    """Per feature of ``of`` (``fid`` order): ``id`` (or ``fid``), ``name`` (``None`` without
    one), ``area_m2`` (plane; NaN without a geometry), ``covered_m2`` (plane) and
    ``covered_m2_ellipsoidal`` (in ``laea``) by the features of ``by`` at ``stages``.

    ``meet`` is the DE-9IM pattern of covers whose interiors meet; long edges (over
    ``long_m``) are densified every ``step_m`` before the equal-area projection. Points
    and lines are refused with the Python path's message."""
    where, names = _stage_filter(stages)
    with store.transaction(f"compute the coverage of '{of}' by '{by}'") as conn:
        _no_jit(conn)
        _layer_srid(conn, store, of)
        _layer_srid(conn, store, by)
        _require_polygons(conn, of, f"'{of}'")
        _require_polygons(conn, by, f"'{by}'")
        info = conn.execute(text(f"SELECT * FROM {quote(of)} LIMIT 0")).keys()
        cols = ", ".join(quote(c) for c in ("id", "name") if c in info) or "fid"
        labels = conn.execute(text(f"SELECT {cols} FROM {quote(of)} ORDER BY fid")).fetchall()
        rows = conn.execute(
            text(_COVERAGE_SQL.format(of=quote(of), by=quote(by), stage_filter=where)),
            {"epsg": epsg, "laea": laea, "meet": meet, "step_m": step_m, "long_m": long_m,
             **names}).fetchall()
    named = "name" in info and "id" in info
    return pd.DataFrame({
        "id": pd.Series([r[0] for r in labels], dtype=object),
        "name": pd.Series([r[1] for r in labels] if named else [None] * len(labels),
                          dtype=object),
        "area_m2": pd.Series([r[1] for r in rows], dtype="float64"),
        "covered_m2": pd.Series([r[2] for r in rows], dtype="float64"),
        "covered_m2_ellipsoidal": pd.Series([r[3] for r in rows], dtype="float64"),
    })


def progress_m2(store: PostGISStore, *, epsg: int, as_of: dt.date | None = None,
                not_started: str, known_only: bool = False) -> pd.DataFrame:
    """``phase``, ``stage``, ``count``, ``m2`` (plane area in ``epsg``; features without a
    geometry add nothing) of the parcels, grouped by phase and stage, in one query.

    Now: ``stage`` is the parcels' ``stage`` column (``None`` where it has none). As of a
    date: each parcel's stage on ``as_of`` from the ledger, joined in the database (per
    parcel one descent of the as-of index, the rule of
    :meth:`~geo_app.storage.base.LayerStore.stages_as_of`), ``not_started`` for a parcel
    with no event in effect then; ``known_only`` skips events whose stage is not a known
    code (``False`` counts them, as the whole-log Python path does)."""
    params: dict[str, object] = {"epsg": epsg, "ns": not_started}
    if as_of is None:
        stage, source = "stage", f"{PARCELS} AS p"
    else:
        known = f" AND e.to_stage IN {known_stages_sql()}" if known_only else ""
        stage = "coalesce(s.to_stage, :ns)"
        source = (f"{PARCELS} AS p LEFT JOIN LATERAL (SELECT e.to_stage FROM {EVENTS_TABLE} "
                  "AS e WHERE e.parcel_id = p.id::text AND e.effective_date <= "
                  f"CAST(:day AS date){known} ORDER BY {ORDER_DESC} LIMIT 1) AS s ON true")
        params["day"] = as_of.isoformat()
    with store.transaction("compute the acquisition progress") as conn:
        _no_jit(conn)
        _layer_srid(conn, store, PARCELS)
        rows = conn.execute(text(
            f"SELECT p.phase, {stage}, count(*), "
            "coalesce(sum(ST_Area(ST_Transform(p.geom, :epsg))), 0) "
            f"FROM {source} GROUP BY 1, 2 ORDER BY 1, 2"), params).fetchall()
    return pd.DataFrame(rows, columns=["phase", "stage", "count", "m2"])


def has_events(store: PostGISStore) -> bool:
    """True when the stage-event log holds at least one row (any stage)."""
    with store.transaction("read the stage events") as conn:
        if conn.execute(text(f"SELECT to_regclass('{EVENTS_TABLE}')")).scalar() is None:
            return False
        return conn.execute(text(f"SELECT EXISTS (SELECT 1 FROM {EVENTS_TABLE})")).scalar()


def areas_m2(store: PostGISStore, layer: str, *, epsg: int | None, laea: str) -> pd.DataFrame:
    """Per feature (``fid`` order): ``id`` (or ``fid``), ``epsg`` (the plane: ``epsg``, or the
    3° GK zone of its centroid; 0 without a geometry), ``plane_m2``, ``ellipsoidal_m2``
    (in ``laea``) and ``geodesic_m2`` (``ST_Area`` on geography); NaN without a geometry."""
    with store.transaction(f"measure layer '{layer}'") as conn:
        _no_jit(conn)
        srid = _layer_srid(conn, store, layer)
        zone = (f"{int(epsg)}" if epsg is not None else
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
    return pd.DataFrame({
        "id": pd.Series([r[0] for r in rows], dtype=object),
        "epsg": pd.Series([r[1] or 0 for r in rows], dtype="int64"),
        "plane_m2": pd.Series([r[2] for r in rows], dtype="float64"),
        "ellipsoidal_m2": pd.Series([r[3] for r in rows], dtype="float64"),
        "geodesic_m2": pd.Series([r[4] for r in rows], dtype="float64"),
    })

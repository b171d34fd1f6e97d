"""GeoPackage store: one embedded file; layers read with pyogrio, writes in SQLite transactions.

See :mod:`geo_app.storage._gpkg_sql` for how writers are serialised (``BEGIN IMMEDIATE``,
busy timeout, WAL) and why this process locks the file around every access.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from geo_app.domain.layers import get_spec
from geo_app.domain.validate import validate_layer
from geo_app.domain.workflow import StageChange, derive_states
from geo_app.errors import InputError, StoreError
from geo_app.storage._gpkg_sql import (
    connect,
    encode_geometry,
    file_lock,
    now_iso,
    quote,
    touch_contents,
    write_transaction,
)
from geo_app.storage._test_hook import pause_in_transaction
from geo_app.storage._write import prepare_layer_write
from geo_app.storage.base import (
    EVENT_COLUMNS,
    EVENTS_TABLE,
    LayerInfo,
    current_frame,
    normalise_events,
)
from geo_app.storage.events import check_events_batch, event_row

PARCELS = "parcels"

_EVENTS_DDL = f"""
CREATE TABLE {EVENTS_TABLE} (
    fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, event_id INTEGER, parcel_id TEXT,
    from_stage TEXT, to_stage TEXT, effective_date TEXT, officer TEXT, note TEXT,
    evidence TEXT, recorded_at TEXT, is_correction INTEGER, correction_reason TEXT)
"""
_APPEND_ONLY = tuple(
    f"CREATE TRIGGER IF NOT EXISTS {EVENTS_TABLE}_append_only_{op.lower()} BEFORE {op} ON "
    f"{EVENTS_TABLE} BEGIN SELECT RAISE(ABORT, 'stage_events is append-only: record a "
    "correction instead'); END"
    for op in ("UPDATE", "DELETE")
)


def _sql_value(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and np.isnan(value):
            return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _sql_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(series):
        return "INTEGER"
    if pd.api.types.is_float_dtype(series):
        return "REAL"
    return "TEXT"


_PYOGRIO_TYPES = {
    "POINT": "Point", "MULTIPOINT": "MultiPoint", "LINESTRING": "LineString",
    "MULTILINESTRING": "MultiLineString", "POLYGON": "Polygon", "MULTIPOLYGON": "MultiPolygon",
}


def geometry_type_name(geoms: gpd.GeoSeries) -> str:
    """The GeoPackage geometry type name for ``geoms`` (``GEOMETRY`` when mixed)."""
    kinds = set(geoms.dropna().geom_type)
    return kinds.pop().upper() if len(kinds) == 1 else "GEOMETRY"


class GeoPackageStore:
    """Layers in one GeoPackage file; the stage-event log is a table in the same file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise StoreError(
                f"No GeoPackage at {self.path}. Check the path given with --store or "
                "GEO_APP_STORE, or unset it to use the workspace."
            )

    @property
    def location(self) -> str:
        return str(self.path)

    def close(self) -> None:
        """Nothing to release: every operation opens and closes its own connection."""

    # --- layers ---------------------------------------------------------------------------

    def _tables(self) -> list[tuple[str, str | None]]:
        try:
            with file_lock(self.path):
                return [(str(n), t) for n, t in pyogrio.list_layers(self.path)]
        except DataSourceError as exc:
            raise StoreError(f"{self.path} is not a readable GeoPackage ({exc}).") from None

    def list_layers(self) -> list[LayerInfo]:
        infos = []
        for name, geom_type in self._tables():
            if geom_type is None:
                continue
            with file_lock(self.path):
                meta = pyogrio.read_info(self.path, layer=name)
            crs = meta.get("crs")
            infos.append(LayerInfo(name, geom_type, int(meta["features"]), crs))
        return infos

    def read_layer(self, name: str) -> gpd.GeoDataFrame:
        spatial = [n for n, t in self._tables() if t is not None]
        if name not in spatial:
            raise InputError(
                f"No layer '{name}' in {self.path}. Layers here: {', '.join(spatial) or 'none'}."
            )
        try:
            with file_lock(self.path):
                gdf = pyogrio.read_dataframe(self.path, layer=name)
        except (DataLayerError, DataSourceError) as exc:
            raise StoreError(f"Cannot read layer '{name}' from {self.path}: {exc}") from None
        spec = get_spec(name)
        return validate_layer(gdf, spec) if spec else gdf

    def write_layer(self, name: str, gdf: gpd.GeoDataFrame) -> None:
        """Replace the layer's features in one transaction (create the layer if new).

        A process killed during the write leaves the old features (or, for a new layer,
        an empty layer). Writing ``parcels`` keeps the ``stage``/``stage_date`` of every
        parcel with a history as derived from the event log.
        """
        data = prepare_layer_write(name, gdf)
        with file_lock(self.path):
            if name not in {n for n, _ in self._tables()}:
                self._create_empty_layer(name, data)
            with write_transaction(self.path) as conn:
                self._replace_rows(conn, name, data)
                if name == PARCELS:
                    self._sync_stages(conn, self._events_query(conn))

    def _create_empty_layer(self, name: str, data: gpd.GeoDataFrame) -> None:
        kind = geometry_type_name(data.geometry)
        pyogrio_type = _PYOGRIO_TYPES.get(kind, "Unknown")
        empty = data.iloc[:0].copy()
        for col in empty.columns:
            if col != empty.geometry.name and _sql_type(data[col]) == "TEXT":
                empty[col] = empty[col].astype("object")
        try:
            pyogrio.write_dataframe(empty, self.path, layer=name, driver="GPKG",
                                    geometry_type=pyogrio_type)
        except (DataLayerError, DataSourceError) as exc:
            raise StoreError(f"Cannot create layer '{name}' in {self.path}: {exc}") from None

    def _replace_rows(self, conn: sqlite3.Connection, name: str, data: gpd.GeoDataFrame) -> None:
        row = conn.execute(
            "SELECT column_name, srs_id, geometry_type_name FROM gpkg_geometry_columns "
            "WHERE lower(table_name) = lower(?)", (name,)).fetchone()
        if row is None:
            raise StoreError(f"Layer '{name}' in {self.path} has no geometry column.")
        geom_col, srs_id, declared = row
        srs = conn.execute("SELECT organization, organization_coordsys_id FROM "
                           "gpkg_spatial_ref_sys WHERE srs_id = ?", (srs_id,)).fetchone()
        if srs and str(srs[0]).upper() == "EPSG" and data.crs.to_epsg() != int(srs[1]):
            data = data.to_crs(epsg=int(srs[1]))
        existing = {r[1] for r in conn.execute(f"PRAGMA table_info({quote(name)})")}
        columns = [c for c in data.columns if c != data.geometry.name]
        for col in columns:
            if col not in existing:
                conn.execute(f"ALTER TABLE {quote(name)} ADD COLUMN {quote(col)} "
                             f"{_sql_type(data[col])}")
        conn.execute(f"DELETE FROM {quote(name)}")
        pause_in_transaction(f"deleted the old features of {name}")
        sql = (f"INSERT INTO {quote(name)} ({', '.join(quote(c) for c in columns)}"
               f"{', ' if columns else ''}{quote(geom_col)}) VALUES "
               f"({', '.join('?' * (len(columns) + 1))})")
        values = [data[c].tolist() for c in columns]
        geoms = data.geometry.array
        for i in range(len(data)):
            conn.execute(sql, [*(_sql_value(v[i]) for v in values),
                               encode_geometry(geoms[i], int(srs_id))])
            pause_in_transaction(f"wrote feature {i + 1} of {len(data)} to {name}")
        kind = geometry_type_name(data.geometry)
        if len(data) and kind != str(declared).upper() and str(declared).upper() != "GEOMETRY":
            conn.execute("UPDATE gpkg_geometry_columns SET geometry_type_name = ? "
                         "WHERE lower(table_name) = lower(?)", (kind, name))
        if len(data):
            minx, miny, maxx, maxy = (float(v) for v in data.total_bounds)
            conn.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? "
                         "WHERE lower(table_name) = lower(?)", (minx, miny, maxx, maxy, name))
        touch_contents(conn, name)

    # --- stage events ---------------------------------------------------------------------

    @staticmethod
    def _sync_stages(conn: sqlite3.Connection, events: pd.DataFrame,
                     parcel_ids: Sequence[str] | None = None) -> None:
        """Copy the stage derived from the log into the parcels layer (for maps and GDAL)."""
        states = derive_states(events)
        for pid in parcel_ids if parcel_ids is not None else list(states):
            state = states[pid]
            conn.execute(f"UPDATE {PARCELS} SET stage = ?, stage_date = ? WHERE id = ?",
                         (state.stage.value if state.stage else None,
                          state.stage_date.isoformat() if state.stage_date else None, pid))

    def _events_query(self, conn: sqlite3.Connection, where: str = "",
                      params: Sequence[object] = ()) -> pd.DataFrame:
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                              (EVENTS_TABLE,)).fetchone()
        if not exists:
            return normalise_events([])
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({EVENTS_TABLE})")}
        cols = [c for c in EVENT_COLUMNS if c in have]
        cur = conn.execute(f"SELECT {', '.join(cols)} FROM {EVENTS_TABLE} {where} "
                           "ORDER BY event_id", tuple(params))
        return normalise_events(pd.DataFrame(cur.fetchall(), columns=cols))

    def read_events(self, parcel_id: str | None = None) -> pd.DataFrame:
        with connect(self.path) as conn:
            try:
                if parcel_id is None:
                    return self._events_query(conn)
                return self._events_query(conn, "WHERE parcel_id = ?", (parcel_id,))
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"Cannot read the stage events in {self.path}: {exc}.") from None

    def current_stages(self) -> pd.DataFrame:
        return current_frame(self.read_events())

    def parcel_version(self, parcel_id: str) -> int:
        with connect(self.path) as conn:
            try:
                row = conn.execute(f"SELECT count(*) FROM {EVENTS_TABLE} WHERE parcel_id = ?",
                                   (parcel_id,)).fetchone()
            except sqlite3.OperationalError:
                return 0  # no event table yet
        return int(row[0])

    def _ensure_events_table(self, conn: sqlite3.Connection) -> None:
        exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                              (EVENTS_TABLE,)).fetchone()
        if not exists:
            conn.execute(_EVENTS_DDL)
            conn.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier) "
                         "VALUES (?, 'attributes', ?)", (EVENTS_TABLE, EVENTS_TABLE))
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({EVENTS_TABLE})")}
        if "correction_reason" not in have:
            conn.execute(f"ALTER TABLE {EVENTS_TABLE} ADD COLUMN correction_reason TEXT")
        for ddl in _APPEND_ONLY:
            conn.execute(ddl)

    def record_events(
        self,
        changes: Sequence[StageChange],
        *,
        expected_versions: Mapping[str, int],
        today: dt.date | None = None,
    ) -> pd.DataFrame:
        changes = list(changes)
        ids = list(dict.fromkeys(c.parcel_id for c in changes))
        marks = ", ".join("?" * len(ids))
        try:
            with write_transaction(self.path) as conn:
                self._ensure_events_table(conn)
                try:
                    known = {r[0] for r in conn.execute(
                        f"SELECT id FROM {PARCELS} WHERE id IN ({marks})", ids)}
                except sqlite3.OperationalError:
                    raise StoreError(f"{self.path} has no parcels layer to record stages "
                                     "for. Import the parcels first.") from None
                events = self._events_query(conn, f"WHERE parcel_id IN ({marks})", ids)
                final = check_events_batch(changes, events, known, expected_versions,
                                           today=today)
                next_id = int(conn.execute(
                    f"SELECT coalesce(max(event_id), 0) + 1 FROM {EVENTS_TABLE}").fetchone()[0])
                recorded_at = now_iso()
                rows = []
                for i, c in enumerate(changes):
                    row = event_row(next_id + i, c, recorded_at)
                    conn.execute(f"INSERT INTO {EVENTS_TABLE} ({', '.join(EVENT_COLUMNS)}) "
                                 f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))})",
                                 [_sql_value(row[k]) for k in EVENT_COLUMNS])
                    rows.append(row)
                    pause_in_transaction(f"recorded event {i + 1} of {len(changes)}")
                for pid in ids:
                    state = final[pid]
                    conn.execute(f"UPDATE {PARCELS} SET stage = ?, stage_date = ? WHERE id = ?",
                                 (state.stage.value if state.stage else None,
                                  state.stage_date.isoformat() if state.stage_date else None,
                                  pid))
                touch_contents(conn, EVENTS_TABLE)
                touch_contents(conn, PARCELS)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"Recording stage changes in {self.path} failed: {exc}. "
                             "Nothing was recorded.") from None
        return normalise_events(rows)


"""GeoPackage store: one embedded file; layers read with pyogrio, writes in SQLite transactions.

See :mod:`geo_app.storage._gpkg_sql` for how writers are serialised (``BEGIN IMMEDIATE``,
busy timeout, WAL) and why this process locks the file around every access.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from geo_app.domain.layers import get_spec
from geo_app.domain.validate import validate_layer
from geo_app.domain.workflow import StageChange, derive_states
from geo_app.errors import InputError, StoreError
from geo_app.storage._gpkg_provenance import ledger_exists, record_imported
from geo_app.storage._gpkg_sql import (
    connect,
    file_lock,
    now_iso,
    quote,
    touch_contents,
    write_transaction,
)
from geo_app.storage._gpkg_write import (
    create_feature_table,
    delete_all_features,
    ensure_srs,
    insert_features,
    layer_geometry,
    refresh_layer_metadata,
    sql_type,
    sql_value,
    srs_epsg,
    table_exists,
)
from geo_app.storage._import import (
    feature_ids,
    id_column,
    opening_changes,
    prepare_import,
    refuse_collisions,
)
from geo_app.storage._ledger_sql import (
    ASOF_INDEX,
    ASOF_INDEX_SQL,
    EVENT_ID_INDEX,
    EVENT_ID_INDEX_SQL,
    PARCELS_ID_INDEX,
    PARCELS_ID_INDEX_SQL,
    all_states_sql,
    events_where_sql,
    net_land_steps_sql,
    span_sql,
    stage_on_sql,
    stages_as_of_sql,
    states_sql,
)
from geo_app.storage._test_hook import pause_in_transaction
from geo_app.storage._write import prepare_layer_write
from geo_app.storage.base import (
    EVENT_COLUMNS,
    EVENTS_TABLE,
    PROVENANCE_COLUMNS,
    PROVENANCE_TABLE,
    RECORDED_BY,
    Capability,
    ImportMode,
    ImportOutcome,
    LayerInfo,
    Provenance,
    day_text,
    normalise_events,
    normalise_provenance,
    states_frame,
)
from geo_app.storage.events import (
    BulkOutcome,
    bulk_event_columns,
    check_changes_bulk,
    check_events_batch,
    event_row,
)

PARCELS = "parcels"
#: The event columns a GeoPackage stores (no login: ``recorded_by`` is always ``None``).
_STORED = tuple(c for c in EVENT_COLUMNS if c != RECORDED_BY)

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
#: The stage-event table and its append-only triggers.
EVENTS_SCHEMA = (_EVENTS_DDL, *_APPEND_ONLY)


def protect_events_table(path: Path) -> None:
    """Add the append-only triggers to the ``stage_events`` table of the file at ``path``.

    For files whose event table another writer made (the sample generator writes it with
    GDAL): every GeoPackage geo_app makes has the triggers from creation. A store opened on
    an older file never writes when reading; its first write transaction adds them.
    """
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        for ddl in _APPEND_ONLY:
            conn.execute(ddl)
        conn.execute("COMMIT")
    finally:
        conn.close()


def ledger_indexes_missing(conn: sqlite3.Connection) -> list[str]:
    """The ledger indexes (:mod:`._ledger_sql`) a file lacks, for tables it has."""
    have = {str(r[0]) for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index'")}
    wanted = []
    if table_exists(conn, EVENTS_TABLE):
        wanted += [(ASOF_INDEX, ASOF_INDEX_SQL), (EVENT_ID_INDEX, EVENT_ID_INDEX_SQL)]
    if table_exists(conn, PARCELS) and "id" in {
            r[1] for r in conn.execute(f"PRAGMA table_info({PARCELS})")}:
        wanted.append((PARCELS_ID_INDEX, PARCELS_ID_INDEX_SQL))
    return [sql for name, sql in wanted if name not in have]


def ensure_ledger_indexes(conn: sqlite3.Connection) -> None:
    """The schema step of a GeoPackage: create the ledger indexes it lacks.

    Runs inside every write transaction (a store is never written when only read), so
    a file made before the indexes existed gets them with its first write; a file
    geo_app creates has them from its first stage change or parcels import. The step is
    recorded by the indexes themselves (``sqlite_master``), checked in one query.
    """
    for sql in ledger_indexes_missing(conn):
        conn.execute(sql)


_TYPE_NAMES = ("POINT", "LINESTRING", "LINEARRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING",
               "MULTIPOLYGON", "GEOMETRYCOLLECTION")


def geometry_type_name(geoms: gpd.GeoSeries) -> str:
    """The GeoPackage geometry type name for ``geoms`` (``GEOMETRY`` when mixed)."""
    arr = np.asarray(geoms.array)
    ids = np.unique(shapely.get_type_id(arr[~shapely.is_missing(arr)]))
    return _TYPE_NAMES[int(ids[0])] if len(ids) == 1 else "GEOMETRY"


def _load_batch_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> None:
    """``temp.batch_ids`` holding ``ids`` (parcel ids a batch names), for joins in SQL."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS batch_ids (parcel_id TEXT)")
    conn.execute("DELETE FROM temp.batch_ids")
    conn.executemany("INSERT INTO temp.batch_ids VALUES (?)", ((p,) for p in ids))


def _insert_events(conn: sqlite3.Connection, columns: Mapping[str, list[object]]) -> None:
    """Append ledger rows given column-wise (:func:`.events.bulk_event_columns`)."""
    conn.executemany(f"INSERT INTO {EVENTS_TABLE} ({', '.join(columns)}) VALUES "
                     f"({', '.join('?' * len(columns))})", zip(*columns.values(), strict=True))


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

    def capabilities(self) -> set[str]:
        """Everything: a GeoPackage is a single-user file (its ledger guarded by triggers)."""
        return {str(c) for c in Capability}

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
        no layer at all). Writing ``parcels`` keeps the ``stage``/``stage_date`` of every
        parcel with a history as derived from the event log.
        """
        data = prepare_layer_write(name, gdf)
        self._write(name, data, ImportMode.REPLACE, None, what=f"Writing layer '{name}'")

    def import_features(
        self,
        name: str,
        gdf: gpd.GeoDataFrame,
        *,
        mode: ImportMode,
        provenance: Provenance,
        record_stages: bool = False,
    ) -> ImportOutcome:
        """See :meth:`geo_app.storage.base.LayerStore.import_features`."""
        mode, data = prepare_import(name, gdf, mode, provenance)
        return self._write(name, data, mode, provenance, what=f"Importing into '{name}'",
                           record_stages=record_stages)

    def _write(self, name: str, data: gpd.GeoDataFrame, mode: ImportMode,
               provenance: Provenance | None, *, what: str,
               record_stages: bool = False) -> ImportOutcome:
        try:
            with write_transaction(self.path) as conn:
                return self._write_in(conn, name, data, mode, provenance,
                                      record_stages=record_stages)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{what} in {self.path} failed: {exc}. Nothing was "
                             "written.") from None

    def _write_in(self, conn: sqlite3.Connection, name: str, data: gpd.GeoDataFrame,
                  mode: ImportMode, provenance: Provenance | None, *,
                  record_stages: bool = False) -> ImportOutcome:
        if table_exists(conn, EVENTS_TABLE):  # a file made before the triggers existed
            for ddl in _APPEND_ONLY:
                conn.execute(ddl)
        kind = geometry_type_name(data.geometry)
        found = layer_geometry(conn, name)
        created = found is None
        if found is None:
            if table_exists(conn, name):
                raise InputError(f"'{name}' in {self.path} is a table without geometry, not "
                                 "a layer; import into another layer name.")
            srs_id = ensure_srs(conn, data.crs)
            geom_col, declared = create_feature_table(conn, name, data, srs_id, kind), kind
            pause_in_transaction(f"created layer {name}")
        else:
            geom_col, srs_id, declared = found
            epsg = srs_epsg(conn, srs_id)
            if epsg is not None and data.crs.to_epsg() != epsg:
                data = data.to_crs(epsg=epsg)
            existing = {r[1] for r in conn.execute(f"PRAGMA table_info({quote(name)})")}
            for col in data.columns:
                if col != data.geometry.name and col not in existing:
                    conn.execute(f"ALTER TABLE {quote(name)} ADD COLUMN {quote(col)} "
                                 f"{sql_type(data[col])}")
        before = int(conn.execute(f"SELECT count(*) FROM {quote(name)}").fetchone()[0])
        ids = feature_ids(name, data)
        key = id_column(name, data)
        if mode is ImportMode.APPEND and before and key is not None:
            cols = {r[1] for r in conn.execute(f"PRAGMA table_info({quote(name)})")}
            if key in cols:
                refuse_collisions(name, ids, (r[0] for r in conn.execute(
                    f"SELECT {quote(key)} FROM {quote(name)}")))
        replaced = 0
        if mode is ImportMode.REPLACE and before:
            delete_all_features(conn, name, geom_col)
            replaced = before
            pause_in_transaction(f"deleted the old features of {name}")
        insert_features(conn, name, geom_col, srs_id, data,
                        after_chunk=lambda done, total: pause_in_transaction(
                            f"wrote {done} of {total} features to {name}"))
        kept = before - replaced
        new_type = None
        if len(data) and kind != declared.upper() and declared.upper() != "GEOMETRY":
            new_type = kind if kept == 0 else "GEOMETRY"
        refresh_layer_metadata(
            conn, name, merge_extent=kept > 0, geometry_type=new_type,
            bounds=tuple(float(v) for v in data.total_bounds) if len(data) else None)
        recorded_at = now_iso()
        events = 0
        if provenance is not None and len(data):
            events = record_imported(conn, name, ids, provenance, recorded_at)
            touch_contents(conn, PROVENANCE_TABLE)
            pause_in_transaction(f"recorded {events} provenance events for {name}")
        opened = 0
        if name == PARCELS and record_stages and provenance is not None and len(data):
            opened = self._record_opening(conn, data, ids, provenance, recorded_at)
        if name == PARCELS:
            self._sync_stages(conn, self._events_query(conn))
        ensure_ledger_indexes(conn)
        return ImportOutcome(name, mode, created, len(data), replaced, events, recorded_at,
                             opened)

    def _record_opening(self, conn: sqlite3.Connection, data: gpd.GeoDataFrame,
                        ids: list[str | None], provenance: Provenance, recorded_at: str) -> int:
        """The imported parcels' first ledger events (:func:`._import.opening_changes`)."""
        self._ensure_events_table(conn)
        _load_batch_ids(conn, [p for p in ids if p is not None])
        recorded = {str(r[0]) for r in conn.execute(
            f"SELECT b.parcel_id FROM temp.batch_ids b WHERE EXISTS (SELECT 1 FROM "
            f"{EVENTS_TABLE} e WHERE e.parcel_id = b.parcel_id)")}
        conn.execute("DROP TABLE temp.batch_ids")
        opening = opening_changes(data, ids, provenance, recorded)
        if not len(opening):
            return 0
        next_id = int(conn.execute(
            f"SELECT coalesce(max(event_id), 0) + 1 FROM {EVENTS_TABLE}").fetchone()[0])
        _insert_events(conn, bulk_event_columns(opening, next_id, recorded_at))
        touch_contents(conn, EVENTS_TABLE)
        pause_in_transaction(f"recorded {len(opening)} opening stage events")
        return len(opening)

    def read_provenance(self, layer: str | None = None,
                        feature_id: str | None = None) -> pd.DataFrame:
        """See :meth:`geo_app.storage.base.LayerStore.read_provenance`."""
        where, params = [], []
        for col, value in (("layer", layer), ("feature_id", feature_id)):
            if value is not None:
                where.append(f"{col} = ?")
                params.append(value)
        sql = (f"SELECT {', '.join(PROVENANCE_COLUMNS)} FROM {PROVENANCE_TABLE}"
               f"{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY event_id")
        with connect(self.path) as conn:
            try:
                if not ledger_exists(conn):
                    return normalise_provenance([])
                rows = conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"Cannot read the provenance ledger in {self.path}: "
                                 f"{exc}.") from None
        return normalise_provenance(pd.DataFrame(rows, columns=list(PROVENANCE_COLUMNS)))

    # --- stage events ---------------------------------------------------------------------

    @staticmethod
    def _sync_stages(conn: sqlite3.Connection, events: pd.DataFrame,
                     parcel_ids: Sequence[str] | None = None) -> None:
        """Copy the stage derived from the log into the parcels layer (for maps and GDAL)."""
        states = derive_states(events)
        rows = [(state.stage.value if state.stage else None,
                 state.stage_date.isoformat() if state.stage_date else None, pid)
                for pid in (parcel_ids if parcel_ids is not None else list(states))
                for state in (states[pid],)]
        conn.executemany(f"UPDATE {PARCELS} SET stage = ?, stage_date = ? WHERE id = ?", rows)

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

    def read_events(self, parcel_id: str | None = None, *, until: dt.date | None = None,
                    unknown_only: bool = False) -> pd.DataFrame:
        where = events_where_sql(parcel_param=None if parcel_id is None else "?",
                                 until_param=None if until is None else "?",
                                 unknown_only=unknown_only)
        params: list[object] = [] if parcel_id is None else [parcel_id]
        if until is not None:  # the next day: a date stored with a time still counts
            params.append((until + dt.timedelta(days=1)).isoformat())
        with connect(self.path) as conn:
            try:
                events = self._events_query(conn, where, params)
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"Cannot read the stage events in {self.path}: {exc}.") from None
        if until is None:
            return events
        return events[events["effective_date"] <= until.isoformat()].reset_index(drop=True)

    def current_stages(self) -> pd.DataFrame:
        return self.parcel_states()  # derive_states's rule, in SQL

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
        ensure_ledger_indexes(conn)

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
                    conn.execute(f"INSERT INTO {EVENTS_TABLE} ({', '.join(_STORED)}) "
                                 f"VALUES ({', '.join('?' * len(_STORED))})",
                                 [sql_value(row[k]) for k in _STORED])
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

    # --- the ledger in bulk and as of a date (SQL) --------------------------------------

    def record_changes_frame(
        self,
        changes: pd.DataFrame,
        *,
        expected_versions: Mapping[str, int] | None,
        today: dt.date | None = None,
    ) -> BulkOutcome:
        """See :meth:`geo_app.storage.base.LayerStore.record_changes_frame`."""
        ids = pd.unique(changes["parcel_id"].to_numpy(dtype=object)).tolist()
        try:
            with write_transaction(self.path) as conn:
                self._ensure_events_table(conn)
                if not table_exists(conn, PARCELS):
                    raise StoreError(f"{self.path} has no parcels layer to record stages "
                                     "for. Import the parcels first.")
                _load_batch_ids(conn, ids)
                known = {str(r[0]) for r in conn.execute(
                    f"SELECT b.parcel_id FROM temp.batch_ids b WHERE EXISTS (SELECT 1 FROM "
                    f"{PARCELS} p WHERE p.id = b.parcel_id)")}
                states = states_frame(conn.execute(states_sql("temp.batch_ids")).fetchall())
                final = check_changes_bulk(
                    changes, states, known, expected_versions,
                    lambda pids: self._events_query(
                        conn, f"WHERE parcel_id IN ({', '.join('?' * len(pids))})", pids),
                    today=today)
                next_id = int(conn.execute(
                    f"SELECT coalesce(max(event_id), 0) + 1 FROM {EVENTS_TABLE}").fetchone()[0])
                recorded_at = now_iso()
                _insert_events(conn, bulk_event_columns(changes, next_id, recorded_at))
                pause_in_transaction(f"recorded {len(changes)} events")
                dates = day_text(final["stage_date"].tolist())
                conn.executemany(
                    f"UPDATE {PARCELS} SET stage = ?, stage_date = ? WHERE id = ?",
                    zip(final["stage"].tolist(), dates, final["parcel_id"].tolist(),
                        strict=True))
                conn.execute("DROP TABLE temp.batch_ids")
                touch_contents(conn, EVENTS_TABLE)
                touch_contents(conn, PARCELS)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"Recording stage changes in {self.path} failed: {exc}. "
                             "Nothing was recorded.") from None
        final = final.assign(stage_date=dates)
        return BulkOutcome(len(changes), len(final), recorded_at, final)

    def _ledger_read(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        with connect(self.path) as conn:
            try:
                if not table_exists(conn, EVENTS_TABLE):
                    return []
                return conn.execute(sql, tuple(params)).fetchall()
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"Cannot read the stage events in {self.path}: "
                                 f"{exc}.") from None

    def parcel_states(self) -> pd.DataFrame:
        """See :meth:`geo_app.storage.base.LayerStore.parcel_states`."""
        return states_frame(self._ledger_read(all_states_sql()))

    def stages_as_of(self, day: dt.date, *, known_only: bool = True,
                     parcel_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """See :meth:`geo_app.storage.base.LayerStore.stages_as_of`."""
        with connect(self.path) as conn:
            try:
                if not table_exists(conn, EVENTS_TABLE):
                    return pd.DataFrame({"parcel_id": [], "stage": []}, dtype="object")
                indexed = not any(ASOF_INDEX in sql for sql in ledger_indexes_missing(conn))
                if parcel_ids is not None:
                    ids, args = "(SELECT value AS parcel_id FROM json_each(?2))", [
                        json.dumps([str(p) for p in parcel_ids], ensure_ascii=False)]
                elif table_exists(conn, PARCELS) and indexed:
                    ids, args = f"(SELECT id AS parcel_id FROM {PARCELS})", []
                else:
                    ids, args = "", []
                if ids and indexed:  # one index descent per parcel
                    sql = stage_on_sql(ids, "?1", known_only=known_only)
                    rows = conn.execute(sql, (day.isoformat(), *args)).fetchall()
                else:  # an older file not written since: one pass over the events
                    rows = conn.execute(stages_as_of_sql("?", known_only=known_only),
                                        (day.isoformat(),)).fetchall()
                    if parcel_ids is not None:
                        wanted = {str(p) for p in parcel_ids}
                        rows = [r for r in rows if r[0] in wanted]
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"Cannot read the stage events in {self.path}: "
                                 f"{exc}.") from None
        frame = pd.DataFrame([r for r in rows if r[1] is not None],
                             columns=["parcel_id", "stage"], dtype="object")
        return frame.reset_index(drop=True)

    def net_land_steps(self, net_stages: Sequence[str], *,
                       known_only: bool = True) -> pd.DataFrame:
        """See :meth:`geo_app.storage.base.LayerStore.net_land_steps`."""
        rows = self._ledger_read(net_land_steps_sql(tuple(net_stages), known_only=known_only))
        frame = pd.DataFrame(rows, columns=["parcel_id", "day", "step"])
        frame["day"] = day_text(frame["day"].tolist())
        return frame.astype({"parcel_id": "object", "step": "int64"})

    def event_span(self, *, known_only: bool = True) -> tuple[dt.date, dt.date] | None:
        """See :meth:`geo_app.storage.base.LayerStore.event_span`."""
        rows = self._ledger_read(span_sql(known_only=known_only))
        if not rows or rows[0][0] is None:
            return None
        first, last = day_text(rows[0])
        return dt.date.fromisoformat(str(first)), dt.date.fromisoformat(str(last))

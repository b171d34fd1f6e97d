"""The provenance ledger of a GeoPackage: one row per import, a narrow row per feature.

An import of 100k features used to write 100k copies of the same file name, officer,
dates and details (``provenance_events``: 21 MB of rows and index for a 17 MB layer, a
third of the import's write). Now:

- ``provenance_imports``: one row per import (layer, kind, file, officer, dates, details,
  its first event id and how many features);
- ``provenance_features``: one row per feature (``event_id``, ``import_id``,
  ``feature_id``), indexed on ``feature_id`` for "where did this feature come from";
- ``provenance_events``: a view joining the two with the ledger's old columns, registered
  in ``gpkg_contents`` (QGIS and GDAL list it as before; :meth:`read_provenance` reads it).

All three are append-only (triggers). A file written before this layout keeps its rows:
its first import renames the old table to ``provenance_events_v1`` (rows untouched, its
triggers follow it) and the view reads both; an empty old table is dropped. Event ids
continue across the two. Reading never changes a file: until its next import an older
file's ``provenance_events`` is still the table, with the same columns.
"""

from __future__ import annotations

import sqlite3

from geo_app.errors import StoreError
from geo_app.storage._gpkg_sql import quote
from geo_app.storage._gpkg_write import add_attributes_table, insert_ledger_rows, table_exists
from geo_app.storage._import import provenance_columns
from geo_app.storage.base import (
    PROVENANCE_COLUMNS,
    PROVENANCE_FEATURES,
    PROVENANCE_IMPORTS,
    PROVENANCE_LEGACY,
    PROVENANCE_TABLE,
    Provenance,
)

_IMPORTS_DDL = f"""
CREATE TABLE {PROVENANCE_IMPORTS} (
    import_id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, layer TEXT NOT NULL,
    kind TEXT NOT NULL, source_file TEXT NOT NULL, officer TEXT NOT NULL,
    effective_date TEXT NOT NULL, recorded_at TEXT NOT NULL, details TEXT,
    first_event_id INTEGER NOT NULL, features INTEGER NOT NULL)
"""
_FEATURES_DDL = f"""
CREATE TABLE {PROVENANCE_FEATURES} (
    event_id INTEGER PRIMARY KEY NOT NULL,
    import_id INTEGER NOT NULL REFERENCES {PROVENANCE_IMPORTS} (import_id),
    feature_id TEXT)
"""
#: "Where did this feature come from": the rowid (``event_id``) orders each feature's rows.
FEATURE_INDEX = f"{PROVENANCE_FEATURES}_feature_idx"
_FEATURE_INDEX_SQL = (f"CREATE INDEX IF NOT EXISTS {FEATURE_INDEX} ON {PROVENANCE_FEATURES} "
                      "(feature_id)")
_REFUSAL = f"{PROVENANCE_TABLE} is append-only: the import record cannot be changed"
_TABLE_TRIGGERS = tuple(
    f"CREATE TRIGGER IF NOT EXISTS {table}_append_only_{op.lower()} BEFORE {op} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
    for table in (PROVENANCE_IMPORTS, PROVENANCE_FEATURES) for op in ("UPDATE", "DELETE")
)
_VIEW_TRIGGERS = tuple(
    f"CREATE TRIGGER IF NOT EXISTS {PROVENANCE_TABLE}_view_refuses_{op.lower()} INSTEAD OF "
    f"{op} ON {PROVENANCE_TABLE} BEGIN SELECT RAISE(ABORT, '{message}'); END"
    for op, message in (("UPDATE", _REFUSAL), ("DELETE", _REFUSAL),
                        ("INSERT", f"{PROVENANCE_TABLE} is written by imports only"))
)
_JOINED = (
    "SELECT f.event_id AS event_id, i.layer AS layer, f.feature_id AS feature_id, "
    "i.kind AS kind, i.source_file AS source_file, i.officer AS officer, "
    "i.effective_date AS effective_date, i.recorded_at AS recorded_at, i.details AS details "
    f"FROM {PROVENANCE_FEATURES} AS f JOIN {PROVENANCE_IMPORTS} AS i "
    "ON i.import_id = f.import_id"
)


def _view_sql(with_legacy: bool) -> str:
    legacy = (f"SELECT {', '.join(PROVENANCE_COLUMNS)} FROM {PROVENANCE_LEGACY} UNION ALL "
              if with_legacy else "")
    return f"CREATE VIEW {PROVENANCE_TABLE} AS {legacy}{_JOINED}"


def create_provenance_schema(conn: sqlite3.Connection, *, with_legacy: bool = False) -> None:
    """The two tables, their index and triggers, and the registered view (a new file)."""
    conn.execute(_IMPORTS_DDL)
    conn.execute(_FEATURES_DDL)
    conn.execute(_FEATURE_INDEX_SQL)
    for ddl in _TABLE_TRIGGERS:
        conn.execute(ddl)
    add_attributes_table(conn, PROVENANCE_TABLE, _view_sql(with_legacy))
    for ddl in _VIEW_TRIGGERS:
        conn.execute(ddl)


def ledger_exists(conn: sqlite3.Connection) -> bool:
    """Whether the file has a provenance ledger (the view, or an older file's table)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND "
                        "name = ?", (PROVENANCE_TABLE,)).fetchone() is not None


#: The ledger's tables and their columns, as this module creates them.
_COLUMNS = {
    PROVENANCE_IMPORTS: ("import_id", "layer", "kind", "source_file", "officer",
                         "effective_date", "recorded_at", "details", "first_event_id",
                         "features"),
    PROVENANCE_FEATURES: ("event_id", "import_id", "feature_id"),
    PROVENANCE_LEGACY: PROVENANCE_COLUMNS,
    PROVENANCE_TABLE: PROVENANCE_COLUMNS,  # an older file's one-table ledger
}
#: What an older file's one-table ledger had besides its rows (kept on its new name).
_LEGACY_GUARDS = (
    *(f"CREATE TRIGGER IF NOT EXISTS {PROVENANCE_TABLE}_append_only_{op.lower()} BEFORE {op} "
      f"ON {PROVENANCE_LEGACY} BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
      for op in ("UPDATE", "DELETE")),
    f"CREATE INDEX IF NOT EXISTS {PROVENANCE_TABLE}_feature_idx ON {PROVENANCE_LEGACY} "
    "(layer, feature_id, event_id)",
)


def _ledger_table(conn: sqlite3.Connection, name: str) -> bool:
    """Whether the file has the ledger's table ``name``; a table or view of that name (in
    any case) that is not it is refused, nothing written (a layer someone named so)."""
    row = conn.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') "
                       "AND lower(name) = lower(?)", (name,)).fetchone()
    if row is None:
        return False
    found, kind = str(row[0]), str(row[1])
    columns = tuple(str(r[1]) for r in conn.execute(f"PRAGMA table_info({quote(found)})"))
    if kind == "table" and found == name and columns == _COLUMNS[name]:
        return True
    raise StoreError(
        f"This GeoPackage has a {kind} '{found}' that is not geo_app's import ledger, and "
        f"geo_app keeps its import records under that name ({name}). Rename that {kind} "
        "(in QGIS, or with ogr2ogr into another file) and import again. Nothing was written.")


def ensure_provenance_schema(conn: sqlite3.Connection) -> bool:
    """Bring the file to this layout inside a write transaction (see the module notes);
    whether it keeps an older file's ledger as :data:`PROVENANCE_LEGACY`."""
    with_legacy = _ledger_table(conn, PROVENANCE_LEGACY)
    if with_legacy:
        for ddl in _LEGACY_GUARDS:
            conn.execute(ddl)
    if _ledger_table(conn, PROVENANCE_FEATURES) and _ledger_table(conn, PROVENANCE_IMPORTS):
        for ddl in (_FEATURE_INDEX_SQL, *_TABLE_TRIGGERS, *_VIEW_TRIGGERS):
            conn.execute(ddl)
        return with_legacy
    old = conn.execute("SELECT type FROM sqlite_master WHERE name = ?",
                       (PROVENANCE_TABLE,)).fetchone()
    if old is not None and old[0] == "view":  # the view without its tables: not ours
        _ledger_table(conn, PROVENANCE_TABLE)
    if old is not None and _ledger_table(conn, PROVENANCE_TABLE):
        has_rows = conn.execute(
            f"SELECT EXISTS (SELECT 1 FROM {PROVENANCE_TABLE})").fetchone()[0] == 1
        if has_rows and with_legacy:
            raise StoreError(
                f"This GeoPackage has both {PROVENANCE_TABLE} and {PROVENANCE_LEGACY} as "
                "tables of import records: it was changed outside geo_app. Restore it from "
                "a backup. Nothing was written.")
        conn.execute("DELETE FROM gpkg_contents WHERE lower(table_name) = lower(?)",
                     (PROVENANCE_TABLE,))
        if table_exists(conn, "gpkg_ogr_contents"):
            conn.execute("DELETE FROM gpkg_ogr_contents WHERE lower(table_name) = lower(?)",
                         (PROVENANCE_TABLE,))
        if has_rows:
            # rows untouched; its triggers and index follow it. The legacy rename does not
            # rewrite (or first re-check) the other views and triggers of the file: a user's
            # view over provenance_events then reads the new view, and one left broken by
            # an earlier change cannot stop the import
            conn.execute("PRAGMA legacy_alter_table = ON")
            try:
                conn.execute(f"ALTER TABLE {PROVENANCE_TABLE} RENAME TO {PROVENANCE_LEGACY}")
            finally:
                conn.execute("PRAGMA legacy_alter_table = OFF")
            with_legacy = True
        else:
            conn.execute(f"DROP TABLE {PROVENANCE_TABLE}")
    for name in (PROVENANCE_IMPORTS, PROVENANCE_FEATURES):
        _ledger_table(conn, name)  # refuses a foreign table of that name
    create_provenance_schema(conn, with_legacy=with_legacy)
    return with_legacy


def _next_event_id(conn: sqlite3.Connection, *, with_legacy: bool) -> int:
    tables = (PROVENANCE_FEATURES, PROVENANCE_LEGACY) if with_legacy else (PROVENANCE_FEATURES,)
    return 1 + max(int(conn.execute(f"SELECT coalesce(max(event_id), 0) FROM {table}"
                                    ).fetchone()[0]) for table in tables)


def record_imported(conn: sqlite3.Connection, layer: str, ids: list[str | None],
                    provenance: Provenance, recorded_at: str) -> int:
    """One ``imported`` event per feature of ``ids``; returns how many were recorded."""
    with_legacy = ensure_provenance_schema(conn)
    if not ids:
        return 0
    first = _next_event_id(conn, with_legacy=with_legacy)
    row = {c: v for c, v in provenance_columns(layer, ids, provenance, recorded_at).items()
           if c != "feature_id"} | {"first_event_id": first, "features": len(ids)}
    import_id = conn.execute(
        f"INSERT INTO {PROVENANCE_IMPORTS} ({', '.join(row)}) "
        f"VALUES ({', '.join('?' * len(row))})", list(row.values())).lastrowid
    # an empty ledger gets its index after the rows (one sort, not 100k random inserts)
    empty = conn.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {PROVENANCE_FEATURES})"
                         ).fetchone()[0] == 1
    if empty:
        conn.execute(f"DROP INDEX IF EXISTS {FEATURE_INDEX}")
    insert_ledger_rows(conn, PROVENANCE_FEATURES, first, "event_id", "feature_id", list(ids),
                       {"import_id": import_id})
    conn.execute(_FEATURE_INDEX_SQL)
    return len(ids)

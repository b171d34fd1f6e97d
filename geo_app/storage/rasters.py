"""Raster registry beside the vector layers: DEMs and land-cover grids a store knows.

What each store keeps, and why:

* **GeoPackage store: a copy.** ``geo-app raster add`` copies the GeoTIFF into a folder
  beside the GeoPackage (``<name>.rasters/``, streamed, so a raster larger than memory is
  fine) and records it in the table ``geo_app_rasters`` inside the GeoPackage with a path
  relative to it. The GeoPackage store is a single-user workspace that people move, back up
  and e-mail as a folder; a reference to a file elsewhere would break silently when that
  file moves. (GeoPackage's own tiled raster tables hold 8-bit/16-bit PNG/JPEG or float
  TIFF tiles with no no-data semantics GDAL reads back for exactextract, and would double
  the file's size for nothing.)
* **PostGIS store: a path.** The table ``geo_app_rasters`` holds the raster's absolute
  path, which must be readable by every machine running the app (a shared drive). PostGIS
  rasters (``postgis_raster``, not enabled by ``geo-app init``) would load every cell into
  the database or, out-of-database, still need the same shared path; exactextract and GDAL
  read a Cloud-Optimised GeoTIFF on a file share by windows, faster than through SQL.

The bundled illustrative rasters (``layers/dem.tif``, ``layers/landcover.tif``) are always
listed, marked ``bundled``; a registered raster of the same kind is used first.

Nothing is written for a bad input: the file is opened and checked (a raster, a CRS, one
band, a known kind; land cover needs whole-number cells) before anything is copied or
recorded, and a copy whose record fails is removed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sqlite3
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from rasterio.errors import RasterioIOError

from geo_app.errors import InputError, StoreError
from geo_app.settings import PACKAGE_DIR, PROJECT_ROOT
from geo_app.storage._gpkg_sql import file_lock
from geo_app.storage.base import LayerStore

TABLE = "geo_app_rasters"
KINDS = ("dem", "landcover")
#: ``layers/`` of a checkout (what ``make layers`` writes), else the wheel's copies.
BUNDLED_DIR = (PROJECT_ROOT / "layers" if (PROJECT_ROOT / "layers" / "dem.tif").is_file()
               else PACKAGE_DIR / "data")
BUNDLED = {
    "dem": ("sample_dem", BUNDLED_DIR / "dem.tif"),
    "landcover": ("sample_landcover", BUNDLED_DIR / "landcover.tif"),
}
BUNDLED_CLASSES = BUNDLED_DIR / "landcover_classes.csv"
_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


@dataclass(frozen=True)
class RasterEntry:
    """A raster the store knows."""

    name: str
    kind: str
    path: Path
    crs: str
    #: land-cover classes as dictionaries (value, code, name_zh, name_en, colour); None:
    #: the default classes
    classes: tuple[Mapping[str, object], ...] | None
    bundled: bool
    added_at: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "kind": self.kind, "path": str(self.path), "crs": self.crs,
                "bundled": self.bundled, "added_at": self.added_at,
                "classes": list(self.classes) if self.classes else None}


def _check_raster(path: Path, kind: str) -> str:
    """Open and check the file; return its CRS name. Raises :class:`InputError`."""
    if kind not in KINDS:
        raise InputError(f"--kind must be dem or landcover, not {kind!r}.")
    if not path.is_file():
        raise InputError(f"No raster file at {path}. Check the path.")
    try:
        src = rasterio.open(path)
    except RasterioIOError:
        raise InputError(f"{path.name} is not a raster GDAL can read. Give a GeoTIFF DEM or "
                         "land-cover grid. Nothing was added.") from None
    with src:
        if src.crs is None:
            raise InputError(f"{path.name} has no coordinate system. Add one (e.g. "
                             "`gdal_edit.py -a_srs EPSG:4547 FILE`). Nothing was added.")
        if src.count != 1:
            raise InputError(f"{path.name} has {src.count} bands; a DEM or land-cover raster "
                             "has one. Extract the band first (`gdal_translate -b 1`).")
        if abs(src.transform.b) > 1e-12 or abs(src.transform.d) > 1e-12:
            raise InputError(f"{path.name} has a rotated grid; warp it north-up first "
                             "(`gdalwarp`). Nothing was added.")
        if kind == "landcover" and np.dtype(src.dtypes[0]).kind not in "iu":
            raise InputError(f"{path.name} holds {src.dtypes[0]} values: a land-cover raster "
                             "has whole-number class values. Is it a DEM (--kind dem)?")
        epsg = src.crs.to_epsg()
        return f"EPSG:{epsg}" if epsg else src.crs.to_string()


def _gpkg_path(store: LayerStore) -> Path | None:
    path = getattr(store, "path", None)
    return Path(path) if isinstance(path, Path) else None


def _raster_dir(gpkg: Path) -> Path:
    return gpkg.with_name(gpkg.stem + ".rasters")


# --- GeoPackage -------------------------------------------------------------------------------

_CREATE = (f"CREATE TABLE IF NOT EXISTS {TABLE} (name TEXT PRIMARY KEY, kind TEXT NOT NULL, "
           "path TEXT NOT NULL, crs TEXT NOT NULL, classes TEXT, added_at TEXT NOT NULL)")


def _gpkg_rows(gpkg: Path) -> list[tuple[str, str, str, str, str | None, str]]:
    with file_lock(gpkg):
        conn = sqlite3.connect(gpkg, timeout=30)
        try:
            exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                                  (TABLE,)).fetchone()
            if not exists:
                return []
            return list(conn.execute(
                f"SELECT name, kind, path, crs, classes, added_at FROM {TABLE} ORDER BY added_at"))
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"Cannot read the raster list of {gpkg}: {exc}.") from None
        finally:
            conn.close()


def _gpkg_insert(gpkg: Path, row: tuple[str, str, str, str, str | None, str]) -> None:
    with file_lock(gpkg):
        conn = sqlite3.connect(gpkg, timeout=30, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(_CREATE)
            has_contents = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='gpkg_contents'"
            ).fetchone()
            if has_contents:
                conn.execute(
                    "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
                    "description, last_change) VALUES (?, 'attributes', ?, ?, "
                    "strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
                    (TABLE, TABLE, "DEM and land-cover rasters of this store (geo_app)"))
            if conn.execute(f"SELECT 1 FROM {TABLE} WHERE name = ?", (row[0],)).fetchone():
                conn.execute("ROLLBACK")
                raise InputError(f"A raster named {row[0]!r} is already in the store; give "
                                 "another --name.")
            conn.execute(f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?)", row)
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"Cannot record the raster in {gpkg}: {exc}. Nothing was "
                             "added.") from None
        finally:
            conn.close()


# --- PostGIS ----------------------------------------------------------------------------------


def _pg_rows(store: LayerStore) -> list[tuple[str, str, str, str, str | None, str]]:
    from sqlalchemy import text

    with store.transaction("read the raster list") as conn:  # type: ignore[attr-defined]
        if conn.execute(text(f"SELECT to_regclass('{TABLE}')")).scalar() is None:
            return []
        return [tuple(r) for r in conn.execute(text(  # type: ignore[misc]
            f"SELECT name, kind, path, crs, classes, added_at FROM {TABLE} ORDER BY added_at"))]


def _pg_insert(store: LayerStore, row: tuple[str, str, str, str, str | None, str]) -> None:
    from sqlalchemy import text

    with store.transaction("record the raster") as conn:  # type: ignore[attr-defined]
        conn.execute(text(_CREATE))
        if conn.execute(text(f"SELECT 1 FROM {TABLE} WHERE name = :n"), {"n": row[0]}).first():
            raise InputError(f"A raster named {row[0]!r} is already in the store; give "
                             "another --name.")
        conn.execute(text(f"INSERT INTO {TABLE} VALUES (:n, :k, :p, :c, :cl, :a)"),
                     dict(zip(("n", "k", "p", "c", "cl", "a"), row, strict=True)))


# --- the registry -----------------------------------------------------------------------------


def _entry(row: Sequence[object], base: Path | None) -> RasterEntry:
    name, kind, path, crs, classes, added = (str(v) if v is not None else None for v in row)
    p = Path(path or "")
    if base is not None and not p.is_absolute():
        p = base / p
    return RasterEntry(str(name), str(kind), p, str(crs),
                       tuple(json.loads(classes)) if classes else None, False, added)


def bundled_rasters() -> list[RasterEntry]:
    """The illustrative rasters shipped in ``layers/`` (those present)."""
    out = []
    for kind, (name, path) in BUNDLED.items():
        if path.is_file():
            out.append(RasterEntry(name, kind, path, "EPSG:4547", None, True))
    return out


def list_rasters(store: LayerStore) -> list[RasterEntry]:
    """The store's rasters (oldest first), then the bundled ones."""
    gpkg = _gpkg_path(store)
    if gpkg is not None:
        rows = _gpkg_rows(gpkg)
        registered = [_entry(r, gpkg.parent) for r in rows]
    else:
        registered = [_entry(r, None) for r in _pg_rows(store)]
    return registered + bundled_rasters()


def get_raster(store: LayerStore, name: str) -> RasterEntry:
    entries = list_rasters(store)
    for e in entries:
        if e.name == name:
            return e
    raise InputError(f"No raster named {name!r} in the store. Rasters here: "
                     f"{', '.join(e.name for e in entries) or 'none'} (`geo-app raster list`).")


def default_raster(store: LayerStore, kind: str) -> RasterEntry | None:
    """The newest registered raster of ``kind``, else the bundled one, else None."""
    of_kind = [e for e in list_rasters(store) if e.kind == kind]
    registered = [e for e in of_kind if not e.bundled]
    if registered:
        return registered[-1]
    return of_kind[0] if of_kind else None


def add_raster(store: LayerStore, file: Path | str, *, kind: str, name: str | None = None,
               classes: Sequence[Mapping[str, object]] | None = None) -> RasterEntry:
    """Check ``file`` and register it (copied beside a GeoPackage; by path in PostGIS)."""
    file = Path(file).expanduser()
    crs = _check_raster(file, kind)
    name = name or re.sub(r"[^A-Za-z0-9_\-]", "_", file.stem)[:64] or "raster"
    if not _NAME.match(name):
        raise InputError(f"Raster name {name!r}: use letters, digits, _ or - (at most 64).")
    if name in {e.name for e in list_rasters(store)}:
        raise InputError(f"A raster named {name!r} is already in the store; give another "
                         "--name.")
    if kind == "dem" and classes:
        raise InputError("--classes is for land-cover rasters, not a DEM.")
    classes_json = json.dumps(list(classes), ensure_ascii=False) if classes else None
    added = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    gpkg = _gpkg_path(store)
    if gpkg is None:
        stored = file.resolve()
        _pg_insert(store, (name, kind, str(stored), crs, classes_json, added))
        return RasterEntry(name, kind, stored, crs, tuple(classes) if classes else None,
                           False, added)
    folder = _raster_dir(gpkg)
    folder.mkdir(exist_ok=True)
    target = folder / f"{name}{file.suffix.lower() or '.tif'}"
    if target.exists():
        raise InputError(f"{target} already exists; give another --name.")
    partial = folder / f".{uuid.uuid4().hex}.part"
    try:
        shutil.copyfile(file, partial)
        partial.replace(target)
        _gpkg_insert(gpkg, (name, kind, str(target.relative_to(gpkg.parent)), crs,
                            classes_json, added))
    except BaseException:
        partial.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
        raise
    return RasterEntry(name, kind, target, crs, tuple(classes) if classes else None, False,
                       added)

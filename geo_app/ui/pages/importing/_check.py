"""What the Import page's buttons do, without streamlit: check an upload, confirm it.

:func:`check_upload` saves the uploaded bytes in a temporary folder that is always
removed, runs :func:`geo_app.transfer.importer.plan_import` on it and keeps what the page
shows (the plan, the preview features, the file's columns). :func:`confirm_upload` writes
a checked plan with :func:`geo_app.transfer.importer.commit_import`, first checking again
when the store changed since the check. Nothing is written before confirm or on an error.
Both raise :class:`~geo_app.errors.GeoAppError` with the library's message.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from geo_app.errors import InputError
from geo_app.io.archive import check_upload_size
from geo_app.storage import open_store
from geo_app.transfer.importer import (
    ImportOptions,
    ImportPlan,
    ImportReport,
    commit_import,
    plan_import,
)
from geo_app.ui.loaders import store_token
from geo_app.ui.pages.importing._preview import file_columns, preview_features

Progress = Callable[[str, float], None]

#: What the uploader accepts (the readers decide the format from the content and suffix).
UPLOAD_TYPES: tuple[str, ...] = (
    "zip", "gpkg", "geojson", "json", "fgb", "csv", "kml", "kmz", "dxf", "txt",
)
_UNSAFE = re.compile(r"[^\w.\-]+")
_MAX_NAME_CHARS = 80


@dataclass(frozen=True)
class CheckedImport:
    """A checked upload: the plan (report + features), what the preview map draws and the
    file's own columns (for the field mapping), tied to the upload and store it was made on.
    """

    plan: ImportPlan
    preview: gpd.GeoDataFrame
    columns: tuple[str, ...]
    fingerprint: str
    location: str
    token: str

    @property
    def report(self) -> ImportReport:
        return self.plan.report


@dataclass(frozen=True)
class ConfirmOutcome:
    """What confirming did: ``report`` when written; else ``rechecked`` holds a new check
    whose report differs from the one the user confirmed (the store changed), nothing written.
    """

    report: ImportReport | None
    rechecked: CheckedImport | None = None


def content_digest(data: bytes) -> str:
    """The SHA-256 of an upload's bytes (hex)."""
    return hashlib.sha256(data).hexdigest()


def upload_fingerprint(digest: str, name: str, options: ImportOptions) -> str:
    """One string for (file content digest, file name, options but the officer): a check is
    valid for exactly this upload and these choices."""
    checked = dataclasses.replace(options, officer="")
    return f"{digest}|{name}|{checked!r}"


def safe_file_name(name: str) -> str:
    """A harmless local file name for an uploaded file, keeping its suffix for the reader.

    Only the last path part is kept (no ``..``, no folders), anything but letters, digits,
    ``.``, ``-`` and ``_`` becomes ``_``, and the stem is shortened.
    """
    base = re.split(r"[\\/]", name or "")[-1].strip().lstrip(".")
    base = _UNSAFE.sub("_", base)
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[:_MAX_NAME_CHARS] or "upload"
    suffix = suffix[:8].lower()
    return f"{stem}.{suffix}" if suffix else stem


def check_upload(data: bytes, name: str, location: str, options: ImportOptions, *,
                 progress: Progress | None = None) -> CheckedImport:
    """Check an uploaded file for import into ``options.layer`` of the store at ``location``.

    The size is checked first (:func:`geo_app.io.archive.check_upload_size`); the bytes go
    to a temporary folder removed on return, whatever happens. Writes nothing.
    """
    check_upload_size(len(data), name=name)
    if not data:
        raise InputError(f"{name} is empty: choose the file again.")
    with tempfile.TemporaryDirectory(prefix="geo_app_upload_") as tmp:
        path = Path(tmp) / safe_file_name(name)
        path.write_bytes(data)
        store = open_store(location)
        try:
            plan = plan_import(path, store, options, source_name=name, progress=progress)
        finally:
            store.close()
        token = store_token(location)  # after closing: opening may create the WAL file
        preview, columns = preview_features(plan, path, options, source=name)
    return CheckedImport(plan, preview, file_columns(columns), upload_fingerprint(
        content_digest(data), name, options), location, token)


def confirm_upload(checked: CheckedImport, data: bytes, name: str, officer: str, *,
                   progress: Progress | None = None) -> ConfirmOutcome:
    """Write a checked upload with ``officer`` as the provenance officer.

    When the store changed since the check (its version token differs), the upload is
    checked again first: if the new report differs from the confirmed one, nothing is
    written and the new check is returned for the user to review.
    """
    officer = officer.strip()
    if not officer:
        raise InputError("Give the officer's name for the import record.")
    fingerprint = upload_fingerprint(content_digest(data), name, checked.plan.options)
    if fingerprint != checked.fingerprint:
        raise InputError("The file or the options changed since the check: press Check again.")
    plan = checked.plan
    if store_token(checked.location) != checked.token:
        again = check_upload(data, name, checked.location, plan.options, progress=progress)
        if _differs(again.report, checked.report):
            return ConfirmOutcome(None, again)
        plan = again.plan
    plan = ImportPlan(plan.report, plan.features,
                      dataclasses.replace(plan.options, officer=officer))
    store = open_store(checked.location)
    try:
        report = commit_import(plan, store, progress=progress)
    finally:
        store.close()
    return ConfirmOutcome(report)


def _differs(new: ImportReport, old: ImportReport) -> bool:
    return (new.ok != old.ok or new.features_to_write != old.features_to_write
            or [i.to_dict() for i in new.issues] != [i.to_dict() for i in old.issues])

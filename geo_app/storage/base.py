"""The store interface every backend (GeoPackage, PostGIS) implements the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PureWindowsPath
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import geopandas as gpd
import pandas as pd

from geo_app.domain.workflow import StageChange

if TYPE_CHECKING:
    from geo_app.storage.events import BulkOutcome

#: The non-spatial table holding the append-only stage-change log.
EVENTS_TABLE = "stage_events"

EVENT_COLUMNS = (
    "event_id",
    "parcel_id",
    "from_stage",
    "to_stage",
    "effective_date",
    "officer",
    "note",
    "evidence",
    "recorded_at",
    "is_correction",
    "correction_reason",
    "recorded_by",
)
#: Who wrote an event as the database knows it: on PostGIS a trigger sets it to the
#: connection's ``session_user`` (``officer`` stays the name typed in the form); ``None`` on a
#: GeoPackage (a desktop file has no login) and for events written before it existed.
RECORDED_BY = "recorded_by"


class Capability(StrEnum):
    """What the connected user may do in a store (:meth:`LayerStore.capabilities`)."""

    READ = "read"
    RECORD_STAGE = "record_stage"  # append stage changes to the ledger
    IMPORT = "import"  # create, import into and replace layers (with provenance)
    ADMIN = "admin"  # owns the geo_app tables: upgrade them, set up the roles


#: Every capability: what a GeoPackage (a single-user file) always allows.
ALL_CAPABILITIES = frozenset(Capability)

#: Columns of :meth:`LayerStore.current_stages`.
CURRENT_COLUMNS = ("parcel_id", "stage", "stage_date", "version")

#: The non-spatial, append-only ledger of where features came from (one row per feature).
#: A table in PostGIS; in a GeoPackage a view over the tables below (``._gpkg_provenance``).
PROVENANCE_TABLE = "provenance_events"
#: A GeoPackage's ledger: one row per import, a narrow row per feature, and an older file's
#: one-table ledger kept under a new name.
PROVENANCE_IMPORTS = "provenance_imports"
PROVENANCE_FEATURES = "provenance_features"
PROVENANCE_LEGACY = "provenance_events_v1"

PROVENANCE_COLUMNS = (
    "event_id",
    "layer",
    "feature_id",
    "kind",
    "source_file",
    "officer",
    "effective_date",
    "recorded_at",
    "details",
)

#: Tables that are not layers: a layer may not take their names.
RESERVED_TABLES = (EVENTS_TABLE, PROVENANCE_TABLE, PROVENANCE_IMPORTS, PROVENANCE_FEATURES,
                   PROVENANCE_LEGACY)


class ImportMode(StrEnum):
    """How imported features meet a layer's existing ones."""

    APPEND = "append"  # add them; an id already in the layer is refused
    REPLACE = "replace"  # delete every existing feature, then add them


class ProvenanceKind(StrEnum):
    """What a provenance event says happened to a feature."""

    IMPORTED = "imported"


@dataclass(frozen=True)
class Provenance:
    """Who brought features in, from which file, effective when (written to the ledger).

    ``source_file`` keeps only the file *name* (a folder or temporary path given is cut
    off, ``/`` and ``\\`` alike); ``officer`` is stripped and must not be empty;
    ``details`` is stored as JSON (e.g. mode, format, encoding, crs, features).
    """

    source_file: str
    officer: str
    effective_date: dt.date = field(default_factory=dt.date.today)
    details: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from geo_app.errors import InputError

        name = PureWindowsPath(str(self.source_file or "").strip()).name
        officer = str(self.officer or "").strip()
        if not name:
            raise InputError("Say which file the features came from (its name) for the "
                             "import record.")
        if not officer:
            raise InputError("Give the officer's name for the import record.")
        if isinstance(self.effective_date, dt.datetime) or not isinstance(
                self.effective_date, dt.date):
            raise InputError(f"The effective date {self.effective_date!r} is not a date; "
                             "give it as YYYY-MM-DD.")
        object.__setattr__(self, "source_file", name)
        object.__setattr__(self, "officer", officer)
        object.__setattr__(self, "details", dict(self.details))


@dataclass(frozen=True)
class ImportOutcome:
    """What :meth:`LayerStore.import_features` wrote, all in one transaction."""

    layer: str
    mode: ImportMode
    #: The layer did not exist and was created.
    created: bool
    #: Features written.
    written: int
    #: Features deleted first (``replace``); 0 for ``append``.
    replaced: int
    #: Provenance events recorded (one per written feature).
    provenance_events: int
    #: When, as stored in the ledger's ``recorded_at`` (``YYYY-MM-DDTHH:MM:SS``).
    recorded_at: str
    #: Parcels whose stage history starts with this import (their stage as imported).
    stage_events: int = 0


@dataclass(frozen=True)
class LayerInfo:
    name: str
    geometry_type: str | None
    feature_count: int
    crs: str | None


@runtime_checkable
class LayerStore(Protocol):
    """Where layers live. Reads return validated GeoDataFrames; writes are transactions."""

    @property
    def location(self) -> str: ...

    def close(self) -> None:
        """Release connections (a no-op for the GeoPackage)."""
        ...

    def capabilities(self) -> set[str]:
        """What the connected user may do: a subset of :class:`Capability` values.

        Every capability on a GeoPackage; on PostGIS what the database role's privileges
        allow (:mod:`geo_app.storage.roles`), so a page can hide an action and say why.
        """
        ...

    def list_layers(self) -> list[LayerInfo]: ...

    def read_layer(self, name: str) -> gpd.GeoDataFrame: ...

    def write_layer(self, name: str, gdf: gpd.GeoDataFrame) -> None: ...

    def read_events(self, parcel_id: str | None = None, *, until: dt.date | None = None,
                    unknown_only: bool = False) -> pd.DataFrame:
        """The event log (one parcel's, or all), ordered by ``event_id``.

        ``until``: only the events in effect on or before that date; ``unknown_only``: only
        those whose ``to_stage`` is not a known stage code (the rows the app lists, never
        counts). Figures "as of a date" are asked with :meth:`stages_as_of` instead.

        Same columns and dtypes from every backend (see :func:`normalise_events`):
        ``event_id`` int64, ``is_correction`` bool, every other column ``object``
        holding ``str`` or ``None``; ``effective_date`` is an ISO date string
        ``YYYY-MM-DD`` and ``recorded_at`` an ISO local time ``YYYY-MM-DDTHH:MM:SS``.
        """
        ...

    def current_stages(self) -> pd.DataFrame:
        """Each parcel's current stage derived from the log: :data:`CURRENT_COLUMNS`."""
        ...

    def parcel_version(self, parcel_id: str) -> int:
        """The parcel's version: the number of events recorded for it."""
        ...

    def record_events(
        self,
        changes: Sequence[StageChange],
        *,
        expected_versions: Mapping[str, int],
        today: dt.date | None = None,
    ) -> pd.DataFrame:
        """Append a batch of stage changes in one transaction (all or nothing).

        Every change is checked against the workflow and the parcel's current stage
        read inside the transaction; ``expected_versions`` (parcel id → version the
        caller saw) is compared with the stored version and a mismatch raises
        :class:`~geo_app.errors.ConflictError` naming who changed the parcel and when.
        The parcels layer's ``stage`` and ``stage_date`` are updated in the same
        transaction. Returns the recorded events (as :meth:`read_events`).
        """
        ...

    def record_changes_frame(
        self,
        changes: pd.DataFrame,
        *,
        expected_versions: Mapping[str, int] | None,
        today: dt.date | None = None,
    ) -> BulkOutcome:
        """Append a cleaned batch table in one transaction with one bulk insert.

        ``changes`` as :func:`geo_app.domain.workflow.clean_changes_frame` returns it.
        The same checks and refusals as :meth:`record_events`, vectorised
        (:func:`geo_app.storage.events.check_changes_bulk`); the parcels' ``stage`` and
        ``stage_date`` updated in the same transaction. Called by
        :func:`geo_app.storage.events.record_stage_changes`.
        """
        ...

    def parcel_states(self) -> pd.DataFrame:
        """Each parcel with events: ``parcel_id``, ``stage`` (code or ``None``),
        ``stage_date`` (ISO text or ``None``), ``version``, computed in SQL with the rule of
        :func:`geo_app.domain.workflow.derive_states`, ordered by parcel id."""
        ...

    def stages_as_of(self, day: dt.date, *, known_only: bool = True,
                     parcel_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """``parcel_id``, ``stage``: each parcel's stage on ``day``, computed in SQL.

        The rule of :func:`geo_app.analysis.progress.stages_as_of`, for the parcels of the
        parcels layer (or ``parcel_ids``); parcels with no event on or before ``day`` are
        left out (not started). ``known_only`` skips events whose
        stage is not a known code (as the app does); ``False`` counts them (as
        :func:`~geo_app.analysis.progress.stages_as_of` on the whole log does).
        """
        ...

    def net_land_steps(self, net_stages: Sequence[str], *,
                       known_only: bool = True) -> pd.DataFrame:
        """``parcel_id``, ``day`` (ISO text), ``step`` (+1/−1): the days a parcel's stage
        enters or leaves ``net_stages``, computed in SQL (see
        :func:`geo_app.analysis.timeline.net_land_by_month_from_steps`)."""
        ...

    def event_span(self, *, known_only: bool = True) -> tuple[dt.date, dt.date] | None:
        """The first and last effective date in the ledger; ``None`` when it is empty."""
        ...

    def import_features(
        self,
        name: str,
        gdf: gpd.GeoDataFrame,
        *,
        mode: ImportMode,
        provenance: Provenance,
        record_stages: bool = False,
    ) -> ImportOutcome:
        """Write features into a layer and their provenance, in one transaction.

        ``record_stages`` (``parcels`` only): each imported parcel the ledger has no event
        for starts its history with the stage it comes with (one event from no stage, on
        its ``stage_date``, by the provenance's officer, the file as evidence).

        The layer is created if new (in the same transaction). ``gdf`` is validated
        against the layer spec and reprojected to the layer's stored CRS. ``append``
        refuses (:class:`~geo_app.errors.InputError` naming them) ids already in the
        layer; ``replace`` deletes the layer's features first. One ``imported`` row per
        feature goes to :data:`PROVENANCE_TABLE`. Writing ``parcels`` keeps each
        parcel's stage as derived from the event log. A failure or a killed process
        leaves the store exactly as before.
        """
        ...

    def read_provenance(self, layer: str | None = None,
                        feature_id: str | None = None) -> pd.DataFrame:
        """The provenance ledger (optionally one layer's / one feature's), by ``event_id``.

        Columns :data:`PROVENANCE_COLUMNS`: ``event_id`` int64, the rest ``object``
        (``str`` or ``None``); dates as in :meth:`read_events`; ``details`` a JSON text.
        Empty (with those columns) when nothing was ever imported.
        """
        ...


_TEXT_EVENT_COLUMNS = tuple(c for c in EVENT_COLUMNS if c not in ("event_id", "is_correction"))


def _iso(value: object, length: int) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, microsecond=0).isoformat()[:length]
    if isinstance(value, dt.date):
        return value.isoformat()[:length]
    return str(value).replace(" ", "T")[:length]


def _text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value)


def normalise_events(rows: pd.DataFrame | Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """The event log with the columns and dtypes every backend returns.

    ``event_id`` int64; ``is_correction`` bool; the rest ``object`` (``str`` or ``None``),
    with ``effective_date`` as ``YYYY-MM-DD`` and ``recorded_at`` as
    ``YYYY-MM-DDTHH:MM:SS``. Missing columns (older files) are filled with ``None``.
    """
    frame = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows
    out: dict[str, list[object]] = {}
    n = len(frame)
    for col in EVENT_COLUMNS:
        values = list(frame[col]) if col in frame.columns else [None] * n
        if col == "effective_date":
            values = [_iso(v, 10) for v in values]
        elif col == "recorded_at":
            values = [_iso(v, 19) for v in values]
        elif col in _TEXT_EVENT_COLUMNS:
            values = [_text(v) for v in values]
        out[col] = values
    result = pd.DataFrame(
        {c: pd.Series(out[c], dtype="object") for c in _TEXT_EVENT_COLUMNS}
        | {
            "event_id": pd.Series(out["event_id"], dtype="int64"),
            "is_correction": pd.Series(
                [bool(v) if v is not None and not pd.isna(v) else False
                 for v in out["is_correction"]], dtype="bool"),
        },
        index=pd.RangeIndex(n),
    )
    result = result[list(EVENT_COLUMNS)]
    return result.sort_values("event_id", kind="stable").reset_index(drop=True)


def states_frame(rows: Sequence[Sequence[object]]) -> pd.DataFrame:
    """Rows ``(parcel_id, stage, stage_date, version)`` read by SQL as
    :meth:`LayerStore.parcel_states` returns them (ordered by parcel id)."""
    frame = pd.DataFrame(list(rows), columns=["parcel_id", "stage", "stage_date", "version"],
                         dtype="object")
    frame["parcel_id"] = pd.Series([str(v) for v in frame["parcel_id"]], dtype="object")
    frame["stage_date"] = pd.Series([_iso(v, 10) for v in frame["stage_date"]],
                                    dtype="object")
    frame["version"] = frame["version"].astype("int64")
    return frame.sort_values("parcel_id", kind="stable").reset_index(drop=True)


def day_text(values: Sequence[object]) -> list[str | None]:
    """Dates read from either store as ISO ``YYYY-MM-DD`` text."""
    return [_iso(v, 10) for v in values]


def current_frame(events: pd.DataFrame) -> pd.DataFrame:
    """:data:`CURRENT_COLUMNS` derived from a normalised event log, ordered by parcel."""
    from geo_app.domain.workflow import derive_states

    states = derive_states(events)
    rows = [
        (s.parcel_id, s.stage.value if s.stage else None,
         s.stage_date.isoformat() if s.stage_date else None, s.version)
        for s in sorted(states.values(), key=lambda s: s.parcel_id)
    ]
    frame = pd.DataFrame(rows, columns=list(CURRENT_COLUMNS), dtype="object")
    frame["version"] = frame["version"].astype("int64")
    return frame


def normalise_provenance(rows: pd.DataFrame | Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """The provenance ledger with the columns and dtypes every backend returns."""
    frame = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows
    n = len(frame)
    out: dict[str, pd.Series] = {}
    for col in PROVENANCE_COLUMNS:
        values = list(frame[col]) if col in frame.columns else [None] * n
        if col == "event_id":
            out[col] = pd.Series(values, dtype="int64")
            continue
        if col == "effective_date":
            values = [_iso(v, 10) for v in values]
        elif col == "recorded_at":
            values = [_iso(v, 19) for v in values]
        else:
            values = [_text(v) for v in values]
        out[col] = pd.Series(values, dtype="object")
    result = pd.DataFrame(out, index=pd.RangeIndex(n))
    return result.sort_values("event_id", kind="stable").reset_index(drop=True)

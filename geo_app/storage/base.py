"""The store interface every backend (GeoPackage, PostGIS) implements the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import geopandas as gpd
import pandas as pd

from geo_app.domain.workflow import StageChange

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
)

#: Columns of :meth:`LayerStore.current_stages`.
CURRENT_COLUMNS = ("parcel_id", "stage", "stage_date", "version")


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

    def list_layers(self) -> list[LayerInfo]: ...

    def read_layer(self, name: str) -> gpd.GeoDataFrame: ...

    def write_layer(self, name: str, gdf: gpd.GeoDataFrame) -> None: ...

    def read_events(self, parcel_id: str | None = None) -> pd.DataFrame:
        """The event log (one parcel's, or all), ordered by ``event_id``.

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

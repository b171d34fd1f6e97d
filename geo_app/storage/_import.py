"""What both stores do the same way when importing: ids, collisions, provenance rows."""

from __future__ import annotations

import json
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_app.domain.layers import get_spec
from geo_app.errors import InputError
from geo_app.storage._write import prepare_layer_write
from geo_app.storage.base import ImportMode, Provenance, ProvenanceKind

#: How many colliding ids an error message names before "and N more".
SHOWN_IDS = 10


def id_column(name: str, data: gpd.GeoDataFrame) -> str | None:
    """The column identifying features: the spec's id column, else ``id`` if present."""
    spec = get_spec(name)
    if spec is not None:
        return spec.id_column
    return "id" if "id" in data.columns else None


def feature_ids(name: str, data: gpd.GeoDataFrame) -> list[str | None]:
    """Each feature's id as text (``None`` where the layer has no id column or it is empty)."""
    col = id_column(name, data)
    if col is None:
        return [None] * len(data)
    series = data[col]
    missing = series.isna().to_numpy()
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        values = np.array(series.to_numpy(dtype=object, na_value=None), dtype=object)
    else:
        values = np.array(series.astype(str).to_numpy(dtype=object), dtype=object)
    values[missing] = None
    return values.tolist()


def prepare_import(name: str, gdf: gpd.GeoDataFrame, mode: ImportMode | str,
                   provenance: object) -> tuple[ImportMode, gpd.GeoDataFrame]:
    """What every store checks before an import: the mode, the provenance, the layer's rules.

    Returns the mode and the validated features (:func:`prepare_layer_write`).
    """
    checked = check_mode(mode)
    if not isinstance(provenance, Provenance):
        raise InputError("An import needs its provenance (file name, officer, date).")
    return checked, prepare_layer_write(name, gdf)


def check_mode(mode: ImportMode | str) -> ImportMode:
    try:
        return ImportMode(mode)
    except ValueError:
        raise InputError(f"Unknown import mode {mode!r}: use "
                         f"{' or '.join(m.value for m in ImportMode)}.") from None


def refuse_collisions(name: str, new_ids: Iterable[str | None],
                      existing_ids: Iterable[object]) -> None:
    """Raise :class:`InputError` naming the new ids already in the layer."""
    have = {str(v) for v in existing_ids if v is not None and not pd.isna(v)}
    clash = sorted({i for i in new_ids if i is not None and i in have})
    if not clash:
        return
    shown = ", ".join(clash[:SHOWN_IDS])
    more = f" and {len(clash) - SHOWN_IDS} more" if len(clash) > SHOWN_IDS else ""
    raise InputError(
        f"{len(clash)} feature id(s) are already in layer '{name}': {shown}{more}. "
        "Change those ids, or import with mode 'replace' to replace the whole layer. "
        "Nothing was written."
    )


def provenance_columns(name: str, ids: list[str | None], provenance: Provenance,
                       recorded_at: str) -> dict[str, object]:
    """One ``imported`` event per feature, column-wise: ``feature_id`` the list of ``ids``,
    every other column one value for all rows (PostGIS: :func:`._pg_copy.arrow_columns`
    repeats it; GeoPackage: the import's one row, :mod:`._gpkg_provenance`).

    Without ``event_id`` (the store numbers them).
    """
    return {
        "layer": name, "feature_id": list(ids), "kind": ProvenanceKind.IMPORTED.value,
        "source_file": provenance.source_file, "officer": provenance.officer,
        "effective_date": provenance.effective_date.isoformat(), "recorded_at": recorded_at,
        "details": json.dumps(provenance.details, ensure_ascii=False, sort_keys=True,
                              default=str),
    }


#: The note of a parcel's first ledger event when it came in with a stage (see
#: :func:`opening_changes`).
OPENING_NOTE = "导入时的阶段 (the stage the parcel had when imported)"


def opening_changes(data: gpd.GeoDataFrame, ids: list[str | None], provenance: Provenance,
                    recorded: set[str]) -> pd.DataFrame:
    """First ledger events for imported parcels the ledger knows nothing of yet.

    A parcel imported with a ``stage`` (the office's own records say where it stands) gets
    one event from no stage to that stage on its ``stage_date`` (else the import's
    effective date), by the importing officer, the file as evidence. Parcels with events
    keep their history (the ledger wins; the import report says where the file differs).
    The texts go through the ledger's rules (:func:`~geo_app.domain.workflow.
    clean_changes_frame`); the workflow's order is not applied: this is where the parcel's
    history starts, not a step taken in geo_app. Returns a cleaned change table (maybe
    empty).
    """
    from geo_app.domain.workflow import clean_changes_frame

    if "stage" not in data.columns or not len(data):
        return pd.DataFrame(columns=["parcel_id"])
    stage = data["stage"].astype("object").to_numpy()
    dates = (data["stage_date"].astype("object").to_numpy() if "stage_date" in data.columns
             else np.full(len(data), None, dtype=object))
    keep = np.array([pid is not None and pid not in recorded for pid in ids], dtype=bool)
    keep &= pd.notna(pd.Series(stage)).to_numpy()
    rows = np.flatnonzero(keep)
    if not len(rows):
        return pd.DataFrame(columns=["parcel_id"])
    day = provenance.effective_date
    frame = pd.DataFrame({
        "parcel_id": [ids[i] for i in rows],
        "from_stage": [None] * len(rows),
        "to_stage": [stage[i] for i in rows],
        "effective_date": [day if pd.isna(dates[i]) else dates[i] for i in rows],
        "officer": [provenance.officer] * len(rows),
        "note": [OPENING_NOTE] * len(rows),
        "evidence": [provenance.source_file] * len(rows),
        "is_correction": [False] * len(rows),
        "correction_reason": [None] * len(rows),
    }, dtype="object")
    return clean_changes_frame(frame)

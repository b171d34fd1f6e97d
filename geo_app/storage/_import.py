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
    every other column one value for all rows (:func:`._pg_copy.arrow_columns` repeats it).

    Without ``event_id`` (the store numbers them).
    """
    return {
        "layer": name, "feature_id": list(ids), "kind": ProvenanceKind.IMPORTED.value,
        "source_file": provenance.source_file, "officer": provenance.officer,
        "effective_date": provenance.effective_date.isoformat(), "recorded_at": recorded_at,
        "details": json.dumps(provenance.details, ensure_ascii=False, sort_keys=True,
                              default=str),
    }

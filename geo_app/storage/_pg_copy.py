"""Bulk rows into PostgreSQL with ``COPY … FROM STDIN (FORMAT csv)`` inside the caller's txn.

Every non-null value is written quoted (so an empty string stays an empty string) and a
null as an unquoted empty field (PostgreSQL's CSV null). Geometries go as hex EWKB with
the layer's SRID, which ``geometry`` columns accept as text input.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection

from geo_app.errors import StoreError
from geo_app.storage._gpkg_sql import quote

#: Rows per COPY statement (bounds the memory of the CSV text).
CHUNK_ROWS = 20_000


def csv_field(values: pd.Series | Sequence[object]) -> list[str]:
    """One column as CSV fields: quoted text for values, empty for nulls."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    series = series.reset_index(drop=True)
    if pd.api.types.is_bool_dtype(series.dtype) and not series.isna().any():
        return np.where(series.to_numpy(dtype=bool), "true", "false").tolist()
    obj = series.astype(object)
    # Text columns repeat few values (stages, officers, dates, one recording time): quote
    # each distinct value once. Only when every value is a str: factorize would merge
    # values that are equal but print differently (1 and True, 0.0 and -0.0).
    codes, uniques = pd.factorize(obj, use_na_sentinel=True)
    if all(isinstance(u, str) for u in uniques):
        table = np.array(['"' + u.replace('"', '""') + '"' for u in uniques] + [""],
                         dtype=object)
        return table[codes].tolist()  # the sentinel -1 takes the last entry: null
    missing = obj.isna().to_numpy()
    text = obj.map(str)
    quoted = ('"' + text.str.replace('"', '""', regex=False) + '"').to_numpy(dtype=object)
    quoted[missing] = ""
    return quoted.tolist()


def geometry_field(geoms: np.ndarray, srid: int) -> list[str]:
    """Hex EWKB (with ``srid``) per geometry; empty field for a missing one.

    Binary little-endian extended WKB from GEOS, with the SRID put after the type word
    (its flag ``0x20000000`` set) and hex-encoded by Python: what GEOS's own hex EWKB gives
    (in lower case), in a quarter of its time (100k polygons: 0.16 s against 0.72 s).
    """
    wkb = shapely.to_wkb(np.asarray(geoms, dtype=object), byte_order=1, flavor="extended")
    srid_hex = int(srid).to_bytes(4, "little", signed=True).hex()
    heads: dict[bytes, str] = {}
    out: list[str] = []
    for blob in wkb.tolist():
        if blob is None:
            out.append("")
            continue
        head = blob[:5]
        prefix = heads.get(head)
        if prefix is None:
            kind = int.from_bytes(head[1:5], "little") | (_EWKB_SRID_FLAG if srid else 0)
            prefix = heads[head] = ("01" + kind.to_bytes(4, "little").hex()
                                    + (srid_hex if srid else ""))
        out.append(prefix + blob.hex()[10:])
    return out


_EWKB_SRID_FLAG = 0x20000000


def copy_rows(conn: Connection, table: str, columns: Sequence[str],
              fields: Sequence[Sequence[str]], *, what: str,
              after_chunk: Callable[[int, int], None] | None = None) -> None:
    """COPY prepared CSV ``fields`` (one list per column) into ``table``'s ``columns``."""
    import psycopg2

    n = len(fields[0]) if fields else 0
    if n == 0:
        return
    sql = (f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN "
           "WITH (FORMAT csv)")
    raw = conn.connection.dbapi_connection
    assert raw is not None
    with raw.cursor() as cur:
        for start in range(0, n, CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, n)
            body = "\n".join(",".join(row) for row in zip(
                *(f[start:stop] for f in fields), strict=True)) + "\n"
            try:
                cur.copy_expert(sql, io.StringIO(body))
            except psycopg2.Error as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                raise StoreError(f"{what} failed: {first}. Nothing was changed.") from None
            if after_chunk is not None:
                after_chunk(stop, n)

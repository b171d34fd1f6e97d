"""Bulk rows in and out of PostgreSQL with ``COPY … (FORMAT csv)`` inside the caller's txn.

In (:func:`copy_rows`): every non-null value is written quoted (so an empty string stays an
empty string) and a null as an unquoted empty field (PostgreSQL's CSV null). Geometries go
as hex EWKB with the layer's SRID, which ``geometry`` columns accept as text input.

Out (:func:`copy_out_frame`): ``COPY (SELECT …) TO STDOUT`` parsed by Arrow's CSV reader
into the frame the driver's rows would make, geometries as WKB decoded in one vectorised
pass: for 100k parcels a third of the time of fetching the rows through psycopg2.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence

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


def arrow_columns(columns: Mapping[str, object]):
    """Whole columns (name → a list or array of ``str``, ``int``, ``bool`` or ``None``; a
    scalar repeats for every row) as an Arrow table, for :func:`copy_columns`."""
    import pyarrow as pa

    n = max((len(v) for v in columns.values() if not _scalar(v)), default=0)  # type: ignore
    return pa.table({name: pa.array([values] * n if _scalar(values) else values)
                     for name, values in columns.items()})


def copy_columns(conn: Connection, table: str, columns: Mapping[str, object] | object, *,
                 what: str, order: np.ndarray | None = None,
                 rows_per_copy: int = 100_000) -> None:
    """COPY whole columns (as :func:`arrow_columns` takes them, or its Arrow table) into
    ``table``, rows taken in ``order`` if given: the CSV is written by Arrow (every
    non-null value quoted, a null an unquoted empty field, as :func:`csv_field` writes
    it), in C, several times faster than joining Python strings row by row."""
    import psycopg2
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    data = columns if isinstance(columns, pa.Table) else arrow_columns(columns)  # type: ignore
    n = data.num_rows
    if n == 0:
        return
    if order is not None:
        data = data.take(pa.array(order))
    sql = (f"COPY {quote(table)} ({', '.join(quote(c) for c in data.column_names)}) "
           "FROM STDIN WITH (FORMAT csv)")
    options = pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")
    raw = conn.connection.dbapi_connection
    assert raw is not None
    with raw.cursor() as cur:
        for start in range(0, n, rows_per_copy):
            sink = pa.BufferOutputStream()
            pa_csv.write_csv(data.slice(start, rows_per_copy), sink, options)
            try:
                cur.copy_expert(sql, pa.BufferReader(sink.getvalue()), size=1 << 20)
            except psycopg2.Error as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                raise StoreError(f"{what} failed: {first}. Nothing was changed.") from None


def _scalar(values: object) -> bool:
    return values is None or isinstance(values, str | int | float | bool)


# --- out: COPY TO, parsed by Arrow ----------------------------------------------------------

#: PostgreSQL column types (``information_schema.columns.data_type``) read through CSV, as
#: the Arrow type whose pandas column equals the one psycopg2's values make. Others
#: (numeric, tz-aware timestamps, arrays, …) are not: the caller uses the driver.
_ARROW_TYPES = {
    "text": "string", "character varying": "string", "character": "string",
    "bigint": "int64", "integer": "int64", "smallint": "int64",
    "double precision": "float64", "real": "float64", "boolean": "bool",
    "date": "date32", "timestamp without time zone": "timestamp[us]",
}
#: What COPY's text output of those types must look like for Arrow to read it exactly.
#: (``extra_float_digits`` 3: shortest exact digits from PostgreSQL 12, 17 digits before.)
_OUTPUT_SETTINGS = ("SET LOCAL DateStyle = 'ISO, YMD'", "SET LOCAL bytea_output = 'hex'",
                    "SET LOCAL extra_float_digits = 3")


def copyable_types(pg_types: Mapping[str, str]) -> bool:
    """Whether every column type (name → ``data_type``) can be read by :func:`copy_out_frame`."""
    return all(t in _ARROW_TYPES for t in pg_types.values())


class CopyOutUnreadable(Exception):
    """The COPY output could not be read exactly (the caller falls back to the driver)."""


def copy_out_frame(conn: Connection, select_sql: str, pg_types: Mapping[str, str],
                   wkb_column: str | None = None) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Run ``select_sql`` (its columns ``pg_types``, in order, then ``wkb_column``: a
    ``bytea`` of WKB if given) through ``COPY … TO STDOUT`` on ``conn``'s transaction.

    Returns the frame ``pd.DataFrame(cursor.fetchall(), columns=…)`` would give (same
    dtypes: an all-null column, or no row, gives ``object`` columns of ``None``) and the
    WKB blobs (``bytes`` or ``None``). Raises :class:`CopyOutUnreadable` where Arrow could not
    parse a value exactly (an infinite date, say) or the connection's encoding is not
    UTF-8, before anything is returned.
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    raw = conn.connection.dbapi_connection
    assert raw is not None
    if getattr(raw, "encoding", "UTF8").upper().replace("-", "") != "UTF8":
        raise CopyOutUnreadable("client encoding")
    names = list(pg_types)
    types = {n: pa.type_for_alias(_ARROW_TYPES[t]) for n, t in pg_types.items()}
    if wkb_column is not None:
        names.append(wkb_column)
        types[wkb_column] = pa.binary()
    buf = io.BytesIO()
    with raw.cursor() as cur:
        for sql in _OUTPUT_SETTINGS:
            cur.execute(sql)
        cur.copy_expert(f"COPY ({select_sql}) TO STDOUT WITH (FORMAT csv)", buf)
    if buf.tell() == 0:
        return pd.DataFrame([], columns=names[:len(pg_types)]), (
            None if wkb_column is None else np.empty(0, dtype=object))
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(buf.getbuffer()),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types=types, null_values=[""], true_values=["t"], false_values=["f"],
                strings_can_be_null=True, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise CopyOutUnreadable(str(exc)) from None
    blobs = None
    if wkb_column is not None:
        blobs = hex_bytea(table.column(wkb_column))
        table = table.drop_columns([wkb_column])
    frame = table.to_pandas()
    for name in frame.columns:
        if table.column(name).null_count == table.num_rows:  # the driver's all-None column
            frame[name] = pd.Series([None] * table.num_rows, dtype=object)
    return frame, blobs


def _hex_pairs() -> np.ndarray:
    """Byte value of every two hex digits read as one native ``uint16`` (65,536 entries)."""
    digits = np.frombuffer(b"0123456789abcdefABCDEF", dtype=np.uint8)
    values = np.r_[np.arange(16), np.arange(10, 16)].astype(np.uint8)
    hi, lo = np.meshgrid(np.arange(len(digits)), np.arange(len(digits)), indexing="ij")
    pairs = np.stack([digits[hi.ravel()], digits[lo.ravel()]], axis=1).copy()
    table = np.zeros(65536, dtype=np.uint8)
    table[pairs.view(np.uint16).ravel()] = (values[hi.ravel()] << 4) | values[lo.ravel()]
    return table


_HEX_PAIRS = _hex_pairs()


def hex_bytea(column) -> np.ndarray:
    """PostgreSQL's hex ``bytea`` text (``\\x0103…``) per row → ``bytes`` (``None`` for null),
    every row decoded at once (``bytes.fromhex`` per row takes longer than the query).

    Every value is ``\\x`` and an even number of digits, so each starts at an even offset:
    the whole buffer is decoded two characters at a time and the byte each ``\\x`` made is
    dropped.
    """
    import pyarrow as pa

    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    n = len(arr)
    if n == 0:
        return np.empty(0, dtype=object)
    arr = arr.cast(pa.large_binary())
    raw_offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)
    base = int(raw_offsets[arr.offset])
    offsets = raw_offsets[arr.offset:arr.offset + n + 1] - base
    lengths = np.diff(offsets)
    valid = arr.is_valid().to_numpy(zero_copy_only=False)
    if (lengths % 2).any() or (lengths[valid] < 2).any():
        raise CopyOutUnreadable("not hex bytea")
    data = np.frombuffer(arr.buffers()[2] or b"", dtype=np.uint8)
    digits = data[base:base + int(offsets[-1])]
    if base % 2 or digits.ctypes.data % 2:
        digits = digits.copy()
    pairs = _HEX_PAIRS[digits.view(np.uint16)]
    keep = np.ones(len(pairs), dtype=bool)
    keep[offsets[:-1][valid] // 2] = False  # the byte "\\x" made
    new_offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.where(valid, lengths // 2 - 1, 0), out=new_offsets[1:])
    blobs = pa.Array.from_buffers(
        pa.large_binary(), n, [pa.py_buffer(np.packbits(valid, bitorder="little")),
                               pa.py_buffer(new_offsets), pa.py_buffer(pairs[keep])])
    return blobs.to_numpy(zero_copy_only=False)

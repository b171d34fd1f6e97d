"""CSV (and plain delimited TXT) tables with a WKT column or coordinate columns.

Public API
----------
:func:`read_csv` returns a :class:`~geo_app.io.base.ReadResult` with every column of the
table (names stripped of BOM and spaces; numbers as numbers, codes with leading zeros kept
as text) and ``geometry`` from

- a WKT column, named (case-insensitively) one of :data:`WKT_COLUMNS`; else
- a pair of coordinate columns: :data:`LON_COLUMNS` with :data:`LAT_COLUMNS`
  (``x``/``y`` may be degrees or Gauss-Krüger metres, even swapped as in Chinese survey
  tables where X is the northing: the analysis infers which).

``gdf.crs`` is ``None``: a CSV declares no coordinate system, so the analysis infers it
from the coordinates (``crs_reason`` says so and names the columns). Rows whose geometry
cannot be read are skipped with a note listing the first few by spreadsheet row number
(the header is row 1); a table with no usable geometry at all is refused.

Text encoding: ``encoding=`` (``--encoding``) or detected (UTF-8, with or without BOM, or
GBK/GB18030). Delimiter: comma, tab, semicolon, full-width comma ``，`` or, failing
those, runs of spaces, chosen by their count in the header line.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_app.errors import InputError
from geo_app.io.base import FileFormat, ReadResult
from geo_app.io.encoding import detect_text_encoding, normalise_encoding
from geo_app.io.kml import gcj02_hint

__all__ = ["LAT_COLUMNS", "LON_COLUMNS", "WKT_COLUMNS", "read_csv"]

#: Column names (lower case) holding WKT geometry, in order of preference.
WKT_COLUMNS = ("wkt", "geometry", "geom", "shape", "the_geom", "wkt_geom", "geometry_wkt")
#: Column names (lower case) of the easting / longitude, in order of preference.
LON_COLUMNS = ("lon", "lng", "long", "longitude", "经度", "x")
#: Column names (lower case) of the northing / latitude, in order of preference.
LAT_COLUMNS = ("lat", "latitude", "纬度", "y")
#: How many skipped rows a note lists before "…".
SHOWN_ROWS = 5

_DELIMITERS = (",", "\t", ";", "，")
_NUMBER = re.compile(r"[+-]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def read_csv(
    path: Path | str, *, encoding: str | None = None, source: str | None = None
) -> ReadResult:
    """Read a delimited table whose rows carry WKT or coordinates.

    Parameters
    ----------
    path
        The ``.csv`` (or ``.txt``) file.
    encoding
        Its text encoding (``--encoding``); detected from the bytes when ``None``.
    source
        The file name to show in messages (an upload's name); defaults to ``path``'s name.

    Returns
    -------
    ReadResult
        ``gdf`` (``crs`` None) with the table's columns and ``geometry``; ``encoding`` and
        why; ``notes`` for skipped rows (and a GCJ-02 hint for Amap/奥维-style text).

    Raises
    ------
    InputError
        Missing or empty file, text not in the encoding, a malformed table, no geometry
        columns (the message lists the columns found and the names accepted), or no row
        with usable geometry.
    """
    path = Path(path)
    name = source or path.name
    if not path.is_file():
        raise InputError(f"No file at {path}. Check the path.")
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{name} is empty. Export the table again.")
    if encoding:
        codec, reason = normalise_encoding(encoding), f"given with --encoding {encoding}"
    else:
        codec, reason = detect_text_encoding(data)
    try:
        text = data.decode(codec).lstrip("\ufeff")
    except UnicodeDecodeError:
        raise InputError(
            f"{name}: the text is not valid {codec} ({reason}). Give its encoding with "
            "--encoding (gbk or utf-8)."
        ) from None
    table = _parse(text, name)
    gdf, described, notes = _geometry(table, name)
    hint = gcj02_hint(text, kind="CSV")
    return ReadResult(
        gdf=gdf,
        format=FileFormat.CSV,
        source=name,
        encoding=codec,
        encoding_reason=reason,
        crs_reason=f"a CSV declares no coordinate system; inferred from the coordinates "
                   f"({described})",
        notes=([hint] if hint else []) + notes,
    )


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])  # ties: the earlier (comma first)
    if counts[best]:
        return best
    return r"\s+" if len(header.split()) > 1 else ","


def _parse(text: str, name: str) -> pd.DataFrame:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise InputError(f"{name} is empty. Export the table again.")
    sep = _delimiter(lines[0])
    try:
        with warnings.catch_warnings():
            # pandas only warns when the first rows have more fields than the header
            warnings.simplefilter("error", pd.errors.ParserWarning)
            table = pd.read_csv(
                io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, index_col=False,
                skip_blank_lines=True, engine="python", skipinitialspace=True,
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        detail = ("a row has more fields than the header"
                  if isinstance(exc, pd.errors.ParserWarning) else " ".join(str(exc).split()))
        raise InputError(
            f"{name} is not a well-formed table ({detail}). Check that "
            "every row has as many fields as the header and that quotes are closed."
        ) from None
    table.columns = [_clean_name(c) for c in table.columns]
    if table.empty:
        raise InputError(f"{name} has a header but no rows. Export the table again.")
    return table


def _clean_name(column: object) -> str:
    return str(column).replace("\ufeff", "").strip()


def _find(columns: list[str], wanted: tuple[str, ...]) -> str | None:
    lowered = {c.lower(): c for c in reversed(columns)}  # the first of equal names wins
    for candidate in wanted:
        if candidate in lowered:
            return lowered[candidate]
    return None


def _geometry(table: pd.DataFrame, name: str) -> tuple[gpd.GeoDataFrame, str, list[str]]:
    """The table with geometry, what the geometry came from, and notes on skipped rows."""
    columns = list(table.columns)
    wkt = _find(columns, WKT_COLUMNS)
    lon, lat = _find(columns, LON_COLUMNS), _find(columns, LAT_COLUMNS)
    if wkt is not None:
        raw = table[wkt].str.strip()
        values = np.array([v if v else None for v in raw], dtype=object)
        geoms = shapely.from_wkt(values, on_invalid="ignore")
        used, described, what = [wkt], f"WKT column '{wkt}'", f"readable WKT in column '{wkt}'"
        shown = raw
    elif lon is not None and lat is not None:
        xs, ys = _numbers(table[lon]), _numbers(table[lat])
        ok = np.isfinite(xs) & np.isfinite(ys)
        geoms = np.where(ok, shapely.points(np.where(ok, xs, 0), np.where(ok, ys, 0)), None)
        used, described = [lon, lat], f"columns '{lon}' and '{lat}'"
        what = f"numeric coordinates in columns '{lon}' and '{lat}'"
        shown = table[lon].str.strip() + ", " + table[lat].str.strip()
    else:
        raise InputError(
            f"{name} has no geometry columns. Columns found: {', '.join(columns)}. Give a "
            f"WKT column (named {', '.join(WKT_COLUMNS)}) or coordinate columns "
            f"({'/'.join(LON_COLUMNS)} with {'/'.join(LAT_COLUMNS)}): rename the columns "
            "in the file and import it again."
        )
    bad = pd.isna(geoms) | shapely.is_empty(geoms)
    examples = ", ".join(f"row {i + 2} ('{shown.iloc[i]}')"
                         for i in np.flatnonzero(bad)[:SHOWN_ROWS])
    more = " …" if bad.sum() > SHOWN_ROWS else ""
    if bad.all():
        raise InputError(
            f"{name}: none of its {len(table)} row(s) has {what}: {examples}{more}. Fix the "
            "values in the file and import it again."
        )
    notes = []
    if bad.any():
        notes.append(f"Skipped {int(bad.sum())} row(s) without {what}: {examples}{more}.")
    attributes = table.drop(columns=used)[~bad].reset_index(drop=True)
    attributes = attributes.apply(_typed).replace("", None)
    gdf = gpd.GeoDataFrame(attributes, geometry=list(geoms[~bad]), crs=None)
    return gdf, described, notes


def _numbers(values: pd.Series) -> np.ndarray:
    """Coordinates as floats (full-width digits allowed); NaN where not a number."""
    cleaned = values.map(lambda v: unicodedata.normalize("NFKC", v).strip())
    return pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float)


def _typed(column: pd.Series) -> pd.Series:
    """Numbers as numbers unless a value has a leading zero (codes such as 宗地号 0101)."""
    filled = column.str.strip()
    present = filled[filled != ""]
    if present.empty or not present.map(lambda v: bool(_NUMBER.fullmatch(v))).all():
        return column
    numbers = pd.to_numeric(filled.replace("", None), errors="coerce")
    if present.str.contains(r"[.eE]").any():
        return numbers.astype(float)
    return numbers.astype("Int64")

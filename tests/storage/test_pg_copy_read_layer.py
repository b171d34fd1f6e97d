"""PostGIS ``read_layer`` reads through ``COPY … TO`` and Arrow: the same frame, value for value
and dtype for dtype, as the driver's rows made (``pd.DataFrame(cursor.fetchall())`` and
``shapely.from_wkb``), whatever the columns hold."""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg2
import pyarrow as pa
import shapely
from geopandas.testing import assert_geodataframe_equal

from geo_app.domain.layers import get_spec
from geo_app.domain.validate import validate_layer
from geo_app.storage import postgis
from geo_app.storage._pg_copy import hex_bytea


def _driver_layer(url: str, name: str, srid: int) -> gpd.GeoDataFrame:
    """The layer as the driver's rows give it (what ``read_layer`` returned before COPY)."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT column_name FROM information_schema.columns WHERE "
                        "table_name = %s AND table_schema = current_schema() "
                        "ORDER BY ordinal_position", (name,))
            cols = [r[0] for r in cur.fetchall() if r[0] not in ("fid", "geom")]
            quoted = "".join('"' + c.replace('"', '""') + '", ' for c in cols)
            cur.execute(f'SELECT {quoted}ST_AsBinary(geom) FROM "{name}" ORDER BY fid')
            rows = cur.fetchall()
    finally:
        conn.close()
    frame = pd.DataFrame([r[:-1] for r in rows], columns=cols)
    geoms = shapely.from_wkb([None if r[-1] is None else bytes(r[-1]) for r in rows])
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms), crs=f"EPSG:{srid}")
    spec = get_spec(name)
    return validate_layer(gdf, spec) if spec else gdf


def _same(got: gpd.GeoDataFrame, expected: gpd.GeoDataFrame) -> None:
    assert list(got.dtypes.astype(str)) == list(expected.dtypes.astype(str))
    assert_geodataframe_equal(got, expected, check_less_precise=False)
    got_wkb = shapely.to_wkb(np.asarray(got.geometry.array, dtype=object))
    exp_wkb = shapely.to_wkb(np.asarray(expected.geometry.array, dtype=object))
    assert list(got_wkb) == list(exp_wkb)  # every coordinate to the last bit


def _count_copies(monkeypatch) -> list[str]:
    """Wrap the COPY reader: the list gets "read" per frame it returned."""
    calls: list[str] = []
    real = postgis.copy_out_frame

    def counted(*args, **kwargs):
        out = real(*args, **kwargs)
        calls.append("read")
        return out

    monkeypatch.setattr(postgis, "copy_out_frame", counted)
    return calls


def test_every_bundled_layer_reads_as_the_driver_read_it(postgis_case, monkeypatch):
    copies = _count_copies(monkeypatch)
    store = postgis_case.store
    infos = store.list_layers()
    assert infos
    for info in infos:
        srid = int(info.crs.split(":")[1])
        _same(store.read_layer(info.name), _driver_layer(postgis_case.location, info.name, srid))
    assert len(copies) == len(infos)  # every one through COPY


ODD_TEXT = ["", None, "NA", "null", 'say "hi"', "a,b", "line\nbreak", "王伟", " x ", "\\x01",
            "NaN", "t"]


def _odd_layer(url: str) -> None:
    """A layer no spec knows, with every column type geo_app creates and awkward values."""
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                "CREATE TABLE odd (fid bigserial PRIMARY KEY, label text, count bigint, "
                "size double precision, flag boolean, day date, seen timestamp, "
                "nothing text, no_number bigint, amount numeric, geom geometry(Geometry, 4490))")
            cur.execute("INSERT INTO geo_app_layers (name, position, geometry_type, srid) "
                        "VALUES ('odd', 99, 'Unknown', 4490)")
            sizes = [1.5, None, float("nan"), float("inf"), -float("inf"), 0.1 + 0.2,
                     5e-324, -0.0, 1e300, 2.0 / 3.0, 123456789.123456789, None]
            for i, label in enumerate(ODD_TEXT):
                geom = (None if i == 3 else "POLYGON EMPTY" if i == 4 else
                        f"POLYGON(({113 + i / 7} 31, {113.1 + i / 7} 31.000001, "
                        f"{113.1 + i / 7} 31.1, {113 + i / 7} 31))")
                cur.execute(
                    "INSERT INTO odd (label, count, size, flag, day, seen, amount, geom) VALUES "
                    "(%s, %s, %s, %s, %s, %s, %s, ST_GeomFromText(%s, 4490))",
                    (label, None if i % 4 == 1 else i * 10 ** (i % 19), sizes[i % len(sizes)],
                     None if i % 3 == 2 else i % 2 == 0,
                     None if i == 5 else f"20{i:02d}-0{1 + i % 9}-1{i % 10}",
                     None if i == 6 else
                     f"2024-03-0{1 + i % 9} 1{i % 10}:0{i % 10}:59.12345{i % 10}",
                     None if i == 2 else f"{i}.{i}", geom))
    finally:
        conn.close()


def test_awkward_values_and_types_read_as_the_driver_read_them(postgis_case):
    _odd_layer(postgis_case.location)
    got = postgis_case.store.read_layer("odd")
    _same(got, _driver_layer(postgis_case.location, "odd", 4490))
    assert got["nothing"].tolist() == [None] * len(ODD_TEXT)  # nothing stored: None


def test_only_the_text_columns_read_as_the_driver_read_them(postgis_case, monkeypatch):
    """Without the numeric column every column goes through COPY (with it, the test above
    takes the driver's path)."""
    copies = _count_copies(monkeypatch)
    _odd_layer(postgis_case.location)
    conn = psycopg2.connect(postgis_case.location)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("ALTER TABLE odd DROP COLUMN amount")
    finally:
        conn.close()
    got = postgis_case.store.read_layer("odd")
    _same(got, _driver_layer(postgis_case.location, "odd", 4490))
    labels = got["label"].astype(object).where(got["label"].notna(), None).tolist()
    assert labels == ODD_TEXT
    assert copies == ["read"]


def test_an_empty_layer_reads_as_the_driver_read_it(postgis_case):
    _odd_layer(postgis_case.location)
    conn = psycopg2.connect(postgis_case.location)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("ALTER TABLE odd DROP COLUMN amount")
            cur.execute("DELETE FROM odd")
    finally:
        conn.close()
    _same(postgis_case.store.read_layer("odd"),
          _driver_layer(postgis_case.location, "odd", 4490))


def test_hex_bytea_decodes_every_value_sliced_or_not():
    rng = np.random.default_rng(3)
    blobs = [None if k < 0 else os.urandom(int(k)) for k in rng.integers(-3, 60, 2000)]
    text = [None if b is None else b"\\x" + (b.hex().upper() if i % 5 == 0 else b.hex()).encode()
            for i, b in enumerate(blobs)]
    column = pa.array(text, pa.binary())
    assert hex_bytea(column).tolist() == blobs
    assert hex_bytea(column.slice(7, 999)).tolist() == blobs[7:1006]
    chunked = pa.chunked_array([column.slice(0, 1001), column.slice(1001)])
    assert hex_bytea(chunked).tolist() == blobs
    assert hex_bytea(pa.array([None, None], pa.binary())).tolist() == [None, None]

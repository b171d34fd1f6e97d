"""Write a polygon layer as a 部标 boundary TXT, in the conservative standard layout.

GBK (or UTF-8) with CRLF; CGCS2000 3-degree Gauss-Krüger with zone-prefixed eastings to
0.001 m; hectares computed from the geometry in that plane; every ring closed by repeating
its first point, vertex order and start point kept; 圈号 1 for the first part's exterior and
2, 3… for its holes and further parts (a reader deciding by containment rebuilds the same
polygon).
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

import geopandas as gpd
from pyproj import CRS
from shapely.geometry import MultiPolygon, Polygon

from geo_app.errors import CRSError, InputError

_GEOGRAPHIC_EPSG = 4490
_MAX_DEGREES_FROM_CM = 1.6
_LEGACY_DATUMS = ("Xian 1980", "Beijing 1954")
_UNSAFE = re.compile(r"[,，\r\n]")
_WRITE_CODECS = {
    "gbk": "gbk",
    "gb2312": "gbk",
    "cp936": "gbk",
    "gb18030": "gb18030",
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8-sig",
}


@dataclass
class TxtWriteResult:
    """What :func:`write_boundary_txt` wrote: parcels, the zone and plane, and remarks."""

    parcels: int
    zone: int
    epsg: int
    encoding: str
    notes: list[str] = field(default_factory=list)


def _codec(encoding: str) -> str:
    key = (encoding or "").strip().lower().replace("_", "-")
    if key not in _WRITE_CODECS:
        raise InputError(
            f"A boundary TXT is written in GBK or UTF-8, not {encoding!r}. Use --encoding gbk "
            "(what land-use approval systems expect) or utf-8."
        )
    return _WRITE_CODECS[key]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    text = str(value)
    return "" if text in ("nan", "<NA>", "None") else text


def _label(row_number: int, ident: str) -> str:
    return f"feature {ident}" if ident else f"feature {row_number}"


def _check_crs(gdf: gpd.GeoDataFrame) -> CRS:
    if gdf.crs is None:
        raise CRSError(
            "The layer has no CRS, so its coordinates cannot be placed in a Gauss-Krüger zone. "
            "Set its CRS first (the store keeps EPSG:4490)."
        )
    crs = CRS.from_user_input(gdf.crs)
    datum = crs.geodetic_crs.datum.name if crs.geodetic_crs else ""
    if any(legacy in datum for legacy in _LEGACY_DATUMS):
        raise CRSError(
            f"The layer is in {crs.name} ({datum} datum), but a boundary TXT is written in "
            "CGCS2000 and geo_app has no official transformation parameters from that datum. "
            "Convert the layer to CGCS2000 first."
        )
    return crs


def _choose_zone(gdf: gpd.GeoDataFrame, zone: int | None, labels: list[str]) -> int:
    geographic = gdf.geometry.to_crs(_GEOGRAPHIC_EPSG)
    bounds = geographic.bounds
    if zone is None:
        centre = (float(bounds["minx"].min()) + float(bounds["maxx"].max())) / 2.0
        zone = math.floor(centre / 3.0 + 0.5)
    if not 25 <= zone <= 45:
        raise CRSError(
            f"3-degree zone {zone} (central meridian {3 * zone}°E) is not a Chinese zone (25–45); "
            "give the zone of the data, e.g. 38 for Suizhou (114°E)."
        )
    cm = 3 * zone
    limit = _MAX_DEGREES_FROM_CM
    far = (bounds["minx"] < cm - limit) | (bounds["maxx"] > cm + limit)
    if far.any():
        verb = "lies" if int(far.sum()) == 1 else "lie"
        worst = [
            f"{labels[i]} ({bounds['minx'].iloc[i]:.2f}–{bounds['maxx'].iloc[i]:.2f}°E)"
            for i in range(len(labels))
            if far.iloc[i]
        ][:3]
        raise CRSError(
            f"{', '.join(worst)} {verb} more than {limit}° of longitude from zone "
            f"{zone}'s central meridian {cm}°E. A boundary TXT holds one 3-degree zone: export "
            "the features of each zone separately (with that zone)."
        )
    return zone


def _ring_lines(coords: list[tuple[float, ...]], ring_no: int, first_point: int) -> list[str]:
    names = [f"J{first_point + k}" for k in range(len(coords) - 1)]
    names.append(names[0])
    return [
        f"{name},{ring_no},{xy[1]:.3f},{xy[0]:.3f}" for name, xy in zip(names, coords, strict=True)
    ]


def _parcel_lines(geometry: Polygon | MultiPolygon, fields: list[str]) -> list[str]:
    parts = list(geometry.geoms) if isinstance(geometry, MultiPolygon) else [geometry]
    rings = [ring for part in parts for ring in (part.exterior, *part.interiors)]
    points: list[str] = []
    next_point = 1
    for ring_no, ring in enumerate(rings, start=1):
        coords = list(ring.coords)
        points.extend(_ring_lines(coords, ring_no, next_point))
        next_point += len(coords) - 1
    area_ha = geometry.area / 1e4
    head = f"{len(points)},{area_ha:.4f},{fields[0]},{fields[1]},面,,{fields[2]},,@"
    return [head, *points]


def write_boundary_txt(
    gdf: gpd.GeoDataFrame,
    target: Path | str | BinaryIO,
    *,
    encoding: str = "gbk",
    unit_name: str = "",
    zone: int | None = None,
    id_column: str = "id",
    name_column: str = "name",
    land_use_column: str = "land_use",
) -> TxtWriteResult:
    """Write polygons as a 部标 boundary TXT (界址点坐标文件) that land-use systems accept.

    The CLI's ``export LAYER FILE --format boundary-txt [--encoding gbk|utf-8]`` and the
    app's export button call this with the stored layer (any CRS; the store keeps
    EPSG:4490) and show :attr:`TxtWriteResult.notes`.

    Parameters
    ----------
    gdf
        Polygon/MultiPolygon features with a CRS (not Xian 1980 / Beijing 1954).
    target
        A file path (written whole or not at all) or a binary stream.
    encoding
        ``gbk`` (default, what approval systems expect), ``gb18030`` or ``utf-8``.
    unit_name
        数据产生单位 in the header.
    zone
        The CGCS2000 3-degree zone (25–45); by default the zone of the layer's centre.
        Features more than 1.6° of longitude from its central meridian are refused.
    id_column, name_column, land_use_column
        Columns for 地块编号, 地块名称 and 地块用途 (missing columns leave them empty).

    Raises
    ------
    CRSError
        No CRS, a legacy datum, or features outside the zone.
    InputError
        An empty layer, a feature that is not a non-empty polygon, a name the encoding
        cannot hold, or a target that cannot be written.
    """
    codec = _codec(encoding)
    if len(gdf) == 0:
        raise InputError("The layer has no features: there is nothing to write.")
    _check_crs(gdf)
    notes: list[str] = []
    columns = (id_column, name_column, land_use_column)
    values = [
        [_cell(row.get(column)) if column in gdf.columns else "" for column in columns]
        for row in gdf.drop(columns=gdf.geometry.name).to_dict("records")
    ]
    labels = [_label(i + 1, row[0]) for i, row in enumerate(values)]
    for label, geometry in zip(labels, gdf.geometry, strict=True):
        if geometry is None or geometry.is_empty:
            raise InputError(f"{label} has no geometry; remove it or draw it before exporting.")
        if not isinstance(geometry, Polygon | MultiPolygon):
            raise InputError(
                f"{label} is a {geometry.geom_type}; a boundary TXT holds polygons only."
            )
    chosen = _choose_zone(gdf, zone, labels)
    epsg = 4513 + chosen - 25
    plane = CRS.from_epsg(epsg)
    same_plane = CRS.from_user_input(gdf.crs) == plane
    geometries = gdf.geometry if same_plane else gdf.geometry.to_crs(plane)

    lines = [
        "[属性描述]",
        "格式版本号=1.01",
        f"数据产生单位={_UNSAFE.sub(' ', unit_name).strip()}",
        f"数据产生日期={date.today().isoformat()}",
        "坐标系=2000国家大地坐标系",
        "几度分带=3",
        "投影类型=高斯克吕格",
        "计量单位=米",
        f"带号={chosen}",
        "精度=0.001",
        "转换参数=,,,,,,",
        "[地块坐标]",
    ]
    for label, row, geometry in zip(labels, values, geometries, strict=True):
        cleaned = [_UNSAFE.sub("、", value).strip() for value in row]
        if cleaned != row:
            notes.append(f"{label}: commas or line breaks in its fields were replaced by 、.")
        for value in cleaned:
            try:
                value.encode(codec)
            except UnicodeEncodeError:
                raise InputError(
                    f"{label}: {value!r} has characters {codec.upper()} cannot hold. Export with "
                    "--encoding utf-8, or rename it."
                ) from None
        lines.extend(_parcel_lines(geometry, cleaned))
    try:
        data = ("\r\n".join(lines) + "\r\n").encode(codec)
    except UnicodeEncodeError:
        raise InputError(
            f"数据产生单位 {unit_name!r} has characters {codec.upper()} cannot hold. Export with "
            "--encoding utf-8, or change it."
        ) from None
    _write(data, target)
    return TxtWriteResult(parcels=len(values), zone=chosen, epsg=epsg, encoding=codec, notes=notes)


def _write(data: bytes, target: Path | str | BinaryIO) -> None:
    if not isinstance(target, str | Path):
        target.write(data)
        return
    path = Path(target)
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InputError(f"Cannot write {path}: {exc.strerror or exc}.") from None

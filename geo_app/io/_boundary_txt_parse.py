"""Lines of a boundary TXT into sections, header values and raw parcels (no geometry yet).

Lenient on what hand-edited files do (full-width ，＝＠ and digits, blank lines, spaces,
CR/LF/CRLF, 【】 brackets), strict on structure: a problem inside one parcel makes that
parcel unreadable (noted with its line number) but never the whole file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from geo_app.errors import InputError

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SECTION = re.compile(r"^[\[［【]\s*(.*?)\s*[\]］】]$")
_FIELD_SEP = re.compile(r"[,，]")
_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,15}(?:\.[0-9]*)?|\.[0-9]+)")
_INTEGER = re.compile(r"[+-]?[0-9]{1,9}")
_DECIMAL = r"\s*([+-]?(?:[0-9]{1,15}(?:\.[0-9]*)?|\.[0-9]+))\s*"
#: The usual point line, plain ASCII: 点号,圈号,X,Y (the fast path; others go field by field).
_PLAIN_POINT = re.compile(r"[^,]*,\s*([0-9]{1,9})\s*," + _DECIMAL + "," + _DECIMAL)

HEADER_SECTIONS = frozenset({"属性描述", "属性信息", "文件描述"})
PARCEL_SECTIONS = frozenset({"地块坐标", "地块坐标信息", "界址点坐标"})

#: Header keys as files spell them → the one name used here.
KEY_ALIASES: dict[str, str] = {
    "坐标系": "坐标系",
    "坐标系统": "坐标系",
    "坐标系名称": "坐标系",
    "大地坐标系": "坐标系",
    "几度分带": "几度分带",
    "分带": "几度分带",
    "分带方式": "几度分带",
    "分带类型": "几度分带",
    "投影分带": "几度分带",
    "带号": "带号",
    "投影带号": "带号",
    "分带号": "带号",
    "中央经线": "中央经线",
    "中央子午线": "中央经线",
    "中央经度": "中央经线",
}

#: Fields of a parcel header line, in their usual order, as output column names.
PARCEL_FIELDS = (
    "point_count_declared",
    "declared_area",
    "id",
    "name",
    "geometry_kind",
    "map_sheet",
    "land_use",
    "land_class_code",
)


def nfkc(text: str) -> str:
    """Full-width digits, punctuation and letters as ASCII; U+2212 minus as ``-``."""
    if text.isascii():
        return text.strip()
    return unicodedata.normalize("NFKC", text).replace("−", "-").strip()


def parse_number(text: str) -> float | None:
    """A decimal number (full-width digits accepted), or ``None``."""
    value = nfkc(text)
    if " " in value:
        value = value.replace(" ", "")
    return float(value) if _NUMBER.fullmatch(value) else None


def parse_integer(text: str) -> int | None:
    """An integer (full-width digits accepted), or ``None``."""
    value = nfkc(text)
    if " " in value:
        value = value.replace(" ", "")
    return int(value) if _INTEGER.fullmatch(value) else None


@dataclass(slots=True)
class RawPoint:
    """One point line: its line number, 圈号 (``None`` if the line has none), X, Y as written."""

    line: int
    ring: int | None
    x: float
    y: float


@dataclass
class RawParcel:
    """A parcel header line's fields and its point lines; ``problem`` says why it is unusable."""

    line: int
    fields: dict[str, str]
    extras: list[str]
    points: list[RawPoint] = field(default_factory=list)
    problem: str | None = None

    @property
    def label(self) -> str:
        ident = self.fields.get("id") or self.fields.get("name")
        return f"parcel {ident} (line {self.line})" if ident else f"the parcel on line {self.line}"


@dataclass
class ParsedFile:
    """Everything read from the text, before geometry and CRS are decided."""

    header: dict[str, str] = field(default_factory=dict)
    extra_sections: dict[str, str] = field(default_factory=dict)
    parcels: list[RawParcel] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    saw_parcel_section: bool = False


def _section_name(stripped: str) -> str | None:
    match = _SECTION.match(stripped)
    return nfkc(match.group(1)).replace(" ", "") if match else None


def _parcel_header(line_no: int, stripped: str) -> RawParcel:
    body = stripped[:-1].rstrip()  # drop the final @ / ＠
    if body[-1:] in (",", "，"):
        body = body[:-1]
    values = [value.strip() for value in _FIELD_SEP.split(body)]
    fields = dict(zip(PARCEL_FIELDS, values, strict=False))
    return RawParcel(line_no, fields, values[len(PARCEL_FIELDS) :])


def _point(line_no: int, stripped: str) -> tuple[RawPoint | None, str | None]:
    """A point line (点号,圈号,X,Y or 点号,X,Y), or why it is not one."""
    plain = _PLAIN_POINT.fullmatch(stripped)
    if plain is not None:
        ring_text, x_text, y_text = plain.groups()
        return RawPoint(line_no, int(ring_text), float(x_text), float(y_text)), None
    values = stripped.split(",") if "，" not in stripped else _FIELD_SEP.split(stripped)
    if len(values) >= 4:
        ring_text, x_text, y_text = values[1], values[2], values[3]
        ring = parse_integer(ring_text)
        if ring is None:
            return None, f"line {line_no}: 圈号 {ring_text.strip()!r} is not a whole number"
    elif len(values) == 3:
        ring, x_text, y_text = None, values[1], values[2]
    else:
        return None, (
            f"line {line_no}: {stripped[:40]!r} is neither a point line (点号,圈号,X,Y) "
            "nor a parcel header ending in @"
        )
    x, y = parse_number(x_text), parse_number(y_text)
    if x is None or y is None:
        bad = (x_text if x is None else y_text).strip()
        return None, f"line {line_no}: coordinate {bad[:30]!r} is not a number"
    return RawPoint(line_no, ring, x, y), None


def parse_text(text: str) -> ParsedFile:
    """Split the decoded text into header values, unknown sections and raw parcels.

    Raises
    ------
    InputError
        A point line comes before any parcel header line, or text in ``[地块坐标]``
        before the first parcel is not a parcel header.
    """
    parsed = ParsedFile()
    section: str | None = None
    current: RawParcel | None = None
    for index, raw_line in enumerate(_LINE_BREAK.split(text)):
        line_no = index + 1
        stripped = raw_line.replace("\ufeff", "").strip()
        if not stripped:
            continue
        name = _section_name(stripped)
        if name is not None:
            section, current = name, None
            if name in PARCEL_SECTIONS:
                parsed.saw_parcel_section = True
            elif name not in HEADER_SECTIONS:
                parsed.extra_sections.setdefault(name, "")
            continue
        if section in PARCEL_SECTIONS:
            if stripped[-1] in "@＠":
                current = _parcel_header(line_no, stripped)
                parsed.parcels.append(current)
                continue
            point, problem = _point(line_no, stripped)
            if current is None:
                what = "a point line" if point is not None else f"{stripped[:40]!r}"
                raise InputError(
                    f"Line {line_no}: {what} comes before any parcel header line in "
                    "[地块坐标]. Each parcel starts with a line such as "
                    "'5,6.0000,ID,名称,面,,用途,,@'; add it (or remove the stray line) and "
                    "read the file again."
                )
            if point is not None:
                current.points.append(point)
            elif current.problem is None:
                current.problem = problem
        elif section is None or section in HEADER_SECTIONS:
            _header_line(parsed, line_no, stripped, in_section=section is not None)
        else:
            kept = parsed.extra_sections[section]
            parsed.extra_sections[section] = f"{kept}\n{stripped}" if kept else stripped
    return parsed


def _header_line(parsed: ParsedFile, line_no: int, stripped: str, *, in_section: bool) -> None:
    match = re.match(r"^([^=＝]*)[=＝](.*)$", stripped) or re.match(
        r"^([^:：]*)[:：](.*)$", stripped
    )
    if match is None:
        where = "in [属性描述]" if in_section else "before the first section"
        parsed.notes.append(f"Line {line_no} {where} is not key=value and was ignored.")
        return
    key = nfkc(match.group(1)).replace(" ", "")
    value = match.group(2).strip()
    key = KEY_ALIASES.get(key, key)
    previous = parsed.header.get(key)
    if previous is not None and previous != value:
        parsed.notes.append(
            f"Line {line_no}: {key} is given twice ({previous!r}, then {value!r}); "
            "the later value is used."
        )
    parsed.header[key] = value

"""Land-cover classes: value in the raster, code, Chinese and English names, colour.

The bundled land-cover raster uses :data:`DEFAULT_CLASSES` (the first-level classes of the
third national land survey, simplified: 耕地 cropland, 林地 forest, 草地 grassland, 水域 water,
建设用地 built-up, 其他 other). A user's raster comes with a classes file (CSV, UTF-8):

```
value,code,name_zh,name_en,colour
1,cropland,耕地,Cropland,#f3d36b
```

``colour`` is optional. The code ``cropland`` marks the class the suitability screen reads
as farmland.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from geo_app.errors import InputError

CROPLAND = "cropland"
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_PALETTE = ("#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#1f77b4", "#ff7f0e")


@dataclass(frozen=True)
class LandCoverClass:
    """One class of a land-cover raster."""

    value: int
    code: str
    name_zh: str
    name_en: str
    colour: str

    def label(self, lang: str = "zh") -> str:
        return self.name_zh if lang == "zh" else self.name_en

    def to_dict(self) -> dict[str, object]:
        return {"value": self.value, "code": self.code, "name_zh": self.name_zh,
                "name_en": self.name_en, "colour": self.colour}


DEFAULT_CLASSES: tuple[LandCoverClass, ...] = (
    LandCoverClass(1, "cropland", "耕地", "Cropland", "#f3d36b"),
    LandCoverClass(2, "forest", "林地", "Forest", "#2f7d32"),
    LandCoverClass(3, "grassland", "草地", "Grassland", "#a5d46a"),
    LandCoverClass(4, "water", "水域", "Water", "#3d85c6"),
    LandCoverClass(5, "built_up", "建设用地", "Built-up", "#c8453c"),
    LandCoverClass(6, "other", "其他", "Other", "#b4aa96"),
)


def classes_from_dicts(rows: Sequence[dict[str, object]]) -> tuple[LandCoverClass, ...]:
    """Classes from stored dictionaries (the raster registry), checked like a file."""
    return _check([{k: "" if v is None else str(v) for k, v in r.items()} for r in rows],
                  "the stored classes")


def read_classes(path: Path | str) -> tuple[LandCoverClass, ...]:
    """Read and check a classes CSV; any problem is an :class:`InputError` naming the row."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"No classes file at {path}. Check the path.") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder; give the classes CSV file.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path.name} is not UTF-8 text. Save the classes file as UTF-8 "
                         "CSV (value,code,name_zh,name_en[,colour]).") from None
    rows = list(csv.DictReader(io.StringIO(text)))
    return _check(rows, path.name)


def _check(rows: list[dict[str, str]], what: str) -> tuple[LandCoverClass, ...]:
    need = ("value", "code", "name_zh", "name_en")
    if not rows:
        raise InputError(f"{what} lists no class. Write a header value,code,name_zh,name_en"
                         "[,colour] and one row per class.")
    missing = [c for c in need if c not in rows[0]]
    if missing:
        raise InputError(f"{what} lacks the column(s) {', '.join(missing)}. The header must be "
                         "value,code,name_zh,name_en[,colour].")
    out: list[LandCoverClass] = []
    for i, row in enumerate(rows, start=2):
        value_text = (row.get("value") or "").strip()
        try:
            value = int(value_text)
        except ValueError:
            raise InputError(f"{what}, line {i}: value {value_text!r} is not a whole number "
                             "(the cell value of the class in the raster).") from None
        code = (row.get("code") or "").strip()
        if not _CODE.match(code):
            raise InputError(f"{what}, line {i}: code {code!r} must be lower-case letters, "
                             "digits or _ (e.g. cropland, built_up).")
        zh, en = (row.get("name_zh") or "").strip(), (row.get("name_en") or "").strip()
        if not zh or not en:
            raise InputError(f"{what}, line {i}: give both name_zh and name_en.")
        colour = (row.get("colour") or "").strip() or _PALETTE[len(out) % len(_PALETTE)]
        if not _COLOUR.match(colour):
            raise InputError(f"{what}, line {i}: colour {colour!r} must be #RRGGBB.")
        out.append(LandCoverClass(value, code, zh, en, colour.lower()))
    for attr in ("value", "code"):
        seen = [getattr(c, attr) for c in out]
        dupes = sorted({str(v) for v in seen if seen.count(v) > 1})
        if dupes:
            raise InputError(f"{what}: the {attr} {', '.join(dupes)} appears more than once; "
                             f"each class needs its own {attr}.")
    return tuple(out)


def classes_csv(classes: Sequence[LandCoverClass]) -> str:
    """The classes as the CSV :func:`read_classes` reads."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["value", "code", "name_zh", "name_en", "colour"])
    for c in classes:
        writer.writerow([c.value, c.code, c.name_zh, c.name_en, c.colour])
    return buf.getvalue()

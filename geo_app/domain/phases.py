"""Acquisition phases (期次) as people read them: 一期 / Phase 1, never a bare 1."""

from __future__ import annotations

import math

_ZH_DIGITS = "〇一二三四五六七八九"


def phase_label(phase: object, lang: str = "zh") -> str:
    """``一期`` / ``Phase 1`` for phase 1; anything that is not a whole number as text.

    Accepts ints, whole floats (a column read with missing values) and digit strings.
    """
    number = _whole(phase)
    if number is None:
        return "" if phase is None else str(phase)
    if lang != "zh":
        return f"Phase {number}"
    return f"{_ZH_DIGITS[number]}期" if 0 < number < 10 else f"第{number}期"


def _whole(value: object) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    try:  # numpy integers and floats
        as_float = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return int(as_float) if math.isfinite(as_float) and as_float.is_integer() else None

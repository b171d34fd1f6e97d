"""What every ``geo-app`` command shares: options, language, terminal-safe output.

Command groups live in their own modules (``geo_app.cli_*``), each with a ``register(app)``;
they import from here, never from :mod:`geo_app.cli`, so there is no import cycle.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from typing import Annotated, Any

import typer

from geo_app.domain.messages import lang_from_locale
from geo_app.errors import InputError

#: Language of messages (refusals): set by ``--lang`` / ``GEO_APP_LANG``, else the locale.
_LANG: dict[str, str] = {}


def lang() -> str:
    return _LANG.get("lang") or lang_from_locale(os.environ)


StoreOpt = Annotated[
    str | None,
    typer.Option("--store", envvar="GEO_APP_STORE",
                 help="GeoPackage path or postgresql:// URL (default: the workspace)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
def cell(value: Any) -> str:
    """A value from a file, made safe for a terminal (no escape or control characters)."""
    text = "" if value is None else str(value)
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def json_safe(value: Any) -> Any:
    """NaN and ±inf are not JSON: emit them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def emit(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(json_safe(data), ensure_ascii=False, indent=2, default=str,
                          allow_nan=False))


def note(text: str) -> None:
    typer.echo(f"note: {cell(text)}", err=True)  # notes quote file content: keep it inert


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"'{text}' is not a date; write it as YYYY-MM-DD.") from None


def set_lang(value: str) -> None:
    """Set the language of messages (``--lang``): zh or en."""
    if value.strip().lower() not in ("zh", "en"):
        raise InputError(f"--lang must be zh or en, not {cell(value)!r}.")
    _LANG["lang"] = value.strip().lower()

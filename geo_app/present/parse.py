"""Read and validate a storyboard TOML file (format: ``geo_app/storyboards/README.md``).

Every mistake is one :class:`~geo_app.errors.InputError` that names the file, the line,
the slide and what is allowed (with near matches), e.g.::

    zone.toml, line 42, slide 5 ("三个示范村"): unknown figure 'villages.cuont'
    (did you mean: villages.count?). Figures: villages.count, ...

:func:`parse_storyboard` checks what can be checked without data (keys, types, dates,
layer and column names of the layer specifications, figure and table keys);
:func:`check_storyboard` then checks it against a store's layers (layers present,
columns and filter values that exist, parks and phases) and computes every figure.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo_app.domain.layers import LAYER_SPECS
from geo_app.errors import GeoAppError, InputError
from geo_app.present.figures import (
    TABLES,
    StoryData,
    compute_figure,
    compute_table,
    figure_def,
    figure_keys,
    near,
)
from geo_app.present.model import Animation, MapView, Slide, Storyboard
from geo_app.present.view import DERIVED_LAYERS

TOP_KEYS = ("title", "subtitle", "as_of", "slides")
SLIDE_KEYS = ("title", "subtitle", "layers", "filters", "labels", "fit", "center", "zoom",
              "figures", "table", "notes", "animate")
MAX_FIGURES = 6
_HEADER = re.compile(r"^\s*\[\[\s*slides\s*\]\]")
_SYNTAX_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass(frozen=True)
class _Lines:
    """Where things are in the file: each ``[[slides]]`` header and each line's text."""

    text: list[str]
    headers: list[int]  # 1-based line of each [[slides]] header

    @classmethod
    def of(cls, text: str) -> _Lines:
        lines = text.splitlines()
        return cls(lines, [i + 1 for i, line in enumerate(lines) if _HEADER.match(line)])

    def span(self, slide: int | None) -> tuple[int, int]:
        """1-based [first, last] lines of the top table (``None``) or of slide ``slide``."""
        if slide is None:
            return 1, (self.headers[0] - 1 if self.headers else len(self.text))
        if slide < len(self.headers):
            end = self.headers[slide + 1] - 1 if slide + 1 < len(self.headers) else len(self.text)
            return self.headers[slide], end
        return 1, len(self.text)

    def find(self, slide: int | None, pattern: str) -> int | None:
        first, last = self.span(slide)
        rx = re.compile(pattern)
        for n in range(first, last + 1):
            if rx.search(self.text[n - 1]):
                return n
        return None

    def key(self, slide: int | None, key: str) -> int | None:
        return self.find(slide, rf"^\s*(\[slides\.)?{re.escape(key)}\s*(=|\])")

    def value(self, slide: int | None, value: object, fallback: int) -> int:
        found = self.find(slide, re.escape(f'"{value}"')) or self.find(
            slide, re.escape(f"'{value}'")) or self.find(slide, re.escape(str(value)))
        return found or fallback


class _Where:
    """Builds the messages of one slide (or of the top of the file)."""

    def __init__(self, source: str, lines: _Lines, index: int | None, title: str = "") -> None:
        self.source, self.lines, self.index, self.title = source, lines, index, title

    def line(self, key: str | None = None) -> int:
        if key is not None and (n := self.lines.key(self.index, key)):
            return n
        first, _ = self.lines.span(self.index)
        return first

    def error(self, line: int, problem: str) -> InputError:
        where = f"{self.source}, line {line}"
        if self.index is not None:
            title = f' ("{_short(self.title)}")' if self.title else ""
            where += f", slide {self.index + 1}{title}"
        return InputError(f"{where}: {problem}")


def _short(text: str, width: int = 40) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _allowed(word: str, allowed: Iterable[str], what: str) -> str:
    allowed = list(allowed)
    return f"{near(word, allowed)}. {what}: {', '.join(allowed)}."


def load_storyboard(path: str | Path) -> Storyboard:
    """Read and validate the storyboard file at ``path``."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"No storyboard file {path}: check the path "
                         "(the bundled example is geo_app/storyboards/zone.toml).")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start}); "
                         "save it as UTF-8.") from None
    return parse_storyboard(text, source=path.name)


def parse_storyboard(text: str, *, source: str = "storyboard") -> Storyboard:
    """Parse and validate storyboard TOML ``text`` (``source`` names it in messages)."""
    lines = _Lines.of(text)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = _SYNTAX_LINE.search(message)
        where = f"{source}, line {m.group(1)}" if m else source
        detail = _SYNTAX_LINE.sub("", message).strip().rstrip(".")
        raise InputError(f"{where}: not valid TOML ({detail}). Check quotes, brackets and "
                         "commas on that line.") from None
    top = _Where(source, lines, None)
    for key in raw:
        if key not in TOP_KEYS:
            raise top.error(top.line(key), f"unknown key '{key}'"
                            + _allowed(key, TOP_KEYS, "Keys at the top"))
    title = _text(raw, "title", top, required=True)
    subtitle = _text(raw, "subtitle", top)
    as_of = _date(raw.get("as_of"), top)
    slides_raw = raw.get("slides")
    if not isinstance(slides_raw, list) or not slides_raw:
        raise top.error(top.line("slides"), "no slides: add at least one [[slides]] table "
                        "with a title.")
    slides = tuple(_slide(item, i, source, lines) for i, item in enumerate(slides_raw))
    return Storyboard(title=title, subtitle=subtitle, as_of=as_of, slides=slides,
                      source=source)


def _text(raw: dict[str, Any], key: str, where: _Where, *, required: bool = False) -> str:
    value = raw.get(key)
    if value is None:
        if required:
            raise where.error(where.line(), f"'{key}' is missing: every "
                              + ("slide" if where.index is not None else "storyboard")
                              + f" needs a {key} (text in quotes).")
        return ""
    if not isinstance(value, str):
        raise where.error(where.line(key), f"'{key}' must be text in quotes, not {value!r}.")
    if required and not value.strip():
        raise where.error(where.line(key), f"'{key}' is empty.")
    return value


def _date(value: object, where: _Where) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise where.error(where.line("as_of"), f"as_of {value!r} is not a date; write it as "
                      "as_of = 2021-12-01 (YYYY-MM-DD).")


def _names(raw: dict[str, Any], key: str, where: _Where) -> tuple[str, ...]:
    value = raw.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.error(where.line(key), f"'{key}' must be a list of names in quotes, "
                          f'like {key} = ["villages"].')
    return tuple(value)


#: Layers a slide may name: the specified ones and those computed from them.
SLIDE_LAYERS: tuple[str, ...] = (*LAYER_SPECS, *DERIVED_LAYERS)


def _layer(name: str, where: _Where, key: str) -> None:
    if name not in SLIDE_LAYERS:
        raise where.error(where.lines.value(where.index, name, where.line(key)),
                          f"unknown layer '{name}' in {key}"
                          + _allowed(name, SLIDE_LAYERS, "Layers"))


def _slide(raw: object, index: int, source: str, lines: _Lines) -> Slide:
    if not isinstance(raw, dict):
        where = _Where(source, lines, index)
        raise where.error(where.line(), "a slide must be a [[slides]] table.")
    where = _Where(source, lines, index, str(raw.get("title", "")))
    for key in raw:
        if key not in SLIDE_KEYS:
            raise where.error(where.line(key), f"unknown key '{key}'"
                              + _allowed(key, SLIDE_KEYS, "Slide keys"))
    title = _text(raw, "title", where, required=True)
    layers = _names(raw, "layers", where)
    for name in layers:
        _layer(name, where, "layers")
    labels = _names(raw, "labels", where)
    for name in labels:
        _layer(name, where, "labels")
        if layers and name not in layers:
            raise where.error(where.line("labels"), f"labels names layer '{name}', which the "
                              f"slide does not show; add it to layers ({', '.join(layers)}).")
    filters = _filters(raw.get("filters", {}), where, layers)
    fit = raw.get("fit")
    if fit is not None:
        if not isinstance(fit, str):
            raise where.error(where.line("fit"), 'fit must be a layer name, like fit = '
                              '"villages" (or give center and zoom).')
        _layer(fit, where, "fit")
        if layers and fit not in layers:
            raise where.error(where.line("fit"), f"fit names layer '{fit}', which the slide "
                              f"does not show; add it to layers ({', '.join(layers)}).")
    center, zoom = _center_zoom(raw, where)
    if fit is not None and center is not None:
        raise where.error(where.line("center"), "give either fit or center and zoom, not both.")
    figures = _names(raw, "figures", where)
    if len(figures) > MAX_FIGURES:
        raise where.error(where.line("figures"), f"{len(figures)} figures: a slide shows at "
                          f"most {MAX_FIGURES}, so they stay readable; split the slide.")
    for key in figures:
        if figure_def(key) is None:
            raise where.error(where.lines.value(index, key, where.line("figures")),
                              f"unknown figure '{key}'"
                              + _allowed(key, figure_keys(), "Figures"))
    table = raw.get("table")
    if table is not None and (not isinstance(table, str) or table not in TABLES):
        raise where.error(where.line("table"), f"unknown table {table!r}"
                          + _allowed(str(table), TABLES, "Tables"))
    animate = raw.get("animate")
    if animate is not None:
        if animate not in tuple(Animation):
            raise where.error(where.line("animate"), f"unknown animation {animate!r}"
                              + _allowed(str(animate), list(Animation), "Animations"))
        animate = Animation(animate)
    key_lines = {k: n for k in raw if (n := lines.key(index, k))}
    return Slide(
        title=title, subtitle=_text(raw, "subtitle", where),
        view=MapView(layers=layers, filters=filters, labels=labels, fit=fit, center=center,
                     zoom=zoom),
        figures=figures, table=table, notes=_text(raw, "notes", where), animate=animate,
        line=lines.span(index)[0] if index < len(lines.headers) else 0, key_lines=key_lines,
    )


def _filters(raw: object, where: _Where, layers: tuple[str, ...]
             ) -> dict[str, dict[str, tuple[str, ...]]]:
    example = 'filters = { villages = { works_programme = ["phase2_demonstration"] } }'
    if not isinstance(raw, dict):
        raise where.error(where.line("filters"), f"filters must be a table, like {example}.")
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for layer, columns in raw.items():
        _layer(layer, where, "filters")
        if layers and layer not in layers:
            raise where.error(where.line("filters"), f"filters name layer '{layer}', which the "
                              f"slide does not show; add it to layers ({', '.join(layers)}).")
        if not isinstance(columns, dict):
            raise where.error(where.line("filters"), f"filters.{layer} must map columns to "
                              f"lists of values, like {example}.")
        spec = LAYER_SPECS.get(layer)
        if spec is None:
            raise where.error(where.line("filters"), f"layer '{layer}' is computed and "
                              "cannot be filtered; filter the layers it comes from.")
        out[layer] = {}
        for column, values in columns.items():
            if column not in spec.column_names:
                raise where.error(where.lines.value(where.index, column, where.line("filters")),
                                  f"layer '{layer}' has no column '{column}'"
                                  + _allowed(column, spec.column_names, "Columns"))
            if isinstance(values, str | int):
                values = [values]
            if (not isinstance(values, list) or not values
                    or not all(isinstance(v, str | int) for v in values)):
                raise where.error(where.line("filters"), f"filters.{layer}.{column} must be "
                                  "a non-empty list of values, like [\"a\", \"b\"].")
            out[layer][column] = tuple(str(v) for v in values)
    return out


def _center_zoom(raw: dict[str, Any], where: _Where
                 ) -> tuple[tuple[float, float] | None, int | None]:
    center, zoom = raw.get("center"), raw.get("zoom")
    if center is None and zoom is None:
        return None, None
    if center is None or zoom is None:
        raise where.error(where.line("center" if center is not None else "zoom"),
                          "center and zoom go together: center = [31.72, 113.45] "
                          "(latitude, longitude) and zoom = 12.")
    ok = (isinstance(center, list) and len(center) == 2
          and all(isinstance(v, int | float) and not isinstance(v, bool) for v in center))
    if not ok or not (-90 <= center[0] <= 90 and -180 <= center[1] <= 180):
        raise where.error(where.line("center"), f"center {center!r} is not [latitude, "
                          "longitude] in degrees, like [31.72, 113.45].")
    if isinstance(zoom, bool) or not isinstance(zoom, int) or not 4 <= zoom <= 20:
        raise where.error(where.line("zoom"), f"zoom {zoom!r} must be a whole number "
                          "from 4 (country) to 20 (building).")
    return (float(center[0]), float(center[1])), zoom


# --- against a store --------------------------------------------------------------------


def check_storyboard(board: Storyboard, data: StoryData, *, lang: str = "zh") -> None:
    """Check ``board`` against the store in ``data``: layers, columns, filter values,
    then compute every figure and table. Raises :class:`InputError` naming the slide."""
    data = data.with_as_of(board.as_of)
    if board.as_of is not None and len(data.events):
        first = min(str(d)[:10] for d in data.events["effective_date"])
        if board.as_of.isoformat() < first:
            raise InputError(f"{board.source}: as_of {board.as_of} is before the first "
                             f"event in the ledger ({first}); choose a later date.")
    for index, slide in enumerate(board.slides):
        def fail(key: str, problem: str, slide: Slide = slide, index: int = index) -> InputError:
            title = f' ("{_short(slide.title)}")'
            return InputError(f"{board.source}, line {slide.line_of(key)}, slide {index + 1}"
                              f"{title}: {problem}")
        view = slide.view
        for key, names in (("layers", view.layers), ("labels", view.labels),
                           ("filters", tuple(view.filters)),
                           ("fit", (view.fit,) if view.fit else ())):
            for name in names:
                for needed in DERIVED_LAYERS.get(name, ()):
                    if needed not in data.layers:
                        raise fail(key, f"layer '{name}' is drawn from '{needed}', which the "
                                   "store does not have; import it or drop the layer.")
                if name not in data.layers and name not in DERIVED_LAYERS:
                    raise fail(key, f"the store has no layer '{name}'"
                               + _allowed(name, data.layers, "It has"))
        for layer, columns in view.filters.items():
            gdf = data.layers[layer]
            for column, values in columns.items():
                if column not in gdf.columns:
                    raise fail("filters", f"layer '{layer}' in the store has no column "
                               f"'{column}'" + _allowed(column, [c for c in gdf.columns
                                                                 if c != "geometry"], "Columns"))
                present = sorted(set(gdf[column].dropna().astype(str)))
                for value in values:
                    if value not in present:
                        shown = present if len(present) <= 12 else [*present[:12], "…"]
                        raise fail("filters", f"no feature of '{layer}' has {column} = "
                                   f"'{value}'" + _allowed(value, shown, "Values"))
        for key in slide.figures:
            try:
                compute_figure(data, key, lang)
            except GeoAppError as exc:
                raise fail("figures", f"figure '{key}': {exc}") from None
        if slide.table:
            try:
                compute_table(data, slide.table, lang)
            except GeoAppError as exc:
                raise fail("table", f"table '{slide.table}': {exc}") from None
        if slide.animate is Animation.PROGRESS and len(data.events) == 0:
            raise fail("animate", "animate = \"progress\" needs the stage-event ledger, and "
                       "this store has none; record stage changes or drop animate.")

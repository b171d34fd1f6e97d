"""A real Chinese font for static maps and briefs, and text made safe to draw with it.

Briefs are drawn with one CJK font (Noto Sans CJK SC from Debian's ``fonts-noto-cjk`` by
default) found through :mod:`matplotlib.font_manager`. With no such font a brief is refused
with a :class:`~geo_app.errors.GeoAppError` naming the package to install: matplotlib would
otherwise draw empty boxes ("tofu") for every Chinese character.

Text from files and users (feature names) is drawn literally: :func:`inert_text` replaces
control characters and characters the font lacks by visible ``\\uXXXX`` escapes, and every
text is drawn with ``parse_math=False`` so ``$...$`` is never read as mathtext.
"""

from __future__ import annotations

import functools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from matplotlib import font_manager

from geo_app.domain.messages import refusal
from geo_app.errors import GeoAppError

#: Families tried in order; the first installed one is used.
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei", "Droid Sans Fallback",
)
INSTALL_HINT = "apt-get install fonts-noto-cjk"


class FontMissingError(GeoAppError):
    """No font able to draw Chinese is installed."""


@dataclass(frozen=True)
class CJKFont:
    """The font a brief is drawn with: family name, file and face index of each weight."""

    family: str
    path: Path
    index: int
    bold_path: Path | None
    bold_index: int

    def font_properties(self, *, bold: bool = False, size: float | None = None
                        ) -> font_manager.FontProperties:
        return font_manager.FontProperties(family=self.family,
                                           weight="bold" if bold else "normal", size=size)

    @property
    def codepoints(self) -> frozenset[int]:
        """Every code point the regular face maps to a glyph (its ``cmap``)."""
        return _cmap(str(self.path), self.index)


def find_cjk_font(families: tuple[str, ...] = CJK_FAMILIES) -> CJKFont:
    """The first of ``families`` that is installed, or :class:`FontMissingError`."""
    entries = font_manager.fontManager.ttflist
    for family in families:
        regular = [e for e in entries if e.name == family and e.style == "normal"]
        if not regular:
            continue
        normal = min(regular, key=lambda e: abs(int(e.weight) - 400) if str(e.weight).isdigit()
                     else 0)
        bold = [e for e in regular if str(e.weight).isdigit() and int(e.weight) >= 600]
        return CJKFont(
            family=family, path=Path(normal.fname), index=int(getattr(normal, "index", 0)),
            bold_path=Path(bold[0].fname) if bold else None,
            bold_index=int(getattr(bold[0], "index", 0)) if bold else 0,
        )
    raise refusal(FontMissingError, "brief.font_missing",
                  {"families": list(families), "install": INSTALL_HINT})


@functools.cache
def default_cjk_font() -> CJKFont:
    """The CJK font of every brief (found once per process), in its lean copy when one can
    be made (:func:`lean_font`)."""
    return lean_font(find_cjk_font())


#: Tables a static page never uses: OpenType layout (Chinese needs no shaping here) and
#: vertical metrics. Without them each PDF's font subset is made about twice as fast.
_LEAN_DROP = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "VORG", "vhea", "vmtx", "DSIG")


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "geo-app" / "fonts"


def lean_font(font: CJKFont, *, cache: Path | None = None) -> CJKFont:
    """A copy of a Noto CJK font's faces as single-face OpenType files without layout
    tables, cached (keyed by the source file's size and time) and registered with
    matplotlib under the family ``"<family> geo_app"``.

    Embedding a subset of a 20 MB font collection in a PDF costs about 0.5 s per subset;
    the lean copy halves that. Glyphs and character map are unchanged. Any failure (cache
    not writable, another font) returns ``font`` itself: slower, same result.
    """
    from fontTools.ttLib import TTLibError

    if not font.family.startswith("Noto"):
        return font  # other licences may reserve their names: never modified
    family = f"{font.family} geo_app"
    try:
        folder = cache or _cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        regular = _lean_copy(font.path, font.index, family, folder)
        bold = (_lean_copy(font.bold_path, font.bold_index, family, folder)
                if font.bold_path is not None else None)
        for path in (regular, bold):
            if path is not None:
                font_manager.fontManager.addfont(str(path))
    except (OSError, ValueError, KeyError, TTLibError):
        return font
    return CJKFont(family, regular, 0, bold, 0)


def _lean_copy(src: Path, index: int, family: str, folder: Path) -> Path:
    from fontTools.ttLib import TTFont

    stat = src.stat()
    target = folder / f"{src.stem}-{index}-{stat.st_size}-{stat.st_mtime_ns}.otf"
    if target.exists():
        return target
    collection = src.suffix.lower() in (".ttc", ".otc")
    tt = TTFont(str(src), fontNumber=index) if collection else TTFont(str(src))
    try:
        for tag in _LEAN_DROP:
            if tag in tt:
                del tt[tag]
        for record in tt["name"].names:
            if record.nameID in (1, 16):
                record.string = family
        fd, tmp = tempfile.mkstemp(prefix=".lean-", suffix=".otf", dir=folder)
        os.close(fd)
        try:
            tt.save(tmp)
            os.replace(tmp, target)  # atomic: a concurrent maker writes the same bytes
        finally:
            Path(tmp).unlink(missing_ok=True)
    finally:
        tt.close()
    return target


@functools.cache
def _cmap(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True) if path.lower().endswith(
        (".ttc", ".otc")) else TTFont(path, lazy=True)
    try:
        return frozenset(font.getBestCmap().keys())
    finally:
        font.close()


def missing_glyphs(text: str, font: CJKFont | None = None) -> list[str]:
    """The characters of ``text`` (spaces aside) that ``font`` has no glyph for."""
    cps = (font or default_cjk_font()).codepoints
    return [ch for ch in text if not ch.isspace() and ord(ch) not in cps]


def inert_text(value: object, font: CJKFont | None = None) -> str:
    """``value`` as text the font can draw literally: control characters, line and
    paragraph separators and characters missing from the font become ``\\uXXXX`` escapes.

    Newlines are kept (callers put them on purpose); ``$`` stays a dollar sign because
    every brief text is drawn with ``parse_math=False``.
    """
    text = "" if value is None else str(value)
    cps = (font or default_cjk_font()).codepoints
    out = []
    for ch in text:
        if ch == "\n" or ch == " " or (ch.isprintable() and ord(ch) in cps):
            out.append(ch)
        else:
            out.append(ascii(ch)[1:-1])
    return "".join(out)

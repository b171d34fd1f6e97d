"""The CJK font: found, covers the Chinese a brief prints, and a missing one is a clear error."""

from __future__ import annotations

import pytest
from fontTools.ttLib import TTFont

from geo_app.briefs.fonts import (
    FontMissingError,
    default_cjk_font,
    find_cjk_font,
    inert_text,
    lean_font,
    missing_glyphs,
)

#: Chinese every brief prints: place names, stages, units, legend words.
KNOWN_CJK = "挑水村新店村老湾村青春化工园曾都区界净地供地拟征收公告亩米图例北坐标系高斯克吕格"


def _font_cmap() -> set[int]:
    """The regular face's character map, read with fontTools directly (not via geo_app)."""
    font = default_cjk_font()
    tt = TTFont(str(font.path), fontNumber=font.index, lazy=True)
    try:
        return set(tt.getBestCmap())
    finally:
        tt.close()


def test_the_font_is_a_real_cjk_font_covering_every_known_glyph() -> None:
    cmap = _font_cmap()
    assert [ch for ch in KNOWN_CJK if ord(ch) not in cmap] == []
    assert missing_glyphs(KNOWN_CJK) == []
    # and the check does find a gap: a Linear B syllable no CJK font carries
    assert missing_glyphs("挑\U00010000") == ["\U00010000"]


def test_a_missing_font_is_an_error_naming_the_package() -> None:
    with pytest.raises(FontMissingError) as err:
        find_cjk_font(("No Such CJK Font",))
    assert "apt-get install fonts-noto-cjk" in str(err.value)
    assert "No Such CJK Font" in str(err.value)


@pytest.mark.parametrize(("raw", "shown"), [
    ("挑水村", "挑水村"),
    ("$x^2$ & <b>", "$x^2$ & <b>"),
    ("a\u2028b\u2029c", "a\\u2028b\\u2029c"),
    ("bell\x07", "bell\\x07"),
    ("\U00010000", "\\U00010000"),
    (None, ""),
])
def test_inert_text_escapes_what_cannot_be_drawn_and_keeps_the_rest(raw: object,
                                                                    shown: str) -> None:
    assert inert_text(raw) == shown


def test_the_lean_copy_keeps_every_character_of_the_installed_font(tmp_path) -> None:
    original = find_cjk_font()
    lean = lean_font(original, cache=tmp_path)
    assert lean.path.parent == tmp_path and lean.family != original.family
    tt = TTFont(str(original.path), fontNumber=original.index, lazy=True)
    try:
        assert lean.codepoints == frozenset(tt.getBestCmap())
    finally:
        tt.close()
    with TTFont(str(lean.path), lazy=True) as copy:
        assert "GSUB" not in copy


def test_no_lean_copy_where_the_cache_cannot_be_written(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    original = find_cjk_font()
    assert lean_font(original, cache=blocker / "fonts") == original

"""A brief refused for a user mistake says so in the user's language: ``geo-app brief`` in
Chinese or English (``GEO_APP_LANG`` / ``--lang``), the brief widget in the page's language;
one line, no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo_app.briefs import find_cjk_font
from geo_app.domain.messages import render
from geo_app.errors import GeoAppError
from geo_app.settings import BUNDLED_LAYERS

TIMEOUT_S = 90.0

#: (arguments, Chinese message, English message): whole messages, as a user reads them.
CASES = [
    (("village", "Nowhere", "--out", "{dir}/b.pdf"),
     "没有名为“Nowhere”的村庄。村庄图层共有 44 个村庄，可用 geo-app layers 或“图层”页面查看。",
     "There is no village named 'Nowhere'. The layer has 44 villages; list them with "
     "`geo-app layers` or the Layers page."),
    (("village", "挑水", "--out", "{dir}/b.pdf"),
     "没有名为“挑水”的村庄。您要找的是否为：挑水村？",
     "There is no village named '挑水'. Did you mean: 挑水村?"),
    (("park", "没有的园", "--out", "{dir}/b.pdf"),
     "没有名为“没有的园”的园区。园区图层共有 7 个园区，可用 geo-app layers 或“图层”页面查看。",
     "There is no park named '没有的园'. The layer has 7 parks; list them with "
     "`geo-app layers` or the Layers page."),
    (("village", "挑水村", "--out", "{dir}/b.jpg"),
     "无法将简报写入“b.jpg”：“.jpg”不是简报格式。文件名须以 .pdf 或 .png 结尾。",
     "Cannot write a brief to 'b.jpg': '.jpg' is not a brief format. End the file name in "
     ".pdf or .png."),
    (("village", "挑水村", "--out", "{dir}/brief"),
     "无法将简报写入“brief”：文件名没有扩展名。文件名须以 .pdf 或 .png 结尾。",
     "Cannot write a brief to 'brief': the name has no extension. End the file name in "
     ".pdf or .png."),
    (("progress", "--size", "a3", "--out", "{dir}/b.pdf"),
     "--size 须为 a4 或 slide，而不是“a3”。",
     "--size must be a4 or slide, not 'a3'."),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("args", "zh", "en"), CASES)
def test_cli_refusals_in_the_users_language(brief_cli, monkeypatch, tmp_path: Path,
                                            lang, args, zh, en) -> None:
    monkeypatch.setenv("GEO_APP_LANG", lang)
    argv = [a.format(dir=tmp_path) for a in args]
    res = brief_cli("brief", *argv, "--store", str(BUNDLED_LAYERS))
    assert res.code == 2
    assert res.err == f"error: {zh if lang == 'zh' else en}\n"
    assert list(tmp_path.iterdir()) == []


def test_the_lang_option_picks_chinese_over_the_environment(brief_cli, tmp_path: Path) -> None:
    res = brief_cli("--lang", "zh", "brief", "park", "化工园", "--out", str(tmp_path / "b.pdf"),
                    "--store", str(BUNDLED_LAYERS))
    assert res.code == 2
    assert res.err == "error: 没有名为“化工园”的园区。您要找的是否为：青春化工园、化工片区？\n"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_chinese_font_is_said_in_both_languages(brief_cli, monkeypatch, tmp_path: Path,
                                                   lang) -> None:
    from geo_app.briefs import render as render_module

    monkeypatch.setattr(render_module, "default_cjk_font",
                        lambda: find_cjk_font(("No Such CJK Font",)))
    monkeypatch.setenv("GEO_APP_LANG", lang)
    res = brief_cli("brief", "village", "挑水村", "--out", str(tmp_path / "b.pdf"),
                    "--store", str(BUNDLED_LAYERS))
    assert res.code == 2
    expected = {
        "zh": "error: 未安装中文字体，简报中的汉字将显示为空白方框（已查找：No Such CJK Font）。"
              "请以管理员身份运行 `apt-get install fonts-noto-cjk`（Debian/Ubuntu）安装后重试。\n",
        "en": "error: No Chinese font is installed, so a brief would show empty boxes instead "
              "of Chinese (looked for: No Such CJK Font). Install one with `apt-get install "
              "fonts-noto-cjk` (Debian/Ubuntu, as root) and run again.\n",
    }
    assert res.err == expected[lang]
    assert list(tmp_path.iterdir()) == []


def test_font_lists_are_joined_with_the_languages_separator() -> None:
    with pytest.raises(GeoAppError) as err:
        find_cjk_font(("Font A", "Font B"))
    assert "（已查找：Font A、Font B）" in render(err.value, "zh")
    assert "(looked for: Font A, Font B)" in render(err.value, "en")
    assert "(looked for: Font A, Font B)" in str(err.value)


# --- the widget --------------------------------------------------------------------------------


def _widget(name: str, lang: str) -> None:
    from geo_app.ui.brief_widget import brief_buttons

    brief_buttons("village", name, lang, key="b")


@pytest.mark.parametrize(("lang", "says"), [
    ("zh", "没有名为“没有这个村”的村庄。村庄图层共有 44 个村庄"),
    ("en", "There is no village named '没有这个村'. The layer has 44 villages"),
])
def test_the_widget_says_an_unknown_name_in_the_pages_language(sample_gpkg, monkeypatch,
                                                                lang, says) -> None:
    monkeypatch.setenv("GEO_APP_STORE", str(sample_gpkg))
    at = AppTest.from_function(_widget, args=("没有这个村", lang),
                               default_timeout=TIMEOUT_S).run()
    at.button(key="b_prepare").click().run()
    assert not at.exception, at.exception
    (error,) = at.error
    shown = error.value.replace("\\", "")  # markdown escapes removed, as a reader sees it
    assert shown.startswith(says)
    if lang == "zh":
        assert "There is" not in shown
    assert not at.get("download_button")

"""geo_app.textsafe: HTML text and JSON inside <script>, with payloads that would execute.

Known answers are written out by hand; the round trip is checked with the standard
library's own parsers (``html.unescape``, ``json.loads``) and with Python's HTML
tokenizer (``html.parser``), which follows the same script-data rules as browsers.
"""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser

import pytest

from geo_app.textsafe import escape_script_json, html_text, script_json

PAYLOADS = (
    'y<img src=x onerror="parent.document.body.style.background=\'red\'">',
    "</script><script>window.__pwned = 1</script>",
    "<!--<script>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "a\u2028b\u2029c",
    "{{ 7*7 }} & &amp; ' \"",
    "<svg/onload=alert(1)>",
    "]]><!-- --!> <![CDATA[",
)


class _Tags(HTMLParser):
    """Start tags and the text of every <script>, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def test_html_text_known_answers():
    assert html_text('y<img src=x onerror="a()">') == (
        "y&lt;img src=x onerror=&quot;a()&quot;&gt;")
    assert html_text("A & B's") == "A &amp; B&#x27;s"
    assert html_text("随州高新区 plain") == "随州高新区 plain"
    assert html_text(None) == ""
    assert html_text(12.5) == "12.5"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_text_leaves_no_markup_and_round_trips(payload):
    escaped = html_text(payload)
    assert not set("<>\"'") & set(escaped)
    assert html.unescape(escaped) == payload
    parser = _Tags()
    parser.feed(f'<div title="{escaped}">{escaped}</div>')
    assert parser.tags == ["div"]


def test_script_json_known_answers():
    assert script_json("</script>") == '"\\u003c/script\\u003e"'
    assert script_json("<!--<script>") == '"\\u003c!--\\u003cscript\\u003e"'
    assert script_json("a&b") == '"a\\u0026b"'
    assert script_json("a\u2028b\u2029") == '"a\\u2028b\\u2029"'
    assert script_json({"名称": "净地", "n": [1, 2.5, None]}) == (
        '{"名称":"净地","n":[1,2.5,null]}')


@pytest.mark.parametrize("payload", PAYLOADS)
def test_script_json_keeps_the_value_and_stays_inside_its_script(payload):
    value = {"name": payload, payload: [payload]}
    text = script_json(value)
    assert json.loads(text) == value
    assert not set("<>&\u2028\u2029") & set(text)
    parser = _Tags()
    parser.feed(f"<script>var d = {text};</script><p>after</p>")
    assert parser.tags == ["script", "p"]
    assert parser.scripts == [f"var d = {text};"]


def test_escape_script_json_on_foreign_json_text():
    foreign = json.dumps(["</script>", "<!--", "a&b", "\u2028"], ensure_ascii=False)
    escaped = escape_script_json(foreign)
    assert json.loads(escaped) == json.loads(foreign)
    assert escaped == '["\\u003c/script\\u003e","\\u003c!--","a\\u0026b","\\u2028"]'.replace(
        ",", ", ")


def test_unescaped_json_would_break_out_of_the_script():
    """The check above can fail: raw JSON of the same payload ends the script early."""
    raw = json.dumps("</script><p>injected</p>")
    parser = _Tags()
    parser.feed(f"<script>var d = {raw};</script>")
    assert "p" in parser.tags

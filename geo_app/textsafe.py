"""Text that leaves the program, escaped for the context it enters.

Every user-supplied string (layer and feature names, attribute names and values, legend
entries, class labels, titles, officer, note, evidence …) is escaped for where it goes.
One pure function per context; none of them raises on odd text, and each is safe to
apply to a value that contains nothing special (it then returns it unchanged):

- :func:`html_text`: HTML text or a quoted attribute value (``&``, ``<``, ``>``, ``"``,
  ``'``). Leaflet's layer control, for instance, renders layer names as HTML.
- :func:`script_json`: a value as JSON that is safe *inside* an HTML ``<script>``
  element: ``<``, ``>``, ``&``, U+2028 and U+2029 are written as ``\\u003c`` … so no
  ``</script>``, ``<!--`` or ``<script`` can end the element early or switch the HTML
  parser into its "script data escaped" states (where ``<!--<script>`` makes the rest
  of the page disappear). The JSON denotes exactly the same value.
- :func:`escape_script_json`: the same escaping for JSON text serialised elsewhere (for
  example ``DataFrame.to_json``); the characters it replaces can only occur inside JSON
  strings, so the text stays valid JSON with the same meaning.

Markdown, terminal and spreadsheet contexts belong here too (``markdown_text``,
``terminal_text``, ``spreadsheet_text``).
"""

from __future__ import annotations

import html
import json

__all__ = ["escape_script_json", "html_text", "script_json"]

#: Characters never left raw in JSON placed inside ``<script>``, and their JSON escapes.
_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_PAIRS = tuple(_SCRIPT_ESCAPES.items())


def html_text(value: object) -> str:
    """``value`` as HTML text, also safe in a quoted attribute value.

    ``None`` becomes ``""``; anything else is converted with ``str`` first.

    >>> html_text('y<img src=x onerror="alert(1)">')
    'y&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    if value is None:
        return ""
    return html.escape(str(value), quote=True)


def escape_script_json(json_text: str) -> str:
    """JSON text made safe to place inside an HTML ``<script>`` element.

    Parameters
    ----------
    json_text
        Valid JSON (any serialiser). ``<``, ``>``, ``&``, U+2028 and U+2029 can only
        occur inside its strings, where their ``\\uXXXX`` escapes mean the same.
    """
    # One C-speed scan per character, and a copy only for those present: about ten times
    # faster than ``str.translate`` with a dict on large payloads (benchmarks/).
    for char, escape in _SCRIPT_PAIRS:
        if char in json_text:
            json_text = json_text.replace(char, escape)
    return json_text


def script_json(value: object, *, ensure_ascii: bool = False) -> str:
    """``value`` as compact JSON that is safe inside an HTML ``<script>`` element.

    Non-ASCII text stays readable (``ensure_ascii=False``) except the characters
    listed in the module docstring.

    >>> script_json("</script><!--<script>")
    '"\\\\u003c/script\\\\u003e\\\\u003c!--\\\\u003cscript\\\\u003e"'
    """
    text = json.dumps(value, ensure_ascii=ensure_ascii, separators=(",", ":"))
    return escape_script_json(text)

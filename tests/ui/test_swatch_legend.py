"""The shared swatch legend escapes its labels: a hostile label stays text."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _legend_app() -> None:
    from geo_app.ui.components import swatch_legend

    swatch_legend([('<img src=x onerror="window.__pwned=1">', "background:#f00"),
                   ("净地 & 供地", "border:2px solid #00f")])


def test_labels_are_html_escaped_and_css_kept():
    at = AppTest.from_function(_legend_app).run()
    assert not at.exception
    [html] = [m.value for m in at.markdown]
    assert "<img" not in html and "&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;" in html
    assert "净地 &amp; 供地" in html
    assert "background:#f00" in html and "border:2px solid #00f" in html

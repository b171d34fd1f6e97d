"""Showing text that came from users (file names, field names, values, messages quoting them)
inside markdown without it becoming links, images, emphasis or HTML."""

from __future__ import annotations

_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$"


def md_text(text: object) -> str:
    """``text`` shown literally inside markdown: every markdown character is escaped."""
    return "".join(f"\\{c}" if c in _MD_SPECIAL else c for c in str(text))

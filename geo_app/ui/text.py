"""Showing text that came from users (file names, field names, values, messages quoting them)
inside markdown without it becoming links, images, emphasis or HTML.

Streamlit renders markdown in ``st.markdown``, ``st.caption``, ``st.info``/``warning``/
``error``/``success``, headers, metric labels, widget labels and the options of pills and
segmented controls. A parcel name such as ``![t](http://host/beacon.png)`` would make the
browser fetch that URL, ``[x](javascript:…)`` would be a live link. Every user-supplied
string shown there goes through :func:`md_text` (or :func:`md_line` inside a table cell or
a one-line label); tables of data are shown with ``st.dataframe``, which renders nothing.
"""

from __future__ import annotations

#: CommonMark's punctuation that starts markup: emphasis, code, links and images, headings
#: and lists, tables, HTML and entities, strikethrough, LaTeX (``$``), and ``:`` (else the
#: parser reads ``http://…`` as a bare-URL link up to the next space and shows the escapes
#: inside it as backslashes). Such a URL may still be shown as a plain link (GFM also
#: finds bare URLs in the text once escapes are resolved), exactly as written: never an
#: image, never a ``javascript:`` link.
_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$&:"


def md_text(text: object) -> str:
    """``text`` shown literally inside markdown: every markdown character is escaped."""
    return "".join(f"\\{c}" if c in _MD_SPECIAL else c for c in str(text))


def md_line(text: object) -> str:
    """:func:`md_text` on one line: line breaks become spaces (table cells, labels)."""
    return md_text(" ".join(str(text).splitlines()))


def card_title(feature_id: object, name: object) -> str:
    """``<id> <name>`` for a header, both escaped; no name (missing or NaN) → just the id."""
    shown = "" if _blank(name) else str(name).strip()
    return md_line(f"{feature_id} {shown}" if shown else str(feature_id))


def _blank(value: object) -> bool:
    """None, NaN or pandas' NA (whose comparison cannot be made a bool)."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:
        return True

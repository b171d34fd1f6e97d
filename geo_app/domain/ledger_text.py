"""Free text at the ledger's door: officer, note, evidence and correction reason.

Every free-text field of a stage event passes :func:`clean_ledger_text` before it is
checked against the workflow, so both stores refuse the same text before they write.

Rules
-----
- Surrounding whitespace (spaces, tabs, line breaks, the ideographic space ``U+3000``) is
  removed. In the multi-line fields ``\\r\\n`` and ``\\r`` become ``\\n``.
- Control characters are refused: C0 (``U+0000``–``U+001F``, e.g. NUL and ESC), DEL, C1
  (``U+0080``–``U+009F``), the bidirectional embeddings, overrides and isolates
  (``U+202A``–``U+202E``, ``U+2066``–``U+2069``, which make text read in another order than
  it is stored), the line and paragraph separators ``U+2028``/``U+2029`` and lone
  surrogates. Only the multi-line fields (note, correction reason, see
  :data:`MULTILINE_FIELDS`) may keep line breaks ``\\n`` and tabs inside the text: a note is
  typed in a text area, while a name or a document number is one line. Refusing (rather
  than silently dropping) tells the officer that what was pasted is not what is shown.
- The text is normalised to Unicode NFC (so the same name typed on two systems is stored
  the same), then its length in characters is limited (:data:`LEDGER_TEXT_MAX_CHARS`).
"""

from __future__ import annotations

import unicodedata

from geo_app.domain.messages import refusal
from geo_app.errors import InputError

#: Longest value (characters, after NFC) each free-text field of an event may have.
LEDGER_TEXT_MAX_CHARS: dict[str, int] = {
    "parcel_id": 100,
    "officer": 100,
    "evidence": 200,
    "note": 2000,
    "correction_reason": 2000,
}

#: Fields that may keep line breaks and tabs inside the text.
MULTILINE_FIELDS: frozenset[str] = frozenset({"note", "correction_reason"})

_C0_NAMES = (
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF", "VT", "FF",
    "CR", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM",
    "SUB", "ESC", "FS", "GS", "RS", "US",
)
_C1_NAMES = (
    "PAD", "HOP", "BPH", "NBH", "IND", "NEL", "SSA", "ESA", "HTS", "HTJ", "VTS", "PLD",
    "PLU", "RI", "SS2", "SS3", "DCS", "PU1", "PU2", "STS", "CCH", "MW", "SPA", "EPA", "SOS",
    "SGCI", "SCI", "CSI", "ST", "OSC", "PM", "APC",
)
_BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
)
_SEPARATORS = frozenset("\u2028\u2029")
_KEPT_IN_MULTILINE = frozenset("\n\t")
# whitespace removed around a value: every Unicode space that is not itself refused
_STRIPPABLE = "".join(
    c for c in map(chr, range(0x3001))
    if c.isspace() and c not in "\x1c\x1d\x1e\x1f\x85" and c not in _SEPARATORS
)


def clean_ledger_text(field: str, value: str | None, *, max_chars: int) -> str:
    """``value`` stripped and NFC-normalised, or a refusal naming ``field``.

    Parameters
    ----------
    field
        The event field (``officer``, ``note``, ``evidence``, ``correction_reason``,
        ``parcel_id``); it names the field in the message and decides whether line breaks
        and tabs may stay (:data:`MULTILINE_FIELDS`).
    value
        The text as given; ``None`` is the empty text.
    max_chars
        Longest allowed length in characters after normalisation
        (:data:`LEDGER_TEXT_MAX_CHARS` holds each field's limit).

    Returns
    -------
    str
        The cleaned text, possibly empty (whether a field is required is the workflow's
        rule, not this function's).

    Raises
    ------
    InputError
        Code ``text.control_character`` (params ``field``, ``char`` like ``"U+001B ESC"``,
        ``position`` counted in characters from 1, after the surrounding whitespace) or
        ``text.too_long`` (params ``field``, ``length``, ``max_chars``).
    """
    if value is None:
        return ""
    text = str(value)
    allowed: frozenset[str] = frozenset()
    if field in MULTILINE_FIELDS:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        allowed = _KEPT_IN_MULTILINE
    text = text.strip(_STRIPPABLE)
    for position, char in enumerate(text, start=1):
        if char not in allowed and _refused(char):
            raise refusal(InputError, "text.control_character",
                          {"field": field, "char": describe_char(char), "position": position})
    text = unicodedata.normalize("NFC", text)
    if len(text) > max_chars:
        raise refusal(InputError, "text.too_long",
                      {"field": field, "length": len(text), "max_chars": max_chars})
    return text


def _refused(char: str) -> bool:
    code = ord(char)
    return (
        code < 0x20
        or 0x7F <= code <= 0x9F
        or char in _BIDI_CONTROLS
        or char in _SEPARATORS
        or 0xD800 <= code <= 0xDFFF
    )


def describe_char(char: str) -> str:
    """``U+001B ESC``, ``U+202E RIGHT-TO-LEFT OVERRIDE``: a character's code and name."""
    code = ord(char)
    if code < 0x20:
        name = _C0_NAMES[code]
    elif code == 0x7F:
        name = "DEL"
    elif 0x80 <= code <= 0x9F:
        name = _C1_NAMES[code - 0x80]
    elif 0xD800 <= code <= 0xDFFF:
        name = "SURROGATE"
    else:
        name = unicodedata.name(char, "")
    return f"U+{code:04X} {name}".rstrip()

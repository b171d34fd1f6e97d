"""Text encodings of Chinese GIS files: UTF-8 or GB18030 (a superset of GBK/GB2312)."""

from __future__ import annotations

import codecs

#: Encodings a user may name with ``--encoding`` (normalised by :func:`normalise_encoding`).
GB_FAMILY = ("gb18030", "gbk", "gb2312", "cp936")


def normalise_encoding(name: str) -> str:
    """A Python codec name for a user's ``--encoding`` (``GBK``, ``utf8``, ``cp936``…).

    GBK and GB2312 are read as GB18030, their superset, so no character is lost.
    """
    from geo_app.errors import InputError

    text = (name or "").strip().lower().replace("_", "-")
    try:
        codec = codecs.lookup(text).name
    except LookupError:
        raise InputError(
            f"'{name}' is not a known text encoding. Use utf-8 or gbk (gb18030)."
        ) from None
    return "gb18030" if codec in GB_FAMILY else codec


def detect_text_encoding(data: bytes) -> tuple[str, str]:
    """Decide UTF-8 or GB18030 from the bytes; return the codec and the reason.

    A UTF-8 BOM means ``utf-8-sig``. Bytes that decode as UTF-8 are UTF-8 (GBK text
    almost never does: its two-byte sequences break UTF-8's continuation rules); pure
    ASCII is reported as such. Otherwise GB18030 if it decodes, else an error.
    """
    from geo_app.errors import InputError

    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "the bytes start with a UTF-8 byte-order mark"
    if data.isascii():
        return "utf-8", "the text is plain ASCII (the same in UTF-8 and GBK)"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8", "the non-ASCII bytes are valid UTF-8"
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError(
            "The text is neither UTF-8 nor GBK/GB18030. Say its encoding with --encoding."
        ) from None
    return "gb18030", "the non-ASCII bytes are not UTF-8 but valid GBK/GB18030"

"""UI strings of the feature pages, one module per feature, merged into ``i18n.TEXT``.

Each module holds ``TEXT: dict[str, tuple[str, str]]`` (key -> (Chinese, English)) and
imports nothing from the app, so pages of different features never edit one big file.
A key defined twice is an error at import time.
"""

from __future__ import annotations

from importlib import import_module

#: Feature modules whose strings are merged, in order.
MODULES: tuple[str, ...] = ("meeting", "terrain", "deploy")


def feature_texts() -> dict[str, tuple[str, str]]:
    """Every feature module's strings in one dict (duplicated keys refused)."""
    merged: dict[str, tuple[str, str]] = {}
    for name in MODULES:
        texts: dict[str, tuple[str, str]] = import_module(f"{__name__}.{name}").TEXT
        twice = merged.keys() & texts.keys()
        if twice:
            raise RuntimeError(f"UI text keys defined twice: {sorted(twice)}")
        merged.update(texts)
    return merged

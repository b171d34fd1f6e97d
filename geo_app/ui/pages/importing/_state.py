"""The Import page's session state: its keys and typed accessors."""

from __future__ import annotations

from enum import StrEnum

import folium
import streamlit as st

from geo_app.ui.pages.importing._check import CheckedImport


class ImportKey(StrEnum):
    """Session-state and widget keys of the Import page."""

    UPLOAD = "imp_upload"
    LAYER = "imp_layer"
    NEW_LAYER = "imp_new_layer"
    MODE = "imp_mode"
    CRS = "imp_crs"
    ENCODING = "imp_encoding"
    GCJ02 = "imp_gcj02"
    STRICT = "imp_strict"
    RECORD_STAGES = "imp_record_stages"
    OFFICER = "imp_officer"
    CHECK = "imp_check"
    CONFIRM = "imp_confirm"
    CHECKED = "imp_checked"
    PREVIEW_MAPS = "imp_preview_maps"
    DIGESTS = "imp_digests"
    FLASH = "imp_flash"
    MAP_WIDGET = "imp_map"
    FIELD_PREFIX = "imp_field"
    CONSTANT_PREFIX = "imp_const"


def checked() -> CheckedImport | None:
    """The last check the user ran (whatever file or options are on screen now)."""
    value = st.session_state.get(ImportKey.CHECKED)
    return value if isinstance(value, CheckedImport) else None


def set_checked(value: CheckedImport | None) -> None:
    st.session_state[ImportKey.CHECKED] = value
    st.session_state[ImportKey.PREVIEW_MAPS] = {}


def preview_maps() -> dict[str, folium.Map | None]:
    """The preview map of the current check per language, built once (render copies)."""
    maps = st.session_state.get(ImportKey.PREVIEW_MAPS)
    if not isinstance(maps, dict):
        maps = {}
        st.session_state[ImportKey.PREVIEW_MAPS] = maps
    return maps


def digests() -> dict[str, str]:
    """Content digests of uploads by their file id, so a rerun does not hash them again."""
    value = st.session_state.get(ImportKey.DIGESTS)
    if not isinstance(value, dict):
        value = {}
        st.session_state[ImportKey.DIGESTS] = value
    return value


def flash() -> tuple[str, str] | None:
    """A message (kind, text) to show once at the top, set before a rerun."""
    value = st.session_state.pop(ImportKey.FLASH, None)
    return value if isinstance(value, tuple) else None


def set_flash(kind: str, text: str) -> None:
    st.session_state[ImportKey.FLASH] = (kind, text)


def field_key(digest: str, position: int) -> str:
    """The widget key of the mapping selectbox of the file's ``position``-th column."""
    return f"{ImportKey.FIELD_PREFIX}_{digest[:12]}_{position}"


def constant_key(digest: str, column: str) -> str:
    """The widget key of the one-value-for-all box of the layer field ``column``."""
    return f"{ImportKey.CONSTANT_PREFIX}_{digest[:12]}_{column}"

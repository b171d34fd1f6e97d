"""Export a layer of the store as a file: one small widget shared by the layer-table and map
pages.

The user picks the format (and the text encoding for Shapefile and boundary TXT) and presses
"prepare": only then are the bytes made, by
:func:`geo_app.transfer.export.export_layer_bytes`, cached per store version, layer, format
and encoding, and offered by a download button.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from geo_app.errors import GeoAppError
from geo_app.io.export import ExportFormat
from geo_app.storage import open_store
from geo_app.transfer.export import export_layer_bytes
from geo_app.ui.i18n import TEXT, Lang, t
from geo_app.ui.tables import layer_label
from geo_app.ui.text import md_text

#: Formats whose text encoding the user chooses (first: the default).
ENCODED_FORMATS: frozenset[str] = frozenset({"shp", "boundary-txt"})
ENCODINGS: tuple[str, ...] = ("gbk", "utf-8")



@st.cache_data(show_spinner=False, max_entries=8)
def export_bytes(location: str, token: str, layer: str, fmt: str, encoding: str | None
                 ) -> tuple[bytes, str, str]:
    """The layer as a file (bytes, file name, MIME type), made once per store version."""
    store = open_store(location)
    try:
        return export_layer_bytes(store, layer, fmt=ExportFormat(fmt), encoding=encoding)
    finally:
        store.close()


def format_label(fmt: str, lang: str) -> str:
    key = f"exp.fmt.{fmt}"
    return t(key, lang) if key in TEXT else str(fmt)


def export_widget(location: str, token: str, layers: str | Sequence[str], lang: Lang, *,
                  key: str) -> None:
    """A popover with the export choices and, once prepared, the download button.

    ``layers`` is the layer to export, or the layers to choose from; ``key`` prefixes the
    widget keys (one widget per page).
    """
    with st.popover(t("exp.title", lang), icon=":material/file_export:"):
        if isinstance(layers, str):
            layer: str | None = layers
        else:
            layer = st.selectbox(t("layers.pick", lang), list(layers), key=f"{key}_layer",
                                 format_func=lambda n: layer_label(n, lang))
        fmt = st.selectbox(t("exp.format", lang), [f.value for f in ExportFormat],
                           key=f"{key}_format", format_func=lambda f: format_label(f, lang))
        encoding = None
        if fmt in ENCODED_FORMATS:
            encoding = st.selectbox(t("exp.encoding", lang), ENCODINGS, key=f"{key}_encoding",
                                    format_func=str.upper)
        if layer is None or fmt is None:
            return
        choice = (location, token, layer, str(fmt), encoding)
        ready_key = f"{key}_ready"
        if st.button(t("exp.prepare", lang), key=f"{key}_prepare"):
            st.session_state[ready_key] = choice
        if st.session_state.get(ready_key) != choice:
            return
        try:
            data, file_name, mime = export_bytes(*choice)
        except GeoAppError as exc:
            st.error(md_text(exc))
            return
        st.download_button(t("exp.download", lang, file=file_name), data=data,
                           file_name=file_name, mime=mime, on_click="ignore",
                           key=f"{key}_download", icon=":material/download:", type="primary")

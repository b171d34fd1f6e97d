"""Layers and tables: any layer's attributes with computed areas, sortable, downloadable."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo_app.ui import loaders, state
from geo_app.ui.components import error_boundary, store_caption
from geo_app.ui.export_widget import export_widget
from geo_app.ui.i18n import t
from geo_app.ui.state import Key
from geo_app.ui.tables import area_formats, csv_bytes, excel_bytes, layer_label, layer_table

ROW_PX = 35
MAX_TABLE_PX = 600


@st.cache_data(show_spinner=False, max_entries=16)
def _table(location: str, token: str, layer: str, lang: str) -> pd.DataFrame:
    return layer_table(loaders.load_store(location, token).layer(layer), layer, lang=lang)


def render() -> None:
    lang = state.lang()
    st.title(t("page.layers", lang))
    with error_boundary(lang):
        location, token = loaders.current_store()
        data = loaders.load_store(location, token)
        store_caption(location, lang)
        names = list(data.layers)
        first = names.index("parcels") if "parcels" in names else 0
        layer = st.selectbox(t("layers.pick", lang), names, key=Key.TABLE_LAYER, index=first,
                             format_func=lambda n: layer_label(n, lang))
        if layer is None:
            return
        table = _table(location, token, layer, lang)
        plane = data.planes.get(layer)
        if plane is not None:
            st.caption(t("layers.caption", lang, count=len(table), crs=plane.name),
                       help=plane.reason)
        else:
            st.caption(t("layers.caption_plain", lang, count=len(table)))
        # thousands separators; m² to 0.1, mu and ha to 0.01 (downloads keep every digit)
        number = {header: st.column_config.NumberColumn(format=fmt) for header, fmt in
                  area_formats(layer, data.layer(layer).columns, lang).items()}
        st.dataframe(table, hide_index=True, width="stretch", column_config=number,
                     height=min(ROW_PX * (len(table) + 1) + 3, MAX_TABLE_PX))
        stem = f"{layer}_{lang}"
        buttons = st.container(horizontal=True)
        buttons.download_button(t("layers.csv", lang), data=lambda: csv_bytes(table),
                             file_name=f"{stem}.csv", mime="text/csv", on_click="ignore",
                             icon=":material/download:")
        buttons.download_button(
            t("layers.excel", lang),
            data=lambda: excel_bytes(table, sheet=layer_label(layer, lang)),
            file_name=f"{stem}.xlsx", on_click="ignore", icon=":material/download:",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        with buttons:
            export_widget(location, token, layer, lang, key="table_export")

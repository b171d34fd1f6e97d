"""The Streamlit entry: page config, language switch, navigation between the pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from geo_app.ui.components import language_switch, page_style
from geo_app.ui.i18n import t
from geo_app.ui.pages import (
    acquisition,
    dashboard,
    importing,
    layer_table,
    present,
    terrain,
    zone_map,
)


@dataclass(frozen=True)
class PageDef:
    url: str
    title_key: str
    render: Callable[[], None]


#: The pages in menu order; a new page is one module and one line here. No page icons:
#: a page's icon becomes the favicon, a ``:material/...:`` favicon is fetched from
#: fonts.gstatic.com (unreachable offline) and emoji need a colour-emoji font that
#: intranet desktops often lack.
PAGES: tuple[PageDef, ...] = (
    PageDef("map", "page.map", zone_map.render),
    PageDef("dashboard", "page.dashboard", dashboard.render),
    PageDef("acquisition", "page.acquisition", acquisition.render),
    PageDef("layers", "page.layers", layer_table.render),
    PageDef("import", "page.import", importing.render),
    PageDef("terrain", "terrain.page", terrain.render),
    PageDef("present", "present.page", present.render),
)


def main(default_page: str = "map") -> None:
    """Run one script pass of the app, opening ``default_page`` when no page is chosen."""
    st.set_page_config(page_title="随州高新区 Suizhou High-tech Zone", layout="wide",
                       initial_sidebar_state="expanded")
    page_style()
    lang = language_switch()
    pages = [
        st.Page(p.render, title=t(p.title_key, lang), url_path=p.url,
                default=p.url == default_page)
        for p in PAGES
    ]
    st.navigation(pages).run()

"""The Present page in Streamlit's AppTest: buttons turn the slides, the counter follows,
and a store that lacks what the storyboard needs is explained, never a red box."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyogrio
import pytest
from streamlit.testing.v1 import AppTest

from geo_app.settings import BUNDLED_LAYERS

TIMEOUT_S = 90.0


def _page() -> None:
    from geo_app.ui.app import main

    main(default_page="present")


def _html(at: AppTest) -> str:
    return "\n".join(str(getattr(e, "proto", e)) for e in at.get("html"))


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "s.gpkg"
    shutil.copyfile(BUNDLED_LAYERS, path)
    monkeypatch.setenv("GEO_APP_STORE", str(path))
    return path


def test_next_and_previous_buttons_turn_the_slides(store):
    at = AppTest.from_function(_page, default_timeout=TIMEOUT_S).run()
    assert not at.exception and not at.error
    assert "1 / 12" in _html(at) and "随州高新区" in _html(at)
    at.button(key="present_next").click().run()
    assert "2 / 12" in _html(at) and "城东片区" in _html(at)
    at.button(key="present_prev").click().run()
    assert "1 / 12" in _html(at)
    assert at.button(key="present_prev").disabled


def test_a_store_without_the_layers_is_explained_not_an_error(tmp_path, monkeypatch):
    path = tmp_path / "boundary_only.gpkg"
    gdf = pyogrio.read_dataframe(BUNDLED_LAYERS, layer="boundary")
    pyogrio.write_dataframe(gdf, path, layer="boundary", driver="GPKG")
    monkeypatch.setenv("GEO_APP_STORE", str(path))
    at = AppTest.from_function(_page, default_timeout=TIMEOUT_S).run()
    assert not at.exception and not at.error
    said = " ".join(str(w.value) for w in at.warning)
    assert "parks" in said  # the first slide's missing layer is named

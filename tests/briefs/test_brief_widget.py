"""The brief widget: nothing drawn before "make the brief", then a real PDF and PNG whose
figures are the dashboard's; an unknown name is a message, not a traceback."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from geo_app.analysis.dashboard import acquisition_progress
from geo_app.ui import loaders
from geo_app.ui.brief_widget import brief_bytes, brief_file_stem

TIMEOUT_S = 90.0
KEY = "b"


def _script(kind: str, name: str | None) -> None:
    from geo_app.ui.brief_widget import brief_buttons

    brief_buttons(kind, name, "zh", key="b")


@pytest.fixture
def store_env(sample_gpkg: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("GEO_APP_STORE", str(sample_gpkg))
    return str(sample_gpkg)


def _run(kind: str, name: str | None) -> AppTest:
    at = AppTest.from_function(_script, args=(kind, name), default_timeout=TIMEOUT_S).run()
    assert not at.exception, at.exception
    return at


def test_nothing_is_drawn_before_make_then_pdf_and_png(store_env: str) -> None:
    at = _run("progress", None)
    assert not at.get("download_button")
    at.button(key=f"{KEY}_prepare").click().run()
    assert not at.exception, at.exception
    buttons = at.get("download_button")
    assert len(buttons) == 2
    token = loaders.store_token(store_env)
    pdf, png = brief_bytes(store_env, token, "progress", None, None, "zh", "a4")
    assert png.startswith(b"\x89PNG")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    phases = acquisition_progress(loaders.load_store(store_env, token).layer("parcels"))
    for p in phases:  # the dashboard's own figures, as the dashboard computes them
        assert f"{p.net_land_mu:,.2f} / {p.target_mu:,.0f} 亩" in text


def test_an_unknown_name_is_a_message(store_env: str) -> None:
    at = _run("village", "没有这个村")
    at.button(key=f"{KEY}_prepare").click().run()
    assert not at.exception, at.exception
    assert any("没有这个村" in e.value for e in at.error)
    assert not at.get("download_button")


@pytest.mark.parametrize(("name", "stem"), [
    ("挑水村", "brief-village-挑水村"),
    ("../../etc/passwd", "brief-village-etc_passwd"),
    ("<script>", "brief-village-script"),
])
def test_file_names_are_safe(name: str, stem: str) -> None:
    assert brief_file_stem("village", name, None) == stem

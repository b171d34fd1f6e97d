"""``geo-app present``: check, HTML, PDF; bad input is one line, exit 2, nothing written."""

from __future__ import annotations

import pytest

from geo_app.settings import BUNDLED_LAYERS

STORE = ("--store", str(BUNDLED_LAYERS))


def test_check_validates_the_bundled_storyboard(run_cli):
    result = run_cli("present", "--check", "zone.toml", *STORE)
    assert result.code == 0, result.err
    assert "zone.toml: 12 slides" in result.out and "OK" in result.out


def test_a_storyboard_error_names_the_line(run_cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\n\n[[slides]]\ntitle = "a"\nfigures = ["villages.cuont"]\n',
                   encoding="utf-8")
    out = tmp_path / "deck.html"
    result = run_cli("present", str(bad), "--out", str(out), *STORE)
    assert result.code == 2
    assert result.err.startswith("error: bad.toml, line 5, slide 1")
    assert "villages.count" in result.err and "Traceback" not in result.err
    assert not out.exists()


def test_html_export_writes_one_file(run_cli, tmp_path):
    out = tmp_path / "deck.html"
    result = run_cli("present", "zone.toml", "--out", str(out), *STORE)
    assert result.code == 0, result.err
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.count('<section class="slide"') == 12
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left


def test_a_wrong_extension_or_missing_out_is_refused(run_cli, tmp_path):
    result = run_cli("present", "zone.toml", "--out", str(tmp_path / "deck.txt"), *STORE)
    assert result.code == 2 and ".html or .pdf" in result.err
    result = run_cli("present", "zone.toml", *STORE)
    assert result.code == 2 and "--out deck.html" in result.err
    result = run_cli("present", "nope.toml", "--check", *STORE)
    assert result.code == 2 and "zone.toml" in result.err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_pdf_export_has_one_page_per_slide_with_the_figures(run_cli, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    pytest.importorskip("geo_app.briefs")
    out = tmp_path / "deck.pdf"
    result = run_cli("present", "zone.toml", "--out", str(out), *STORE)
    assert result.code == 0, result.err
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 12
    texts = [page.extract_text() for page in reader.pages]
    progress_page = next(t for t in texts if "青春化工园征地进度" in t)
    assert "1,420.00" in progress_page and "1,700" in progress_page
    assert any("挑水村" in t for t in texts)
    assert any("16" in t and "旅游循环道路" in t for t in texts)

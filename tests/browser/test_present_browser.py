"""The Present page and the exported deck in a real Chromium at 1920×1080, offline:
keys change the slide, labels are large and never overlap, nothing leaves the machine.
Expected values come from the bundled GeoPackage read here, not from the app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _browser import ARTIFACTS, BUNDLED_GPKG, AppSession
from playwright.sync_api import expect

from geo_app.analysis.timeline import event_span
from geo_app.present import bundled_storyboards, export_deck_html, load_story_data
from geo_app.present import load_storyboard as read_board
from geo_app.storage import GeoPackageStore

pytestmark = pytest.mark.browser

SCREEN = {"width": 1920, "height": 1080}
MIN_LABEL_PX = 18
COUNTER = ".present-counter"
VISUAL = ".st-key-present_visual iframe"
#: Every name label shown on a map (the map's own, or the slides' fallback), with its box.
LABELS_JS = """() => Array.from(document.querySelectorAll('.geo-label, .present-label > span'))
  .filter(el => {
    const s = getComputedStyle(el), r = el.getBoundingClientRect();
    let hidden = false;
    for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e);
      if (c.display === 'none' || c.visibility === 'hidden' || c.opacity === '0') { hidden = true; }
    }
    return !hidden && r.width > 0 && r.height > 0 && s.visibility !== 'hidden';
  })
  .map(el => { const r = el.getBoundingClientRect();
    return {text: el.textContent, size: parseFloat(getComputedStyle(el).fontSize),
            box: [r.left, r.top, r.right, r.bottom]}; })"""


def _slide_count() -> int:
    return len(read_board(bundled_storyboards()["zone.toml"]).slides)


def _overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    pairs = []
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            ax0, ay0, ax1, ay1 = a["box"]
            bx0, by0, bx1, by1 = b["box"]
            if ax0 < bx1 - 1 and bx0 < ax1 - 1 and ay0 < by1 - 1 and by0 < ay1 - 1:
                pairs.append((a["text"], b["text"]))
    return pairs


def _shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def _open_present(app: AppSession) -> None:
    app.page.set_viewport_size(SCREEN)
    app.open("present")
    expect(app.page.locator(COUNTER)).to_have_text(f"1 / {_slide_count()}")
    app.page.locator("html[data-present-keys]").wait_for(state="attached")  # keys listened to
    app.wait_idle()


def _map_frame(app: AppSession):
    app.page.locator(VISUAL).first.wait_for()
    frame = app.page.locator(VISUAL).first.element_handle().content_frame()
    frame.locator("html[data-geo-app-ready]").wait_for(state="attached")
    frame.wait_for_timeout(600)  # labels are placed after the first paint
    return frame


def test_present_page_keys_labels_and_no_outside_request(app: AppSession):
    _open_present(app)
    total = _slide_count()
    page = app.page
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
    title = page.locator(".present-title")
    expect(title).to_have_text("随州高新区")
    assert float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 40
    value = page.locator(".present-value").first
    assert float(value.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 40

    labels = _map_frame(app).evaluate(LABELS_JS)
    names = {label["text"] for label in labels}
    parks = GeoPackageStore(BUNDLED_GPKG).read_layer("parks")
    assert len(names & set(parks["name"])) >= 5, names  # the zone-wide view names the parks
    assert min(label["size"] for label in labels) >= MIN_LABEL_PX
    assert _overlapping(labels) == []
    _shot(page, "present-page-slide1")

    counter = page.locator(COUNTER)
    page.keyboard.press("ArrowRight")
    expect(counter).to_have_text(f"2 / {total}")
    expect(title).to_have_text("城东片区")
    page.keyboard.press("PageDown")
    expect(counter).to_have_text(f"3 / {total}")
    page.keyboard.press("ArrowLeft")
    expect(counter).to_have_text(f"2 / {total}")
    page.keyboard.press("PageUp")
    expect(counter).to_have_text(f"1 / {total}")
    page.locator(".st-key-present_next button").click()
    expect(counter).to_have_text(f"2 / {total}")
    app.wait_idle()
    assert app.blocked == [], "the Present page tried to reach the internet"
    assert app.errors() == []


def test_progress_slide_plays_through_the_ledger_months(app: AppSession):
    _open_present(app)
    board = read_board(bundled_storyboards()["zone.toml"])
    index = next(i for i, s in enumerate(board.slides) if s.animate)
    for _ in range(index):
        app.wait_idle()
        before = app.page.locator(COUNTER).inner_text()
        app.page.keyboard.press("ArrowRight")
        expect(app.page.locator(COUNTER)).not_to_have_text(before)
    expect(app.page.locator(COUNTER)).to_have_text(f"{index + 1} / {len(board.slides)}")
    first, last = event_span(GeoPackageStore(BUNDLED_GPKG).read_events())
    app.page.locator(VISUAL).first.wait_for()
    frame = app.page.locator(VISUAL).first.element_handle().content_frame()
    body = frame.locator("body")
    expect(body).to_have_attribute("data-month", last.isoformat())
    slider = frame.locator("#slider")
    months = int(slider.get_attribute("max")) + 1
    expected_months = (last.year - first.year) * 12 + last.month - first.month + 1
    assert months == expected_months
    ticks = frame.locator(".tick").all_inner_texts()
    assert ticks == [str(y) for y in range(first.year, last.year + 1)]
    _shot(app.page, "present-page-progress")
    frame.locator("#play").click()
    frame.wait_for_timeout(2500)
    playing = body.get_attribute("data-month")
    assert first.isoformat()[:7] <= playing[:7] < last.isoformat()[:7]
    frame.locator("#play").click()  # pause
    paused = body.get_attribute("data-month")
    frame.wait_for_timeout(1500)
    assert body.get_attribute("data-month") == paused
    app.wait_idle()
    assert app.blocked == [] and app.errors() == []


def test_exported_deck_works_from_a_file_with_no_network(chromium, tmp_path: Path):
    board = read_board(bundled_storyboards()["zone.toml"])
    deck = tmp_path / "deck.html"
    deck.write_text(export_deck_html(board, load_story_data(str(BUNDLED_GPKG))),
                    encoding="utf-8")
    context = chromium.new_context(viewport=SCREEN, locale="zh-CN")
    blocked: list[str] = []
    errors: list[str] = []

    def route(r) -> None:
        if r.request.url.startswith(("file:", "data:", "blob:", "about:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(deck.as_uri())
        total = len(board.slides)
        counter = page.locator("#counter")
        expect(counter).to_have_text(f"1 / {total}")
        first_map = page.frame_locator('section[data-index="1"] iframe')
        expect(first_map.locator(".leaflet-container")).to_be_visible()
        page.wait_for_timeout(800)
        labels = page.locator('section[data-index="1"] iframe').element_handle() \
            .content_frame().evaluate(LABELS_JS)
        assert len(labels) >= 5 and _overlapping(labels) == []
        assert min(label["size"] for label in labels) >= MIN_LABEL_PX
        _shot(page, "present-deck-slide1")
        page.keyboard.press("ArrowRight")
        expect(counter).to_have_text(f"2 / {total}")
        expect(page.locator('section[data-index="2"] h1')).to_be_visible()
        expect(page.frame_locator('section[data-index="2"] iframe')
               .locator(".leaflet-container")).to_be_visible()
        page.wait_for_timeout(800)
        # a district with its projects named: smaller point labels still 18 px, no pile-up
        labels = page.locator('section[data-index="2"] iframe').element_handle() \
            .content_frame().evaluate(LABELS_JS)
        assert len(labels) >= 5 and _overlapping(labels) == []
        assert min(label["size"] for label in labels) >= MIN_LABEL_PX
        page.keyboard.press("ArrowLeft")
        expect(counter).to_have_text(f"1 / {total}")
        notes = page.locator('section[data-index="1"] .notes')
        expect(notes).to_be_hidden()
        page.keyboard.press("n")
        expect(notes).to_be_visible()
        page.keyboard.press("n")
        expect(notes).to_be_hidden()
        # with the map focused, the keys still turn the slides (the map forwards them)
        page.locator('section[data-index="1"] iframe').click(position={"x": 500, "y": 300})
        page.keyboard.press("ArrowRight")
        expect(counter).to_have_text(f"2 / {total}")
        page.locator("#next").click()
        expect(counter).to_have_text(f"3 / {total}")
        page.keyboard.press("End")
        expect(counter).to_have_text(f"{total} / {total}")
        assert blocked == [], "the deck tried to reach the network"
        assert errors == []
    finally:
        context.close()


def _upload(app: AppSession, path: Path, *, choose: bool) -> None:
    page = app.page
    popover = page.locator('[data-testid="stPopoverBody"]')
    if not popover.is_visible():
        page.get_by_role("button", name="演示设置").click()
    expect(popover).to_be_visible()
    if choose:
        popover.locator('[data-testid="stSelectbox"]').click()
        page.get_by_role("option", name="上传的故事板").click()
        expect(page.locator('[data-testid="stMain"] [data-testid="stAlert"]')).to_contain_text(
            "请先上传")  # the rerun for the choice is done
        app.wait_idle()
    popover.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.wait_for_timeout(1000)  # the upload, then the rerun it starts
    app.wait_idle()


def test_an_uploaded_storyboard_is_checked_and_its_text_inert(app: AppSession,
                                                              tmp_path: Path):
    from hostile_text import BEACON_URL, FEATURE_NAMES

    _open_present(app)
    hostile = tmp_path / "hostile.toml"
    hostile.write_text(
        f'title = "x"\n[[slides]]\ntitle = {json.dumps(FEATURE_NAMES[0])}\n'
        f"subtitle = '<img src={BEACON_URL}>'\nnotes = {json.dumps(FEATURE_NAMES[2])}\n"
        'layers = ["villages"]\nlabels = ["villages"]\nfigures = ["villages.count"]\n',
        encoding="utf-8")
    _upload(app, hostile, choose=True)
    title = app.page.locator(".present-title")
    expect(title).to_have_text(FEATURE_NAMES[0])
    expect(app.page.locator(".present-subtitle")).to_have_text(f"<img src={BEACON_URL}>")
    expect(app.page.locator(COUNTER)).to_have_text("1 / 1")
    assert app.page.evaluate("() => window.__pwned === undefined")

    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\n\n[[slides]]\ntitle = "a"\nfigures = ["villages.cuont"]\n',
                   encoding="utf-8")
    _upload(app, bad, choose=False)
    alert = app.page.locator('[data-testid="stAlert"]').first
    expect(alert).to_contain_text("bad.toml, line 5, slide 1")
    expect(alert).to_contain_text("villages.count")
    app.wait_idle()
    assert app.blocked == [] and app.errors() == []

"""The deck as one HTML file: every slide, no URL that leaves the file, well-formed, hostile
names inert; the PDF through geo_app.briefs; the progress animation's frames."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from hostile_text import FEATURE_NAMES

from geo_app.analysis.progress import progress, stages_as_of
from geo_app.analysis.timeline import event_span, month_ends
from geo_app.present import StoryData, export_deck_html, parse_storyboard
from geo_app.present.animate import progress_frames

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class _Doc(HTMLParser):
    """Collects tags, URL attributes and script bodies; checks that elements nest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.urls: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs_d = dict(attrs)
        self.tags.append((tag, attrs_d))
        for name in ("src", "href", "action", "data", "poster", "srcset"):
            if attrs_d.get(name):
                self.urls.append(attrs_d[name])
        if tag not in VOID:
            self.stack.append(tag)
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else '-'}>")
            return
        self.stack.pop()
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)
        else:
            self.text.append(data)


def _parse(html: str) -> _Doc:
    doc = _Doc()
    doc.feed(html)
    doc.close()
    return doc


def _external(url: str) -> bool:
    return bool(re.match(r"^\s*(https?:|//|ftp:|ws:|wss:)", url, re.I))


@pytest.fixture(scope="module")
def deck(zone_board, story_data) -> str:
    return export_deck_html(zone_board, story_data)


def _documents(deck_html: str) -> list[str]:
    doc = _parse(deck_html)
    payload = next(s for s in doc.scripts if s.lstrip().startswith("["))
    return json.loads(payload)


def test_the_deck_has_every_slide_with_its_figures(deck, zone_board, story_data):
    doc = _parse(deck)
    sections = [a for t, a in doc.tags if t == "section"]
    assert [a["data-index"] for a in sections] == [str(i + 1) for i in
                                                  range(len(zone_board.slides))]
    text = "".join(doc.text)
    for slide in zone_board.slides:
        assert slide.title in text
    net = progress(story_data.layer("parcels"), as_of=zone_board.as_of,
                   events=story_data.events)[0].net_land_mu
    assert f"{net:,.2f}" == "1,420.00" and "1,420.00" in text
    assert f"1 / {len(zone_board.slides)}" in text
    docs = _documents(deck)
    assert len(docs) == len(zone_board.slides)
    for i, (slide, inner) in enumerate(zip(zone_board.slides, docs, strict=True)):
        if slide.animate:
            assert 'id="frames"' in inner, i
        else:
            assert "L.map(" in inner or "L.map (" in inner, i  # the Leaflet map, inlined
            assert "Leaflet" in inner


def test_nothing_in_the_deck_points_outside_the_file(deck):
    for html in [deck, *_documents(deck)]:
        doc = _parse(html)
        assert [u for u in doc.urls if _external(u)] == []
        assert [u for u in doc.urls if not u.startswith(("data:", "#", "blob:"))] == []
        css_urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", html)
        assert [u for u in css_urls if _external(u)] == []
        assert "@import" not in html


def test_the_deck_page_is_well_formed_and_forbids_requests(deck):
    doc = _parse(deck)
    assert doc.problems == [] and doc.stack == []
    meta = next(a for t, a in doc.tags if t == "meta" and a.get("http-equiv"))
    policy = meta["content"]
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy
    assert [t for t, _ in doc.tags].count("script") == 2  # the slide documents and the deck


def test_hostile_names_and_storyboard_text_are_inert(story_data):
    villages = story_data.layer("villages").copy()
    demo = villages.index[villages["works_programme"] == "phase2_demonstration"]
    villages.loc[demo, "name"] = list(FEATURE_NAMES[: len(demo)])
    data = StoryData({**story_data.layers, "villages": villages}, story_data.events,
                     story_data.planes)
    hostile = FEATURE_NAMES[0]
    text = (f'title = {json.dumps(hostile)}\n[[slides]]\ntitle = {json.dumps(FEATURE_NAMES[4])}\n'
            f'subtitle = {json.dumps(FEATURE_NAMES[2])}\nnotes = {json.dumps(hostile)}\n'
            'layers = ["villages"]\nlabels = ["villages"]\n'
            'filters = { villages = { works_programme = ["phase2_demonstration"] } }\n'
            'table = "villages.phase2_demonstration"\n')
    html = export_deck_html(parse_storyboard(text, source="x.toml"), data)
    doc = _parse(html)
    assert doc.problems == []
    assert [t for t, _ in doc.tags if t in ("img", "a", "b", "svg")] == []
    assert [t for t, _ in doc.tags].count("script") == 2
    shown = "".join(doc.text)
    for name in FEATURE_NAMES[:3]:
        assert name in shown  # shown literally, as text
    inner = _documents(html)[0]
    inner_doc = _parse(inner)
    assert not [a for t, a in inner_doc.tags if t == "img" and "onerror" in a]
    assert not [u for u in inner_doc.urls if _external(u) or u.startswith("javascript:")]


def test_the_animation_runs_from_the_ledgers_first_to_its_last_month(story_data):
    frames = progress_frames(story_data)
    first, last = event_span(story_data.events)
    assert frames.months[0][:7] == first.isoformat()[:7]  # the first event's month
    assert frames.months[0] == month_ends(first, last)[0].isoformat()
    assert frames.months[-1] == last.isoformat()
    assert len(frames.months) == len(month_ends(first, last))
    final = {p.phase: p.net_land_mu for p in
             progress(story_data.layer("parcels"), as_of=last, events=story_data.events)}
    assert frames.net_land_mu[1][-1] == pytest.approx(final[1], abs=0.01)
    assert frames.net_land_mu[1][-1] == pytest.approx(1420.0, abs=0.01)
    assert frames.net_land_mu[1][0] < frames.net_land_mu[1][-1]  # it moves
    # the colour index of each parcel per month is its stage on that month end
    ids = story_data.layer("parcels")["id"].tolist()
    for m, month in enumerate(frames.months):
        day = dt.date.fromisoformat(month)
        stages = stages_as_of(pd.Series(ids), story_data.events, day).tolist()
        assert [frames.stages[frames.stage_index[k][m]] for k in range(len(ids))] == stages

"""Storyboard files: the bundled one reads; every mistake names the file, line and slide."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from geo_app.errors import InputError
from geo_app.present import Animation, StoryData, check_storyboard, parse_storyboard
from geo_app.present import load_storyboard as read_board

GOOD = textwrap.dedent("""\
    title = "Deck"
    as_of = 2021-06-30

    [[slides]]
    title = "One"
    layers = ["villages", "roads"]
    labels = ["villages"]
    fit = "villages"
    figures = ["villages.count"]

    [[slides]]
    title = "Two"
    layers = ["villages"]
    filters = { villages = { works_programme = ["phase2_demonstration"] } }
    figures = ["loop_road.belt_villages"]
    table = "loop_road.belt_villages"
    notes = "say this"
    """)


def _error(text: str) -> str:
    with pytest.raises(InputError) as info:
        parse_storyboard(text, source="deck.toml")
    return str(info.value)


def _replace(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


def test_a_good_storyboard_reads_with_its_lines():
    board = parse_storyboard(GOOD, source="deck.toml")
    assert board.title == "Deck" and board.as_of == dt.date(2021, 6, 30)
    assert [s.title for s in board.slides] == ["One", "Two"]
    one, two = board.slides
    assert one.line == 4 and two.line == 11
    assert one.view.layers == ("villages", "roads") and one.view.fit == "villages"
    assert two.view.filters == {"villages": {"works_programme": ("phase2_demonstration",)}}
    assert two.line_of("table") == 16 and two.notes == "say this"


def test_the_bundled_storyboard_tells_the_zone_in_order(zone_board):
    titles = [s.title for s in zone_board.slides]
    assert titles[0] == "随州高新区"
    order = ["城东片区", "青春化工园征地进度", "三个二期示范村", "六座村级污水处理站",
             "25 公里旅游循环道路", "下一步"]
    positions = [next(i for i, t in enumerate(titles) if key in t) for key in order]
    assert positions == sorted(positions)
    animated = [s for s in zone_board.slides if s.animate is Animation.PROGRESS]
    assert len(animated) == 1 and "progress.phase1.net_land_mu" in animated[0].figures
    demo = next(s for s in zone_board.slides if "示范村" in s.title)
    assert demo.view.filters["villages"]["works_programme"] == ("phase2_demonstration",)


def test_the_bundled_storyboard_checks_against_the_bundled_layers(zone_board, story_data):
    check_storyboard(zone_board, story_data)  # raises on any problem


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('figures = ["villages.count"]', 'figures = ["villages.cuont"]',
         ["deck.toml, line 9, slide 1 (\"One\")", "unknown figure 'villages.cuont'",
          "did you mean: villages.count", "Figures:"]),
        ('layers = ["villages", "roads"]', 'layers = ["villages", "raods"]',
         ["line 6, slide 1", "unknown layer 'raods'", "did you mean: roads", "Layers: parks"]),
        ('table = "loop_road.belt_villages"', 'table = "loop_road.belt"',
         ["line 16, slide 2 (\"Two\")", "unknown table", "Tables:"]),
        ("works_programme = [", "work_programme = [",
         ["line 14, slide 2", "layer 'villages' has no column 'work_programme'",
          "did you mean: works_programme", "Columns:"]),
        ('notes = "say this"', 'note = "say this"',
         ["line 17, slide 2", "unknown key 'note'", "did you mean: notes", "Slide keys:"]),
        ("as_of = 2021-06-30", 'as_of = "2021-13-45"',
         ["deck.toml, line 2:", "as_of '2021-13-45' is not a date", "YYYY-MM-DD"]),
        ('title = "Deck"', 'titel = "Deck"', ["line 1", "unknown key 'titel'",
                                              "did you mean: title"]),
        ('fit = "villages"', 'fit = "parks"',
         ["line 8, slide 1", "fit names layer 'parks', which the slide does not show"]),
        ('labels = ["villages"]', 'labels = ["villages"]\nzoom = 12',
         ["slide 1", "center and zoom go together"]),
        ('title = "One"\n', 'subtitle = "no title"\n', ["line 4, slide 1", "'title' is missing"]),
        ('figures = ["villages.count"]',
         'figures = ["villages.count", "villages.count", "villages.count", "villages.count", '
         '"villages.count", "villages.count", "villages.count"]',
         ["slide 1", "7 figures", "at most 6"]),
        ('notes = "say this"', 'animate = "progres"',
         ["slide 2", "unknown animation 'progres'", "did you mean: progress"]),
    ],
)
def test_a_mistake_names_the_line_the_slide_and_what_is_allowed(old, new, expected):
    message = _error(_replace(old, new))
    for part in expected:
        assert part in message, f"{part!r} not in: {message}"


def test_a_toml_syntax_error_names_its_line():
    message = _error(_replace('title = "Two"', 'title = "Two'))
    assert message.startswith("deck.toml, line 12:") and "not valid TOML" in message


def test_a_storyboard_without_slides_is_refused():
    assert "no slides" in _error('title = "x"\n')


def test_a_missing_or_non_utf8_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="No storyboard file"):
        read_board(tmp_path / "nope.toml")
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes('title = "随州"\n'.encode("gbk"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_board(gbk)


def test_against_the_store_a_filter_value_that_no_feature_has_is_named(story_data: StoryData):
    board = parse_storyboard(_replace('["phase2_demonstration"]', '["phase2_demo"]'),
                             source="deck.toml")
    with pytest.raises(InputError) as info:
        check_storyboard(board, story_data)
    message = str(info.value)
    assert "deck.toml, line 14, slide 2" in message
    assert "no feature of 'villages' has works_programme = 'phase2_demo'" in message
    assert "phase2_demonstration" in message


def test_against_the_store_a_missing_layer_or_park_is_named(story_data: StoryData):
    without_roads = StoryData({k: v for k, v in story_data.layers.items() if k != "roads"},
                              story_data.events, story_data.planes)
    with pytest.raises(InputError, match=r"line 6, slide 1 .*store has no layer 'roads'"):
        check_storyboard(parse_storyboard(GOOD, source="deck.toml"), without_roads)
    board = parse_storyboard(_replace('figures = ["villages.count"]',
                                      'figures = ["park.P-QX.area_mu"]'), source="deck.toml")
    with pytest.raises(InputError, match=r"line 9, slide 1 .*no park 'P-QX'.*P-QC"):
        check_storyboard(board, story_data)


def test_as_of_before_the_ledger_is_refused(story_data: StoryData):
    board = parse_storyboard(_replace("as_of = 2021-06-30", "as_of = 2001-01-01"),
                             source="deck.toml")
    with pytest.raises(InputError, match="before the first event"):
        check_storyboard(board, story_data)

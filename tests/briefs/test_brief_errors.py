"""Bad input to ``geo-app brief``: one clear line, exit 2, and no file written."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo_app.briefs import BriefData, output_format, park_brief, village_brief
from geo_app.errors import InputError
from geo_app.settings import BUNDLED_LAYERS


@pytest.mark.parametrize(("args", "says"), [
    (("village", "挑水", "--out", "{dir}/b.pdf"), "挑水村"),          # near match offered
    (("village", "Nowhere", "--out", "{dir}/b.pdf"), "no village named 'Nowhere'"),
    (("park", "化工园", "--out", "{dir}/b.png"), "青春化工园"),
    (("village", "挑水村", "--out", "{dir}/b.jpg"), "End the file name in .pdf or .png"),
    (("village", "挑水村", "--out", "{dir}/brief"), "no extension"),
    (("progress", "--as-of", "2021-13-01", "--out", "{dir}/b.pdf"), "YYYY-MM-DD"),
    (("progress", "--size", "a3", "--out", "{dir}/b.pdf"), "a4 or slide"),
    (("village", "挑水村", "--out", "{dir}/missing/b.pdf"), "does not exist"),
])
def test_bad_input_is_one_line_and_writes_nothing(brief_cli, tmp_path: Path,
                                                  args: tuple[str, ...], says: str) -> None:
    argv = [a.format(dir=tmp_path) for a in args]
    res = brief_cli("brief", *argv, "--store", str(BUNDLED_LAYERS))
    assert res.code == 2
    assert res.err.startswith("error: ")
    assert says in res.err
    assert "Traceback" not in res.err
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_village_lists_near_matches(brief_data: BriefData) -> None:
    with pytest.raises(InputError) as err:
        village_brief(brief_data, "挑水")
    assert "Did you mean: 挑水村" in str(err.value)


def test_names_match_in_english_and_by_id_ignoring_case(brief_data: BriefData) -> None:
    assert village_brief(brief_data, "tiaoshui", lang="en").title.startswith("Tiaoshui")
    assert park_brief(brief_data, "p-qc", lang="zh").title.startswith("青春化工园")


@pytest.mark.parametrize("name", ["b.PDF", "b.Png"])
def test_extensions_are_case_insensitive(name: str) -> None:
    assert output_format(name).value == name.rsplit(".", 1)[1].lower()

"""``escape_script_json`` (chained ``str.replace``) gives exactly what the former
``str.translate`` table gave, on random text rich in the five escaped characters."""

from __future__ import annotations

import json
import random

import pytest

from geo_app.textsafe import escape_script_json, script_json

#: The former implementation, kept here as the independent reference.
_OLD_TABLE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                            "\u2028": "\\u2028", "\u2029": "\\u2029"})
_ALPHABET = "<>&\u2028\u2029\\u003c\"'/!-scriptSCRIPT 村地块\n\t\x00\ud7ff\U0001f600"


def _random_text(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(length))


@pytest.mark.parametrize("seed", range(20))
def test_same_as_translate_on_random_text(seed: int) -> None:
    rng = random.Random(seed)
    for length in (0, 1, 2, 7, 64, 1000):
        text = _random_text(rng, length)
        assert escape_script_json(text) == text.translate(_OLD_TABLE)


@pytest.mark.parametrize("seed", range(5))
def test_script_json_round_trips_with_nothing_raw(seed: int) -> None:
    rng = random.Random(seed)
    value = {_random_text(rng, 5): [_random_text(rng, 50), rng.random()]}
    out = script_json(value)
    assert json.loads(out) == value
    assert not any(ch in out for ch in "<>&\u2028\u2029")


def test_text_without_special_characters_is_returned_unchanged() -> None:
    text = '{"name": "挑水村", "area_mu": 1.5}'
    assert escape_script_json(text) is text

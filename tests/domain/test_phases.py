"""Phase labels: 一期 / Phase 1 wherever a phase is shown."""

from __future__ import annotations

import numpy as np
import pytest

from geo_app.domain.phases import phase_label


@pytest.mark.parametrize(("phase", "zh", "en"), [
    (1, "一期", "Phase 1"),
    (2, "二期", "Phase 2"),
    (12, "第12期", "Phase 12"),
    (np.int64(2), "二期", "Phase 2"),
    (2.0, "二期", "Phase 2"),  # a column read with missing values is float
    ("1", "一期", "Phase 1"),
])
def test_phase_numbers_read_as_words(phase, zh, en):
    assert phase_label(phase, "zh") == zh
    assert phase_label(phase, "en") == en


@pytest.mark.parametrize("value", ["A区", 1.5, float("nan")])
def test_values_that_are_not_phase_numbers_are_shown_as_they_are(value):
    assert phase_label(value, "zh") == str(value)


def test_the_app_uses_the_same_rule():
    from geo_app.ui.i18n import phase_label as ui_phase_label

    assert ui_phase_label(1, "zh") == "一期" and ui_phase_label(2, "en") == "Phase 2"

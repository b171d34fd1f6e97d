"""``csv_field``: the CSV text COPY receives, value by value, whatever the column holds."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from geo_app.storage._pg_copy import csv_field


def _reference(values: list[object]) -> list[str]:
    """Each value on its own: ``str`` quoted with doubled quotes, a null an empty field."""
    return ["" if v is None or (isinstance(v, float) and np.isnan(v))
            else '"' + str(v).replace('"', '""') + '"' for v in values]


@pytest.mark.parametrize("values", [
    ["pre_notice", "net_land", None, 'a"b', "", "pre_notice", "é,\n\"x\"", None],
    [1, True, 0.0, -0.0, None, "x", 1.5, False],  # equal but printed differently: kept apart
    ["only", "text", "only"],
    [None, None],
    [],
])
def test_fields_are_each_value_quoted_and_nulls_empty(values):
    assert csv_field(pd.Series(values, dtype=object)) == _reference(values)


def test_a_repeated_text_column_round_trips_through_a_csv_reader():
    values = ["王伟", None, 'say "hi"', "a,b", "line\nbreak", ""] * 1000
    fields = csv_field(pd.Series(values, dtype=object))
    body = "\n".join(fields) + "\n"
    rows = list(csv.reader(io.StringIO(body)))
    quoted = [f.startswith('"') for f in fields]
    assert [r[0] if r else "" for r in rows] == ["" if v is None else v for v in values]
    assert quoted == [v is not None for v in values]  # "" stays text, None becomes null


def test_a_bool_column_goes_as_true_and_false():
    assert csv_field(pd.Series([True, False, True])) == ["true", "false", "true"]

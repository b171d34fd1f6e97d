"""Edges grouped by a hash sort give the groups of the exact four-key sort."""

from __future__ import annotations

import numpy as np
import pytest

from geo_app.analysis import geometry_checks
from geo_app.analysis.geometry_checks import _edge_groups


def _groups(key: np.ndarray) -> set[tuple[int, ...]]:
    order, group = _edge_groups(key)
    out: dict[int, list[int]] = {}
    for row, g in zip(order.tolist(), group.tolist(), strict=True):
        out.setdefault(g, []).append(row)
    return {tuple(sorted(v)) for v in out.values()}


def _brute(key: np.ndarray) -> set[tuple[int, ...]]:
    out: dict[tuple[float, ...], list[int]] = {}
    for row, k in enumerate(map(tuple, key.tolist())):
        out.setdefault(k, []).append(row)
    return {tuple(v) for v in out.values()}


def _keys() -> np.ndarray:
    rng = np.random.default_rng(4)
    base = np.round(rng.uniform(0, 5, (300, 4)), 1)
    return np.concatenate([base, base[::3], base[::7]])  # many repeats


def test_groups_are_the_equal_rows():
    key = _keys()
    assert _groups(key) == _brute(key)


def test_a_hash_collision_falls_back_to_the_exact_sort(monkeypatch):
    key = _keys()
    monkeypatch.setattr(geometry_checks, "_HASH_MULTIPLIERS",
                        np.zeros(4, dtype=np.uint64))  # every row hashes alike
    assert _groups(key) == _brute(key)


@pytest.mark.parametrize("n", [0, 1])
def test_tiny(n):
    key = np.ones((n, 4))
    assert _groups(key) == _brute(key)

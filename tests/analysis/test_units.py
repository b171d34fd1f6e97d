from __future__ import annotations

import pytest

from geo_app.analysis.units import M2_PER_MU, m2_to_ha, m2_to_mu, mu_to_m2


def test_one_mu_is_a_fifteenth_of_a_hectare():
    assert pytest.approx(666.6666667) == M2_PER_MU
    assert m2_to_mu(10_000.0) == pytest.approx(15.0)


def test_square_kilometre_is_1500_mu_and_100_ha():
    assert m2_to_mu(1_000_000.0) == pytest.approx(1500.0)
    assert m2_to_ha(1_000_000.0) == pytest.approx(100.0)
    assert mu_to_m2(1500.0) == pytest.approx(1_000_000.0)

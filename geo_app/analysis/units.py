"""Chinese land units. 1 mu (亩) = 10000/15 m²; 1 ha = 15 mu; 1 km² = 1500 mu."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

M2_PER_MU: float = 10000.0 / 15.0
M2_PER_HA: float = 10000.0

FloatArray = npt.NDArray[np.float64]


def m2_to_mu(area_m2: float | FloatArray) -> float | FloatArray:
    return area_m2 / M2_PER_MU


def m2_to_ha(area_m2: float | FloatArray) -> float | FloatArray:
    return area_m2 / M2_PER_HA


def mu_to_m2(area_mu: float | FloatArray) -> float | FloatArray:
    return area_mu * M2_PER_MU

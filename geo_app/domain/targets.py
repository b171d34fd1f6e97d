"""Figures from the source article (December 2021) that the tool checks progress against."""

from __future__ import annotations

#: Net land (净地) targets of the Qingchun Chemical Park acquisition phases, mu.
PHASE_TARGETS_MU: dict[int, float] = {1: 1420.0, 2: 1700.0}

#: The park the acquisition phases belong to.
ACQUISITION_PARK = "青春化工园"

#: The tourism loop road: its length and the belt that reaches 16 village collectives.
LOOP_ROAD_LENGTH_KM = 25.0
LOOP_BELT_M = 2000.0
LOOP_BELT_VILLAGES = 16

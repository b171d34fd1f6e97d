"""What a store lacks for a page or a section, said in the user's language (no streamlit).

A page asks :func:`layer_gaps` which of the layers it needs are missing or empty and shows
:func:`gap_message` instead of the figures; the ledger's rows with a stage no release knows
(written by another tool) are split off by :func:`split_unknown_stages`, shown as 未知阶段 /
unknown stage and left out of every figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from geo_app.domain.stages import stage_or_none
from geo_app.ui.i18n import t
from geo_app.ui.tables import layer_label
from geo_app.ui.text import md_text


class GapKind(StrEnum):
    MISSING = "missing"
    EMPTY = "empty"


@dataclass(frozen=True)
class LayerGap:
    """A layer a page needs that the store does not have (``missing``) or that has no
    features (``empty``)."""

    layer: str
    kind: GapKind


def layer_gaps(layers: Mapping[str, object], needed: Iterable[str]) -> list[LayerGap]:
    """The layers of ``needed`` that ``layers`` (name → GeoDataFrame) lacks or has empty."""
    gaps = []
    for name in needed:
        gdf = layers.get(name)
        if gdf is None:
            gaps.append(LayerGap(name, GapKind.MISSING))
        elif len(gdf) == 0:  # type: ignore[arg-type]
            gaps.append(LayerGap(name, GapKind.EMPTY))
    return gaps


def gap_message(gaps: Iterable[LayerGap], lang: str) -> str:
    """One sentence per gap, saying what to do (import on the Import page)."""
    return " ".join(t(f"gap.{g.kind}", lang, layer=layer_label(g.layer, lang)) for g in gaps)


def unknown_stage_label(code: object, lang: str) -> str:
    """A stage code no release knows, as people read it: ``未知阶段（xyz）``."""
    return t("gap.unknown_stage", lang, code=str(code))


def split_unknown_stages(events: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ledger split into rows with a known ``to_stage`` and rows without one.

    In the known rows an unknown ``from_stage`` becomes missing (the ``to_stage``
    decides, as in :func:`geo_app.domain.workflow.derive_states`), so the figures and a
    parcel's timeline can be computed from them; the unknown rows are only listed.
    """
    if len(events) == 0 or "to_stage" not in events.columns:
        return events, events.iloc[0:0]
    known_mask = pd.Series([stage_or_none(s) is not None for s in events["to_stage"]],
                           index=events.index, dtype=bool)
    known = events[known_mask].copy()
    if "from_stage" in known.columns:
        bad_from = [not _missing(s) and stage_or_none(s) is None for s in known["from_stage"]]
        known.loc[pd.Series(bad_from, index=known.index, dtype=bool), "from_stage"] = None
    return known, events[~known_mask]


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def unknown_events_message(unknown: pd.DataFrame, lang: str, *, max_codes: int = 3) -> str:
    """How many ledger rows have an unknown stage and which codes (the first few),
    escaped for markdown: the codes were written by another tool."""
    codes = list(dict.fromkeys(str(c) for c in unknown["to_stage"]))
    shown = "、".join(codes[:max_codes]) if lang == "zh" else ", ".join(codes[:max_codes])
    if len(codes) > max_codes:
        shown += "…"
    return t("gap.unknown_events", lang, count=len(unknown), codes=md_text(shown))

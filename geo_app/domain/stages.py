"""Land-acquisition (征地) stages under the 2019 Land Administration Law.

The order is the workflow order. "Acquired" in the source article means
:attr:`ParcelStage.NET_LAND` (净地).
"""

from __future__ import annotations

from enum import StrEnum


class ParcelStage(StrEnum):
    """A parcel's acquisition stage; values are stable storage codes."""

    PRE_NOTICE = "pre_notice"
    STATUS_SURVEY = "status_survey"
    RISK_ASSESSMENT = "risk_assessment"
    COMPENSATION_PLAN = "compensation_plan"
    AGREEMENTS_SIGNED = "agreements_signed"
    APPROVED = "approved"
    ACQUISITION_NOTICE = "acquisition_notice"
    COMPENSATION_PAID = "compensation_paid"
    NET_LAND = "net_land"
    SUPPLIED = "supplied"

    @property
    def order(self) -> int:
        return STAGE_ORDER.index(self)

    @property
    def label_zh(self) -> str:
        return STAGE_LABELS_ZH[self]

    @property
    def label_en(self) -> str:
        return STAGE_LABELS_EN[self]

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en

    @property
    def is_net_land_or_later(self) -> bool:
        return self.order >= ParcelStage.NET_LAND.order


STAGE_ORDER: tuple[ParcelStage, ...] = tuple(ParcelStage)

STAGE_LABELS_ZH: dict[ParcelStage, str] = {
    ParcelStage.PRE_NOTICE: "拟征收公告",
    ParcelStage.STATUS_SURVEY: "现状调查",
    ParcelStage.RISK_ASSESSMENT: "社会稳定风险评估",
    ParcelStage.COMPENSATION_PLAN: "补偿安置方案公告",
    ParcelStage.AGREEMENTS_SIGNED: "签订协议",
    ParcelStage.APPROVED: "报批获批",
    ParcelStage.ACQUISITION_NOTICE: "征收公告",
    ParcelStage.COMPENSATION_PAID: "补偿到位",
    ParcelStage.NET_LAND: "净地",
    ParcelStage.SUPPLIED: "供地",
}

STAGE_LABELS_EN: dict[ParcelStage, str] = {
    ParcelStage.PRE_NOTICE: "Pre-acquisition notice",
    ParcelStage.STATUS_SURVEY: "Land status survey",
    ParcelStage.RISK_ASSESSMENT: "Stability risk assessment",
    ParcelStage.COMPENSATION_PLAN: "Compensation plan published",
    ParcelStage.AGREEMENTS_SIGNED: "Agreements signed",
    ParcelStage.APPROVED: "Approved",
    ParcelStage.ACQUISITION_NOTICE: "Acquisition notice",
    ParcelStage.COMPENSATION_PAID: "Compensation paid",
    ParcelStage.NET_LAND: "Net land",
    ParcelStage.SUPPLIED: "Supplied",
}


def parse_stage(value: str) -> ParcelStage:
    """Read a stage from its code, its Chinese label or its English label."""
    from geo_app.domain.messages import refusal
    from geo_app.errors import InputError

    text = str(value).strip()
    for stage in ParcelStage:
        if text in (stage.value, stage.label_zh) or text.lower() == stage.label_en.lower():
            return stage
    raise refusal(InputError, "stage.unknown", {"value": text, "known": list(STAGE_ORDER)})


def stage_or_none(code: object) -> ParcelStage | None:
    """The stage stored as ``code``, or ``None`` if ``code`` is not a known stage code.

    For reading a ledger that another tool may have written: a row whose stage is unknown
    is reported and skipped (see :func:`geo_app.domain.workflow.derive_states`), never a
    crash.
    """
    try:
        return ParcelStage(str(code))
    except ValueError:
        return None


def stage_label_or_unknown(code: object, lang: str = "zh") -> str:
    """Label of a stage code in ``lang``; an unknown code reads 未知阶段“x” / unknown stage 'x'."""
    stage = stage_or_none(code)
    if stage is not None:
        return stage.label(lang)
    return f"未知阶段“{code}”" if lang == "zh" else f"unknown stage {str(code)!r}"

"""Enumerations for the categorical columns of the bundled layers."""

from __future__ import annotations

from enum import StrEnum


class _Labelled(StrEnum):
    """A StrEnum whose members carry Chinese and English labels."""

    @property
    def label_zh(self) -> str:
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self][1]

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en


class ParkKind(_Labelled):
    DISTRICT = "district"
    PARK = "park"


class VillagePlan(_Labelled):
    """Beautiful-village plan category (美丽乡村规划)."""

    DEMONSTRATION = "demonstration"
    REMEDIATION = "remediation"
    PLANNED = "planned"


class WorksProgramme(_Labelled):
    """Village works programme named in the article."""

    PHASE2_DEMONSTRATION = "phase2_demonstration"
    CONSOLIDATION = "consolidation"
    NONE = "none"


class ProjectStatus(_Labelled):
    PREPARING = "preparing"
    NEWLY_STARTED = "newly_started"
    UNDER_CONSTRUCTION = "under_construction"
    TRIAL_PRODUCTION = "trial_production"
    IN_PRODUCTION = "in_production"


class ProjectCategory(_Labelled):
    INDUSTRIAL = "industrial"
    INFRASTRUCTURE = "infrastructure"
    SERVICES = "services"


class FacilityKind(_Labelled):
    SEWAGE_PLANT = "sewage_plant"


class RoadKind(_Labelled):
    TOURISM_LOOP = "tourism_loop"


class SiteKind(_Labelled):
    ECOLOGICAL = "ecological"
    SCENIC = "scenic"
    AGRICULTURAL_BASE = "agricultural_base"
    CONTRACT_FARMLAND = "contract_farmland"


_LABELS: dict[StrEnum, tuple[str, str]] = {
    ParkKind.DISTRICT: ("片区", "District"),
    ParkKind.PARK: ("园区", "Park"),
    VillagePlan.DEMONSTRATION: ("示范村", "Demonstration"),
    VillagePlan.REMEDIATION: ("整治村", "Remediation"),
    VillagePlan.PLANNED: ("规划编制中", "Plan in preparation"),
    WorksProgramme.PHASE2_DEMONSTRATION: ("二期示范工程", "Phase-2 demonstration works"),
    WorksProgramme.CONSOLIDATION: ("巩固提升", "Consolidation and upgrading"),
    WorksProgramme.NONE: ("无", "None"),
    ProjectStatus.PREPARING: ("开工准备", "Preparing"),
    ProjectStatus.NEWLY_STARTED: ("新开工", "Newly started"),
    ProjectStatus.UNDER_CONSTRUCTION: ("在建", "Under construction"),
    ProjectStatus.TRIAL_PRODUCTION: ("试投产", "Trial production"),
    ProjectStatus.IN_PRODUCTION: ("建成投产", "In production"),
    ProjectCategory.INDUSTRIAL: ("产业项目", "Industrial"),
    ProjectCategory.INFRASTRUCTURE: ("基础设施", "Infrastructure"),
    ProjectCategory.SERVICES: ("服务业", "Services"),
    FacilityKind.SEWAGE_PLANT: ("污水处理站", "Sewage plant"),
    RoadKind.TOURISM_LOOP: ("旅游循环道路", "Tourism loop road"),
    SiteKind.ECOLOGICAL: ("生态示范片", "Ecological area"),
    SiteKind.SCENIC: ("景区", "Scenic area"),
    SiteKind.AGRICULTURAL_BASE: ("特色农业基地", "Agricultural base"),
    SiteKind.CONTRACT_FARMLAND: ("流转农田", "Contract farmland"),
}

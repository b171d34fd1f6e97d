"""Layer specifications: what each layer holds, with Chinese and English column names."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from geo_app.domain.categories import (
    FacilityKind,
    ParkKind,
    ProjectCategory,
    ProjectStatus,
    RoadKind,
    SiteKind,
    VillagePlan,
    WorksProgramme,
)
from geo_app.domain.stages import ParcelStage

#: Value kinds a column can hold; an Enum subclass means "one of its values".
ColumnKind = str | type[StrEnum]


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: ColumnKind
    zh: str
    en: str
    nullable: bool = False


@dataclass(frozen=True)
class LayerSpec:
    name: str
    geometry_types: tuple[str, ...]
    zh: str
    en: str
    columns: tuple[ColumnSpec, ...]
    id_column: str = "id"
    name_column: str = "name"
    description: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> ColumnSpec:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _c(name: str, kind: ColumnKind, zh: str, en: str, *, nullable: bool = False) -> ColumnSpec:
    return ColumnSpec(name, kind, zh, en, nullable)


_ID = _c("id", "str", "编号", "ID")
_NAME = _c("name", "str", "名称", "Name")
_NAME_EN = _c("name_en", "str", "英文名", "English name")
_POLY = ("Polygon", "MultiPolygon")

PARKS = LayerSpec(
    "parks", _POLY, "片区/园区", "Parks and districts",
    (_ID, _NAME, _NAME_EN, _c("kind", ParkKind, "类型", "Kind"),
     _c("parent", "str", "所属片区", "Within district", nullable=True)),
    description="Districts (片区) of the zone and the parks (园区) inside them.",
)
PARCELS = LayerSpec(
    "parcels", _POLY, "征地地块", "Acquisition parcels",
    (_ID, _NAME, _c("park", "str", "所属园区", "Park"),
     _c("phase", "int", "期次", "Phase"),
     _c("stage", ParcelStage, "征地阶段", "Stage"),
     _c("stage_date", "date", "阶段日期", "Stage date"),
     _c("declared_area_mu", "float", "登记面积(亩)", "Declared area (mu)"),
     _c("land_use", "str", "用途", "Land use")),
    description="Land-acquisition parcels with their current stage; net land = 净地.",
)
PROJECTS = LayerSpec(
    "projects", ("Point",), "重点项目", "Key projects",
    (_ID, _NAME, _NAME_EN, _c("park", "str", "所属片区", "Park"),
     _c("category", ProjectCategory, "类别", "Category"),
     _c("status", ProjectStatus, "进展", "Status"),
     _c("investment_10k_cny", "float", "总投资(万元)", "Investment (10k CNY)"),
     _c("start_year", "int", "开工年份", "Start year", nullable=True),
     _c("signed_year", "int", "签约年份", "Signed year", nullable=True),
     _c("contract_10k_cny", "float", "合同金额(万元)", "Contract value (10k CNY)",
        nullable=True)),
    description="The zone's project library (在库重点项目).",
)
VILLAGES = LayerSpec(
    "villages", _POLY, "村庄", "Villages",
    (_ID, _NAME, _NAME_EN, _c("town", "str", "乡镇", "Town"),
     _c("plan_category", VillagePlan, "规划类别", "Plan category"),
     _c("works_programme", WorksProgramme, "建设工程", "Works programme"),
     _c("population", "int", "人口", "Population")),
    description="Villages with beautiful-village plans (美丽乡村规划).",
)
FACILITIES = LayerSpec(
    "facilities", ("Point",), "村级设施", "Village facilities",
    (_ID, _NAME, _c("kind", FacilityKind, "类型", "Kind"),
     _c("village", "str", "所在村", "Village"),
     _c("capacity_t_per_day", "float", "处理规模(吨/日)", "Capacity (t/day)")),
)
ROADS = LayerSpec(
    "roads", ("LineString", "MultiLineString"), "道路", "Roads",
    (_ID, _NAME, _NAME_EN, _c("kind", RoadKind, "类型", "Kind")),
)
SITES = LayerSpec(
    "sites", _POLY, "景区与农业基地", "Scenic and agricultural sites",
    (_ID, _NAME, _NAME_EN, _c("kind", SiteKind, "类型", "Kind"),
     _c("rating", "str", "等级", "Rating", nullable=True)),
)

BOUNDARY = LayerSpec(
    "boundary", _POLY, "行政区界", "District boundary",
    (_ID, _NAME, _NAME_EN, _c("source", "str", "数据来源", "Source")),
    description="The outline of the district the zone lies in (曾都区); every sample "
                "feature lies inside it.",
)

LAYER_SPECS: dict[str, LayerSpec] = {
    s.name: s for s in (PARKS, PARCELS, PROJECTS, VILLAGES, FACILITIES, ROADS, SITES, BOUNDARY)
}


def get_spec(name: str) -> LayerSpec | None:
    """The spec of a known layer, or ``None`` for a user's own layer."""
    return LAYER_SPECS.get(name)

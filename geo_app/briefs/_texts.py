"""Words printed on briefs: key -> (Chinese, English). Pure data, no app import."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "source": ("资料来源：geo_app 示例数据（示例数据为示意性图形，非测绘成果）",
               "Source: geo_app sample data (illustrative shapes, not survey results)"),
    "crs": ("坐标系：CGCS2000 / 3° 高斯-克吕格 {zone} 带（EPSG:{epsg}）",
            "CGCS2000 / 3° Gauss-Krüger zone {zone} (EPSG:{epsg})"),
    "crs_other": ("坐标系：EPSG:{epsg}", "Coordinates: EPSG:{epsg}"),
    "north": ("北", "N"),
    "legend": ("图例", "Legend"),
    "figures": ("主要指标", "Key figures"),
    "made": ("制图日期 {date}", "Made {date}"),
    "as_of": ("数据截至 {date}", "Data as of {date}"),
    "notes": ("备注", "Notes"),
    "mu": ("{value} 亩", "{value} mu"),
    "m": ("{value} 米", "{value} m"),
    "km": ("{value} 公里", "{value} km"),
    "people": ("{value} 人", "{value}"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "none": ("无", "none"),
    # terrain figures (village and park briefs)
    "terrain": ("平均高程 · 平均坡度", "Mean elevation · slope"),
    "terrain_value": ("{elev} 米 · {slope}°", "{elev} m · {slope}°"),
    "cropland": ("耕地", "Cropland"),
    "cropland_value": ("{mu}（{share}）", "{mu} ({share})"),
    # village brief
    "village.title": ("{name} 村庄简报", "{name}: village brief"),
    "village.subtitle": ("{town} · {plan} · {works}", "{town} · {plan} · {works}"),
    "village.population": ("户籍人口", "Population"),
    "village.area": ("村域面积（平面）", "Village area (plane)"),
    "village.area_ell": ("村域面积（椭球）", "Village area (ellipsoid)"),
    "village.plan": ("规划类别", "Plan category"),
    "village.works": ("建设工程", "Works programme"),
    "village.loop": ("距旅游循环道路", "Distance to the loop road"),
    "village.in_belt": ("位于循环道路 {km} 公里带内", "Within the loop road's {km} km belt"),
    "village.sewage": ("最近污水处理站", "Nearest sewage plant"),
    "village.sewage_value": ("{name}（{distance}）", "{name} ({distance})"),
    "village.inside": ("村内", "in the village"),
    "village.table": ("相邻村庄", "Neighbouring villages"),
    "col.village": ("村庄", "Village"),
    "col.plan": ("规划类别", "Plan"),
    "col.area_mu": ("面积（亩）", "Area (mu)"),
    "col.distance_m": ("距离（米）", "Distance (m)"),
    # park brief
    "park.title": ("{name} 园区简报", "{name}: park brief"),
    "park.subtitle": ("{kind}{parent}", "{kind}{parent}"),
    "park.parent": ("，属{parent}", ", within {parent}"),
    "park.area": ("园区面积（平面）", "Park area (plane)"),
    "park.covered": ("征地地块覆盖（平面）", "Covered by parcels (plane)"),
    "park.covered_ell": ("征地地块覆盖（椭球）", "Covered by parcels (ellipsoid)"),
    "park.share": ("覆盖比例", "Share covered"),
    "park.parcels": ("涉及地块", "Parcels"),
    "park.projects": ("登记项目", "Registered projects"),
    "park.investment": ("项目总投资", "Project investment"),
    "park.investment_value": ("{value} 万元", "{value} ×10k CNY"),
    "park.table": ("园区内地块按阶段（亩）", "Parcels in the park by stage (mu)"),
    "park.table_projects": ("登记项目按进展", "Registered projects by status"),
    "col.stage": ("阶段", "Stage"),
    "col.count": ("数量", "Count"),
    "col.parcels": ("地块数", "Parcels"),
    "col.status": ("进展", "Status"),
    # progress brief
    "progress.title": ("青春化工园征地进度简报", "Qingchun Chemical Park: acquisition progress"),
    "progress.subtitle": ("截至 {date}，各地块所处阶段", "Stage of each parcel on {date}"),
    "progress.subtitle_now": ("各地块当前阶段", "Current stage of each parcel"),
    "progress.net": ("{phase}净地", "{phase} net land"),
    "progress.net_value": ("{net} / {target} 亩（{share}）", "{net} / {target} mu ({share})"),
    "progress.net_value_no_target": ("{net} 亩", "{net} mu"),
    "progress.total": ("{phase}地块", "{phase} parcels"),
    "progress.total_value": ("{count} 块，{mu} 亩", "{count} parcels, {mu} mu"),
    "progress.table": ("各阶段面积（亩）", "Area by stage (mu)"),
    "progress.no_history": ("本库无阶段历史，显示各地块当前阶段",
                            "No stage history in this store: current stages shown"),
    "col.total": ("合计", "Total"),
}


def tr(key: str, lang: str, **values: object) -> str:
    """The brief text of ``key`` in ``lang`` with ``{placeholders}`` filled."""
    zh, en = TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text

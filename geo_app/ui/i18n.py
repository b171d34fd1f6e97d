"""Every string the app shows, in Chinese (default) and English, under one key each."""

from __future__ import annotations

from enum import StrEnum

from geo_app.domain.phases import phase_label as domain_phase_label
from geo_app.ui.texts import feature_texts


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"

    @property
    def display(self) -> str:
        return "中文" if self is Lang.ZH else "English"


#: key -> (Chinese, English). ``{name}`` placeholders are filled by :func:`t`.
TEXT: dict[str, tuple[str, str]] = {
    # app and navigation
    "app.title": ("随州高新区规划图", "Suizhou High-tech Zone"),
    "app.language": ("语言 Language", "Language 语言"),
    "app.store": ("数据：{location}", "Data: {location}"),
    "app.illustrative": (
        "示例数据为示意性图形，并非测绘成果。",
        "The bundled sample geometry is illustrative, not survey data.",
    ),
    "app.error_hint": (
        "请检查数据源设置（GEO_APP_STORE）后刷新页面。",
        "Check the data store setting (GEO_APP_STORE), then reload the page.",
    ),
    "page.map": ("地图", "Map"),
    "page.dashboard": ("统计看板", "Dashboard"),
    "page.layers": ("图层与属性表", "Layers and tables"),
    "page.acquisition": ("征地进度", "Land acquisition"),
    # map page: sidebar
    "map.filters": ("筛选", "Filters"),
    "map.all": ("全部", "All"),
    "map.filter.park": ("片区/园区", "Park or district"),
    "map.filter.phase": ("征地期次", "Acquisition phase"),
    "map.filter.stage": ("征地阶段", "Acquisition stage"),
    "map.filter.village_plan": ("村庄规划类别", "Village plan category"),
    "map.filter.project_status": ("项目进展", "Project status"),
    "map.layers": ("图层", "Layers"),
    "map.basemap": ("底图", "Basemap"),
    "map.basemap.help": (
        "无网络时请选择“无底图”。天地图需在环境变量 GEO_APP_TIANDITU_KEY 或 secrets 中设置密钥。",
        "Choose 'None' without internet. Tianditu needs a key in GEO_APP_TIANDITU_KEY or "
        "the Streamlit secrets.",
    ),
    "basemap.none": ("无底图（离线）", "None (offline)"),
    "basemap.osm": ("OpenStreetMap", "OpenStreetMap"),
    "basemap.tianditu_vec": ("天地图 矢量", "Tianditu vector"),
    "basemap.tianditu_img": ("天地图 影像", "Tianditu imagery"),
    "basemap.gaode": ("高德地图", "Gaode (AutoNavi)"),
    # map page: search, counts, details
    "map.search": ("按名称查找", "Find by name"),
    "map.search.placeholder": ("如 挑水村 或 Tiaoshui", "e.g. 挑水村 or Tiaoshui"),
    "map.search.none": ("没有名称含“{query}”的要素。", "Nothing is named like '{query}'."),
    "map.search.pick": ("匹配结果（{count}）", "Matches ({count})"),
    "map.showing": (
        "显示地块 {parcels} 块，村庄 {villages} 个，项目 {projects} 个",
        "Showing {parcels} parcels, {villages} villages, {projects} projects",
    ),
    "map.nothing": (
        "本数据库的图层中还没有要素，地图暂为空白。请在“导入”页面导入数据。",
        "The layers of this store have no features yet, so the map is empty. Import data "
        "on the Import page.",
    ),
    "map.download": ("下载地图 HTML", "Download map (HTML)"),
    "map.download.help": (
        "当前地图（含筛选和图例）保存为一个 HTML 文件，无网络也能打开。",
        "The map as shown (filters, legend) in one HTML file that opens without internet.",
    ),
    "details.title": ("要素详情", "Feature details"),
    "details.hint": (
        "点击地图上的地块、村庄或项目，在此查看详情。",
        "Click a parcel, village or project on the map to see its details here.",
    ),
    "details.layer": ("图层", "Layer"),
    "details.area": ("面积", "Area"),
    "details.plane": ("平面", "Plane"),
    "details.ellipsoidal": ("椭球", "Ellipsoid"),
    "details.area_note": (
        "平面面积按 {crs}（CGCS2000 高斯-克吕格）计算，椭球面积按 CGCS2000 椭球计算。",
        "Plane area in {crs} (CGCS2000 Gauss-Krüger); ellipsoidal area on CGCS2000.",
    ),
    "details.clear": ("清除选择", "Clear selection"),
    "details.field": ("属性", "Field"),
    "details.value": ("值", "Value"),
    "unit.m2": ("平方米", "m²"),
    "unit.mu": ("亩", "mu"),
    "unit.ha": ("公顷", "ha"),
    # dashboard
    "dash.progress": ("征地进度（青春化工园）", "Land acquisition (Qingchun Chemical Park)"),
    "dash.phase_net": (
        "{phase}：净地 {net:,.0f} 亩 / 目标 {target:,.0f} 亩（{share:.0%}）",
        "{phase}: net land {net:,.0f} of {target:,.0f} mu target ({share:.0%})",
    ),
    "dash.phase_started": (
        "已启动征地 {total:,.0f} 亩，{count} 块地",
        "Acquisition started on {total:,.0f} mu in {count} parcels",
    ),
    "dash.stage_chart": (
        "各期各阶段面积（亩，竖线为净地目标）",
        "Area by stage per phase (mu; tick = net-land target)",
    ),
    "dash.stage": ("阶段", "Stage"),
    "dash.phase": ("期次", "Phase"),
    "dash.area_mu": ("面积（亩）", "Area (mu)"),
    "dash.coverage": ("各片区/园区征地地块覆盖", "Coverage of each park by parcels"),
    "dash.park": ("片区/园区", "Park"),
    "dash.park_area_mu": ("总面积（亩）", "Area (mu)"),
    "dash.covered_mu": ("地块覆盖（亩）", "Covered (mu)"),
    "dash.covered_ell_mu": ("地块覆盖（亩，椭球）", "Covered (mu, ellipsoidal)"),
    "dash.share": ("覆盖率", "Share covered"),
    "dash.parcel_count": ("地块数", "Parcels"),
    "dash.villages": ("美丽乡村规划", "Beautiful-village plans"),
    "dash.villages_total": ("启动规划编制的村", "Villages with plans started"),
    "dash.works": ("建设工程", "Works programmes"),
    "dash.count": ("数量", "Count"),
    "dash.category": ("类别", "Category"),
    "dash.projects": ("重点项目", "Key projects"),
    "dash.projects_total": ("在库项目", "Projects in the library"),
    "dash.projects_infra": ("基础设施项目", "Infrastructure projects"),
    "dash.projects_new_big": (
        "{year}年新开工 ≥{min:,.0f}万元", "Started {year}, ≥ {min:,.0f} (10k CNY)",
    ),
    "dash.by_status": ("按进展", "By status"),
    "dash.by_category": ("按类别", "By category"),
    "dash.status": ("进展", "Status"),
    "dash.investment": ("总投资（万元）", "Investment (10k CNY)"),
    "dash.loop": ("旅游循环道路沿线村庄", "Villages along the tourism loop road"),
    "dash.loop_count": ("距道路 {km:g} 公里以内的村", "Villages within {km:g} km of the road"),
    "dash.village": ("村", "Village"),
    "dash.town": ("乡镇", "Town"),
    "dash.distance_m": ("距离（米）", "Distance (m)"),
    # layers page
    "layers.pick": ("图层", "Layer"),
    "layers.caption": (
        "{count} 个要素。面积：平面按 {crs}（CGCS2000 高斯-克吕格 3 度带）计算，"
        "椭球按 CGCS2000 计算。",
        "{count} features. Areas: plane in {crs} (CGCS2000 3-degree Gauss-Krüger), "
        "ellipsoidal on CGCS2000.",
    ),
    "layers.caption_plain": ("{count} 个要素。", "{count} features."),
    "layers.csv": ("下载 CSV", "Download CSV"),
    "layers.excel": ("下载 Excel", "Download Excel"),
    "col.area_m2_plane": ("面积（平方米，平面）", "Area m² (plane)"),
    "col.area_m2_ellipsoidal": ("面积（平方米，椭球）", "Area m² (ellipsoidal)"),
    "col.area_mu_plane": ("面积（亩，平面）", "Area mu (plane)"),
    "col.area_mu_ellipsoidal": ("面积（亩，椭球）", "Area mu (ellipsoidal)"),
    "col.area_ha_plane": ("面积（公顷，平面）", "Area ha (plane)"),
    "col.area_ha_ellipsoidal": ("面积（公顷，椭球）", "Area ha (ellipsoidal)"),
    "col.length_km": ("长度（公里）", "Length (km)"),
    # acquisition page (geo_app/ui/pages/acquisition/)
    "acq.view": ("视图", "View"),
    "acq.view.record": ("地块办理", "Record a stage"),
    "acq.view.as_of": ("时点回看", "As of a date"),
    "acq.view.compare": ("前后对比", "Compare two dates"),
    "acq.view.trend": ("进度曲线", "Progress over time"),
    "acq.pick": ("地块（可在地图上点击）", "Parcel (or click it on the map)"),
    "acq.pick.placeholder": ("输入地块编号或名称", "Type a parcel id or name"),
    "acq.pick.hint": (
        "在地图上点击地块，或在上方列表中选择，查看其办理记录并登记新阶段。",
        "Click a parcel on the map, or choose it above, to see its history and record "
        "its next stage.",
    ),
    "acq.stage_now": ("当前阶段", "Current stage"),
    "acq.since": ("（{date} 起）", " (since {date})"),
    "acq.version": ("版本", "Version"),
    "acq.version.value": ("{version}（已登记 {version} 条记录）",
                          "{version} ({version} events recorded)"),
    "acq.area": ("面积", "Area"),
    "acq.area.value": ("{mu:,.2f} 亩（平面）", "{mu:,.2f} mu (plane)"),
    "acq.phase": ("期次", "Phase"),
    "acq.history": ("办理记录", "History"),
    "acq.history.none": ("该地块尚无办理记录。", "No stage has been recorded for this parcel yet."),
    "acq.history.superseded": (
        "灰色行已被同日的更正覆盖，不再生效。",
        "Grey rows were overridden by a correction of the same day and are no longer in effect.",
    ),
    "acq.history.unknown": (
        "“未知阶段”的记录由其他程序写入，本程序无法识别其阶段，已跳过（灰色），不影响当前阶段。",
        "Rows of an 'unknown stage' were written by another tool with a stage this app does "
        "not know; they are skipped (grey) and do not change the current stage.",
    ),
    "acq.col.date": ("生效日期", "Effective date"),
    "acq.col.stage": ("阶段", "Stage"),
    "acq.col.officer": ("经办人", "Officer"),
    "acq.col.note": ("备注", "Note"),
    "acq.col.evidence": ("依据文件", "Evidence"),
    "acq.col.correction": ("更正", "Correction"),
    "acq.col.reason": ("更正原因", "Reason"),
    "acq.col.recorded": ("记录时间", "Recorded at"),
    "acq.col.in_effect": ("生效", "In effect"),
    "acq.col.parcel": ("地块", "Parcel"),
    "acq.col.name": ("名称", "Name"),
    "acq.col.area_mu": ("面积（亩）", "Area (mu)"),
    "acq.col.stage_on": ("{date} 阶段", "Stage on {date}"),
    "acq.col.mu_a": ("A（亩）", "A (mu)"),
    "acq.col.mu_b": ("B（亩）", "B (mu)"),
    "acq.col.change_mu": ("变化（亩）", "Change (mu)"),
    "acq.yes": ("是", "yes"),
    "acq.form.title": ("登记阶段变更", "Record a stage change"),
    "acq.form.correction": ("这是更正（可改为任意阶段，须说明原因）",
                            "This is a correction (any stage, reason required)"),
    "acq.form.to_stage": ("新阶段", "New stage"),
    "acq.form.to_stage.help": (
        "只能登记下一阶段：各阶段须逐一登记，不能跳过或回退。记录有误、需改为其他阶段时，"
        "请勾选上方“更正”。",
        "Only the next stage can be recorded: stages are recorded one at a time, never "
        "skipped or reversed. To fix a wrong record with another stage, tick 'correction' "
        "above.",
    ),
    "acq.form.date": ("生效日期", "Effective date"),
    "acq.form.date.help": (
        "阶段实际发生的日期：不晚于今天，不早于当前阶段的日期。",
        "When the stage happened: not after today, not before the current stage's date.",
    ),
    "acq.form.officer": ("经办人", "Officer"),
    "acq.form.note": ("备注", "Note"),
    "acq.form.evidence": ("依据文件（文件名或文号）", "Evidence (file name or document number)"),
    "acq.form.reason": ("更正原因（必填）", "Reason for the correction (required)"),
    "acq.form.submit": ("登记", "Record"),
    "acq.form.based_on": ("基于版本 {version}；如他人已先修改该地块，将提示冲突，不会覆盖。",
                          "Based on version {version}: if someone changes this parcel first, "
                          "you get a conflict message and nothing is overwritten."),
    "acq.form.done": (
        "{parcel}：已登记“{stage}”（生效 {date}），现为版本 {version}。",
        "{parcel}: recorded '{stage}' (effective {date}); now version {version}.",
    ),
    "acq.form.refused": ("未登记，原因：", "Not recorded:"),
    "acq.form.final": (
        "该地块已供地，征地流程已完成。如记录有误，请勾选“更正”。",
        "This parcel is supplied: the acquisition is complete. Tick 'correction' if a record "
        "is wrong.",
    ),
    "acq.as_of": ("截至日期（各月末，最右为今天）", "As of (month ends; rightmost is today)"),
    "acq.as_of.map": ("{date} 各地块所处阶段", "Parcel stages on {date}"),
    "acq.legend.selected": ("选中地块", "Selected parcel"),
    "acq.today": ("当前进度", "Progress today"),
    "acq.phase_started": (
        "已启动征地 {started:,.0f} 亩 / 共 {total:,.0f} 亩（{count} 块地）",
        "Acquisition started on {started:,.0f} of {total:,.0f} mu ({count} parcels)",
    ),
    "acq.as_of.figures": ("{date} 征地进度", "Progress on {date}"),
    "acq.stage_table": ("各阶段面积（亩）", "Area by stage (mu)"),
    "acq.excel": ("下载进度表和事件记录（Excel）", "Download progress and event log (Excel)"),
    "acq.excel.help": (
        "进度按所选日期计算；事件记录含该日及以前生效的全部事件。",
        "Progress on the chosen date; the log holds every event effective on or before it.",
    ),
    "acq.cmp.a": ("对比日期 A（之前）", "Date A (before)"),
    "acq.cmp.b": ("对比日期 B（之后）", "Date B (after)"),
    "acq.cmp.net_on": ("{phase} 净地 · {date}", "{phase} net land · {date}"),
    "acq.cmp.started_on": ("{phase} 已启动 · {date}", "{phase} started · {date}"),
    "acq.cmp.mu": ("{mu:,.1f} 亩", "{mu:,.1f} mu"),
    "acq.cmp.delta": ("{mu:+,.1f} 亩", "{mu:+,.1f} mu"),
    "acq.cmp.stages": ("各阶段面积（亩）", "Area by stage (mu)"),
    "acq.cmp.changed": ("阶段有变化的地块（{count} 块）", "Parcels whose stage changed ({count})"),
    "acq.cmp.none": ("两日之间没有地块改变阶段。",
                     "No parcel changed stage between the two dates."),
    "acq.cmp.maps": ("两日地图对比", "The two dates on the map"),
    "acq.trend.title": ("各期净地面积（月末）与目标",
                        "Net land per phase at month ends, and targets"),
    "acq.trend.month": ("月末", "Month end"),
    "acq.trend.net": ("净地及以后（亩）", "Net land and later (mu)"),
    "acq.trend.target": ("{phase}目标 {target:,.0f} 亩", "{phase} target {target:,.0f} mu"),
    "acq.trend.share": ("完成率", "Share of target"),
    "acq.trend.table": ("逐月数据", "Monthly figures"),
    "acq.trend.latest": ("{phase} 净地 · {date}", "{phase} net land · {date}"),
    "acq.trend.of_target": ("（目标的 {share:.0%}）", " ({share:.0%} of target)"),
    "acq.trend.caption": (
        "净地及以后：处于净地或供地阶段的地块平面面积；虚线为目标"
        "（一期 1420 亩、二期 1700 亩）。数值按各月末的办理记录回放得出。",
        "Net land and later: plane area of parcels at net land (净地) or supplied (供地); "
        "dashed lines are the targets (phase 1: 1420 mu, phase 2: 1700 mu). Replayed from "
        "the stage history at each month end.",
    ),
    # what a store lacks (geo_app/ui/gaps.py): said instead of figures, never as an error
    "gap.missing": (
        "本数据库没有“{layer}”图层，此处暂无内容。请在“导入”页面导入该图层。",
        "This store has no {layer} layer, so there is nothing to show here. Import it on "
        "the Import page.",
    ),
    "gap.empty": (
        "“{layer}”图层中还没有要素，此处暂无内容。请在“导入”页面导入要素。",
        "The {layer} layer has no features yet, so there is nothing to show here. Import "
        "them on the Import page.",
    ),
    "gap.unknown_stage": ("未知阶段（{code}）", "unknown stage ({code})"),
    "gap.unknown_events": (
        "办理记录中有 {count} 条记录的阶段无法识别（{codes}），可能由其他程序写入；"
        "统计进度和确定当前阶段时已跳过这些记录。",
        "{count} event(s) in the stage history have a stage this app does not know "
        "({codes}), probably written by another tool; they are skipped in every figure "
        "and for the current stage.",
    ),
    "gap.no_history": (
        "本数据库尚无办理记录：以下为地块图层中记录的当前阶段，暂不能按日期回看。"
        "在“地块办理”中登记阶段后即可按日期查看。",
        "There is no stage history in this store yet: these figures are each parcel's "
        "stage as the parcels layer has it, and cannot be looked at by date. Record stages "
        "under 'Record a stage' to see them over time.",
    ),
    "gap.no_history.over_time": (
        "本数据库尚无办理记录，暂不能查看随时间的变化。在“地块办理”中登记阶段后即可查看。",
        "There is no stage history in this store yet, so there is nothing to follow over "
        "time. Record stages under 'Record a stage' first.",
    ),
    "gap.section": (
        "此部分暂无内容：{reason}",
        "Nothing to show here: {reason}",
    ),
    # import page (geo_app/ui/pages/importing/)
    "page.import": ("导入", "Import"),
    "role.no_record": (
        "当前数据库角色只能查看：请管理员授予 geo_officer（经办人）角色后再登记阶段。",
        "Your database role may only read: ask an administrator to grant geo_officer to "
        "record stages.",
    ),
    "role.no_import": (
        "当前数据库角色不能导入图层：请管理员授予 geo_admin（管理员）角色。",
        "Your database role may not import layers: ask an administrator to grant geo_admin.",
    ),
    "imp.intro": (
        "上传地块等数据文件，先检查并查看报告，确认后才写入数据库。",
        "Upload a land-data file, check it and read the report; nothing is written until "
        "you confirm.",
    ),
    "imp.file": ("数据文件", "Data file"),
    "imp.file.help": (
        "Shapefile（.zip，含 .shp/.dbf/.shx/.prj）、GeoPackage、GeoJSON、FlatGeobuf、CSV、"
        "KML/KMZ、DXF 红线图、部标坐标 TXT；不超过 {mb} MB。",
        "Shapefile (.zip with .shp/.dbf/.shx/.prj), GeoPackage, GeoJSON, FlatGeobuf, CSV, "
        "KML/KMZ, DXF red-line drawing, boundary coordinate TXT; at most {mb} MB.",
    ),
    "imp.layer": ("导入到图层", "Into layer"),
    "imp.layer.help": (
        "新图层名只能用字母、数字和下划线（不以数字开头）。",
        "A new layer's name: letters, digits and _ (not first).",
    ),
    "imp.layer.new": ("新图层名", "New layer name"),
    "imp.mode": ("方式", "Mode"),
    "imp.mode.append": ("追加到图层", "Append to the layer"),
    "imp.mode.replace": ("替换整个图层", "Replace the whole layer"),
    "imp.crs": ("坐标系（可选）", "Coordinate system (optional)"),
    "imp.crs.help": (
        "文件未声明或声明有误时填写，如 EPSG:4547（CGCS2000 3度带 114°E）；留空则自动判断。",
        "Only when the file declares none or a wrong one, e.g. EPSG:4547 (CGCS2000 3-degree "
        "zone 114°E); empty: worked out from the file.",
    ),
    "imp.encoding": ("字符编码", "Text encoding"),
    "imp.encoding.auto": ("自动判断", "Detect"),
    "imp.gcj02": ("火星坐标（GCJ-02，高德/奥维导出）", "GCJ-02 coordinates (Amap/Ovi exports)"),
    "imp.gcj02.help": (
        "勾选后先转换为 CGCS2000/WGS 84，否则约偏 600 米。",
        "Converted to CGCS2000/WGS 84 first; otherwise the features land about 600 m off.",
    ),
    "imp.strict": ("严格：拒绝无效几何（不自动修复）",
                   "Strict: refuse invalid geometry (no repair)"),
    "imp.fields": ("字段对应", "Field mapping"),
    "imp.fields.caption": (
        "文件中的每个字段可保留原名，或对应到图层“{layer}”的标准字段。修改后请重新检查。",
        "Keep each field of the file as it is, or map it to a field of layer '{layer}'. "
        "Check again after a change.",
    ),
    "imp.fields.keep": ("（保留原名）", "(keep as is)"),
    "imp.constants.caption": (
        "文件中没有下列图层字段：可为全部要素填写同一个值（留空则不填）。",
        "The file has none of these layer fields: give one value for every feature "
        "(leave empty for none).",
    ),
    "imp.check": ("检查", "Check"),
    "imp.checking": ("正在检查…", "Checking…"),
    "imp.step.reading the file": ("读取文件", "Reading the file"),
    "imp.step.mapping fields": ("对应字段", "Mapping fields"),
    "imp.step.working out the coordinate system": ("判断坐标系",
                                                   "Working out the coordinate system"),
    "imp.step.checking geometries": ("检查几何", "Checking geometries"),
    "imp.step.measuring areas": ("计算面积", "Measuring areas"),
    "imp.step.comparing with the store": ("与库中数据比对", "Comparing with the store"),
    "imp.step.checking fields": ("检查字段", "Checking fields"),
    "imp.step.report ready": ("报告已生成", "Report ready"),
    "imp.step.writing to the store": ("写入数据库", "Writing to the store"),
    "imp.step.done": ("完成", "Done"),
    "imp.stale": (
        "文件或选项已在检查后修改，请重新点击“检查”。",
        "The file or the options changed since the check: press Check again.",
    ),
    "imp.report": ("检查报告：{source}", "Report: {source}"),
    "imp.r.format": ("格式", "Format"),
    "imp.r.encoding": ("编码", "Encoding"),
    "imp.r.crs": ("坐标系", "Coordinate system"),
    "imp.r.inferred": ("（推断）", " (inferred)"),
    "imp.r.read": ("读取要素", "Features read"),
    "imp.r.to_write": ("将写入", "To write"),
    "imp.r.area": ("面积（亩，平面）", "Area (mu, plane)"),
    "imp.r.errors": ("错误", "Errors"),
    "imp.r.warnings": ("警告", "Warnings"),
    "imp.r.repaired": ("已修复", "Repaired"),
    "imp.r.notes": ("说明", "Notes"),
    "imp.r.fields": ("字段对应", "Fields mapped"),
    "imp.r.field_source": ("文件字段", "File field"),
    "imp.r.field_target": ("图层字段", "Layer field"),
    "imp.r.field_reason": ("依据", "Why"),
    "imp.r.issues": ("问题（{count}）", "Issues ({count})"),
    "imp.r.no_issues": ("未发现问题。", "No issues found."),
    "imp.r.layer_exists": (
        "图层“{layer}”已存在：{mode}。", "Layer '{layer}' exists: {mode}.",
    ),
    "imp.r.layer_new": ("将新建图层“{layer}”。", "Layer '{layer}' will be created."),
    "imp.col.feature": ("要素", "Feature"),
    "imp.col.id": ("编号", "Id"),
    "imp.col.kind": ("类型", "Kind"),
    "imp.col.severity": ("级别", "Severity"),
    "imp.col.message": ("说明", "Message"),
    "imp.col.issues": ("问题", "Issues"),
    "imp.kind.missing_field": ("缺少字段", "missing field"),
    "imp.kind.invalid_value": ("字段值无效", "invalid value"),
    "imp.kind.duplicate_id": ("编号重复", "duplicate id"),
    "imp.kind.id_exists": ("编号已在图层中", "id already in the layer"),
    "imp.kind.overlap_existing": ("与已有要素重叠", "overlaps existing features"),
    "imp.kind.outside_zone": ("超出高新区范围", "outside the district"),
    "imp.kind.area_mismatch": ("登记面积与计算面积不符", "declared area differs"),
    "imp.kind.replaces_features": ("替换将删除图层现有要素",
                                   "replace removes the layer's features"),
    "imp.kind.no_such_layer": ("图层不存在", "no such layer"),
    "imp.kind.stage_kept": ("保留台账中的阶段", "ledger's stage kept"),
    "imp.kind.no_stage_history": ("阶段仅在图上，台账无记录", "stage on the map only"),
    "imp.record_stages": ("在台账中记录文件中的阶段", "Record the file's stages"),
    "imp.record_stages.help": (
        "地块图层：台账中尚无记录的地块，以文件中的阶段和阶段日期开始其阶段记录（每块一条，"
        "记录人为导入人，证据为该文件）。已有记录的地块保持台账中的阶段。",
        "Parcels layer: each parcel the ledger has no event for starts its stage history "
        "with its stage and stage date in the file (one event each, by the importing "
        "officer, the file as evidence). Parcels with a history keep the ledger's stage."),
    "imp.kind.self_intersection": ("自相交", "self-intersection"),
    "imp.sev.error": ("错误", "error"),
    "imp.sev.warning": ("警告", "warning"),
    "imp.sev.repaired": ("已修复", "repaired"),
    "imp.blocked": (
        "有 {count} 个错误，不能导入。请修改文件或选项后重新检查。",
        "{count} error(s): this file cannot be imported. Correct the file or the options, "
        "then check again.",
    ),
    "imp.preview": ("预览：文件中的要素（红框为有问题的要素）",
                    "Preview: the file's features (red outline: features with issues)"),
    "imp.preview.none": ("没有可绘制的要素。", "No feature can be drawn."),
    "imp.preview.partial": ("地图显示 {shown} / {total} 个要素（含全部问题要素）。",
                            "The map shows {shown} of {total} features (all with issues)."),
    "imp.legend.features": ("文件中的要素", "Features of the file"),
    "imp.legend.problems": ("有问题的要素", "Features with issues"),
    "imp.officer": ("经办人", "Officer"),
    "imp.confirm": ("确认导入", "Confirm import"),
    "imp.confirm.help": (
        "报告无错误并填写经办人后才能导入；全部要素在一个事务中写入。",
        "Possible once the report has no errors and the officer is given; everything is "
        "written in one transaction.",
    ),
    "imp.confirm.need_officer": ("请填写经办人后确认导入。", "Give the officer's name to confirm."),
    "imp.done": (
        "已导入 {written} 个要素到图层“{layer}”（{source}，经办人 {officer}）。",
        "Imported {written} features into layer '{layer}' ({source}; officer {officer}).",
    ),
    "imp.changed": (
        "检查后数据库已被修改，报告已更新，请重新查看后再确认。",
        "The store changed since the check: the report was updated; review it and confirm "
        "again.",
    ),
    "imp.refused": ("未导入，原因：", "Not imported:"),
    "imp.new_layer": ("＋ 新建图层…", "+ New layer…"),
    # export widget (geo_app/ui/export_widget.py)
    "exp.title": ("导出图层", "Export the layer"),
    "exp.format": ("格式", "Format"),
    "exp.encoding": ("字符编码", "Text encoding"),
    "exp.prepare": ("生成文件", "Prepare the file"),
    "exp.download": ("下载 {file}", "Download {file}"),
    "exp.fmt.gpkg": ("GeoPackage（.gpkg）", "GeoPackage (.gpkg)"),
    "exp.fmt.geojson": ("GeoJSON（.geojson）", "GeoJSON (.geojson)"),
    "exp.fmt.shp": ("Shapefile（.zip）", "Shapefile (.zip)"),
    "exp.fmt.kml": ("KML（.kml）", "KML (.kml)"),
    "exp.fmt.xlsx": ("Excel 表（.xlsx）", "Excel (.xlsx)"),
    "exp.fmt.boundary-txt": ("部标坐标 TXT（.txt）", "Boundary coordinate TXT (.txt)"),
}


def _merge_feature_texts() -> None:
    extra = feature_texts()
    twice = TEXT.keys() & extra.keys()
    if twice:
        raise RuntimeError(f"UI text keys defined twice: {sorted(twice)}")
    TEXT.update(extra)


_merge_feature_texts()


def t(key: str, lang: str = Lang.ZH, **values: object) -> str:
    """The text of ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    zh, en = TEXT[key]
    text = zh if lang == Lang.ZH else en
    return text.format(**values) if values else text


def phase_label(phase: int, lang: str = Lang.ZH) -> str:
    """``一期`` / ``Phase 1`` (one rule for the app and the maps: the domain's)."""
    return domain_phase_label(phase, str(lang))

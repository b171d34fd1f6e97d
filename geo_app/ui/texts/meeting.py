"""UI strings of the meeting feature: key -> (Chinese, English)."""

TEXT: dict[str, tuple[str, str]] = {
    # brief: printable one-page briefs (geo_app/ui/brief_widget.py)
    "brief.title": ("打印简报（PDF/PNG）", "Printable brief (PDF/PNG)"),
    "brief.size": ("版式", "Page"),
    "brief.size.a4": ("A4 横向", "A4 landscape"),
    "brief.size.slide": ("16:9 幻灯片", "16:9 slide"),
    "brief.as_of": ("截至日期", "As of"),
    "brief.prepare": ("生成简报", "Make the brief"),
    "brief.download_pdf": ("下载简报 PDF", "Download brief (PDF)"),
    "brief.download_png": ("下载简报 PNG", "Download brief (PNG)"),
    "brief.no_name": ("请先选择要生成简报的对象。", "Choose what to brief first."),
    "brief.title.village": ("村庄简报：{name}", "Village brief: {name}"),
    "brief.title.park": ("园区简报：{name}", "Park brief: {name}"),
    "brief.title.progress": ("征地进度简报", "Acquisition progress brief"),
    "brief.title.progress_as_of": ("征地进度简报（截至 {date}）",
                                   "Acquisition progress brief ({date})"),
    "brief.park_pick": ("园区", "Park"),
    # present: the Present page (geo_app/ui/pages/present.py)
    "present.page": ("演示", "Present"),
    "present.settings": ("演示设置", "Presentation settings"),
    "present.storyboard": ("故事板", "Storyboard"),
    "present.bundled": ("内置：{name}", "Bundled: {name}"),
    "present.uploaded_choice": ("上传的故事板", "Uploaded storyboard"),
    "present.upload": ("上传故事板（TOML）", "Upload a storyboard (TOML)"),
    "present.upload.help": (
        "格式见 geo_app/storyboards/README.md；图中数字由分析函数计算，不能手填。",
        "Format: geo_app/storyboards/README.md; the figures are computed, never typed."),
    "present.upload.none": ("请先上传一个故事板文件。", "Upload a storyboard file first."),
    "present.prev": ("◀ 上一页", "◀ Previous"),
    "present.next": ("下一页 ▶", "Next ▶"),
    "present.notes": ("演讲备注（N）", "Speaker notes (N)"),
    "present.no_notes": ("本页没有备注。", "No notes for this slide."),
    "present.keys": ("键盘：→ / PageDown 下一页，← / PageUp 上一页，N 备注",
                     "Keys: → / PageDown next, ← / PageUp previous, N notes"),
    "present.as_of": ("数据截至 {date}", "Figures as of {date}"),
    "present.exit": ("退出演示，返回地图", "Leave the presentation (map)"),
    "present.download_html": ("下载演示文稿 HTML（离线）", "Download the deck (offline HTML)"),
    "present.download_pdf": ("下载演示文稿 PDF", "Download the deck (PDF)"),
    # mapx: labels, belt, works programme on the zone map (geo_app/ui/pages/zone_map.py)
    "mapx.filter.works": ("村庄建设工程", "Village works programme"),
    "mapx.labels": ("名称标注", "Name labels"),
    "mapx.labels.help": (
        "在地图上标注所选图层的名称；重叠时优先显示园区、示范村等，其余自动隐藏。",
        "Names of the chosen layers on the map; where they would overlap, parks and the "
        "works-programme villages come first and the others are hidden."),
    "mapx.label_size": ("标注字号", "Label size"),
    "mapx.label_size.option": ("{px} 像素", "{px} px"),
    "mapx.label_size.projector": ("{px} 像素（投影）", "{px} px (projector)"),
    "mapx.village_theme": ("村庄配色", "Colour villages by"),
    "mapx.belt": ("环线 2 公里带", "Loop-road 2 km belt"),
    "mapx.belt.help": (
        "旅游循环道路两侧 2 公里范围（在高斯平面按米计算），"
        "并突出显示范围内的村庄，与数据看板一致。",
        "The 2 km either side of the tourism loop road (buffered in metres in the GK plane), "
        "with the villages it reaches outlined, as on the dashboard."),
    "mapx.belt.count": ("环线 2 公里范围内村庄：{count} 个",
                        "Villages within 2 km of the loop road: {count}"),
    "mapx.display": ("地图显示", "Map display"),
}

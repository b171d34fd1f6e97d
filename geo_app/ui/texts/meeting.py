"""UI strings of the meeting feature: key -> (Chinese, English)."""

TEXT: dict[str, tuple[str, str]] = {
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

"""Names for the illustrative sample layers.

Names marked "article" come from the source article; the others are invented for the
sample and say so in ``data_sources.md``.
"""

from __future__ import annotations

# (zh, en) — the six villages named in the article come first.
ARTICLE_VILLAGES: tuple[tuple[str, str], ...] = (
    ("挑水村", "Tiaoshui"),
    ("新店村", "Xindian"),
    ("老湾村", "Laowan"),
    ("幸福村", "Xingfu"),
    ("虹桥村", "Hongqiao"),
    ("阳光村", "Yangguang"),
)

INVENTED_VILLAGES: tuple[tuple[str, str], ...] = (
    ("桃园村", "Taoyuan"), ("柳林村", "Liulin"), ("长岗村", "Changgang"),
    ("东岳村", "Dongyue"), ("金桥村", "Jinqiao"), ("白果村", "Baiguo"),
    ("龙井村", "Longjing"), ("丰收村", "Fengshou"), ("凤凰村", "Fenghuang"),
    ("团结村", "Tuanjie"), ("双寺村", "Shuangsi"), ("高庙村", "Gaomiao"),
    ("黄土村", "Huangtu"), ("青龙村", "Qinglong"), ("红星村", "Hongxing"),
    ("白云村", "Baiyun"), ("马鞍村", "Ma'an"), ("石桥村", "Shiqiao"),
    ("花园村", "Huayuan"), ("荷店村", "Hedian"), ("松林村", "Songlin"),
    ("枣林村", "Zaolin"), ("杨岗村", "Yanggang"), ("陈湾村", "Chenwan"),
    ("刘畈村", "Liufan"), ("胡湾村", "Huwan"), ("周冲村", "Zhouchong"),
    ("李店村", "Lidian"), ("张畈村", "Zhangfan"), ("王岗村", "Wanggang"),
    ("徐家河村", "Xujiahe"), ("黄湾村", "Huangwan"), ("天河村", "Tianhe"),
    ("林场村", "Linchang"), ("龙泉村", "Longquan"), ("新华村", "Xinhua"),
    ("永兴村", "Yongxing"), ("光明村", "Guangming"),
)

AGRI_BASES: tuple[tuple[str, str], ...] = (
    ("香菇种植基地", "Shiitake base"),
    ("优质稻基地", "Quality rice base"),
    ("蓝莓采摘园", "Blueberry orchard"),
    ("茶叶基地", "Tea base"),
    ("葡萄采摘园", "Grape orchard"),
    ("有机蔬菜基地", "Organic vegetable base"),
    ("泡泡青基地", "Paopaoqing greens base"),
    ("桃花观光园", "Peach blossom orchard"),
    ("小龙虾养殖基地", "Crayfish farm"),
)

# Named projects: (zh, en, park, category, status, start_year)
ARTICLE_PROJECTS: tuple[tuple[str, str, str, str, str, int], ...] = (
    ("齐星智能制造", "Qixing smart manufacturing", "城东片区", "industrial", "in_production", 2020),
    ("品源现代农产品深加工", "Pinyuan agri-food processing", "城东片区", "industrial",
     "in_production", 2020),
    ("黄鹤楼酒业搬迁改造", "Huanghelou distillery relocation", "府南片区", "industrial",
     "trial_production", 2021),
    ("东风马可迅铝制车轮", "Dongfeng Maxion aluminium wheels", "城东片区", "industrial",
     "trial_production", 2021),
    ("湖北正大万吨熟食", "Hubei CP 10,000-t cooked food", "铁北片区", "industrial",
     "trial_production", 2021),
    ("利康生态健康园", "Likang eco-health park", "府南片区", "services",
     "under_construction", 2021),
    ("随帝福都卡式炉制造", "Suidi Fudu cassette stoves", "铁北片区", "industrial",
     "under_construction", 2021),
    ("国能长源随州火电厂", "CHN Energy Suizhou power plant", "淅河片区", "industrial",
     "under_construction", 2021),
    ("316国道高新区段改扩建", "G316 high-tech zone section", "城东片区", "infrastructure",
     "under_construction", 2021),
    ("望城岗安置房", "Wangchenggang resettlement housing", "铁北片区", "infrastructure",
     "under_construction", 2021),
    ("随州大数据产业园改造", "Big Data Industrial Park renovation", "随州大数据产业园",
     "infrastructure", "under_construction", 2021),
    ("锂离子电池负极材料", "Li-ion battery anode materials", "青春化工园", "industrial",
     "preparing", 2022),
    ("北新建材", "BNBM building materials", "淅河片区", "industrial", "preparing", 2022),
    ("犇星新材料产业园", "Benxing new-materials park", "青春化工园", "industrial",
     "preparing", 2022),
)

INDUSTRIES: tuple[str, ...] = ("电子信息", "汽车机械", "医药化工", "食品加工", "新能源新材料")
INDUSTRIES_EN: tuple[str, ...] = (
    "Electronics", "Auto & machinery", "Pharma & chemicals", "Food processing", "New energy",
)
INFRA_KINDS: tuple[tuple[str, str], ...] = (
    ("道路管网工程", "Roads and pipes"),
    ("标准化厂房", "Standard factory buildings"),
    ("乡村振兴示范点", "Rural revitalisation site"),
    ("供水供气工程", "Water and gas supply"),
)

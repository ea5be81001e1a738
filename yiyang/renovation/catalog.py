"""The recommended catalog (推荐清单) of 民发〔2020〕86号 as reproduced in SEED001 附件1, with our stable
codes (STANDARDS.md §4.2): ``SLH-nn`` in the official order 1–30, categories C1–C7, seven basic (基础)
items. Key on the code, never on the name: 安装扶手 occurs twice (SLH-04 地面, SLH-13 如厕洗浴).

Reference prices are the demo's own estimates (the seed gives none); a programme edits them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogEntry:
    seq: int
    code: str
    category: str
    name: str
    content: str
    basic: bool
    reference_price_fen: int


_ROWS: list[tuple[str, str, str, bool, int]] = [
    ("C1", "防滑处理", "在卫生间、厨房、卧室等区域，铺设防滑砖或者防滑地胶，提高安全性。", True, 60000),
    (
        "C1",
        "高差处理",
        "铺设水泥坡道或者加设橡胶等材质的可移动式坡道，保证路面平滑、无高差障碍，方便轮椅进出。",
        True,
        30000,
    ),
    ("C1", "平整硬化", "对地面进行平整硬化，方便轮椅通过，降低风险。", False, 40000),
    ("C1", "安装扶手", "在高差变化处安装扶手，辅助老年人通过。", False, 20000),
    ("C2", "门槛移除", "移除门槛，保证老年人进门无障碍，方便轮椅进出。", False, 15000),
    ("C2", "平开门改为推拉门", "方便开启，增加通行宽度和辅助操作空间。", False, 80000),
    ("C2", "房门拓宽", "对卫生间、厨房等空间较窄的门洞进行拓宽，改善通过性，方便轮椅进出。", False, 60000),
    (
        "C2",
        "下压式门把手改造",
        "可用单手手掌或者手指轻松操作，增加摩擦力和稳定性，方便老年人开门。",
        False,
        5000,
    ),
    ("C2", "安装闪光振动门铃", "供听力视力障碍老年人使用。", False, 10000),
    (
        "C3",
        "配置护理床",
        "帮助失能老年人完成起身、侧翻、上下床、吃饭等动作，辅助喂食、处理排泄物等。",
        False,
        150000,
    ),
    (
        "C3",
        "安装床边护栏（抓杆）",
        "辅助老年人起身、上下床，防止翻身滚下床，保证老年人睡眠和活动安全。",
        True,
        20000,
    ),
    (
        "C3",
        "配置防压疮垫",
        "避免长期乘坐轮椅或卧床的老年人发生严重压疮，包括防压疮坐垫、靠垫或床垫等。",
        False,
        30000,
    ),
    (
        "C4",
        "安装扶手",
        "在如厕区或者洗浴区安装扶手，辅助老年人起身、站立、转身和坐下，包括一字形扶手、U形扶手、"
        "L形扶手、135°扶手、T形扶手或者助力扶手等。",
        True,
        30000,
    ),
    (
        "C4",
        "蹲便器改坐便器",
        "减轻蹲姿造成的腿部压力，避免老年人如厕时摔倒，方便乘轮椅老年人使用。",
        False,
        80000,
    ),
    ("C4", "水龙头改造", "采用拔杆式或感应水龙头，方便老年人开关水阀。", False, 10000),
    (
        "C4",
        "浴缸/淋浴房改造",
        "拆除浴缸/淋浴房，更换浴帘、浴杆，增加淋浴空间，方便照护人员辅助老年人洗浴。",
        False,
        50000,
    ),
    ("C4", "配置淋浴椅", "辅助老年人洗澡用，避免老年人滑倒，提高安全性。", True, 15000),
    (
        "C5",
        "台面改造",
        "降低操作台、灶台、洗菜池高度或者在其下方留出容膝空间，方便乘轮椅或者体型矮小老年人操作。",
        False,
        100000,
    ),
    ("C5", "加设中部柜", "在吊柜下方设置开敞式中部柜、中部架，方便老年人取放物品。", False, 60000),
    (
        "C6",
        "安装自动感应灯具",
        "安装感应便携灯，避免直射光源、强刺激性光源，人走灯灭，辅助老年人起夜使用。",
        False,
        8000,
    ),
    (
        "C6",
        "电源插座及开关改造",
        "视情进行高/低位改造，避免老年人下蹲或弯腰，方便老年人插拔电源和使用开关。",
        False,
        10000,
    ),
    (
        "C6",
        "安装防撞护角/防撞条、提示标识",
        "在家具尖角或墙角安装防撞护角或者防撞条，避免老年人磕碰划伤，必要时粘贴防滑条、警示条等"
        "符合相关标准和老年人认知特点的提示标识。",
        False,
        5000,
    ),
    ("C6", "适老家具配置", "比如换鞋凳、适老椅、电动升降晾衣架等。", False, 30000),
    ("C7", "手杖", "辅助老年人平稳站立和行走，包含三脚或四脚手杖、凳拐等。", True, 10000),
    ("C7", "轮椅/助行器", "辅助家人、照护人员推行/帮助老年人站立行走，扩大老年人活动空间。", False, 60000),
    ("C7", "放大装置", "运用光学/电子原理进行影像放大，方便老年人近用。", False, 10000),
    (
        "C7",
        "助听器",
        "帮助老年人听清声音来源，增加与周围的交流，包括盒式助听器、耳内助听器、耳背助听器、骨导助听器等。",
        False,
        100000,
    ),
    (
        "C7",
        "自助进食器具",
        "辅助老年人进食，包括防洒碗（盘）、助食筷、弯柄勺（叉）、饮水杯（壶）等。",
        False,
        5000,
    ),
    (
        "C7",
        "防走失装置",
        "用于监测失智老年人或其他精神障碍老年人定位，避免老年人走失，包括防走失手环、防走失胸卡等。",
        True,
        20000,
    ),
    (
        "C7",
        "安全监控装置",
        "佩戴于人体或安装在居家环境中，用于监测老年人动作或者居室环境，发生险情时及时报警。包括红外探测器、"
        "紧急呼叫器、烟雾/煤气泄露/溢水报警器等。",
        False,
        30000,
    ),
]

CATALOG: tuple[CatalogEntry, ...] = tuple(
    CatalogEntry(n, f"SLH-{n:02d}", cat, name, content, basic, price)
    for n, (cat, name, content, basic, price) in enumerate(_ROWS, start=1)
)
BASIC_CODES: frozenset[str] = frozenset(e.code for e in CATALOG if e.basic)
assert (
    len(CATALOG) == 30
    and frozenset({"SLH-01", "SLH-02", "SLH-11", "SLH-13", "SLH-17", "SLH-24", "SLH-29"}) == BASIC_CODES
)

# The programme defaults of SEED001 (Chongqing 2020): targets, 失能 levels of other standards (the 特困 six-item
# rule always counts: 4 or more items not achievable), 2,000 yuan per household, 2-year warranty.
DEFAULT_TARGETS = ["tekun_dispersed", "poverty_monitor"]
DEFAULT_ACCEPTED_LEVELS: dict[str, list[int]] = {
    "gbt42195": [2, 3, 4],
    "mzt039": [2, 3],
    "ltc2021": [2, 3, 4, 5],
}
DEFAULT_CAP_FEN = 200000
DEFAULT_PUBLICITY_DAYS = 7
DEFAULT_WARRANTY_YEARS = 2

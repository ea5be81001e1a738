"""The planning rules as policy data (``yiyang.core.policy``): seeded by migration 0001 with their source."""

from __future__ import annotations

from yiyang.core.policy import Policy

WALK_DISTANCE = "planning.walk_distance"
BEDS_NORM = "planning.beds_per_1000"

WALK_SOURCE = (
    "《湖州市养老服务发展“十四五”规划（征求意见稿）》三、1(1)：中密度居住区（1000—3000 人/平方公里）的老年人 1000 米内、"
    "高密度居住区（>3000 人/平方公里）500 米内建有 1 家养老机构；本平台以同一步行距离衡量社区养老服务设施的 15 分钟服务圈"
)
BEDS_SOURCE = "《湖州市养老服务发展“十四五”规划（征求意见稿）》三、1(1)：按 1 万名常住老年人配建不少于 300 张床位为规划单元（每千名 30 张）"

PLANNING_POLICIES = [
    Policy(
        WALK_DISTANCE,
        "15 分钟服务圈步行距离",
        "米",
        1000,
        WALK_SOURCE,
        "养老地图、15 分钟服务圈、设施选址",
        minimum=100,
        maximum=5000,
    ),
    Policy(
        BEDS_NORM,
        "每千名老年人床位规划标准",
        "张",
        30,
        BEDS_SOURCE,
        "15 分钟服务圈（床位对照）",
        maximum=1000,
    ),
]

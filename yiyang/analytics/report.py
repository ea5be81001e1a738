"""The quarterly KPI report (季度统计监测报告): PDF with reportlab and .xlsx with openpyxl, laid out like the
seed tables (序号 · 指标名称 · 单位 · 基期值 · 目标值 · 本期值 · 完成情况).

The PDF follows the assessment report (``yiyang.assessments.report``): the WenQuanYi Micro Hei font from
``paperang-p2-fonts-cjk`` embedded (subset), or reportlab's built-in ``STSong-Light`` CID font when that
file cannot be loaded. Values come from the stored monthly snapshots: the quarter's last month (the latest
one so far for the current quarter)."""

from __future__ import annotations

import calendar
import io
from datetime import date
from functools import cache
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from yiyang.analytics import selectors
from yiyang.analytics.choices import Source
from yiyang.core.xlsx import append_row, safe_cell
from yiyang.regions.models import Region

FONT_NAME = "YiyangCJK"
TARGET_GROUP = "规划目标"


@cache
def cjk_font() -> str:
    try:
        path = resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"
        with resources.as_file(path) as real:
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(real), subfontIndex=0))
        return FONT_NAME
    except Exception:  # any failure to load the TrueType file → the built-in CID font
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        return "STSong-Light"


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")


def quarterly(region: Region, year: int, quarter: int) -> dict[str, Any]:
    last_month = f"{year}-{quarter * 3:02d}"
    quarter_end = date(year, quarter * 3, 1)
    kpis = [k for k in selectors.kpi_list() if selectors.applies(k, region)]
    targeted = [k for k in kpis if k.group == TARGET_GROUP]
    stats = [k for k in kpis if k.group != TARGET_GROUP and k.code in {"elders_60", "elders_80", "share_80"}]
    values = selectors.snapshot_values(region, targeted + stats, upto=last_month)
    # the targets in force at the quarter's end (or today, for the quarter under way)
    on = min(date(year, quarter * 3, calendar.monthrange(year, quarter * 3)[1]), timezone.localdate())
    targets = selectors.targets_for(targeted + stats, region.code, on)
    judged = [selectors.judge(v, targets.get(v.kpi.pk, []), year) for v in values]
    rows = []
    for n, v in enumerate([x for x in judged if x.kpi.group == TARGET_GROUP], start=1):
        t = v.target
        rows.append(
            {
                "seq": n,
                "name": v.kpi.name,
                "unit": v.kpi.unit,
                "baseline": f"{_fmt(selectors.as_number(t.baseline_value, v.kpi.decimals))}（{t.baseline_year}年）"
                if t and t.baseline_value is not None
                else "—",
                "target": f"{t.comparator}{_fmt(v.target_number)}（{t.year}年）" if t else "—",
                "value": _fmt(v.number),
                "status": v.status_label if v.value is not None else f"无数据：{v.reason or v.status_reason}",
                "source": "部门填报" if v.kpi.source == Source.ENTERED else "平台计算",
                "demo": bool(t and t.is_demo),
            }
        )
    children = selectors.region_children(region)
    league_kpis = [k for k in targeted if k.source == Source.COMPUTED][:5]
    if children:
        league_kpis = [k for k in league_kpis if selectors.applies(k, children[0])]
    league = selectors.league(children, league_kpis, year) if children else []
    as_of = max((v.as_of for v in judged if v.value is not None), default=None)
    return {
        "region": region,
        "year": year,
        "quarter": quarter,
        "quarter_end": quarter_end,
        "as_of": as_of,
        "rows": rows,
        "stats": [v for v in judged if v.kpi.group != TARGET_GROUP],
        "league_kpis": league_kpis,
        "league": league,
        "demo": any(r["demo"] for r in rows),
        "generated": timezone.localtime(),
    }


def _title(data: dict[str, Any]) -> str:
    return f"{data['region'].name}养老服务主要指标季度报告（{data['year']}年第{data['quarter']}季度）"


NOTES = [
    "进度状态：以基期值到目标年年末的直线进度为应达值；达到应达值为“进度正常”，差距不超过基期到目标距离的 10% 为“有风险”，"
    "超过为“滞后”；无基期值时以目标值本身为应达值。没有数据的指标标“无数据”并写明原因，不以 0 代替。",
    "平台计算的指标取本季度最后一个月的月度快照；往月快照为按现有数据回溯补算（年龄与在册状态按当月月末计）。",
]
DEMO_NOTE = "本报告中的目标值为演示目标：取自湖州市“十四五”养老服务规划（表1、表3）与扬州市三年行动计划任务分解表，仅供演示。"


def quarterly_pdf(data: dict[str, Any]) -> bytes:
    font = cjk_font()
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=1, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=base, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4)
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=colors.HexColor("#444444"))

    def p(text: Any, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(str(text)), style)

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=_title(data),
        author="颐养智慧养老服务平台",
    )
    as_of = data["as_of"]
    story: list[Any] = [
        p(_title(data), title),
        p(
            f"统计截至 {as_of:%Y年%m月%d日}" if as_of else "本季度尚无月度快照",
            small,
        ),
        Spacer(1, 3 * mm),
        p("一、主要发展指标完成情况", h2),
    ]
    head = ["序号", "指标名称", "单位", "基期值", "目标值", "本期值", "完成情况", "来源"]
    table = [[p(h) for h in head]] + [
        [
            p(r["seq"]),
            p(r["name"]),
            p(r["unit"]),
            p(r["baseline"]),
            p(r["target"]),
            p(r["value"]),
            p(r["status"]),
            p(r["source"]),
        ]
        for r in data["rows"]
    ]
    widths = [10 * mm, 48 * mm, 13 * mm, 24 * mm, 26 * mm, 18 * mm, 24 * mm, 18 * mm]
    style = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
    )
    story.append(Table(table, colWidths=widths, repeatRows=1, style=style))
    if data["stats"]:
        story.append(p("二、老年人口", h2))
        stats = [[p("指标"), p("单位"), p("本期值")]] + [
            [p(v.kpi.name), p(v.kpi.unit), p(_fmt(v.number))] for v in data["stats"]
        ]
        story.append(Table(stats, colWidths=[80 * mm, 20 * mm, 30 * mm], style=style))
    if data["league"]:
        story.append(p("三、下级区域排行", h2))
        head2 = ["区域"] + [k.name for k in data["league_kpis"]]
        rows2 = [[p(h, small) for h in head2]]
        for row in data["league"]:
            rows2.append(
                [p(row["region"].name, small)]
                + [p(f"{_fmt(c.number)}（{c.status_label}）", small) for c in row["cells"]]
            )
        n = max(1, len(head2) - 1)
        story.append(Table(rows2, colWidths=[30 * mm] + [150 * mm / n] * n, repeatRows=1, style=style))
    story.append(Spacer(1, 4 * mm))
    story.append(p("说明", h2))
    for note in NOTES + ([DEMO_NOTE] if data["demo"] else []):
        story.append(p(note, small))
    story.append(
        p(f"生成时间：{data['generated']:%Y-%m-%d %H:%M}　　编制单位：{data['region'].name}民政部门", small)
    )
    doc.build(story)
    return buf.getvalue()


def quarterly_xlsx(data: dict[str, Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "主要指标"
    ws.append([safe_cell(_title(data))])
    ws["A1"].font = Font(bold=True, size=14)
    as_of = data["as_of"]
    ws.append([safe_cell(f"统计截至 {as_of:%Y-%m-%d}" if as_of else "本季度尚无月度快照")])
    append_row(ws, ["序号", "指标名称", "单位", "基期值", "目标值", "本期值", "完成情况", "来源"])
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for r in data["rows"]:
        append_row(
            ws,
            [
                r["seq"],
                r["name"],
                r["unit"],
                r["baseline"],
                r["target"],
                r["value"],
                r["status"],
                r["source"],
            ],
        )
    for col, width in zip("ABCDEFGH", [6, 40, 8, 16, 18, 12, 24, 10], strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.append([])
    for note in NOTES + ([DEMO_NOTE] if data["demo"] else []):
        ws.append([safe_cell(note)])
    if data["league"]:
        ws2 = wb.create_sheet("下级区域")
        append_row(ws2, ["区域"] + [f"{k.name}（{k.unit}）" for k in data["league_kpis"]] + ["完成情况"])
        for row in data["league"]:
            append_row(
                ws2,
                [row["region"].name]
                + [c.number for c in row["cells"]]
                + ["、".join(f"{c.kpi.name}{c.status_label}" for c in row["cells"])],
            )
        ws2.column_dimensions["A"].width = 16
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

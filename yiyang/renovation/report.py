"""The household archive (一户一档) as a printable Chinese PDF, and the progress spreadsheet.

The PDF follows the assessment report (``yiyang.assessments.report``): reportlab with the embedded
WenQuanYi Micro Hei font (or the built-in STSong-Light CID font when it cannot be loaded), every field
escaped through ``text_para`` so a ``<`` or ``&`` in a name prints instead of being parsed as markup."""

from __future__ import annotations

import io
import re
from functools import cache
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from yiyang.core.money import yuan
from yiyang.core.xlsx import safe_cell
from yiyang.renovation.choices import PhotoKind

FONT_NAME = "YiyangCJK"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


def text_para(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(_CONTROL.sub("", str(text))), style)


def _grid(font: str, header: bool = True) -> TableStyle:
    cmds: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if header:
        cmds.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf2")))
    return TableStyle(cmds)


def _thumb(field: Any, width: float) -> Image | None:
    try:
        with field.open("rb") as handle:
            raw = handle.read()
        from reportlab.lib.utils import ImageReader

        w, h = ImageReader(io.BytesIO(raw)).getSize()
        return Image(io.BytesIO(raw), width=width, height=width * h / max(w, 1))
    except Exception:  # a missing or damaged file prints as text
        return None


def _d(value: Any) -> str:
    return f"{value:%Y-%m-%d}" if value else "—"


def archive_pdf(a: Any) -> bytes:
    font = cjk_font()
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=17, leading=22, alignment=1, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=base, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4)
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=colors.HexColor("#444444"))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title="居家适老化改造档案（一户一档）",
        author="颐养智慧养老服务平台",
    )
    elder = a.elder
    story: list[Any] = [
        text_para("居家适老化改造档案（一户一档）", title),
        text_para(f"{a.programme.year}年 {a.programme.name} · 申请编号 {a.number}", small),
        Spacer(1, 4 * mm),
    ]
    info = [
        ["姓名", text_para(elder.name, base), "身份证号", elder.id_number_masked],
        ["常住地", text_para(elder.region.name, base), "申请日期", _d(a.application_date)],
        [
            "申请人",
            text_para(f"{a.applicant_name}（{a.get_applicant_display()}）", base),
            "状态",
            a.get_status_display(),
        ],
        [
            "施工单位",
            text_para(a.contractor.name if a.contractor else "—", base),
            "监理单位",
            text_para(a.supervisor.name if a.supervisor else "—", base),
        ],
    ]
    t = Table(info, colWidths=[24 * mm, 61 * mm, 24 * mm, 61 * mm])
    t.setStyle(_grid(font, header=False))
    story += [t, text_para("资格审核", h2)]
    rules = [["规则", "结果", "说明"]]
    labels = {
        "target_category": "对象类别",
        "age_80": "高龄",
        "disabled_capability": "失能",
        "disability_certificate": "残疾人证",
        "one_of_age_capability_certificate": "高龄/失能/残疾",
        "housing_right": "住房产权",
        "not_demolition": "未列入拆迁",
        "not_already_subsidised": "未重复补贴",
    }
    for r in (a.eligibility or {}).get("rules", []):
        rules.append(
            [
                labels.get(r.get("code"), "规则"),
                "符合" if r.get("passed") else "不符合",
                text_para(r.get("reason", ""), base),
            ]
        )
    t = Table(rules, colWidths=[30 * mm, 16 * mm, 124 * mm])
    t.setStyle(_grid(font))
    story += [t, text_para("入户评估", h2)]
    story.append(text_para(f"{_d(a.assessed_on)} {a.assessor_name}：{a.assessment_note or '—'}", base))

    story.append(text_para("改造方案（一户一策）与施工", h2))
    plan: list[list[Any]] = [["序号", "项目", "类型", "方案", "计划金额（元）", "完成", "实际费用（元）"]]
    for row in a.plan_items.all():
        if row.included:
            scheme = f"{row.quantity} × {yuan(row.unit_price_fen)}"
            planned = yuan(row.planned_fen)
        else:
            scheme = text_para(f"不适用：{row.not_applicable_reason}", base)
            planned = "—"
        plan.append(
            [
                str(row.item.seq),
                text_para(f"{row.item.get_category_display()} · {row.item.name}", base),
                "基础" if row.item.basic else "可选",
                scheme,
                planned,
                ("是" if row.done else "否") if row.included else "—",
                yuan(row.actual_cost_fen) if row.actual_cost_fen is not None and row.included else "—",
            ]
        )
    t = Table(plan, colWidths=[16 * mm, 48 * mm, 12 * mm, 34 * mm, 22 * mm, 12 * mm, 26 * mm])
    t.setStyle(_grid(font))
    story += [t, Spacer(1, 2 * mm)]
    story.append(
        text_para(
            f"签字确认：{a.signed_by or '—'}（{_d(a.signed_on)}）；开工 {_d(a.started_on)}，完工 {_d(a.completed_on)}",
            base,
        )
    )

    story.append(text_para("改造前后照片", h2))
    photo_rows: list[list[Any]] = [["项目", "改造前", "改造后"]]
    for row in a.plan_items.all():
        if not row.included:
            continue
        cells: list[Any] = [text_para(f"{row.item.seq}. {row.item.name}", base)]
        for kind in (PhotoKind.BEFORE, PhotoKind.AFTER):
            photo = next((p for p in row.photos.all() if p.kind == kind), None)
            if photo is None:
                cells.append("—")
                continue
            img = _thumb(photo.thumbnail or photo.image, 45 * mm)
            when = (
                f"拍摄 {timezone.localtime(photo.taken_at):%Y-%m-%d %H:%M}"
                if photo.taken_at
                else "无拍摄时间"
            )
            where = (
                f" · {photo.lat:.5f},{photo.lng:.5f}"
                if photo.lat is not None and photo.lng is not None
                else ""
            )
            cells.append([img, text_para(when + where, small)] if img else text_para(when + where, small))
        photo_rows.append(cells)
    t = Table(photo_rows, colWidths=[50 * mm, 60 * mm, 60 * mm])
    t.setStyle(_grid(font))
    story.append(t)

    story.append(text_para("竣工验收", h2))
    story.append(
        text_para(
            f"验收日期 {_d(a.accepted_on)}；街道验收人 {a.street_inspector or '—'}；监理验收人 {a.supervisor_inspector or '—'}；"
            f"意见：{a.acceptance_note or '—'}",
            base,
        )
    )
    story.append(text_para("资金拨付", h2))
    money = [
        [
            "实际改造费用（元）",
            "补助金额（元）",
            "个人承担（元）",
            "每户补助上限（元）",
            "拨付日期",
            "质保截止",
        ],
        [
            text_para(v, base)
            for v in (
                yuan(a.actual_cost_fen) if a.actual_cost_fen is not None else "—",
                yuan(a.subsidy_fen) if a.subsidy_fen is not None else "—",
                yuan(a.household_fen) if a.household_fen is not None else "—",
                yuan(a.programme.cap_fen),
                _d(a.paid_on),
                _d(a.warranty_until),
            )
        ],
    ]
    t = Table(money, colWidths=[30 * mm, 28 * mm, 28 * mm, 30 * mm, 27 * mm, 27 * mm])
    t.setStyle(_grid(font))
    story.append(t)
    claims = list(a.claims.all())
    if claims:
        story.append(text_para("保修记录", h2))
        rows = [["报修日期", "内容", "状态", "维修记录"]]
        for c in claims:
            rows.append(
                [
                    _d(c.reported_on),
                    text_para(c.description, base),
                    c.get_status_display(),
                    text_para(c.repair_note or "—", base),
                ]
            )
        t = Table(rows, colWidths=[24 * mm, 70 * mm, 20 * mm, 56 * mm])
        t.setStyle(_grid(font))
        story.append(t)
    story.append(text_para("办理过程", h2))
    for e in a.events.all():
        story.append(
            text_para(
                f"{timezone.localtime(e.at):%Y-%m-%d %H:%M} {e.actor_name}：{e.from_label} → {e.to_label} {e.reason}",
                small,
            )
        )
    story.append(Spacer(1, 4 * mm))
    story.append(text_para(f"打印时间 {timezone.localtime():%Y-%m-%d %H:%M}", small))
    doc.build(story)
    return buf.getvalue()


def progress_xlsx(programme: Any, rows: list[dict[str, Any]], level: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.worksheets[0]
    ws.title = "改造进度"
    ws.append(
        [safe_cell(f"{programme.year}年 {programme.name} 进度（{'街道' if level == 'street' else '区县'}）")]
    )
    phases = [label for label, _ in (rows[0]["phases"] if rows else [])]
    ws.append(
        [
            safe_cell(h)
            for h in [
                "区域",
                "任务数（户）",
                "申请",
                "批准",
                "完成验收",
                "已拨付",
                *[f"{p}（平均天数）" for p in phases],
            ]
        ]
    )
    for r in rows:
        ws.append(
            [
                safe_cell(r["name"]),
                r["quota"],
                r["applied"],
                r["approved"],
                r["done"],
                r["paid"],
                *[safe_cell(v) for _, v in r["phases"]],
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

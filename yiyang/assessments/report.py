"""The printable assessment report (PDF, Chinese) with reportlab.

Font: WenQuanYi Micro Hei, a TrueType CJK font shipped on PyPI by ``paperang-p2-fonts-cjk`` (installed by
``make setup`` with the locked dependencies, no root needed) and embedded (subset) in the PDF so it prints
the same everywhere. If that file cannot be loaded the report falls back to reportlab's built-in CID font
``STSong-Light`` (not embedded; the reader supplies a Song face).
"""

from __future__ import annotations

import base64
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
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from yiyang.assessments import rules
from yiyang.assessments.models import Assessment, SignatureRole
from yiyang.assessments.scoring import describe

FONT_NAME = "YiyangCJK"


@cache
def cjk_font() -> str:
    """Register and return the CJK font name used by the report."""
    try:
        path = resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"
        with resources.as_file(path) as real:
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(real), subfontIndex=0))
        return FONT_NAME
    except Exception:  # any failure to load the TrueType file → the built-in CID font
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        return "STSong-Light"


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=22, alignment=1, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=8, leading=11, textColor=colors.HexColor("#444444")
        ),
        "big": ParagraphStyle("big", parent=base, fontSize=12, leading=16),
    }


def _rule_texts(a: Assessment) -> list[str]:
    known = {r["code"]: r["text"] for r in describe(a.standard).get("rules", [])}
    return [known.get(c, "其他变更规则") for c in (a.result or {}).get("rules_applied", [])]


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


def _signature_image(data_url: str) -> Image | None:
    if not data_url.startswith("data:image/png;base64,"):
        return None
    try:
        raw = base64.b64decode(data_url.split(",", 1)[1], validate=True)
        reader = ImageReader(io.BytesIO(raw))
        w, h = reader.getSize()
        width = 40 * mm
        return Image(io.BytesIO(raw), width=width, height=width * h / max(w, 1))
    except Exception:  # a damaged image prints as the typed name only
        return None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_para(text: Any, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of plain text: every field goes through here, escaped, so a ``<`` or ``&`` in a name is
    printed, never parsed as ReportLab markup (which failed the whole report, or fetched ``<img src>``)."""
    return Paragraph(escape(_CONTROL.sub("", str(text))), style)


def render_pdf(a: Assessment) -> bytes:
    font = cjk_font()
    st = _styles(font)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title="老年人能力评估报告",
        author="颐养智慧养老服务平台",
    )
    elder = a.elder
    story: list[Any] = [
        text_para("老年人能力评估报告", st["title"]),
        text_para(f"{a.get_standard_display()}", st["small"]),
        Spacer(1, 4 * mm),
    ]
    info = [
        ["姓名", text_para(elder.name, st["base"]), "身份证号", elder.id_number_masked],
        ["性别", elder.get_sex_display(), "年龄", f"{elder.age(a.assessed_on)} 岁"],
        ["常住地", elder.region.name, "评估原因", a.get_reason_display()],
        ["评估机构", a.agency.name if a.agency else "—", "评估日期", f"{a.assessed_on or '—'}"],
        [
            "信息提供者",
            text_para(f"{a.informant_name or '—'} {a.informant_relation}", st["base"]),
            "评估方式",
            "上门评估" if a.home_visit else "到评估机构评估",
        ],
    ]
    t = Table(info, colWidths=[24 * mm, 61 * mm, 24 * mm, 61 * mm])
    t.setStyle(_grid(font, header=False))
    story += [t, text_para("评估项目与得分", st["h2"])]

    rows: list[list[Any]] = [["代码", "项目", "得分", "评估情况"]]
    group_rows: list[int] = []
    subtotals = (a.result or {}).get("subtotals", {}) or {}
    for group in describe(a.standard)["groups"]:
        group_rows.append(len(rows))
        rows.append([group["code"], group["name"], str(subtotals.get(group["code"], "")), "小计"])
        for item in group["items"]:
            value = a.answers.get(item["code"])
            text = next((o["text"] for o in item["options"] if o["score"] == value), "")
            rows.append(
                [
                    item["code"],
                    text_para(item["name"], st["base"]),
                    "—" if value is None else str(value),
                    text_para(text, st["base"]),
                ]
            )
    t = Table(rows, colWidths=[16 * mm, 38 * mm, 14 * mm, 102 * mm], repeatRows=1)
    style = _grid(font)
    for r in group_rows:
        style.add("BACKGROUND", (0, r), (-1, r), colors.HexColor("#f3f4f6"))
    t.setStyle(style)
    story.append(t)

    flags = rules.derive_flags(health=a.health, diagnoses=a.diagnoses, risk_events=a.risk_events)
    diag_names = [
        rules.DIAGNOSIS_BY_CODE.get(d["code"], {}).get("name", d["code"])
        + (f"（{d['icd10']}）" if d.get("icd10") else "")
        for d in a.diagnoses
    ]
    risk = "，".join(f"{label} {a.risk_events.get(k, 0)} 次" for k, label in rules.RISK_EVENTS)
    story.append(text_para("健康相关情况", st["h2"]))
    story.append(text_para(f"疾病诊断：{'、'.join(diag_names) or '无'}", st["base"]))
    story.append(
        text_para(
            f"昏迷（A.5.11）：{'有' if flags['coma'] else '无'}；近30天照护风险事件：{risk}"
            f"（合计 {flags['risk_events_30d']} 次）",
            st["base"],
        )
    )

    story.append(text_para("评估结论", st["h2"]))
    grades = (a.result or {}).get("grades")
    conclusion = [
        [
            "总分",
            "—（按维度分级）" if a.total is None else str(a.total),
            "初步等级",
            f"{a.preliminary_level} 级",
        ],
        ["最终等级", f"{a.final_level} 级", "等级名称", a.label],
        ["结果有效期至", f"{a.valid_until or '—'}", "下次常规评估", f"{a.next_routine_on or '—'}"],
    ]
    if grades:
        conclusion.append(
            ["维度分级", text_para("，".join(f"{k}={v}" for k, v in grades.items()), st["base"]), "", ""]
        )
    t = Table(conclusion, colWidths=[28 * mm, 57 * mm, 28 * mm, 57 * mm])
    t.setStyle(_grid(font, header=False))
    story.append(t)
    texts = _rule_texts(a)
    story.append(Spacer(1, 2 * mm))
    story.append(
        text_para("等级变更依据：" + ("；".join(texts) if texts else "无（最终等级 = 初步等级）"), st["big"])
    )

    story.append(text_para("签名", st["h2"]))
    sig_rows: list[list[Any]] = [["角色", "姓名", "签名", "时间"]]
    for sig in a.signatures.all():
        image = _signature_image(sig.image) if sig.image else None
        sig_rows.append(
            [
                "评估员" if sig.role == SignatureRole.ASSESSOR else "信息提供者",
                text_para(sig.name, st["base"]),
                image or text_para(f"{sig.name}（电子签名）", st["base"]),
                timezone.localtime(sig.signed_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    t = Table(sig_rows, colWidths=[24 * mm, 34 * mm, 74 * mm, 38 * mm])
    t.setStyle(_grid(font))
    story.append(t)
    story.append(Spacer(1, 4 * mm))
    assessors = "、".join(str(u) for u in a.assessors.all())
    story.append(
        text_para(
            f"评估员：{assessors}　　报告生成时间：{timezone.localtime():%Y-%m-%d %H:%M}　　"
            f"评估编号：{a.public_id}",
            st["small"],
        )
    )
    doc.build(story)
    return buf.getvalue()

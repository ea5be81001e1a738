"""How an audit event reads on screen: the object by its type label and its name (masked), the person
who acted by display name, and a summary of what changed in words (field names → labels, statuses →
labels, money in yuan, personal values hidden) with the reason. Never a code, UUID or Python dict.

``describe(events)`` annotates a page of events in a few queries (one per object type on the page)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

from yiyang.core import labels
from yiyang.core.hooks import effects_text
from yiyang.core.money import yuan

# data keys as people read them (the audit rows carry field names and codes, never personal values)
KEY_LABELS: dict[str, str] = {
    "rows": "行数",
    "clear_values": "含完整身份证号等",
    "mode": "导入方式",
    "created": "新增",
    "updated": "更新",
    "failed": "有误",
    "batch": "批次",
    "fields": "修改的项目",
    "field": "查看的项目",
    "from": "原",
    "to": "新",
    "via": "方式",
    "effects": "同时处理",
    "warnings": "提示",
    "standard": "评估标准",
    "level": "等级",
    "month": "月份",
    "lines": "明细行数",
    "reversals": "冲正",
    "total_fen": "合计金额（元）",
    "amount_fen": "金额（元）",
    "price_fen": "价格（元）",
    "queued": "计入下期",
    "tries": "尝试次数",
    "failures": "连续失败次数",
    "minutes": "锁定分钟",
    "attempts": "派单次数",
    "role": "签名人",
    "drawn": "手写签名",
    "source": "来源",
    "category": "类别",
    "services_per_month": "每月次数",
    "items": "服务项目数",
    "name": "名称",
    "valid_until": "有效期至",
    "job": "任务",
    "elders": "涉及老人",
    "government_bp": "政府补贴比例",
    "code": "类型",
    "complaint_status": "投诉状态",
    "changes": "修改前后",
}
REASON_KEYS = ("reason", "note")
# never shown, whatever the value: identifiers and personal values
HIDDEN = re.compile(r"(id_number|phone|address|uscc|hash|enc|masked|public_id|order|certificate|key)")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
REGION_RE = re.compile(r"^\d{6}(\d{3}(\d{3})?)?$")
FIELD_NAMES: dict[str, str] = {"id_number": "身份证号", "phone": "电话", "address": "住址"}
# models whose rows are people: named by a masked name
PERSON_NAME = {
    "elders.elder": "name",
    "elders.eldercontact": "name",
    "providers.staff": "name",
    "accounts.user": "display_name",
}
VIA = {"import": "批量导入", "page": "页面", "api": "接口"}


@dataclass
class Described:
    object_label: str = ""
    object_name: str = ""
    actor: str = ""
    summary: str = ""
    reason: str = ""
    details: list[tuple[str, str]] = field(default_factory=list)


def _model(object_type: str) -> Any:
    if not object_type:
        return None
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _region_names(codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    Region = apps.get_model("regions.Region")
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def _object_names(pairs: dict[str, set[str]]) -> dict[tuple[str, str], str]:
    """``{(object_type, object_id): masked name}`` in one query per object type."""
    out: dict[tuple[str, str], str] = {}
    for object_type, ids in pairs.items():
        model = _model(object_type)
        if model is None or not ids:
            continue
        names = {f.name for f in model._meta.get_fields()}
        manager = model._default_manager
        if "public_id" in names:
            valid = [i for i in ids if UUID_RE.fullmatch(i)]
            rows = manager.filter(public_id__in=valid)
            key = "public_id"
        else:
            valid = [i for i in ids if i.isdigit()]
            rows = manager.filter(pk__in=valid)
            key = "pk"
        if "elder" in names:
            rows = rows.select_related("elder")
        for obj in rows[:200]:
            out[(object_type, str(getattr(obj, key)))] = _name_of(object_type, obj, names)
    return out


def _name_of(object_type: str, obj: Any, names: set[str]) -> str:
    if object_type in PERSON_NAME:
        return labels.mask_name(str(getattr(obj, PERSON_NAME[object_type], "") or ""))
    parts: list[str] = []
    if "elder" in names and getattr(obj, "elder", None) is not None:
        parts.append(labels.mask_name(obj.elder.name))
    number = getattr(obj, "number", None)
    if isinstance(number, str):
        parts.insert(0, number)
    if not parts:
        if object_type == "elders.importjob":
            parts.append(str(obj.filename))
        elif "name" in names:
            parts.append(str(obj.name))
        elif "month" in names:
            parts.append(str(obj.month))
    return " · ".join(parts)[:60]


def _value(key: str, value: Any, model: Any, regions: dict[str, str]) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if key.endswith("_fen") and isinstance(value, int):
        return yuan(value)
    if key.endswith("_fen") and isinstance(value, dict):
        return f"{_value(key, value.get('from'), model, regions)} → {_value(key, value.get('to'), model, regions)}"
    if key.endswith("_bp") and isinstance(value, dict):
        return f"{_bp(value.get('from'))} → {_bp(value.get('to'))}"
    if key == "fields" and isinstance(value, list):
        return "、".join(_field_label(model, f) for f in value) or "—"
    if key == "field":
        return _field_label(model, str(value))
    if key == "effects" and isinstance(value, dict):
        return effects_text(value) or "无"
    if key in {"warnings", "elders"} and isinstance(value, list):
        return f"{len(value)} 项" if key == "warnings" else f"{len(value)} 人"
    if key == "items" and isinstance(value, dict | list):
        return f"{len(value)} 项"
    if key == "changes" and isinstance(value, dict):
        return "；".join(
            f"{_field_label(model, f)}：{_choice(model, f, ch.get('from'))} → {_choice(model, f, ch.get('to'))}"
            for f, ch in value.items()
            if isinstance(ch, dict) and not HIDDEN.search(f)
        )
    if key == "complaint_status":
        return labels.label("complaint_status", value)
    if key == "code":
        return labels.label("flag_code", value, default="")
    if key == "category":
        return labels.label("complaint_category", value, default="") or labels.label("elder_category", value)
    if key == "standard":
        return labels.label("assessment_standard", value)
    if key == "role":
        return labels.label("signature_role", value)
    if key == "via":
        return VIA.get(str(value), "其他")
    if key == "job":
        from yiyang.core.jobs import job_label

        return job_label(str(value))
    if key in {"from", "to"} and isinstance(value, str) and REGION_RE.match(value):
        return regions.get(value, "其他区域")
    if model is not None:
        target = "status" if key in {"from", "to"} else key
        try:
            f = model._meta.get_field(target)
        except Exception:
            f = None
        if f is not None and getattr(f, "choices", None):
            return labels.field_label(model, target, value)
    if isinstance(value, str) and UUID_RE.search(value):
        return "（编号略）"
    if isinstance(value, dict | list):
        return f"{len(value)} 项"
    return str(value)


def _choice(model: Any, name: str, value: Any) -> str:
    """A changed value by its label when the field has choices; other values are not shown."""
    field_ = (
        next((f for f in model._meta.get_fields() if f.name == name), None) if model is not None else None
    )
    if field_ is not None and getattr(field_, "choices", None):
        return labels.field_label(model, name, value)
    return "（略）"


def _bp(bp: Any) -> str:
    from yiyang.core.money import bp_percent

    return bp_percent(int(bp)) if isinstance(bp, int) else "—"


def _field_label(model: Any, name: str) -> str:
    if name in FIELD_NAMES:
        return FIELD_NAMES[name]
    name = re.sub(r"_(enc|masked|hash)$", "", name)
    if name in FIELD_NAMES:
        return FIELD_NAMES[name]
    if model is not None and any(f.name == name for f in model._meta.get_fields()):
        return str(model._meta.get_field(name).verbose_name)
    return labels.label("field", name, default="其他信息")


def _reason(model: Any, key: str, value: Any) -> str:
    """A free-text reason as written; a reason that is a code of the object's ``reason`` field (an
    assessment's 首次评估 …) by its label."""
    if model is not None:
        field_ = next((f for f in model._meta.get_fields() if f.name == key), None)
        if field_ is not None and getattr(field_, "choices", None):
            return labels.field_label(model, key, value)
    return str(value)[:300]


def _model_label(object_type: str, model: Any) -> str:
    """The object type in words: the model's Chinese verbose name, or the label its app registered
    (``labels.register("model", …)``) for a model named in English."""
    if model is None:
        return ""
    name = str(model._meta.verbose_name)
    if re.search(r"[\u4e00-\u9fff]", name):
        return name
    return labels.label("model", object_type, default="记录")


def describe(events: Iterable[Any]) -> list[Any]:
    """Attach ``.shown`` (a ``Described``) to each event and return them as a list."""
    events = list(events)
    pairs: dict[str, set[str]] = defaultdict(set)
    codes: set[str] = set()
    for e in events:
        if e.object_id:
            pairs[e.object_type].add(e.object_id)
        for k in ("from", "to"):
            v = (e.data or {}).get(k)
            if isinstance(v, str) and REGION_RE.match(v):
                codes.add(v)
    names = _object_names(pairs)
    regions = _region_names(codes)
    for e in events:
        model = _model(e.object_type)
        shown = Described()
        shown.object_label = _model_label(e.object_type, model)
        shown.object_name = names.get((e.object_type, e.object_id), "")
        if e.actor_id and getattr(e, "actor", None) is not None:
            shown.actor = labels.person(e.actor)
        else:
            shown.actor = "系统" if e.actor_username in {"系统", ""} else "（账户已删除）"
        data = e.data if isinstance(e.data, dict) else {}
        for key in REASON_KEYS:
            if data.get(key):
                shown.reason = _reason(model, key, data[key])
                break
        details: list[tuple[str, str]] = []
        if ("from" in data or "to" in data) and data.get("from") != data.get("to"):
            details.append(
                (
                    "变更",
                    f"{_value('from', data.get('from'), model, regions)} → {_value('to', data.get('to'), model, regions)}",
                )
            )
        for key, value in data.items():
            if key in {"from", "to", *REASON_KEYS} or HIDDEN.search(key) or key not in KEY_LABELS:
                continue
            if value is None or value == "" or value == [] or value == {}:
                continue
            text = _value(key, value, model, regions)
            if text:
                details.append((KEY_LABELS[key], text))
        shown.details = details
        shown.summary = e.summary or "；".join(f"{k}：{v}" for k, v in details)
        e.shown = shown
    return events

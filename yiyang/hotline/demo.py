"""Demo data of the 12349 centre (re-runnable): a duty roster covering now and the next day, the demo
city's 12345 integration (its key merged into var/demo_integrations.json under ``hotline_12345``), a few
calls from demo elders' numbers, one open emergency and a few work orders."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from yiyang.core.pii import decrypt
from yiyang.demo.city import CITY, COUNTY_A
from yiyang.elders.models import Elder
from yiyang.hotline import services
from yiyang.hotline.models import Call, Incident, Integration, Shift, WorkOrder
from yiyang.regions.scope import SYSTEM

INTEGRATIONS_FILE = "demo_integrations.json"


def seed(ctx: Any) -> str:
    return "；".join([_roster(ctx), _integration(), _calls(ctx), _work_orders()])


def _roster(ctx: Any) -> str:
    """Three eight-hour shifts a day, yesterday to tomorrow: the operator (city centre), the dispatcher as
    the shift supervisor of 广陵区; shifts already there are kept."""
    plan = [("operator", "operator", CITY), ("dispatcher", "supervisor", COUNTY_A)]
    today = timezone.localdate()
    made = 0
    for day in (today - timedelta(days=1), today, today + timedelta(days=1)):
        for start_hour in (0, 8, 16):
            start = timezone.make_aware(datetime.combine(day, time(start_hour)))
            for username, role, region in plan:
                user = ctx.user(username)
                if Shift.objects.filter(user=user, starts_at=start).exists():
                    continue
                services.shift_add(
                    actor=SYSTEM,
                    user=user,
                    role=role,
                    starts_at=start,
                    ends_at=start + timedelta(hours=8),
                    region_code=region,
                    note="演示排班",
                )
                made += 1
    return f"值班表：新增 {made} 个班次"


def _integrations_path() -> Path:
    return Path(settings.VAR_DIR) / INTEGRATIONS_FILE


def _integration() -> str:
    """The demo city's 12345 key: kept when the file's key is still live, else a new one; the file is
    read and updated, never overwritten (other sections belong to other integrations)."""
    path = _integrations_path()
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            data = {}
    key = str((data.get("hotline_12345") or {}).get("api_key", ""))
    if key and Integration.objects.filter(key_hash=services.key_hash(key), revoked_at__isnull=True).exists():
        return "12345 对接密钥已存在"
    _, key = services.integration_create(actor=SYSTEM, name="扬州市 12345 政务服务便民热线", region_code=CITY)
    data["hotline_12345"] = {
        "api_key": key,
        "header": f"Authorization: Api-Key {key}",
        "endpoint": "/api/v1/hotline/12345/work-orders/",
        "region_code": CITY,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return f"12345 对接密钥已写入 {path.name}"


def _demo_elders() -> list[Elder]:
    """Active elders of 广陵区 with a phone, not linked to the demo family (their number stays free for
    the acceptance walk-through, which opens a fresh emergency for the family's elder)."""
    return list(
        Elder.objects.filter(region__code__startswith="321002", status="active")
        .exclude(phone_enc="")
        .exclude(contacts__user__username="family")
        .order_by("pk")[:6]
    )


def _calls(ctx: Any) -> str:
    if Call.objects.exists():
        return "演示通话已存在"
    operator = ctx.user("operator")
    elders = _demo_elders()
    if not elders:
        return "跳过：没有登记电话的老人"
    kinds = ["consultation", "service_request", "care_call", "appointment", "complaint"]
    for n, elder in enumerate(elders[:5]):
        call, _ = services.call_log(
            actor=operator,
            direction="out" if kinds[n] == "care_call" else "in",
            number=decrypt(elder.phone_enc),
            kind=kinds[n],
            notes="演示通话",
            duration_seconds=60 + 30 * n,
        )
    emergency = elders[-1]
    if not Incident.objects.filter(elder=emergency).exclude(status="closed").exists():
        call, _ = services.call_log(
            actor=operator,
            direction="in",
            number=decrypt(emergency.phone_enc),
            kind="emergency",
            notes="老人说胸口疼",
        )
        services.incident_open(
            actor=operator, elder=emergency, kind="medical", source="call", notes="老人说胸口疼", call=call
        )
    return "演示通话 6 通，处置中的紧急呼援 1 起"


def _work_orders() -> str:
    integration = Integration.objects.filter(region_code=CITY, revoked_at__isnull=True).order_by("pk").first()
    if integration is None or WorkOrder.objects.exists():
        return "演示工单已存在"
    now = timezone.now()
    samples = [
        ("DEMO-12345-0001", "独居老人家中无人应答", "邻居反映老人两天未出门，请社区上门查看", 48),
        ("DEMO-12345-0002", "咨询高龄津贴申领", "市民询问 80 岁以上老人高龄津贴如何申请", 72),
        ("DEMO-12345-0003", "助餐点饭菜偏咸", "老人反映社区助餐点饭菜偏咸，希望改进", 1),
    ]
    region = (
        Elder.objects.filter(region__code__startswith="321002").values_list("region_id", flat=True).first()
        or COUNTY_A
    )
    for external_id, title, content, hours in samples:
        services.work_order_receive_12345(
            integration=integration,
            external_id=external_id,
            title=title,
            content=content,
            region_code=region,
            deadline=now + timedelta(hours=hours),
        )
    return "12345 转办工单 3 件"

"""Writes of smart devices and alarms: vendors and their secrets, the device register (one by one and by
the vendor's .xlsx delivery list), installations, event ingestion (webhook and MQTT share
``events_ingest``), exactly-once processing (``events_process``), alarms with their state machine, the
offline / low-battery / inactivity sweep, away periods and health thresholds.

Every function checks scope through ``require_scope`` inside its transaction; jobs, the listener and the
webhook act as ``SYSTEM`` (the webhook is authenticated by the vendor's signature)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from yiyang.audit.services import audit_record
from yiyang.core.channels import notify
from yiyang.core.errors import Conflict, DomainError
from yiyang.core.pii import decrypt, encrypt
from yiyang.core.policy import policy_value
from yiyang.core.statemachine import timeline_write, transition
from yiyang.core.validators import check_name, check_text
from yiyang.devices import rules
from yiyang.devices.choices import (
    ACTIVITY_TYPES,
    HEALTH_TYPES,
    LIVE_ALARM,
    METER_TYPES,
    AlarmKind,
    AlarmStatus,
    DeviceStatus,
    DeviceType,
    EventType,
    Severity,
)
from yiyang.devices.models import (
    ActivityProfile,
    Alarm,
    AlarmEvent,
    AlarmRule,
    AwayPeriod,
    Device,
    DeviceEvent,
    HealthThreshold,
    Installation,
    Vendor,
)
from yiyang.devices.transitions import ALARM_MACHINE
from yiyang.elders.choices import ElderStatus
from yiyang.elders.selectors import is_elder_contact
from yiyang.regions.scope import SYSTEM, require_actor, require_scope

if TYPE_CHECKING:
    from yiyang.elders.models import Elder

OFFLINE_FACTOR = "devices.offline_factor"
LOW_BATTERY = "devices.low_battery"
INACTIVITY_HOURS = "devices.inactivity_absolute_hours"
INACTIVITY_MARGIN = "devices.inactivity_margin"
MAX_BATCH = 1000
PROCESS_TASK = "yiyang.devices.tasks.process_device_events"
LIVING_ALONE = "alone"


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, errors={field: [message]})


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _is_family(elder_id: Any, actor: Any) -> bool:
    return bool(
        getattr(actor, "is_authenticated", False)
        and "family" in actor.roles()
        and is_elder_contact(elder_id=elder_id, user=actor)
    )


# --- vendors ----------------------------------------------------------------------------------------------


def signature(secret: str, body: bytes) -> str:
    """The webhook signature header value: ``sha256=<hex HMAC-SHA256 of the raw body>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(vendor: Vendor, body: bytes, header: str) -> bool:
    return hmac.compare_digest(signature(decrypt(vendor.secret_enc), body), header or "")


def vendor_create(
    *, actor: Any, code: str, name: str, region_code: str, secret: str = ""
) -> tuple[Vendor, str]:
    """A vendor with a new webhook secret (returned once; stored encrypted)."""
    require_actor(actor)
    name = check_name(name, label="厂商名称", max_length=100)
    if (
        not code
        or not code.replace("-", "").replace("_", "").isalnum()
        or not code.isascii()
        or len(code) > 40
    ):
        raise _invalid("code", "厂商代码只能由字母、数字、- 和 _ 组成（至多 40 位）")
    secret = secret or secrets.token_urlsafe(32)
    with transaction.atomic():
        require_scope(actor, "devices.vendors", region_code)
        if Vendor.objects.filter(code=code).exists():
            raise Conflict("该厂商代码已存在", code="duplicate")
        vendor = Vendor.objects.create(
            code=code, name=name, region_code=region_code, secret_enc=encrypt(secret)
        )
        audit_record(
            actor=actor, region=region_code, event="devices.vendor_created", obj=vendor, summary=name
        )
    return vendor, secret


def vendor_rotate_secret(*, actor: Any, vendor: Vendor) -> str:
    """A new webhook secret; the old one stops working at once."""
    require_actor(actor)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        require_scope(actor, "devices.vendors", vendor.region_code)
        Vendor.objects.filter(pk=vendor.pk).update(secret_enc=encrypt(secret))
        audit_record(actor=actor, region=vendor.region_code, event="devices.secret_rotated", obj=vendor)
    vendor.refresh_from_db()
    return secret


# --- the register -----------------------------------------------------------------------------------------


def _check_serial(serial: str) -> str:
    serial = (serial or "").strip()
    if (
        not serial
        or len(serial) > 64
        or not serial.isascii()
        or not all(c.isalnum() or c in "-_." for c in serial)
    ):
        raise _invalid("serial", "设备序列号只能由字母、数字、- _ . 组成（1–64 位）")
    return serial


def device_register(
    *,
    actor: Any,
    vendor: Vendor,
    serial: str,
    type: str,
    elder: Elder,
    installed_on: date | None = None,
    installed_by: str = "",
    heartbeat_seconds: int = 3600,
) -> Device:
    """Register a device for an elder. Events that arrived before it was registered (未登记设备) are
    attached to it; they are not replayed."""
    require_actor(actor)
    serial = _check_serial(serial)
    if type not in DeviceType.values:
        raise _invalid("type", "无效的设备类型")
    installed_by = check_text(installed_by, label="安装人", max_length=50) if installed_by else ""
    if elder.status != ElderStatus.ACTIVE:
        raise _invalid("elder", "老人已故或已迁出，不能登记设备")
    region = elder.region_id
    with transaction.atomic():
        require_scope(actor, "devices.manage", region)
        if Device.objects.filter(vendor=vendor, serial=serial).exists():
            raise Conflict("该厂商的这个序列号已登记", code="duplicate", extra={"field": "serial"})
        device = Device.objects.create(
            vendor=vendor,
            serial=serial,
            type=type,
            elder=elder,
            installed_on=installed_on,
            installed_by=installed_by,
            heartbeat_seconds=heartbeat_seconds,
            region_code=region,
        )
        DeviceEvent.objects.filter(vendor=vendor, serial=serial, device__isnull=True).update(
            device=device, region_code=region
        )
        audit_record(
            actor=actor,
            region=region,
            event="devices.registered",
            obj=device,
            summary=f"{device.get_type_display()} {serial}",
        )
    return device


def device_remove(*, actor: Any, device: Device) -> Device:
    """Mark a device removed (拆除): it no longer goes offline or raises low battery."""
    require_actor(actor)
    with transaction.atomic():
        require_scope(actor, "devices.manage", device.region_code)
        Device.objects.filter(pk=device.pk).update(status=DeviceStatus.REMOVED)
        audit_record(actor=actor, region=device.region_code, event="devices.removed", obj=device)
    device.refresh_from_db()
    return device


def installation_add(
    *, actor: Any, device: Device, installed_on: date, installed_by: str, notes: str = "", photo: Any = None
) -> Installation:
    """An installation record (安装记录) with an optional photo, checked by its content and size like
    renovation's photos (JPEG, PNG or WebP, ``YIYANG_PHOTO_MAX_BYTES``) and stored under a random name;
    the device takes the record's date and installer."""
    from yiyang.renovation.photos import process_photo

    require_actor(actor)
    installed_by = check_name(installed_by, label="安装人", max_length=50)
    notes = check_text(notes, label="说明", max_length=300) if notes else ""
    if installed_on > timezone.localdate():
        raise DomainError("安装日期不能晚于今天", errors={"installed_on": ["安装日期不能晚于今天"]})
    processed = process_photo(photo) if photo is not None else None
    with transaction.atomic():
        require_scope(actor, "devices.manage", device.region_code)
        record = Installation(
            device=device,
            installed_on=installed_on,
            installed_by=installed_by,
            notes=notes,
            created_by=_user(actor),
            region_code=device.region_code,
        )
        if processed is not None:
            record.photo.save(
                f"{uuid.uuid4().hex}.{processed.ext}", ContentFile(processed.content), save=False
            )
        record.save()
        Device.objects.filter(pk=device.pk).update(installed_on=installed_on, installed_by=installed_by)
        audit_record(actor=actor, region=device.region_code, event="devices.installed", obj=device)
    return record


IMPORT_HEADERS = {
    "序列号": "serial",
    "设备类型": "type",
    "老人身份证号": "id_number",
    "安装日期": "installed_on",
    "安装人": "installed_by",
}
TYPE_BY_LABEL = {str(label): value for value, label in DeviceType.choices}


def device_import_rows(*, actor: Any, vendor: Vendor, rows: list[dict[str, Any]]) -> list[Device]:
    """Register a vendor's delivery list (rows already read from the .xlsx by ``importing``): every row is
    checked first, and nothing is registered unless all rows are valid (the errors name row and column)."""
    from yiyang.elders.selectors import elder_find_by_id_number

    require_actor(actor)
    errors: dict[str, list[str]] = {}
    plan: list[tuple[str, str, Any, date | None, str]] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=2):
        try:
            serial = _check_serial(str(row.get("serial") or ""))
        except DomainError as exc:
            errors[f"第{n}行 序列号"] = [exc.message]
            continue
        if serial in seen:
            errors[f"第{n}行 序列号"] = ["与前面的行重复"]
            continue
        seen.add(serial)
        raw_type = str(row.get("type") or "").strip()
        type_ = TYPE_BY_LABEL.get(raw_type, raw_type)
        if type_ not in DeviceType.values:
            errors[f"第{n}行 设备类型"] = [f"无效的设备类型：{raw_type[:20]}"]
            continue
        elder = elder_find_by_id_number(
            user=actor, id_number=str(row.get("id_number") or ""), perm="devices.manage"
        )
        if elder is None:
            errors[f"第{n}行 老人身份证号"] = ["管辖范围内没有这位老人"]
            continue
        day = row.get("installed_on")
        if isinstance(day, datetime):
            day = day.date()
        if day is not None and not isinstance(day, date):
            try:
                day = date.fromisoformat(str(day).strip())
            except ValueError:
                errors[f"第{n}行 安装日期"] = ["日期格式应为 2026-11-30"]
                continue
        plan.append((serial, type_, elder, day, str(row.get("installed_by") or "")[:50]))
    if errors:
        raise DomainError("导入文件有错误，未登记任何设备", errors=errors)
    with transaction.atomic():
        return [
            device_register(
                actor=actor, vendor=vendor, serial=s, type=t, elder=e, installed_on=d, installed_by=b
            )
            for s, t, e, d, b in plan
        ]


def rule_set(
    *,
    actor: Any,
    region_code: str,
    event_type: str,
    kind: str,
    severity: str,
    needs_person: bool,
    enabled: bool = True,
) -> AlarmRule:
    """Set this region's rule for an event type (rules are data, per region)."""
    require_actor(actor)
    if event_type not in EventType.values:
        raise _invalid("event_type", "无效的事件类型")
    if kind not in AlarmKind.values:
        raise _invalid("kind", "无效的告警类型")
    if severity not in Severity.values:
        raise _invalid("severity", "无效的级别")
    with transaction.atomic():
        require_scope(actor, "devices.manage", region_code)
        rule, _ = AlarmRule.objects.update_or_create(
            region_code=region_code,
            event_type=event_type,
            defaults={"kind": kind, "severity": severity, "needs_person": needs_person, "enabled": enabled},
        )
        audit_record(actor=actor, region=region_code, event="devices.rule_set", obj=rule, summary=event_type)
    return rule


def threshold_set(*, actor: Any, elder: Elder, **limits: int) -> HealthThreshold:
    """Per-elder health limits (heart rate, SpO2, blood pressure)."""
    require_actor(actor)
    unknown = set(limits) - set(rules.HEALTH_DEFAULTS)
    if unknown:
        raise _invalid(sorted(unknown)[0], "未知的阈值")
    for key, v in limits.items():
        if not isinstance(v, int) or not 20 <= v <= 260:
            raise _invalid(key, "阈值应在 20–260 之间")
    with transaction.atomic():
        require_scope(actor, "devices.manage", elder.region_id)
        row, _ = HealthThreshold.objects.update_or_create(
            elder=elder, defaults={**limits, "region_code": elder.region_id}
        )
        audit_record(actor=actor, region=elder.region_id, event="devices.thresholds_set", obj=elder)
    return row


def away_add(*, actor: Any, elder: Elder, starts_at: datetime, ends_at: datetime, reason: str) -> AwayPeriod:
    """The elder is away (家属或社区工作者登记): inactivity alarms pause for the period."""
    require_actor(actor)
    reason = check_text(reason, label="原因", max_length=100)
    if ends_at <= starts_at:
        raise _invalid("ends_at", "结束时间应晚于开始时间")
    if ends_at - starts_at > timedelta(days=180):
        raise _invalid("ends_at", "一次外出登记至多 180 天")
    with transaction.atomic():
        require_scope(actor, "devices.away", elder.region_id, own=_is_family(elder.pk, actor))
        away = AwayPeriod.objects.create(
            elder=elder,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            created_by=_user(actor),
            region_code=elder.region_id,
        )
        now = timezone.now()
        if starts_at <= now < ends_at:
            for alarm in Alarm.objects.filter(elder=elder, kind=AlarmKind.INACTIVITY, status__in=LIVE_ALARM):
                _alarm_move(alarm, AlarmStatus.HANDLED, actor, f"已登记外出：{reason}")
        audit_record(
            actor=actor, region=elder.region_id, event="devices.away_added", obj=elder, summary=reason
        )
    return away


def away_at(elder_id: int, at: datetime) -> AwayPeriod | None:
    return AwayPeriod.objects.filter(elder_id=elder_id, starts_at__lte=at, ends_at__gt=at).first()


# --- ingestion --------------------------------------------------------------------------------------------


def _parse_ts(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError
    ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if ts.tzinfo is None:
        raise ValueError
    return ts


def event_validate(raw: Any, where: str = "") -> dict[str, Any]:
    """One event as the contract says, or ``DomainError`` naming the field (``[3].ts`` in a batch)."""

    def bad(field: str, message: str) -> DomainError:
        return _invalid(f"{where}{field}", message)

    if not isinstance(raw, dict):
        raise (
            bad("event", "每个事件应为 JSON 对象") if where else _invalid("event", "事件应为 JSON 对象或数组")
        )
    unknown = set(raw) - {"event_id", "serial", "type", "ts", "value", "lat", "lng"}
    if unknown:
        raise bad(sorted(unknown)[0], "未知字段")
    for field in ("event_id", "serial", "type", "ts"):
        if field not in raw:
            raise bad(field, "缺少此字段")
    eid = raw["event_id"]
    if not isinstance(eid, str) or not 1 <= len(eid) <= 100 or not eid.isprintable():
        raise bad("event_id", "event_id 应为 1–100 个字符")
    try:
        serial = _check_serial(raw["serial"]) if isinstance(raw["serial"], str) else None
    except DomainError:
        serial = None
    if serial is None:
        raise bad("serial", "设备序列号只能由字母、数字、- _ . 组成（1–64 位）")
    if raw["type"] not in EventType.values:
        raise bad("type", "未知的事件类型")
    try:
        ts = _parse_ts(raw["ts"])
    except ValueError:
        raise bad("ts", "ts 应为带时区的 ISO 8601 时间") from None
    out: dict[str, Any] = {"event_id": eid, "serial": serial, "type": raw["type"], "ts": ts}
    value = raw.get("value")
    if value is not None:
        if isinstance(value, str) and len(value) > 100:
            raise bad("value", "value 过长")
        if isinstance(value, list | dict) and len(str(value)) > 500:
            raise bad("value", "value 过长")
        if raw["type"] in METER_TYPES and rules.number(value) is None:
            raise bad("value", "表计读数应为数字（累计值）")
    out["value"] = value
    for field, lo, hi in (("lat", -90, 90), ("lng", -180, 180)):
        v = raw.get(field)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or not lo <= v <= hi):
            raise bad(field, f"{field} 应为 {lo}–{hi} 之间的数字")
        out[field] = v
    return out


def events_ingest(
    *, actor: Any = SYSTEM, vendor: Vendor, events: list[Any], channel: str = "webhook"
) -> tuple[int, int, list[int]]:
    """Store a vendor's events: all are validated first (``DomainError`` naming the field, nothing
    stored); then each is inserted once per ``(vendor, event_id)`` — the same id again is a duplicate and
    changes nothing. An unknown serial is stored (未登记设备). Late events keep their own ``ts``.
    Processing is queued after the commit. Returns ``(accepted, duplicates, new event pks)``."""
    require_actor(actor)
    if not isinstance(events, list) or not events:
        raise _invalid("events", "应为一个事件或 1–1000 个事件的数组")
    if len(events) > MAX_BATCH:
        raise _invalid("events", f"一次至多 {MAX_BATCH} 个事件")
    batch = len(events) > 1
    clean = [event_validate(raw, f"[{n}]." if batch else "") for n, raw in enumerate(events)]
    ids_in_batch = [c["event_id"] for c in clean]
    with transaction.atomic():
        require_scope(actor, "devices.manage", vendor.region_code)
        devices = {
            d.serial: d for d in Device.objects.filter(vendor=vendor, serial__in={c["serial"] for c in clean})
        }
        known = set(
            DeviceEvent.objects.filter(vendor=vendor, event_id__in=ids_in_batch).values_list(
                "event_id", flat=True
            )
        )
        new_pks: list[int] = []
        duplicates = 0
        for c in clean:
            if c["event_id"] in known:
                duplicates += 1
                continue
            known.add(c["event_id"])
            device = devices.get(c["serial"])
            try:
                with transaction.atomic():
                    row = DeviceEvent.objects.create(
                        vendor=vendor,
                        device=device,
                        channel=channel,
                        region_code=device.region_code if device else vendor.region_code,
                        **c,
                    )
            except IntegrityError:  # a concurrent delivery stored it first
                duplicates += 1
                continue
            new_pks.append(row.pk)
        if new_pks:
            transaction.on_commit(lambda: _queue(PROCESS_TASK, new_pks), robust=True)
    return len(new_pks), duplicates, new_pks


def _queue(name: str, pks: list[int]) -> None:
    """Queue the processing task by its name (``tasks`` imports this module, not the other way round)."""
    from celery import current_app

    task = current_app.tasks[name]
    for start in range(0, len(pks), 200):
        task.delay(pks[start : start + 200])


# --- processing -------------------------------------------------------------------------------------------


def rule_for(event_type: str, region_code: str) -> rules.Rule | None:
    """The most specific region's rule for the event type, else the built-in one."""
    prefixes = [region_code[:n] for n in (12, 9, 6, 4, 2)] + [""]
    found = {
        r.region_code: r
        for r in AlarmRule.objects.filter(
            event_type=event_type, region_code__in=[p.ljust(12, "0") if p else "" for p in prefixes]
        )
    }
    for p in prefixes:
        key = p.ljust(12, "0") if p else ""
        if key in found:
            r = found[key]
            return rules.Rule(r.kind, r.severity, r.needs_person) if r.enabled else None
    return rules.DEFAULT_RULES.get(event_type)


def events_process(*, actor: Any = SYSTEM, pks: Iterable[int], now: datetime | None = None) -> int:
    """Process stored events exactly once: each in its own transaction that first claims it with a
    compare-and-swap on the processed marker (``processed_at IS NULL``); a second run, a retried task or
    a concurrent worker finds it claimed and does nothing. A failure rolls the claim back, so the task's
    retry (or the sweep) processes it again. Returns how many this call processed."""
    require_actor(actor)
    done = 0
    for pk in sorted(set(pks)):
        event = DeviceEvent.objects.select_related("device", "device__elder", "vendor").filter(pk=pk).first()
        if event is None or event.processed_at is not None:
            continue
        with transaction.atomic():
            require_scope(actor, "alarms.handle", event.region_code)
            claimed = DeviceEvent.objects.filter(pk=pk, processed_at__isnull=True).update(
                processed_at=timezone.now()
            )
            if not claimed:
                continue
            _apply(event, actor, now or timezone.now())
            done += 1
    return done


def _apply(event: DeviceEvent, actor: Any, now: datetime) -> None:
    device = event.device
    if device is None:  # 未登记设备: stored and listed, nothing to apply
        return
    if device.status == DeviceStatus.REMOVED:
        return
    updates: dict[str, Any] = {}
    if device.last_heartbeat is None or event.ts > device.last_heartbeat:
        updates["last_heartbeat"] = event.ts
        if device.status == DeviceStatus.OFFLINE:
            updates["status"] = DeviceStatus.ACTIVE
            _close_live(device=device, kind=AlarmKind.OFFLINE, actor=actor, reason="设备恢复在线")
    if updates:
        Device.objects.filter(pk=device.pk).update(**updates)
        for k, v in updates.items():
            setattr(device, k, v)
    t = event.type
    if t == EventType.BATTERY:
        _battery(event, device, actor)
    elif t in HEALTH_TYPES:
        _health(event, device, actor)
    elif t in ACTIVITY_TYPES:
        if device.elder_id is not None:
            _activity(event, device, actor, now)
    elif t != EventType.HEARTBEAT:
        _alarm_event(event, device, actor)


def _battery(event: DeviceEvent, device: Device, actor: Any) -> None:
    level = rules.number(event.value)
    if level is None:
        return
    level = max(0, min(100, int(level)))
    Device.objects.filter(pk=device.pk).update(battery=level)
    threshold = policy_value(LOW_BATTERY, device.region_code)
    if level < threshold:
        if device.status == DeviceStatus.ACTIVE:
            Device.objects.filter(pk=device.pk).update(status=DeviceStatus.LOW_BATTERY)
        _raise(
            kind=AlarmKind.LOW_BATTERY,
            severity=Severity.LOW,
            device=device,
            elder=device.elder,
            message=f"{device.get_type_display()}电量 {level}%，请尽快更换电池或充电",
            at=event.ts,
            event=event,
            actor=actor,
        )
    elif device.status == DeviceStatus.LOW_BATTERY:
        Device.objects.filter(pk=device.pk).update(status=DeviceStatus.ACTIVE)
        _close_live(device=device, kind=AlarmKind.LOW_BATTERY, actor=actor, reason=f"电量恢复到 {level}%")


def _health(event: DeviceEvent, device: Device, actor: Any) -> None:
    if device.elder_id is None:
        return
    row = HealthThreshold.objects.filter(elder_id=device.elder_id).first()
    limits = dict(rules.HEALTH_DEFAULTS)
    if row is not None:
        limits = {k: getattr(row, k) for k in limits}
    breach = rules.health_breach(event.type, event.value, limits)
    if breach:
        _raise(
            kind=AlarmKind.HEALTH,
            severity=Severity.HIGH,
            device=device,
            elder=device.elder,
            message=breach,
            at=event.ts,
            event=event,
            actor=actor,
        )


def _alarm_event(event: DeviceEvent, device: Device, actor: Any) -> None:
    if rules.is_cleared(event.value):
        return  # the condition is over (a smoke detector that stopped): flapping collapses into the live alarm
    rule = rule_for(event.type, device.region_code)
    if rule is None:
        return
    label = EventType(event.type).label
    where = ""
    if event.lat is not None and event.lng is not None:
        where = f"（位置 {event.lat:.5f}, {event.lng:.5f}）"
    alarm = _raise(
        kind=rule.kind,
        severity=rule.severity,
        device=device,
        elder=device.elder,
        message=f"{device.get_type_display()}报告「{label}」{where}",
        at=event.ts,
        event=event,
        actor=actor,
    )
    elder = device.elder
    if rule.needs_person and elder is not None and elder.status == ElderStatus.ACTIVE:
        from yiyang.hotline.services import incident_open

        incident, _ = incident_open(
            actor=SYSTEM,
            elder=elder,
            kind=rules.INCIDENT_KIND.get(rule.kind, "other"),
            source="device",
            notes=alarm.message[:1000],
        )
        if alarm.incident_id != incident.pk:
            Alarm.objects.filter(pk=alarm.pk).update(incident=incident)
            alarm.incident = incident


def _dedupe_key(kind: str, device: Device | None, elder: Any) -> str:
    per_elder = {AlarmKind.SOS, AlarmKind.FALL, AlarmKind.INACTIVITY, AlarmKind.HEALTH, AlarmKind.WANDER}
    if kind in per_elder and elder is not None:
        return f"{kind}:elder:{elder.pk}"
    return f"{kind}:device:{device.pk if device else 0}"


def _raise(
    *,
    kind: str,
    severity: str,
    device: Device | None,
    elder: Any,
    message: str,
    at: datetime,
    event: DeviceEvent | None,
    actor: Any,
) -> Alarm:
    """A new alarm, or — while one of the same kind is live for the same device (or elder) — a repeat of
    it (duplicates and flapping collapse: ``repeats`` + 1, no new notification)."""
    key = _dedupe_key(kind, device, elder)
    region = (elder.region_id if elder is not None else None) or (device.region_code if device else "")
    live = Alarm.objects.select_for_update().filter(dedupe_key=key, status__in=LIVE_ALARM).first()
    if live is None:
        try:
            with transaction.atomic():
                alarm = Alarm.objects.create(
                    elder=elder,
                    device=device,
                    kind=kind,
                    severity=severity,
                    message=message[:300],
                    dedupe_key=key,
                    raised_at=at,
                    last_seen_at=at,
                    event=event,
                    region_code=region,
                )
        except IntegrityError:
            live = Alarm.objects.select_for_update().filter(dedupe_key=key, status__in=LIVE_ALARM).first()
            if live is None:
                raise
        else:
            timeline_write(
                timeline=AlarmEvent,
                subject=alarm,
                old="",
                new=AlarmStatus.RAISED,
                actor=actor,
                reason=message[:300],
            )
            audit_record(
                actor=actor, region=region, event="alarms.raised", obj=alarm, summary=alarm.get_kind_display()
            )
            _notify(alarm)
            return alarm
    Alarm.objects.filter(pk=live.pk).update(
        repeats=F("repeats") + 1,
        last_seen_at=at if live.last_seen_at is None or at > live.last_seen_at else live.last_seen_at,
    )
    live.refresh_from_db()
    return live


def _notify(alarm: Alarm) -> None:
    """Family logins and the community workers of the elder's community get an in-app notice."""
    from yiyang.accounts.models import Grant

    elder = alarm.elder
    if elder is None:
        return
    title = f"设备告警：{alarm.get_kind_display()}"
    body = f"{elder.name}：{alarm.message}"
    key = f"alarm:{alarm.public_id}"
    for contact in elder.contacts.all():
        if contact.user_id:
            notify(
                recipient=contact.user,
                title=title,
                body=body,
                link="/services/family/",
                key=f"{key}:family:{contact.pk}",
                region_code=alarm.region_code,
            )
    if alarm.incident_id is None and alarm.severity != Severity.LOW:
        community = alarm.region_code
        street = community[:9].ljust(12, "0")
        for grant in Grant.objects.filter(
            role="community_worker", region_id__in=[community, street], is_active=True
        ).select_related("user"):
            notify(
                recipient=grant.user,
                title=title,
                body=body,
                link=f"/devices/alarms/{alarm.public_id}/",
                key=f"{key}:community:{grant.user_id}",
                region_code=alarm.region_code,
            )


def _close_live(
    *, device: Device | None = None, elder: Any = None, kind: str, actor: Any, reason: str
) -> None:
    qs = Alarm.objects.filter(kind=kind, status__in=LIVE_ALARM)
    qs = qs.filter(device=device) if device is not None else qs.filter(elder=elder)
    for alarm in qs:
        _alarm_move(alarm, AlarmStatus.HANDLED, actor, reason)


def _alarm_move(alarm: Alarm, to: str, actor: Any, reason: str) -> Alarm:
    now = timezone.now()
    updates: dict[str, Any] = {}
    if to == AlarmStatus.ACKNOWLEDGED:
        updates["acknowledged_at"] = now
    else:
        updates["closed_at"] = now
        if alarm.acknowledged_at is None:
            updates["acknowledged_at"] = now
    transition(
        obj=alarm,
        to=to,
        machine=ALARM_MACHINE,
        timeline=AlarmEvent,
        actor=actor,
        reason=reason,
        updates=updates,
        on_moved=lambda old, new: audit_record(
            actor=actor, region=alarm.region_code, event=f"alarms.{new}", obj=alarm, summary=reason[:100]
        ),
    )
    return alarm


def alarm_acknowledge(*, actor: Any, alarm: Alarm) -> Alarm:
    require_actor(actor)
    with transaction.atomic():
        require_scope(actor, "alarms.handle", alarm.region_code)
        return _alarm_move(alarm, AlarmStatus.ACKNOWLEDGED, actor, "")


def alarm_close(*, actor: Any, alarm: Alarm, outcome: str, notes: str = "") -> Alarm:
    """Close an alarm: ``handled`` (已处置) or ``false_alarm`` (误报), with what was done."""
    require_actor(actor)
    if outcome not in {AlarmStatus.HANDLED, AlarmStatus.FALSE_ALARM}:
        raise _invalid("outcome", "处置结果应为「已处置」或「误报」")
    notes = check_text(notes, label="处置说明", max_length=300) if notes else ""
    with transaction.atomic():
        require_scope(actor, "alarms.handle", alarm.region_code)
        return _alarm_move(alarm, outcome, actor, notes)


# --- inactivity -------------------------------------------------------------------------------------------


def _readings(elder_id: int, since: datetime, until: datetime) -> tuple[list[rules.Reading], set[str]]:
    rows = DeviceEvent.objects.filter(
        device__elder_id=elder_id, type__in=list(ACTIVITY_TYPES), ts__gte=since, ts__lte=until
    ).values_list("device_id", "type", "ts", "value")
    readings = [rules.Reading(d, t, ts, v) for d, t, ts, v in rows]
    types = set(
        Device.objects.filter(elder_id=elder_id, type__in=list(ACTIVITY_TYPES))
        .exclude(status=DeviceStatus.REMOVED)
        .values_list("type", flat=True)
    )
    return readings, types


def inactivity_check(*, actor: Any = SYSTEM, elder: Elder, now: datetime | None = None) -> Alarm | None:
    """Evaluate one elder living alone: learn the home's rhythm from the last 14 days of readings and raise
    an ``inactivity`` alarm that says what was seen when the current idle span clearly exceeds it (or the
    absolute daytime span with too little history). Activity closes a live inactivity alarm; an away
    period pauses the check."""
    require_actor(actor)
    now = now or timezone.now()
    with transaction.atomic():
        require_scope(actor, "alarms.handle", elder.region_id)
        if elder.living_situation != LIVING_ALONE or elder.status != ElderStatus.ACTIVE:
            return None
        readings, types = _readings(elder.pk, now - timedelta(days=rules.LEARN_DAYS), now)
        times = rules.activity_times(readings)
        aways = AwayPeriod.objects.filter(
            elder_id=elder.pk, ends_at__gt=now - timedelta(days=rules.LEARN_DAYS), starts_at__lt=now
        ).values_list("starts_at", "ends_at")
        profile = rules.learn(times, now, exclude=list(aways))
        ActivityProfile.objects.update_or_create(
            elder=elder,
            defaults={
                "max_idle_by_hour": profile.max_idle_by_hour,
                "history_days": profile.history_days,
                "last_activity_at": profile.last_activity,
                "computed_at": now,
                "region_code": elder.region_id,
            },
        )
        last = profile.last_activity
        if last is None:
            return None
        live = Alarm.objects.filter(elder=elder, kind=AlarmKind.INACTIVITY, status__in=LIVE_ALARM).first()
        if live is not None and live.raised_at < last:
            _alarm_move(live, AlarmStatus.HANDLED, actor, "已恢复活动")
            live = None
        if away_at(elder.pk, now) is not None:
            return None
        verdict = rules.judge(
            profile,
            last,
            now,
            margin_minutes=policy_value(INACTIVITY_MARGIN, elder.region_id),
            absolute_hours=policy_value(INACTIVITY_HOURS, elder.region_id),
        )
        if not verdict.alarm:
            return None
        message = rules.inactivity_message(last, now, verdict, rules.activity_words(types))
        return _raise(
            kind=AlarmKind.INACTIVITY,
            severity=Severity.HIGH,
            device=None,
            elder=elder,
            message=message,
            at=now,
            event=None,
            actor=actor,
        )


def _activity(event: DeviceEvent, device: Device, actor: Any, now: datetime) -> None:
    elder = device.elder
    if elder is None or elder.living_situation != LIVING_ALONE:
        return
    inactivity_check(actor=actor, elder=elder, now=max(now, event.ts))


# --- sweeps -----------------------------------------------------------------------------------------------


def devices_sweep(*, actor: Any = SYSTEM, now: datetime | None = None) -> dict[str, int]:
    """The periodic sweep: devices whose heartbeats stopped for N × their interval go offline (an
    ``offline`` alarm); every elder living alone with activity sensors is checked for inactivity; events
    stored but not processed for a minute (a lost task) are processed."""
    from yiyang.elders.selectors import elder_list

    require_actor(actor)
    now = now or timezone.now()
    factor = policy_value(OFFLINE_FACTOR)
    offline = 0
    candidates = Device.objects.restrict(actor, "alarms.handle").filter(
        status__in=[DeviceStatus.ACTIVE, DeviceStatus.LOW_BATTERY], last_heartbeat__isnull=False
    )
    for device in candidates.select_related("elder"):
        if (
            device.last_heartbeat is None
            or device.last_heartbeat + timedelta(seconds=device.heartbeat_seconds * factor) >= now
        ):
            continue
        with transaction.atomic():
            require_scope(actor, "alarms.handle", device.region_code)
            moved = Device.objects.filter(pk=device.pk, status=device.status).update(
                status=DeviceStatus.OFFLINE
            )
            if not moved:
                continue
            local = timezone.localtime(device.last_heartbeat)
            _raise(
                kind=AlarmKind.OFFLINE,
                severity=Severity.LOW,
                device=device,
                elder=device.elder,
                message=f"{device.get_type_display()}自 {local:%m月%d日 %H:%M} 起无心跳（超过 {factor} 个心跳间隔）",
                at=now,
                event=None,
                actor=actor,
            )
            offline += 1
    stale = list(
        DeviceEvent.objects.restrict(actor, "alarms.handle")
        .filter(processed_at__isnull=True, received_at__lt=now - timedelta(seconds=60))
        .values_list("pk", flat=True)[:5000]
    )
    processed = events_process(actor=actor, pks=stale, now=now) if stale else 0
    inactive = 0
    elders = (
        elder_list(user=actor, perm="alarms.handle")
        .filter(
            living_situation=LIVING_ALONE, status=ElderStatus.ACTIVE, devices__type__in=list(ACTIVITY_TYPES)
        )
        .distinct()
    )
    for elder in elders:
        alarm = inactivity_check(actor=actor, elder=elder, now=now)
        if alarm is not None and alarm.raised_at == now:
            inactive += 1
    return {"offline": offline, "inactivity": inactive, "reprocessed": processed}

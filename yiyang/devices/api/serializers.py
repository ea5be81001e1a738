"""Strict serializers of the devices API: every string has its length, every code its enum."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from yiyang.core.apifields import StrictCharField, StrictUUIDField
from yiyang.devices.choices import AlarmKind, AlarmStatus, DeviceStatus, DeviceType, EventType, Severity
from yiyang.devices.models import Alarm, Device

SERIAL = r"^[A-Za-z0-9._-]{1,64}$"
VENDOR = r"^[A-Za-z0-9_-]{1,40}$"


class DeviceSerializer(serializers.ModelSerializer[Device]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    type = serializers.ChoiceField(choices=DeviceType.choices, read_only=True)
    type_label = serializers.CharField(source="get_type_display", read_only=True)
    vendor = serializers.CharField(source="vendor.code", read_only=True, help_text="厂商代码")
    elder = serializers.UUIDField(
        source="elder.public_id", read_only=True, allow_null=True, help_text="老人 id"
    )
    status = serializers.ChoiceField(choices=DeviceStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    battery = serializers.IntegerField(read_only=True, allow_null=True, help_text="电量（%）")

    class Meta:
        model = Device
        fields = [
            "id",
            "serial",
            "type",
            "type_label",
            "vendor",
            "elder",
            "status",
            "status_label",
            "battery",
            "last_heartbeat",
            "installed_on",
        ]
        read_only_fields = fields


class DeviceCreateSerializer(serializers.Serializer[Any]):
    serial = serializers.RegexField(SERIAL, max_length=64, help_text="设备序列号（字母、数字、. _ -）")
    type = serializers.ChoiceField(choices=DeviceType.choices)
    vendor = serializers.RegexField(VENDOR, max_length=40, help_text="厂商代码")
    elder = StrictUUIDField(help_text="老人 id")
    installed_on = serializers.DateField(required=False, allow_null=True)
    installed_by = StrictCharField(max_length=50, required=False, allow_blank=True, default="")

    def validate_serial(self, value: Any) -> str:
        if not isinstance(self.initial_data.get("serial"), str):
            raise serializers.ValidationError("应为字符串")
        return str(value)

    def validate_vendor(self, value: Any) -> str:
        if not isinstance(self.initial_data.get("vendor"), str):
            raise serializers.ValidationError("应为字符串")
        return str(value)


class AlarmSerializer(serializers.ModelSerializer[Alarm]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.ChoiceField(choices=AlarmKind.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    severity = serializers.ChoiceField(choices=Severity.choices, read_only=True)
    status = serializers.ChoiceField(choices=AlarmStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    device = serializers.UUIDField(
        source="device.public_id", read_only=True, allow_null=True, help_text="设备 id"
    )
    elder = serializers.UUIDField(
        source="elder.public_id", read_only=True, allow_null=True, help_text="老人 id"
    )
    incident = serializers.UUIDField(
        source="incident.public_id", read_only=True, allow_null=True, help_text="对应的紧急呼援事件 id"
    )
    repeats = serializers.IntegerField(read_only=True, help_text="合并的重复次数")

    class Meta:
        model = Alarm
        fields = [
            "id",
            "kind",
            "kind_label",
            "severity",
            "status",
            "status_label",
            "device",
            "elder",
            "raised_at",
            "message",
            "incident",
            "repeats",
            "acknowledged_at",
            "closed_at",
        ]
        read_only_fields = fields


class AlarmCloseSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(
        choices=[(AlarmStatus.HANDLED, "已处置"), (AlarmStatus.FALSE_ALARM, "误报")]
    )
    notes = StrictCharField(max_length=300, required=False, allow_blank=True, default="")


class DeviceEventInSerializer(serializers.Serializer[Any]):
    """One event (the webhook body is one of these or an array of up to 1,000). Documentation only: the
    webhook checks the signature over the raw body first, then validates every event itself."""

    event_id = serializers.CharField(max_length=100, min_length=1)
    serial = serializers.RegexField(SERIAL, max_length=64)
    type = serializers.ChoiceField(choices=EventType.choices)
    ts = serializers.DateTimeField(help_text="ISO 8601，带时区偏移")
    value = serializers.JSONField(required=False, allow_null=True, help_text="读数；表计为累计值")
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)


class IngestResultSerializer(serializers.Serializer[Any]):
    accepted = serializers.IntegerField(help_text="新存储的事件数")
    duplicates = serializers.IntegerField(help_text="重复的事件数（同一厂商同一 event_id）")

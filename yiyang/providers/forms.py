"""Forms of the provider and catalog pages. Money is entered in 元 and stored in fen, shares are entered
in % and stored in basis points; both converted with ``Decimal`` (never floats)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from yiyang.core.money import fen_to_decimal, yuan
from yiyang.core.validators import NameValidator
from yiyang.elders.choices import Category
from yiyang.providers.choices import CareHomeGrade, EmploymentStatus, OrgType, ServiceCategory, Skill, Unit
from yiyang.providers.models import ServiceItem
from yiyang.regions.models import Region

WEEKDAYS = [
    ("1", "周一"),
    ("2", "周二"),
    ("3", "周三"),
    ("4", "周四"),
    ("5", "周五"),
    ("6", "周六"),
    ("7", "周日"),
]


def _date(label: str, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _time(label: str) -> forms.TimeField:
    return forms.TimeField(label=label, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


class YuanField(forms.DecimalField):
    """An amount in 元 with at most 2 decimals; ``to_fen`` converts the cleaned value."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault(
            "widget", forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})
        )
        super().__init__(**kwargs)


def to_fen(value: Decimal) -> int:
    return int(value * 100)


def fen_to_yuan(fen: int) -> Decimal:
    """Fen (or basis points) as a two-decimal amount (or percentage): 4550 → Decimal("45.50")."""
    return fen_to_decimal(fen)


class PriceOverrideForm(forms.Form):
    """One row of the county price page: the item and the county's price (blank with "clear")."""

    item = forms.UUIDField()
    price = YuanField(required=False, label="本区县价格（元）")


class PeriodMixin:
    """Checks that the end of a validity period is not before its start, naming the end field."""

    period_fields = ("valid_from", "valid_to")

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()  # type: ignore[misc]
        start, end = (data.get(f) for f in self.period_fields)
        if start and end and end < start:
            self.add_error(self.period_fields[1], "截止日期不能早于起始日期")  # type: ignore[attr-defined]
        return data


def _region_choices(user: Any, perm: str, levels: list[str], keep: list[str] | None = None) -> list[Any]:
    qs = Region.objects.restrict(user, perm).filter(level__in=levels)
    if keep:
        qs = qs | Region.objects.filter(code__in=keep)
    regions = qs.only("code", "name", "level").order_by("code")[:2000]
    indent = {"county": "", "town": "　", "village": "　　"}
    return [(r.code, indent.get(r.level, "") + r.name) for r in regions]


class OrganisationForm(forms.Form):
    name = forms.CharField(label="机构名称", max_length=100, validators=[NameValidator("机构名称", 100)])
    uscc = forms.CharField(
        label="统一社会信用代码",
        max_length=30,
        help_text="18 位，GB 32100；首位可以是字母（如 A、N、Y）",
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
    )
    org_type = forms.ChoiceField(label="机构类型", choices=OrgType.choices)
    region = forms.ChoiceField(label="登记所在地")
    regions_served = forms.MultipleChoiceField(
        label="服务区域",
        widget=forms.CheckboxSelectMultiple,
        help_text="只列出您管辖范围内的区县和街道（乡镇）",
    )
    grade = forms.ChoiceField(
        label="养老机构等级",
        required=False,
        choices=[("", "未评定"), *CareHomeGrade.choices],
        help_text="按 GB/T 37276-2018《养老机构等级划分与评定》，一级至五级（五级最高）",
    )
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    is_active = forms.BooleanField(label="在营", required=False, initial=True)

    def __init__(
        self, *args: Any, user: Any = None, current_region: str = "", editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        perm = "providers.register"
        self.fields["region"].choices = [  # type: ignore[attr-defined]
            ("", "请选择"),
            *_region_choices(user, perm, ["county", "town"], [current_region] if current_region else None),
        ]
        self.fields["regions_served"].choices = _region_choices(user, perm, ["county", "town"])  # type: ignore[attr-defined]
        if not editing:
            del self.fields["is_active"]


class FacilityForm(forms.Form):
    name = forms.CharField(label="设施名称", max_length=100)
    address = forms.CharField(label="地址", max_length=200)
    lng = forms.FloatField(label="经度", required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(label="纬度", required=False, min_value=-90, max_value=90)
    area_m2 = forms.IntegerField(label="建筑面积（㎡）", min_value=0, initial=0)
    beds_ordinary = forms.IntegerField(label="普通床位", min_value=0, initial=0)
    beds_nursing = forms.IntegerField(label="护理型床位", min_value=0, initial=0)
    beds_dementia = forms.IntegerField(label="认知障碍床位", min_value=0, initial=0)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "lat" in data and "lng" in data and (data["lat"] is None) != (data["lng"] is None):
            self.add_error("lng", "经度和纬度需同时填写或同时留空")
        return data


class ContractForm(PeriodMixin, forms.Form):
    number = forms.CharField(label="合同编号", max_length=50)
    valid_from = _date("起始日期")
    valid_to = _date("截止日期")
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, items: list[ServiceItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"price_{item.pk}"] = YuanField(
                label=f"{item.name}的合同单价（元）",
                required=False,
                help_text=f"指导价 {yuan(item.price_fen)} 元/{item.get_unit_display()}",
            )

    def item_rows(self) -> list[tuple[ServiceItem, Any]]:
        return [(item, self[f"price_{item.pk}"]) for item in self.items]

    def prices_fen(self) -> dict[ServiceItem, int]:
        out = {}
        for item in self.items:
            value = self.cleaned_data.get(f"price_{item.pk}")
            if value is not None:
                out[item] = to_fen(value)
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not any(data.get(f"price_{i.pk}") is not None for i in self.items):
            raise forms.ValidationError("请至少为一个服务项目填写合同单价")
        return data


class StaffForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50, validators=[NameValidator("姓名")])
    id_number = forms.CharField(
        label="身份证号",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="18 位；旧版 15 位号码会自动升位",
    )
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    skills = forms.MultipleChoiceField(
        label="技能", choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    employment_status = forms.ChoiceField(
        label="在职状态", choices=EmploymentStatus.choices, initial=EmploymentStatus.ACTIVE
    )
    work_start = _time("上班时间")
    work_end = _time("下班时间")
    work_days = forms.MultipleChoiceField(
        label="工作日", choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple, initial=list("123456")
    )
    max_daily_orders = forms.IntegerField(label="每日最多工单", min_value=1, max_value=50, initial=8)
    liability_insurance_until = _date("责任险有效期至", required=False, help_text="未投保则留空")
    home_lng = forms.FloatField(label="驻点经度", required=False, min_value=-180, max_value=180)
    home_lat = forms.FloatField(label="驻点纬度", required=False, min_value=-90, max_value=90)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["work_start"].initial = "08:00"
        self.fields["work_end"].initial = "18:00"
        if editing:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = "留空则不修改；如需更正请输入完整号码"
            self.fields["phone"].help_text = "留空则不修改"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("work_start"), data.get("work_end")
        if start and end and end <= start:
            self.add_error("work_end", "下班时间须晚于上班时间")
        return data


class CertificateForm(PeriodMixin, forms.Form):
    period_fields = ("valid_from", "valid_until")

    name = forms.CharField(
        label="证书名称", max_length=100, help_text="如：养老护理员职业技能等级证书、健康证"
    )
    level = forms.CharField(label="等级", max_length=20, required=False, help_text="如：四级/中级工")
    number = forms.CharField(label="证书编号", max_length=50, required=False)
    valid_from = _date("发证日期", required=False)
    valid_until = _date("有效期至")


class ServiceItemForm(forms.Form):
    code = forms.CharField(label="编码", max_length=30, widget=forms.TextInput(attrs={"class": "mono"}))
    name = forms.CharField(label="名称", max_length=50)
    category = forms.ChoiceField(label="类别", choices=ServiceCategory.choices)
    unit = forms.ChoiceField(label="计量单位", choices=Unit.choices, initial=Unit.VISIT)
    standard_minutes = forms.IntegerField(label="标准时长（分钟）", min_value=1, max_value=1440)
    price = YuanField(label="指导价（元）")
    skills_required = forms.MultipleChoiceField(
        label="所需技能", choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(
        label="服务内容", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_active = forms.BooleanField(label="启用", required=False, initial=True)


class SubsidyRuleForm(PeriodMixin, forms.Form):
    category = forms.ChoiceField(label="老年人类别", choices=Category.choices)
    service_category = forms.ChoiceField(
        label="适用服务类别", choices=[("", "全部服务类别"), *ServiceCategory.choices], required=False
    )
    percent = forms.DecimalField(
        label="政府承担比例（%）",
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        help_text="0–100，最多两位小数；其余由老人自付",
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
    )
    valid_from = _date("起始日期")
    valid_to = _date("截止日期", required=False, help_text="留空表示长期有效")
    basis = forms.CharField(label="依据", max_length=200, required=False, help_text="文件名称与文号")


class MonthlyQuotaForm(PeriodMixin, forms.Form):
    category = forms.ChoiceField(label="老年人类别", choices=Category.choices)
    services_per_month = forms.IntegerField(label="每月补贴服务次数", min_value=0, max_value=1000)
    valid_from = _date("起始日期")
    valid_to = _date("截止日期", required=False, help_text="留空表示长期有效")

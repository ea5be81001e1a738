from __future__ import annotations

from typing import Any

from django import forms

from yiyang.core.validators import NameValidator, TextValidator
from yiyang.elders.choices import Category, ElderStatus, LivingSituation, Relation
from yiyang.elders.models import ImportJob
from yiyang.elders.selectors import ADVANCED_AGE
from yiyang.regions.models import Region


class ElderFilterForm(forms.Form):
    q = forms.CharField(
        label="姓名",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "姓名包含"}),
    )
    id_number = forms.CharField(
        label="身份证号",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "完整号码，精确查找", "autocomplete": "off"}),
    )
    phone_tail = forms.CharField(
        label="电话后 4 位",
        required=False,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
    )
    category = forms.ChoiceField(
        label="类别",
        required=False,
        choices=[("", "全部"), *Category.choices, (ADVANCED_AGE, "高龄（80 岁以上）")],
    )
    living_situation = forms.ChoiceField(
        label="居住情况", required=False, choices=[("", "全部"), *LivingSituation.choices]
    )
    age_min = forms.IntegerField(label="年龄从", required=False, min_value=0, max_value=200)
    age_max = forms.IntegerField(label="年龄到", required=False, min_value=0, max_value=200)
    capability_level = forms.ChoiceField(
        label="能力等级", required=False, choices=[("", "全部"), *[(str(i), f"{i} 级") for i in range(5)]]
    )
    region = forms.ChoiceField(label="区域", required=False)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *ElderStatus.choices])
    ordering = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = (
            Region.objects.restrict(user, "elders.view")
            .filter(level__in=["county", "town", "village"])
            .only("code", "name", "level")
            .order_by("code")[:2000]
        )
        indent = {"county": "", "town": "　", "village": "　　"}  # streets and communities under their county
        self.fields["region"].choices = [  # type: ignore[attr-defined]
            ("", "全部"),
            *[(r.code, indent.get(r.level, "") + r.name) for r in regions],
        ]


class ElderForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50, validators=[NameValidator("姓名")])
    id_number = forms.CharField(
        label="身份证号",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="18 位；旧版 15 位号码会自动升位",
    )
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    region_code = forms.ChoiceField(label="常住社区/村")
    hukou_region_code = forms.CharField(
        label="户籍地区划代码", max_length=12, required=False, help_text="6、9 或 12 位代码；可与常住地不同"
    )
    address = forms.CharField(
        label="居住地址", max_length=200, required=False, validators=[TextValidator("居住地址", 200, False)]
    )
    lng = forms.FloatField(label="经度", required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(label="纬度", required=False, min_value=-90, max_value=90)
    living_situation = forms.ChoiceField(
        label="居住情况", choices=LivingSituation.choices, initial=LivingSituation.UNKNOWN
    )
    categories = forms.MultipleChoiceField(
        label="类别", required=False, choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        label="备注",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[TextValidator("备注", 2000)],
    )
    contact_name = forms.CharField(
        label="紧急联系人", max_length=50, required=False, validators=[NameValidator("紧急联系人")]
    )
    contact_relation = forms.ChoiceField(label="关系", choices=Relation.choices, required=False)
    contact_phone = forms.CharField(label="联系人电话", max_length=30, required=False)

    def __init__(self, *args: Any, user: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        perm = "elders.change" if editing else "elders.add"
        villages = (
            Region.objects.restrict(user, perm)
            .filter(level="village")
            .select_related("parent")
            .order_by("code")[:2000]
        )
        self.fields["region_code"].choices = [  # type: ignore[attr-defined]
            ("", "请选择"),
            *[(r.code, f"{r.parent.name if r.parent else ''} {r.name}") for r in villages],
        ]
        if editing:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = "留空则不修改；如需更正请输入完整号码"
            for key in ("contact_name", "contact_relation", "contact_phone"):
                del self.fields[key]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="变更为", choices=ElderStatus.choices, widget=forms.RadioSelect)
    date = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, allowed: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["status"].choices = [  # type: ignore[attr-defined]
                (v, lbl) for v, lbl in ElderStatus.choices if v in allowed
            ]


class ImportForm(forms.Form):
    file = forms.FileField(label="名册文件（.xlsx 或 .csv）")
    mode = forms.ChoiceField(
        label="导入方式",
        choices=ImportJob.Mode.choices,
        initial=ImportJob.Mode.GOOD_ROWS,
        widget=forms.RadioSelect,
    )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError("只支持 .xlsx 或 .csv 文件")
        from yiyang.elders.importing import max_bytes

        if f.size > max_bytes():
            raise forms.ValidationError(
                f"文件过大（上限 {max_bytes() // (1024 * 1024)} MB），请拆分后分批导入"
            )
        if f.size == 0:
            raise forms.ValidationError("文件为空")
        return f

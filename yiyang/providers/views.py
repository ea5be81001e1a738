"""Pages that edit providers and the catalog: organisations, facilities, contracts with priced items,
staff and their certificates (county/city civil-affairs staff; provider admins for their own
organisation's staff, certificates and facilities), and the catalog as data — service items, subsidy
rules and monthly quotas (county/city admins); and the read pages (the provider list, one provider,
the catalog). Every write here goes through ``yiyang.providers.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from yiyang.core.errors import DomainError
from yiyang.core.pages import ScopedPageMixin, get_scoped_or_404, paginate
from yiyang.providers import services
from yiyang.providers.forms import (
    CertificateForm,
    ContractForm,
    FacilityForm,
    MonthlyQuotaForm,
    OrganisationForm,
    PriceOverrideForm,
    ServiceItemForm,
    StaffForm,
    SubsidyRuleForm,
    fen_to_yuan,
    to_fen,
)
from yiyang.providers.models import (
    Certificate,
    Contract,
    Facility,
    MonthlyQuota,
    Organisation,
    ServiceItem,
    ServicePriceOverride,
    Staff,
    SubsidyRule,
)
from yiyang.providers.selectors import (
    contract_in_scope,
    contract_items_choosable,
    expiry_state,
    facility_in_scope,
    monthly_quota_list,
    organisation_list,
    service_item_list,
    staff_list,
    subsidy_rule_list,
)
from yiyang.regions.models import Region

REGISTER = "providers.register"
MANAGE = "providers.manage"
CATALOG = "providers.catalog"

FORM_TEMPLATE = "providers/form.html"


def apply_errors(form: forms.Form, exc: DomainError) -> None:
    """Put a service's field errors next to the fields; anything else above the form."""
    placed = False
    for key, msgs in exc.errors.items():
        name = {"price_fen": "price", "government_bp": "percent", "items": ""}.get(key, key)
        for m in msgs:
            if name in form.fields:
                form.add_error(name, m)
                placed = True
    if not placed:
        form.add_error(None, exc.message)


def _render_form(
    request: HttpRequest,
    form: forms.Form,
    *,
    title: str,
    back: str,
    status: int = 200,
    template: str = FORM_TEMPLATE,
    **extra: Any,
) -> HttpResponse:
    return render(request, template, {"form": form, "title": title, "back_url": back, **extra}, status=status)


def _provider_url(org: Organisation) -> str:
    return reverse("providers:detail", args=[org.public_id])


def _org(request: HttpRequest, provider_id: Any, perm: str) -> Organisation:
    return get_scoped_or_404(
        Organisation.objects.select_related("region"), request.user, perm, public_id=provider_id
    )


# --------------------------------------------------------------------------------------------------------
# Organisations
# --------------------------------------------------------------------------------------------------------


class OrganisationCreateView(ScopedPageMixin, View):
    required_perm = REGISTER

    def get(self, request: HttpRequest) -> HttpResponse:
        form = OrganisationForm(user=request.user)
        return _render_form(request, form, title="登记服务机构", back=reverse("providers:list"))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = OrganisationForm(request.POST, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                org = services.organisation_create(
                    actor=request.user,
                    name=d["name"],
                    uscc=d["uscc"],
                    org_type=d["org_type"],
                    region=d["region"],
                    regions_served=list(d["regions_served"]),
                    grade=d["grade"],
                    phone=d["phone"],
                    address=d["address"],
                )
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已登记 {org.name}")
                return redirect(_provider_url(org))
        return _render_form(request, form, title="登记服务机构", back=reverse("providers:list"), status=400)


class OrganisationEditView(ScopedPageMixin, View):
    required_perm = REGISTER

    def _form(self, request: HttpRequest, org: Organisation, data: Any = None) -> OrganisationForm:
        initial = {
            "name": org.name,
            "uscc": org.uscc,
            "org_type": org.org_type,
            "region": org.region_id,
            "regions_served": [r.code for r in org.regions_served.all()],
            "grade": org.grade,
            "phone": org.phone,
            "address": org.address,
            "is_active": org.is_active,
        }
        return OrganisationForm(
            data, initial=initial, user=request.user, current_region=org.region_id, editing=True
        )

    def get(self, request: HttpRequest, provider_id: Any) -> HttpResponse:
        org = _org(request, provider_id, self.required_perm)
        return _render_form(
            request, self._form(request, org), title=f"修改机构信息：{org.name}", back=_provider_url(org)
        )

    def post(self, request: HttpRequest, provider_id: Any) -> HttpResponse:
        org = _org(request, provider_id, self.required_perm)
        form = self._form(request, org, request.POST)
        if form.is_valid():
            d = form.cleaned_data
            choosable = {code for code, _ in form.fields["regions_served"].choices}  # type: ignore[attr-defined]
            # Regions served outside the user's scope are not shown and therefore kept.
            kept = [r.code for r in org.regions_served.all() if r.code not in choosable]
            try:
                services.organisation_update(
                    actor=request.user,
                    organisation=org,
                    regions_served=[*d["regions_served"], *kept],
                    **{k: d[k] for k in ("name", "uscc", "org_type", "region", "grade", "phone", "address")},
                    is_active=d["is_active"],
                )
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已保存")
                return redirect(_provider_url(org))
        return _render_form(
            request, form, title=f"修改机构信息：{org.name}", back=_provider_url(org), status=400
        )


# --------------------------------------------------------------------------------------------------------
# Facilities
# --------------------------------------------------------------------------------------------------------

FACILITY_KEYS = ("name", "address", "lat", "lng", "area_m2", "beds_ordinary", "beds_nursing", "beds_dementia")


class FacilityCreateView(ScopedPageMixin, View):
    required_perm = MANAGE

    def get(self, request: HttpRequest, provider_id: Any) -> HttpResponse:
        org = _org(request, provider_id, self.required_perm)
        return _render_form(request, FacilityForm(), title=f"新增设施：{org.name}", back=_provider_url(org))

    def post(self, request: HttpRequest, provider_id: Any) -> HttpResponse:
        org = _org(request, provider_id, self.required_perm)
        form = FacilityForm(request.POST)
        if form.is_valid():
            try:
                services.facility_create(
                    actor=request.user, organisation=org, **{k: form.cleaned_data[k] for k in FACILITY_KEYS}
                )
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已新增设施")
                return redirect(_provider_url(org))
        return _render_form(request, form, title=f"新增设施：{org.name}", back=_provider_url(org), status=400)


class FacilityEditView(ScopedPageMixin, View):
    required_perm = MANAGE

    def _facility(self, request: HttpRequest, facility_id: Any) -> Facility:
        facility = facility_in_scope(user=request.user, perm=self.required_perm, public_id=facility_id)
        if facility is None:
            raise Http404
        return facility

    def get(self, request: HttpRequest, facility_id: Any) -> HttpResponse:
        f = self._facility(request, facility_id)
        form = FacilityForm(initial={k: getattr(f, k) for k in FACILITY_KEYS})
        return _render_form(request, form, title=f"修改设施：{f.name}", back=_provider_url(f.organisation))

    def post(self, request: HttpRequest, facility_id: Any) -> HttpResponse:
        f = self._facility(request, facility_id)
        form = FacilityForm(request.POST)
        if form.is_valid():
            try:
                services.facility_update(
                    actor=request.user, facility=f, **{k: form.cleaned_data[k] for k in FACILITY_KEYS}
                )
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已保存")
                return redirect(_provider_url(f.organisation))
        return _render_form(
            request, form, title=f"修改设施：{f.name}", back=_provider_url(f.organisation), status=400
        )


# --------------------------------------------------------------------------------------------------------
# Contracts
# --------------------------------------------------------------------------------------------------------

CONTRACT_TEMPLATE = "providers/contract_form.html"


def _save_contract(request: HttpRequest, form: ContractForm, **target: Any) -> DomainError | None:
    d = form.cleaned_data
    fields = {
        "number": d["number"],
        "valid_from": d["valid_from"],
        "valid_to": d["valid_to"],
        "note": d["note"],
        "prices": form.prices_fen(),
    }
    try:
        if "contract" in target:
            services.contract_update(actor=request.user, contract=target["contract"], **fields)
        else:
            services.contract_create(actor=request.user, organisation=target["organisation"], **fields)
    except DomainError as exc:
        return exc
    return None


class ContractCreateView(ScopedPageMixin, View):
    required_perm = REGISTER

    def get(self, request: HttpRequest, provider_id: Any) -> HttpResponse:
        org = _org(request, provider_id, self.required_perm)
        form = ContractForm(items=contract_items_choosable())
        return _render_form(
            request,
            form,
            title=f"新增购买服务合同：{org.name}",
            back=_provider_url(org),
            template=CONTRACT_TEMPLATE,
        )

    def post(self, request: HttpRequest, provider_id: Any) -> HttpResponse:
        org = _org(request, provider_id, self.required_perm)
        form = ContractForm(request.POST, items=contract_items_choosable())
        if form.is_valid():
            exc = _save_contract(request, form, organisation=org)
            if exc is None:
                messages.success(request, "已保存合同")
                return redirect(_provider_url(org))
            apply_errors(form, exc)
        return _render_form(
            request,
            form,
            title=f"新增购买服务合同：{org.name}",
            back=_provider_url(org),
            template=CONTRACT_TEMPLATE,
            status=400,
        )


class ContractEditView(ScopedPageMixin, View):
    required_perm = REGISTER

    def _contract(self, request: HttpRequest, contract_id: Any) -> Contract:
        contract = contract_in_scope(user=request.user, perm=self.required_perm, public_id=contract_id)
        if contract is None:
            raise Http404
        return contract

    def get(self, request: HttpRequest, contract_id: Any) -> HttpResponse:
        c = self._contract(request, contract_id)
        initial: dict[str, Any] = {
            "number": c.number,
            "valid_from": c.valid_from,
            "valid_to": c.valid_to,
            "note": c.note,
        }
        for ci in c.items.all():
            initial[f"price_{ci.service_item_id}"] = fen_to_yuan(ci.price_fen)
        form = ContractForm(initial=initial, items=contract_items_choosable(c))
        return _render_form(
            request,
            form,
            title=f"修改合同 {c.number}",
            back=_provider_url(c.organisation),
            template=CONTRACT_TEMPLATE,
        )

    def post(self, request: HttpRequest, contract_id: Any) -> HttpResponse:
        c = self._contract(request, contract_id)
        form = ContractForm(request.POST, items=contract_items_choosable(c))
        if form.is_valid():
            exc = _save_contract(request, form, contract=c)
            if exc is None:
                messages.success(request, "已保存合同")
                return redirect(_provider_url(c.organisation))
            apply_errors(form, exc)
        return _render_form(
            request,
            form,
            title=f"修改合同 {c.number}",
            back=_provider_url(c.organisation),
            template=CONTRACT_TEMPLATE,
            status=400,
        )


# --------------------------------------------------------------------------------------------------------
# Staff and certificates
# --------------------------------------------------------------------------------------------------------

STAFF_KEYS = (
    "name",
    "skills",
    "employment_status",
    "work_start",
    "work_end",
    "max_daily_orders",
    "liability_insurance_until",
    "home_lat",
    "home_lng",
)
STAFF_TEMPLATE = "providers/staff_form.html"


def _staff_fields(d: dict[str, Any]) -> dict[str, Any]:
    fields = {k: d[k] for k in STAFF_KEYS}
    fields["skills"] = list(d["skills"])
    fields["work_days"] = "".join(sorted(d["work_days"]))
    return fields


def _staff(request: HttpRequest, staff_id: Any, perm: str = MANAGE) -> Staff:
    return get_scoped_or_404(
        Staff.objects.select_related("organisation"), request.user, perm, public_id=staff_id
    )


class StaffCreateView(ScopedPageMixin, View):
    required_perm = MANAGE

    def get(self, request: HttpRequest, provider_id: Any) -> HttpResponse:
        org = _org(request, provider_id, self.required_perm)
        return _render_form(
            request,
            StaffForm(),
            title=f"登记服务人员：{org.name}",
            back=_provider_url(org),
            template=STAFF_TEMPLATE,
        )

    def post(self, request: HttpRequest, provider_id: Any) -> HttpResponse:
        org = _org(request, provider_id, self.required_perm)
        form = StaffForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                staff = services.staff_create(
                    actor=request.user,
                    organisation=org,
                    id_number=d["id_number"],
                    phone=d["phone"],
                    **_staff_fields(d),
                )
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已登记 {staff.name}，可继续添加证书")
                return redirect("providers:staff_edit", staff_id=staff.public_id)
        return _render_form(
            request,
            form,
            title=f"登记服务人员：{org.name}",
            back=_provider_url(org),
            template=STAFF_TEMPLATE,
            status=400,
        )


class StaffEditView(ScopedPageMixin, View):
    required_perm = MANAGE

    def _context(self, request: HttpRequest, staff: Staff) -> dict[str, Any]:
        today = timezone.localdate()
        certificates = [
            (c, expiry_state(c.valid_until, today)) for c in staff.certificates.order_by("valid_until")
        ]
        return {
            "title": f"修改服务人员：{staff.name}",
            "back": _provider_url(staff.organisation),
            "template": STAFF_TEMPLATE,
            "staff": staff,
            "certificates": certificates,
            "insurance_state": expiry_state(staff.liability_insurance_until, today),
            "editing": True,
        }

    def get(self, request: HttpRequest, staff_id: Any) -> HttpResponse:
        s = _staff(request, staff_id)
        initial = {k: getattr(s, k) for k in STAFF_KEYS}
        initial["work_days"] = list(s.work_days)
        form = StaffForm(initial=initial, editing=True)
        return _render_form(request, form, **self._context(request, s))

    def post(self, request: HttpRequest, staff_id: Any) -> HttpResponse:
        s = _staff(request, staff_id)
        form = StaffForm(request.POST, editing=True)
        if form.is_valid():
            d = form.cleaned_data
            try:
                # An empty ID number or phone keeps the stored value (the clear value is never shown).
                services.staff_update(
                    actor=request.user,
                    staff=s,
                    id_number=d["id_number"],
                    phone=d["phone"],
                    **_staff_fields(d),
                )
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已保存")
                return redirect(_provider_url(s.organisation))
        return _render_form(request, form, status=400, **self._context(request, s))


def _certificate(staff: Staff, certificate_id: int) -> Certificate:
    return get_object_or_404(Certificate, pk=certificate_id, staff=staff)


CERT_KEYS = ("name", "level", "number", "valid_from", "valid_until")


class CertificateCreateView(ScopedPageMixin, View):
    required_perm = MANAGE

    def get(self, request: HttpRequest, staff_id: Any) -> HttpResponse:
        s = _staff(request, staff_id)
        back = reverse("providers:staff_edit", args=[s.public_id])
        return _render_form(request, CertificateForm(), title=f"添加证书：{s.name}", back=back)

    def post(self, request: HttpRequest, staff_id: Any) -> HttpResponse:
        s = _staff(request, staff_id)
        back = reverse("providers:staff_edit", args=[s.public_id])
        form = CertificateForm(request.POST)
        if form.is_valid():
            try:
                services.certificate_create(
                    actor=request.user, staff=s, **{k: form.cleaned_data[k] for k in CERT_KEYS}
                )
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已添加证书")
                return redirect(back)
        return _render_form(request, form, title=f"添加证书：{s.name}", back=back, status=400)


class CertificateEditView(ScopedPageMixin, View):
    required_perm = MANAGE

    def get(self, request: HttpRequest, staff_id: Any, certificate_id: int) -> HttpResponse:
        s = _staff(request, staff_id)
        c = _certificate(s, certificate_id)
        back = reverse("providers:staff_edit", args=[s.public_id])
        form = CertificateForm(initial={k: getattr(c, k) for k in CERT_KEYS})
        return _render_form(request, form, title=f"修改证书：{s.name} · {c.name}", back=back)

    def post(self, request: HttpRequest, staff_id: Any, certificate_id: int) -> HttpResponse:
        s = _staff(request, staff_id)
        c = _certificate(s, certificate_id)
        back = reverse("providers:staff_edit", args=[s.public_id])
        form = CertificateForm(request.POST)
        if form.is_valid():
            try:
                services.certificate_update(
                    actor=request.user, certificate=c, **{k: form.cleaned_data[k] for k in CERT_KEYS}
                )
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已保存证书")
                return redirect(back)
        return _render_form(request, form, title=f"修改证书：{s.name} · {c.name}", back=back, status=400)


class CertificateDeleteView(ScopedPageMixin, View):
    required_perm = MANAGE

    def get(self, request: HttpRequest, staff_id: Any, certificate_id: int) -> HttpResponse:
        s = _staff(request, staff_id)
        c = _certificate(s, certificate_id)
        back = reverse("providers:staff_edit", args=[s.public_id])
        return render(
            request, "providers/confirm_delete.html", {"staff": s, "certificate": c, "back_url": back}
        )

    def post(self, request: HttpRequest, staff_id: Any, certificate_id: int) -> HttpResponse:
        s = _staff(request, staff_id)
        c = _certificate(s, certificate_id)
        services.certificate_delete(actor=request.user, certificate=c)
        messages.success(request, f"已删除证书 {c.name}")
        return redirect("providers:staff_edit", staff_id=s.public_id)


# --------------------------------------------------------------------------------------------------------
# Catalog (city-wide data: not region-bound, so not scoped; only for holders of providers.catalog)
# --------------------------------------------------------------------------------------------------------

ITEM_KEYS = ("code", "name", "category", "unit", "standard_minutes", "description", "is_active")


def _item_fields(d: dict[str, Any]) -> dict[str, Any]:
    fields = {k: d[k] for k in ITEM_KEYS}
    fields["price_fen"] = to_fen(d["price"])
    fields["skills_required"] = list(d["skills_required"])
    return fields


class CatalogPageMixin(ScopedPageMixin):
    required_perm = CATALOG
    scoped = False

    @staticmethod
    def back() -> str:
        return reverse("providers:catalog")


class ServiceItemCreateView(CatalogPageMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return _render_form(request, ServiceItemForm(), title="新增服务项目", back=self.back())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ServiceItemForm(request.POST)
        if form.is_valid():
            try:
                item = services.service_item_create(actor=request.user, **_item_fields(form.cleaned_data))
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已新增服务项目 {item.name}")
                return redirect(self.back())
        return _render_form(request, form, title="新增服务项目", back=self.back(), status=400)


class ServiceItemEditView(CatalogPageMixin, View):
    def get(self, request: HttpRequest, item_id: Any) -> HttpResponse:
        item = get_object_or_404(ServiceItem, public_id=item_id)
        initial = {k: getattr(item, k) for k in ITEM_KEYS}
        initial["price"] = fen_to_yuan(item.price_fen)
        initial["skills_required"] = list(item.skills_required)
        form = ServiceItemForm(initial=initial)
        return _render_form(request, form, title=f"修改服务项目：{item.name}", back=self.back())

    def post(self, request: HttpRequest, item_id: Any) -> HttpResponse:
        item = get_object_or_404(ServiceItem, public_id=item_id)
        form = ServiceItemForm(request.POST)
        if form.is_valid():
            try:
                services.service_item_update(actor=request.user, item=item, **_item_fields(form.cleaned_data))
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已保存服务项目")
                return redirect(self.back())
        return _render_form(request, form, title=f"修改服务项目：{item.name}", back=self.back(), status=400)


class ServiceItemActiveView(CatalogPageMixin, View):
    """POST ``active=0`` deactivates, ``active=1`` re-activates. Items are never deleted."""

    def post(self, request: HttpRequest, item_id: Any) -> HttpResponse:
        item = get_object_or_404(ServiceItem, public_id=item_id)
        active = request.POST.get("active") == "1"
        services.service_item_set_active(actor=request.user, item=item, active=active)
        messages.success(request, f"已{'启用' if active else '停用'} {item.name}")
        return redirect(self.back())


RULE_KEYS = ("category", "service_category", "valid_from", "valid_to", "basis")


def _rule_fields(d: dict[str, Any]) -> dict[str, Any]:
    fields = {k: d[k] for k in RULE_KEYS}
    fields["government_bp"] = int(d["percent"] * 100)
    return fields


class SubsidyRuleCreateView(CatalogPageMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return _render_form(request, SubsidyRuleForm(), title="新增政府补贴比例", back=self.back())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SubsidyRuleForm(request.POST)
        if form.is_valid():
            try:
                services.subsidy_rule_create(actor=request.user, **_rule_fields(form.cleaned_data))
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已新增补贴比例")
                return redirect(self.back())
        return _render_form(request, form, title="新增政府补贴比例", back=self.back(), status=400)


class SubsidyRuleEditView(CatalogPageMixin, View):
    def get(self, request: HttpRequest, rule_id: int) -> HttpResponse:
        rule = get_object_or_404(SubsidyRule, pk=rule_id)
        initial: dict[str, Any] = {k: getattr(rule, k) for k in RULE_KEYS}
        initial["percent"] = fen_to_yuan(rule.government_bp)
        form = SubsidyRuleForm(initial=initial)
        return _render_form(request, form, title=f"修改补贴比例：{rule.category_label}", back=self.back())

    def post(self, request: HttpRequest, rule_id: int) -> HttpResponse:
        rule = get_object_or_404(SubsidyRule, pk=rule_id)
        form = SubsidyRuleForm(request.POST)
        if form.is_valid():
            try:
                services.subsidy_rule_update(actor=request.user, rule=rule, **_rule_fields(form.cleaned_data))
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已保存补贴比例")
                return redirect(self.back())
        return _render_form(
            request, form, title=f"修改补贴比例：{rule.category_label}", back=self.back(), status=400
        )


QUOTA_KEYS = ("category", "services_per_month", "valid_from", "valid_to")


class MonthlyQuotaCreateView(CatalogPageMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return _render_form(request, MonthlyQuotaForm(), title="新增月度补贴额度", back=self.back())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = MonthlyQuotaForm(request.POST)
        if form.is_valid():
            try:
                services.monthly_quota_create(
                    actor=request.user, **{k: form.cleaned_data[k] for k in QUOTA_KEYS}
                )
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已新增月度额度")
                return redirect(self.back())
        return _render_form(request, form, title="新增月度补贴额度", back=self.back(), status=400)


class MonthlyQuotaEditView(CatalogPageMixin, View):
    def get(self, request: HttpRequest, quota_id: int) -> HttpResponse:
        quota = get_object_or_404(MonthlyQuota, pk=quota_id)
        form = MonthlyQuotaForm(initial={k: getattr(quota, k) for k in QUOTA_KEYS})
        return _render_form(request, form, title=f"修改月度额度：{quota.category_label}", back=self.back())

    def post(self, request: HttpRequest, quota_id: int) -> HttpResponse:
        quota = get_object_or_404(MonthlyQuota, pk=quota_id)
        form = MonthlyQuotaForm(request.POST)
        if form.is_valid():
            try:
                services.monthly_quota_update(
                    actor=request.user, quota=quota, **{k: form.cleaned_data[k] for k in QUOTA_KEYS}
                )
            except DomainError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已保存月度额度")
                return redirect(self.back())
        return _render_form(
            request, form, title=f"修改月度额度：{quota.category_label}", back=self.back(), status=400
        )


# --- read pages: the provider list, one provider, the catalog ----------------------------------------


class ProviderListView(ScopedPageMixin, View):
    required_perm = "providers.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "providers/list.html",
            {"page": paginate(request, organisation_list(user=request.user), 30)},
        )


class ProviderDetailView(ScopedPageMixin, View):
    required_perm = "providers.view"

    def get(self, request: HttpRequest, provider_id: Any) -> HttpResponse:
        org = get_scoped_or_404(
            organisation_list(user=request.user), request.user, self.required_perm, public_id=provider_id
        )
        today = timezone.localdate()
        staff = list(staff_list(user=request.user).filter(organisation=org))
        return render(
            request,
            "providers/detail.html",
            {
                "org": org,
                "staff": staff,
                "today": today,
                "facilities": org.facilities.all(),
                "contracts": org.contracts.prefetch_related("items__service_item").order_by("-valid_from"),
            },
        )


class CatalogView(ScopedPageMixin, View):
    required_perm = "providers.view"
    scoped = False

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "providers/catalog.html",
            {
                "items": service_item_list(active_only=False),
                "rules": subsidy_rule_list().order_by("category", "service_category", "-valid_from"),
                "quotas": monthly_quota_list().order_by("category", "-valid_from"),
            },
        )


class CountyPricesView(ScopedPageMixin, View):
    """The city's catalog with one county's own prices: set or clear a price where the city allows it
    (``service_price_override_set``). Orders of that county are priced with it (``catalog_price_fen``)."""

    required_perm = "providers.price"

    def _counties(self, request: HttpRequest) -> list[Region]:
        return list(
            Region.objects.restrict(request.user, self.required_perm)
            .filter(level=Region.Level.COUNTY)
            .order_by("code")
        )

    def _county(self, request: HttpRequest, code: str) -> Region:
        counties = self._counties(request)
        if not counties:
            raise Http404
        if not code:
            return counties[0]
        found = next((c for c in counties if c.code == code), None)
        if found is None:
            raise Http404
        return found

    def get(self, request: HttpRequest) -> HttpResponse:
        county = self._county(request, request.GET.get("county", ""))
        own = {
            o.service_item_id: o.price_fen
            for o in ServicePriceOverride.objects.restrict(request.user, self.required_perm).filter(
                region_code=county.code
            )
        }
        rows = [
            {"item": item, "own_fen": own.get(item.pk), "allowed": item.county_price_allowed}
            for item in service_item_list(active_only=True).order_by("code")
        ]
        return render(
            request,
            "providers/county_prices.html",
            {"county": county, "counties": self._counties(request), "rows": rows},
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        county = self._county(request, request.POST.get("county", ""))
        form = PriceOverrideForm(request.POST)
        back = reverse("providers:county_prices") + f"?county={county.code}"
        if not form.is_valid():
            messages.error(request, "请填写正确的价格（元，最多两位小数）")
            return redirect(back)
        item = get_object_or_404(ServiceItem, public_id=form.cleaned_data["item"], is_active=True)
        clear = request.POST.get("op") == "clear"
        price = form.cleaned_data.get("price")
        if not clear and price is None:
            messages.error(request, "请填写本区县价格，或选择恢复市级指导价")
            return redirect(back)
        try:
            services.service_price_override_set(
                actor=request.user,
                item=item,
                region=county,
                price_fen=None if clear or price is None else to_fen(price),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(back)
        messages.success(
            request,
            f"{item.name}：已恢复市级指导价" if clear else f"{item.name}：本区县价格已设为 {price} 元",
        )
        return redirect(back)

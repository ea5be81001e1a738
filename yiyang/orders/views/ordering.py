"""Pages: 点菜式下单 (find the elder, fill a cart, see the subsidy and 自付, confirm) and 周期服务 plans."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from yiyang.core.errors import DomainError
from yiyang.core.pages import ScopedPageMixin, get_scoped_or_404
from yiyang.core.validators import check_text, parse_int
from yiyang.elders.choices import Category
from yiyang.elders.selectors import elder_get, elder_list, elder_quick_search, id_tail
from yiyang.orders import ordering, recurring
from yiyang.orders.choices import Channel, PlanStatus
from yiyang.orders.models import ServicePlan
from yiyang.orders.services import ROLE_CHANNELS
from yiyang.orders.views.common import fail, roles
from yiyang.providers.selectors import service_item_list

if TYPE_CHECKING:
    from yiyang.elders.models import Elder

CATEGORY_LABELS = dict(Category.choices)

# Channels a member of staff may name when ordering by hand (周期服务 is the plan generator's own).
STAFF_CHANNELS = [Channel.HOTLINE, Channel.COMMUNITY, Channel.DISPATCHER, Channel.WEB, Channel.DEVICE]


def own_channel(user: Any) -> str:
    """The channel the user's role implies (what the page preselects)."""
    mine = roles(user)
    return next((c for r, c in ROLE_CHANNELS if r in mine), "")


def elder_rows(elders: list[Elder]) -> list[dict[str, Any]]:
    """What tells elders apart in a search result (all masked)."""
    today = timezone.localdate()
    return [
        {
            "elder": e,
            "age": e.age(today),
            "community": e.region.name,
            "id_tail": id_tail(e),
            "phone": e.phone_masked,
        }
        for e in elders
    ]


class OrderStartView(ScopedPageMixin, View):
    """为老人下单 / 电话下单: the elder search (HTMX autocomplete; a full page without script). A family
    member sees their own relatives instead."""

    required_perm = "orders.add"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.has_perm("orders.order_for"):
            # The family: their own relatives, as big cards.
            relatives = list(
                elder_list(user=user, perm="orders.add").filter(status="active").order_by("name")
            )
            return render(request, "orders/order_start_family.html", {"rows": elder_rows(relatives)})
        search, found = elder_quick_search(user=user, q=request.GET.get("q", ""), perm="orders.add")
        context = {
            "q": request.GET.get("q", "")[:50],
            "search": search,
            "rows": elder_rows(found),
            "limit": 20,
            "hotline": "operator" in roles(user),
        }
        if request.headers.get("HX-Request"):
            return render(request, "orders/_elder_results.html", context)
        return render(request, "orders/order_start.html", context)


def _cart_from(request: HttpRequest, items: list[Any]) -> tuple[list[ordering.CartLine], dict[str, int]]:
    lines: list[ordering.CartLine] = []
    chosen: dict[str, int] = {}
    for item in items:
        raw = (request.POST.get(f"qty_{item.public_id}") or "").strip()
        if not raw or raw == "0":
            continue
        try:
            qty = parse_int(raw, label=f"「{item.name}」的数量", min_value=0, max_value=ordering.MAX_QUANTITY)
        except ValidationError as exc:
            raise DomainError(
                exc.messages[0], code="validation_error", errors={"lines": exc.messages}
            ) from exc
        if qty:
            lines.append(ordering.CartLine(item=item, quantity=qty))
            chosen[str(item.public_id)] = qty
    return lines, chosen


def _when(request: HttpRequest) -> datetime:
    raw = (request.POST.get("scheduled_start") or "").strip()
    try:
        value = datetime.strptime(raw, "%Y-%m-%dT%H:%M")
    except ValueError as exc:
        msg = "请选择预约上门时间"
        raise DomainError(msg, code="validation_error", errors={"scheduled_start": [msg]}) from exc
    return timezone.make_aware(value)


def _with_catalog(context: dict[str, Any]) -> dict[str, Any]:
    chosen = context["chosen"]
    context["catalog"] = [(i, chosen.get(str(i.public_id), "")) for i in context["items"]]
    return context


class CartView(ScopedPageMixin, View):
    """The cart for one elder: choose items and quantities and the time → 计算费用 shows, per item and in
    total, the price, the government subsidy, 自付 and the month's quota left → 确认下单."""

    required_perm = "orders.add"

    def _elder(self, request: HttpRequest, elder_id: Any) -> Elder:
        elder = elder_get(user=request.user, public_id=elder_id, perm="orders.add")
        if elder is None:
            raise Http404
        return elder

    def _context(self, request: HttpRequest, elder: Elder, **extra: Any) -> dict[str, Any]:
        user = request.user
        family = not user.has_perm("orders.order_for")
        items = list(service_item_list())
        default_start = (timezone.localtime() + timedelta(days=1)).replace(hour=9, minute=0)
        return {
            "elder": elder,
            "row": elder_rows([elder])[0],
            "items": items,
            "family": family,
            "channels": [] if family else [(c.value, c.label) for c in STAFF_CHANNELS],
            "channel": own_channel(user),
            "scheduled_start": default_start.strftime("%Y-%m-%dT%H:%M"),
            "chosen": {},
            "note": "",
            **extra,
        }

    def get(self, request: HttpRequest, elder_id: Any) -> HttpResponse:
        elder = self._elder(request, elder_id)
        return render(request, "orders/cart.html", _with_catalog(self._context(request, elder)))

    def post(self, request: HttpRequest, elder_id: Any) -> HttpResponse:
        elder = self._elder(request, elder_id)
        items = list(service_item_list())
        op = request.POST.get("op", "quote")
        context = self._context(request, elder)
        try:
            lines, chosen = _cart_from(request, items)
            context["chosen"] = chosen
            context["scheduled_start"] = (request.POST.get("scheduled_start") or "")[:16]
            note = check_text(request.POST.get("note", ""), label="需求说明", max_length=300)
            context["note"] = note
            channel = "" if context["family"] else (request.POST.get("channel") or "")[:20]
            context["channel"] = channel or context["channel"]
            when = _when(request)
            if op == "place":
                batch, orders = ordering.cart_place(
                    actor=request.user,
                    elder=elder,
                    lines=lines,
                    scheduled_start=when,
                    channel=channel,
                    note=note,
                )
                messages.success(request, f"已为 {elder.name} 预约 {len(orders)} 次上门服务")
                return HttpResponseRedirect(reverse("orders:batch", args=[batch]))
            quote = ordering.cart_quote(elder=elder, lines=lines, scheduled_start=when)
            context["quote"] = quote
            context["category_labels"] = [CATEGORY_LABELS.get(c, c) for c in quote.categories]
            context["editing"] = op == "edit"
        except ValidationError as exc:
            context["error"] = "；".join(exc.messages)
            return render(request, "orders/cart.html", _with_catalog(context), status=400)
        except DomainError as exc:
            detail = "；".join(m for msgs in exc.errors.values() for m in msgs if m != exc.message)
            context["error"] = exc.message + (f"（{detail}）" if detail else "")
            return render(request, "orders/cart.html", _with_catalog(context), status=400)
        return render(request, "orders/cart.html", _with_catalog(context))


class BatchView(ScopedPageMixin, View):
    """The orders placed together in one cart."""

    required_perm = "orders.view"

    def get(self, request: HttpRequest, batch_id: Any) -> HttpResponse:
        orders = list(ordering.batch_orders(batch=batch_id, user=request.user))
        if not orders:
            raise Http404
        return render(
            request,
            "orders/batch.html",
            {"orders": orders, "elder": orders[0].elder, "family": "family" in roles(request.user)},
        )


# --- 周期服务 ------------------------------------------------------------------------------------------

WEEKDAY_CHOICES = [(str(n), "周" + "一二三四五六日"[n - 1]) for n in range(1, 8)]


class PlanListView(ScopedPageMixin, View):
    required_perm = "orders.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        plans = recurring.plan_list(user=request.user)
        status = request.GET.get("status", "")
        if status in PlanStatus.values:
            plans = plans.filter(status=status)
        return render(
            request,
            "orders/plans.html",
            {
                "plans": plans[:200],
                "status": status,
                "statuses": PlanStatus.choices,
                "can_add": request.user.has_perm("orders.add"),
            },
        )


def _parse_date(raw: Any, label: str, *, required: bool) -> date | None:
    text = str(raw or "").strip()
    if not text:
        if required:
            raise DomainError(f"请选择{label}", code="validation_error", errors={"date": [f"请选择{label}"]})
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise DomainError(f"{label}格式不正确", code="validation_error", errors={"date": [label]}) from exc


def _parse_time(raw: Any) -> time:
    try:
        return time.fromisoformat(str(raw or "").strip()[:5])
    except ValueError as exc:
        raise DomainError(
            "请选择上门时间", code="validation_error", errors={"time_of_day": ["请选择上门时间"]}
        ) from exc


class PlanCreateView(ScopedPageMixin, View):
    """设立周期服务 for one elder."""

    required_perm = "orders.add"

    def _context(self, request: HttpRequest, elder: Elder, **extra: Any) -> dict[str, Any]:
        family = not request.user.has_perm("orders.order_for")
        return {
            "elder": elder,
            "row": elder_rows([elder])[0],
            "items": list(service_item_list()),
            "weekday_choices": WEEKDAY_CHOICES,
            "family": family,
            "channels": [] if family else [(c.value, c.label) for c in STAFF_CHANNELS],
            "channel": own_channel(request.user),
            "form": {
                "weekdays": ["1", "2", "3", "4", "5"],
                "time_of_day": "11:00",
                "start_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
                "end_date": "",
                "service_item": "",
                "note": "",
            },
            **extra,
        }

    def _elder(self, request: HttpRequest, elder_id: Any) -> Elder:
        elder = elder_get(user=request.user, public_id=elder_id, perm="orders.add")
        if elder is None:
            raise Http404
        return elder

    def get(self, request: HttpRequest, elder_id: Any) -> HttpResponse:
        elder = self._elder(request, elder_id)
        return render(request, "orders/plan_new.html", self._context(request, elder))

    def post(self, request: HttpRequest, elder_id: Any) -> HttpResponse:
        elder = self._elder(request, elder_id)
        p = request.POST
        form: dict[str, Any] = {
            "weekdays": p.getlist("weekdays")[:7],
            "time_of_day": (p.get("time_of_day") or "")[:5],
            "start_date": (p.get("start_date") or "")[:10],
            "end_date": (p.get("end_date") or "")[:10],
            "service_item": (p.get("service_item") or "")[:40],
            "note": (p.get("note") or "")[:300],
        }
        context = self._context(request, elder, form=form)
        item = next((i for i in context["items"] if str(i.public_id) == form["service_item"]), None)
        try:
            if item is None:
                raise DomainError(
                    "请选择服务项目", code="validation_error", errors={"service_item": ["请选择服务项目"]}
                )
            plan = recurring.plan_create(
                actor=request.user,
                elder=elder,
                service_item=item,
                weekdays=form["weekdays"],
                time_of_day=_parse_time(form["time_of_day"]),
                start_date=_parse_date(form["start_date"], "开始日期", required=True),  # type: ignore[arg-type]
                end_date=_parse_date(form["end_date"], "结束日期", required=False),
                note=check_text(form["note"], label="需求说明", max_length=300),
                channel="" if context["family"] else (p.get("channel") or "")[:20],
            )
        except ValidationError as exc:
            context["error"] = "；".join(exc.messages)
            return render(request, "orders/plan_new.html", context, status=400)
        except DomainError as exc:
            detail = "；".join(m for msgs in exc.errors.values() for m in msgs if m != exc.message)
            context["error"] = exc.message + (f"（{detail}）" if detail else "")
            return render(request, "orders/plan_new.html", context, status=400)
        messages.success(request, f"已设立周期服务：{plan.service_item.name} · {plan.weekdays_label}")
        return HttpResponseRedirect(reverse("orders:plan", args=[plan.public_id]))


class PlanDetailView(ScopedPageMixin, View):
    """One plan: its days, upcoming orders and record; 暂停 / 恢复 / 结束 with a reason."""

    required_perm = "orders.view"

    def _plan(self, request: HttpRequest, plan_id: Any, perm: str) -> ServicePlan:
        return get_scoped_or_404(
            ServicePlan.objects.select_related("elder", "elder__region", "service_item"),
            request.user,
            perm,
            public_id=plan_id,
        )

    def get(self, request: HttpRequest, plan_id: Any) -> HttpResponse:
        plan = self._plan(request, plan_id, "orders.view")
        return render(
            request,
            "orders/plan.html",
            {
                "plan": plan,
                "upcoming": recurring.plan_upcoming(plan)[:20],
                "events": plan.events.all(),
                "can_change": request.user.has_perm("orders.add"),
                "next": sorted(recurring.PLAN_MACHINE.targets(plan.status)),
            },
        )

    def post(self, request: HttpRequest, plan_id: Any) -> HttpResponse:
        if not request.user.has_perm("orders.add"):
            raise PermissionDenied
        plan = self._plan(request, plan_id, "orders.add")
        op = request.POST.get("op", "")
        action = {
            "pause": recurring.plan_pause,
            "resume": recurring.plan_resume,
            "end": recurring.plan_end,
        }.get(op)
        if action is None:
            raise Http404
        try:
            action(plan=plan, actor=request.user, reason=(request.POST.get("reason") or "")[:300])
            messages.success(request, f"周期服务{plan.get_status_display()}")
        except DomainError as exc:
            fail(request, exc)
        return HttpResponseRedirect(reverse("orders:plan", args=[plan.public_id]))

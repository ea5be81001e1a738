"""Printable caregiver order cards (服务卡): one order's card, or the batch of a caregiver's day, on A6
cards (one per sheet) or A4 sheets (four cards to a page).

The cards show the elder's name, the masked phone and address, the community, the service items, the
time window and the notes. The full address and phone appear only through the existing audited reveal
of the visit (``order_visit_contact``): for the caregiver the order is assigned to, while it is accepted
or in progress, on request (POST), never stored or cached, each order's showing audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views import View

from yiyang.core.errors import DomainError
from yiyang.core.pages import ScopedPageMixin, get_scoped_or_404
from yiyang.orders import services
from yiyang.orders.choices import OrderStatus
from yiyang.orders.models import Order
from yiyang.orders.selectors import order_detail_queryset, order_list
from yiyang.orders.views.common import fail, uuid_or_none
from yiyang.providers.selectors import staff_for_user

PAPERS = {"a6": "A6 卡片（每张一单）", "a4": "A4 纸（每页四单）"}
MAX_CARDS = 60


@dataclass
class Card:
    order: Order
    end: Any
    items: list[str]
    contact: dict[str, str] | None = None
    revealable: bool = False
    extras: list[str] = field(default_factory=list)


def _card(order: Order, me: Any, contact: dict[str, str] | None = None) -> Card:
    end = order.scheduled_start + timedelta(minutes=order.service_item.standard_minutes or 0)
    items = [order.service_item.name]
    if order.service_item.description:
        items.append(order.service_item.description)
    own = bool(order.caregiver and order.caregiver.user_id == getattr(me, "pk", None))
    return Card(
        order=order,
        end=end,
        items=items,
        contact=contact,
        revealable=own and order.status in services.VISIT_CONTACT_STATUSES,
    )


def _paper(request: HttpRequest) -> str:
    value = request.GET.get("paper", "") or request.POST.get("paper", "")
    return value if value in PAPERS else "a6"


class OrderCardView(ScopedPageMixin, View):
    """One order's card."""

    required_perm = "orders.view"

    def _order(self, request: HttpRequest, order_id: Any) -> Order:
        return get_scoped_or_404(
            order_detail_queryset(user=request.user), request.user, self.required_perm, public_id=order_id
        )

    def _page(self, request: HttpRequest, card: Card) -> HttpResponse:
        return render(
            request,
            "orders/print_cards.html",
            {
                "cards": [card],
                "paper": _paper(request),
                "papers": PAPERS,
                "title": f"服务卡 · {card.order.number}",
                "now": timezone.localtime(),
                "single": True,
                "any_revealable": card.revealable,
            },
        )

    def get(self, request: HttpRequest, order_id: Any) -> HttpResponse:
        return self._page(request, _card(self._order(request, order_id), request.user))

    def post(self, request: HttpRequest, order_id: Any) -> HttpResponse:
        """打印含完整住址和电话: the assigned caregiver only, through the audited visit reveal."""
        if not request.user.has_perm("orders.serve"):
            raise PermissionDenied
        order = get_scoped_or_404(
            order_detail_queryset(user=request.user, perm="orders.serve"),
            request.user,
            "orders.serve",
            public_id=order_id,
        )
        contact = None
        try:
            contact = services.order_visit_contact(order=order, actor=request.user)
        except DomainError as exc:
            fail(request, exc)
        response = self._page(request, _card(order, request.user, contact))
        response["Cache-Control"] = "no-store"
        return response


class DayCardsView(ScopedPageMixin, View):
    """The cards of one caregiver's day, in appointment order. A caregiver prints their own day; a
    dispatcher or provider admin chooses the caregiver among those serving the orders they can see."""

    required_perm = "orders.view"

    def _day(self, request: HttpRequest) -> date:
        value = request.GET.get("date", "") or request.POST.get("date", "")
        try:
            return parse_date(value) or timezone.localdate()
        except ValueError:
            return timezone.localdate()

    def _orders(
        self, request: HttpRequest, day: date, perm: str = "orders.view"
    ) -> tuple[list[Order], Any, list]:
        visible = (
            order_list(user=request.user, perm=perm)
            .filter(scheduled_start__date=day)
            .exclude(status__in=[OrderStatus.CANCELLED, OrderStatus.DECLINED])
        )
        mine = staff_for_user(user_id=request.user.pk)
        choices = sorted(
            {
                (str(s), n)
                for s, n in visible.exclude(caregiver=None).values_list(
                    "caregiver__public_id", "caregiver__name"
                )
            },
            key=lambda c: c[1],
        )
        wanted = uuid_or_none(request.GET.get("caregiver") or request.POST.get("caregiver"))
        if wanted is None and mine is not None:
            wanted = mine.public_id
        chosen = next((c for c in choices if wanted and c[0] == str(wanted)), None)
        if chosen is None:
            return [], None, choices
        orders = list(
            visible.filter(caregiver__public_id=chosen[0]).order_by("scheduled_start", "pk")[:MAX_CARDS]
        )
        return orders, chosen, choices

    def _page(
        self, request: HttpRequest, day: date, cards: list[Card], chosen: Any, choices: list
    ) -> HttpResponse:
        return render(
            request,
            "orders/print_cards.html",
            {
                "cards": cards,
                "paper": _paper(request),
                "papers": PAPERS,
                "day": day,
                "chosen": chosen,
                "choices": choices,
                "title": f"服务卡 · {chosen[1]} · {day:%Y-%m-%d}" if chosen else "打印服务卡",
                "now": timezone.localtime(),
                "single": False,
                "any_revealable": any(c.revealable for c in cards),
            },
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        day = self._day(request)
        orders, chosen, choices = self._orders(request, day)
        return self._page(request, day, [_card(o, request.user) for o in orders], chosen, choices)

    def post(self, request: HttpRequest) -> HttpResponse:
        """The caregiver's own day with full addresses and phones: each revealable order through the
        audited visit reveal (orders not yet accepted, or finished, stay masked)."""
        if not request.user.has_perm("orders.serve"):
            raise PermissionDenied
        day = self._day(request)
        orders, chosen, choices = self._orders(request, day, perm="orders.serve")
        cards = []
        for order in orders:
            card = _card(order, request.user)
            if card.revealable:
                try:
                    card.contact = services.order_visit_contact(order=order, actor=request.user)
                except DomainError as exc:
                    fail(request, exc)
            cards.append(card)
        response = self._page(request, day, cards, chosen, choices)
        response["Cache-Control"] = "no-store"
        return response

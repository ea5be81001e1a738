from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from yiyang.audit.describe import describe
from yiyang.audit.events import EVENT_LABELS
from yiyang.audit.selectors import audit_event_list
from yiyang.core.pages import ScopedPageMixin, get_scoped_or_404, paginate, querystring_without


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="操作人（姓名）", required=False, max_length=150)
    event = forms.ChoiceField(label="事件", required=False)
    since = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event"].choices = [("", "全部"), *sorted(EVENT_LABELS.items())]  # type: ignore[attr-defined]


def _day(d: Any, end: bool = False) -> datetime | None:
    if not d:
        return None
    dt = datetime.combine(d, time.min)
    if end:
        dt = dt.replace(hour=23, minute=59, second=59)
    return timezone.make_aware(dt)


class AuditEventListView(ScopedPageMixin, View):
    required_perm = "audit.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = AuditFilterForm(request.GET or None)
        filters: dict[str, Any] = {}
        if form.is_valid():
            data = form.cleaned_data
            filters = {
                "actor": data["actor"] or None,
                "event": data["event"] or None,
                "since": _day(data["since"]),
                "until": _day(data["until"], end=True),
            }
        events = audit_event_list(user=request.user, **filters)
        page = paginate(request, events, 30)
        context = {
            "form": form,
            "page": page,
            "events": describe(page.object_list),
            "qs": querystring_without(request, "page"),
        }
        template = "audit/_table.html" if request.headers.get("HX-Request") else "audit/events.html"
        return render(request, template, context)


class AuditEventDetailView(ScopedPageMixin, View):
    required_perm = "audit.view"

    def get(self, request: HttpRequest, event_id: str) -> HttpResponse:
        from yiyang.audit.models import AuditEvent

        event = get_scoped_or_404(
            AuditEvent.objects.select_related("region", "actor"),
            request.user,
            self.required_perm,
            public_id=event_id,
        )
        describe([event])
        return render(request, "audit/event.html", {"event": event})

"""Pagination with a capped count, shared by the API and the pages.

An exact ``COUNT(*)`` over hundreds of thousands of matching rows costs more than the page itself (on
1,000,000 elders it was most of a 300–650 ms list request). The count here stops at a cap
(``settings.YIYANG_COUNT_CAP``, 10,000 by default): ``SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1)``.
Below the cap the count is exact; above it the list says "10,000+" and the API answers
``"count": 10000, "count_capped": true``. The counting window grows with the page asked for, so paging
(and the API's ``next`` link) carries on past the cap; the extra count then costs no more than the
``OFFSET`` of that page already does. Works on every backend (SQLite included).

The API envelope stays ``{"count", "next", "previous", "results"}`` plus ``count_capped``; ``?page=`` and
``?page_size=`` (≤ 200). Kept apart from ``yiyang.core.api`` because DRF imports it while its own generics
load.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

DEFAULT_COUNT_CAP = 10_000


def count_cap() -> int:
    """The configured cap (``YIYANG_COUNT_CAP``); 0 or less means exact counts."""
    return int(getattr(settings, "YIYANG_COUNT_CAP", DEFAULT_COUNT_CAP))


def capped_count(rows: Any, limit: int) -> int:
    """How many rows a queryset holds, counting at most ``limit + 1``: a result above ``limit`` means
    "more than ``limit``". ``limit`` ≤ 0 counts exactly. Plain sequences are measured with ``len``."""
    if not isinstance(rows, QuerySet):
        return len(rows)
    if limit <= 0:
        return rows.count()
    # ORDER BY is useless for a count and would make the database sort before the LIMIT.
    return rows.order_by()[: limit + 1].count()


class CappedPaginator(Paginator):
    """A Django paginator whose ``count`` stops past the counting window (the cap, or further for a
    deep page). ``count_capped`` tells whether it stopped; ``count_label`` is the text for the page."""

    def __init__(self, object_list: Any, per_page: int, *args: Any, cap: int | None = None, **kwargs: Any):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cap = count_cap() if cap is None else cap
        self.window = self.cap

    def validate_number(self, number: Any) -> int:
        # The window must reach one row past the asked page, so that page and its "next" stay reachable.
        if self.cap > 0 and "count" not in self.__dict__:
            try:
                asked = int(number)
            except (TypeError, ValueError):
                asked = 1
            per_page = max(int(self.per_page), 1)
            self.window = max(self.cap, min(asked, 10**9 // per_page) * per_page)
        return super().validate_number(number)

    @cached_property
    def count(self) -> int:
        """Rows counted, at most ``window + 1`` (``window + 1`` means "more than ``window``")."""
        return capped_count(self.object_list, self.window)

    @property
    def count_capped(self) -> bool:
        return self.cap > 0 and isinstance(self.object_list, QuerySet) and self.count > self.window

    @property
    def shown_count(self) -> int:
        """The count to show: exact, or the window when capped (read as "more than")."""
        return self.window if self.count_capped else self.count

    @property
    def count_label(self) -> str:
        """The text for the page: ``1,234``, or ``10,000+`` when the count stopped at the window."""
        return f"{self.window:,}+" if self.count_capped else f"{self.count:,}"


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = CappedPaginator

    def get_page_size(self, request: Any) -> int:
        """A ``page_size`` that is not a whole number 1–200 is refused (400), as the schema states,
        instead of being silently ignored."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"page_size": [f"每页条数应为 1–{self.max_page_size} 的整数"]})
        return int(super().get_page_size(request) or self.page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params = super().get_schema_operation_parameters(view)
        for p in params:
            if p.get("name") == self.page_size_query_param:
                p["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            elif p.get("name") == self.page_query_param:
                p["schema"] = {"type": "integer", "minimum": 1}
        return params

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None  # set by paginate_queryset before DRF asks for the response
        paginator = self.page.paginator
        assert isinstance(paginator, CappedPaginator)
        return Response(
            {
                "count": paginator.shown_count,
                "count_capped": paginator.count_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        out = super().get_paginated_response_schema(schema)
        props = out["properties"]
        props["count"] = {
            **props["count"],
            "description": "匹配的条数；count_capped 为 true 时表示“超过 count 条”（计数到上限即停止）",
        }
        props["count_capped"] = {
            "type": "boolean",
            "example": False,
            "description": "计数是否在上限处停止（默认上限 10,000；翻页越深上限随之后移）",
        }
        out["required"] = [*out.get("required", []), "count_capped"]
        ordered = {k: props[k] for k in ("count", "count_capped") if k in props}
        out["properties"] = {**ordered, **{k: v for k, v in props.items() if k not in ordered}}
        return out


class PlainListForOneElder:
    """List views whose contract answers one elder's rows as a plain JSON array (``GET …?elder=<id>`` →
    ``[{…}]``, as the device and alarm contracts write it): one elder has a handful of rows, so the list
    is whole. Without ``elder`` the list is the paginated envelope like every other list. The view has no
    ``pagination_class`` (so the schema is ``plain_or_paginated_schema`` as declared, not wrapped); the
    envelope is made here with the house paginator."""

    plain_list_param = "elder"
    pagination_class: Any = None

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        rows = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        paginator = Pagination()
        if request.query_params.get(self.plain_list_param):
            # The whole list; page and page_size, when given, must still be what the schema states.
            paginator.get_page_size(request)
            for raw in request.query_params.getlist(paginator.page_query_param):
                if not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
                    from rest_framework.exceptions import ValidationError

                    raise ValidationError({"page": ["页码应为正整数"]})
            return Response(self.get_serializer(rows, many=True).data)  # type: ignore[attr-defined]
        page: Any = paginator.paginate_queryset(rows, request, view=self)  # type: ignore[arg-type]
        return paginator.get_paginated_response(self.get_serializer(page, many=True).data)  # type: ignore[attr-defined]


def plain_list_autoschema() -> Any:
    """The schema generator for a ``PlainListForOneElder`` view: its list answer is the declared
    ``plain_or_paginated_schema`` as it stands, not wrapped again in an array."""
    from drf_spectacular.openapi import AutoSchema

    class PlainListAutoSchema(AutoSchema):
        def _is_list_view(self, serializer: Any = None) -> bool:
            if getattr(self.view, "action", None) == "list":
                return False
            return bool(super()._is_list_view(serializer))

    return PlainListAutoSchema()


def plain_or_paginated_schema(component: str) -> dict[str, Any]:
    """The OpenAPI answer of a ``PlainListForOneElder`` list: an array of ``component`` when filtered by
    one elder, otherwise the paginated envelope of them."""
    item = {"$ref": f"#/components/schemas/{component}"}
    envelope = Pagination().get_paginated_response_schema({"type": "array", "items": item})
    return {"oneOf": [{"type": "array", "items": item}, envelope]}

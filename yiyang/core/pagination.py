"""Page-number pagination: ``{"count", "next", "previous", "results"}``, ``?page=`` and ``?page_size=``
(≤ 200). Kept apart from ``yiyang.core.api`` because DRF imports it while its own generics load."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200

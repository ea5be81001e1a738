"""The app's URLs plus the benchmark baseline: the same stack (token auth, DRF, error envelope) doing
one indexed read and one write — the floor any transition is compared against."""

from typing import Any

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as app_urlpatterns
from yiyang.orders.models import Order, OrderEvent


class Baseline(APIView):
    def post(self, request: Request, id: str) -> Response:
        order = Order.objects.filter(public_id=id).only("pk", "status").first()  # one indexed read
        if order is None:
            return Response({"code": "not_found"}, status=404)
        OrderEvent.objects.create(
            order=order,
            from_status=order.status,
            to_status=order.status,  # one write
            actor_name="bench",
            reason="baseline",
        )
        return Response({"id": id, "status": order.status})


def _view() -> Any:
    return Baseline.as_view()


urlpatterns = [path("bench/baseline/<uuid:id>/", _view()), *app_urlpatterns]

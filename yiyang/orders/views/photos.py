"""Serving a service photo to those who may see its order (see ``yiyang.orders.photos``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest

from yiyang.orders.models import OrderPhoto
from yiyang.orders.photos import IMAGE_TYPES
from yiyang.orders.selectors import order_get


@login_required
def photo_view(request: HttpRequest, order_id: Any, name: str) -> FileResponse:
    order = order_get(user=request.user, public_id=order_id)
    if order is None or not request.user.has_perm("orders.view"):
        raise Http404
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    photo = OrderPhoto.objects.filter(order=order, image=f"orders/{order.public_id}/{name}").first()
    if photo is None or ext not in IMAGE_TYPES:
        raise Http404
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=IMAGE_TYPES[ext])
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

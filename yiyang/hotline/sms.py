"""An SMS gateway adapter over HTTP, for ``SMS_GATEWAY = "yiyang.hotline.sms.http_gateway"``.

It POSTs ``{"phone", "text"}`` as JSON to ``SMS_GATEWAY_URL`` (with ``Authorization: Bearer
SMS_GATEWAY_TOKEN`` when set). Any answer but 2xx raises, so the outbox retries the message and finally
lists it among the dead letters. The phone reaches the gateway only, never a log line."""

from __future__ import annotations

import json
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def http_gateway(phone: str, text: str) -> None:
    url = str(getattr(settings, "SMS_GATEWAY_URL", "") or "")
    if not url.startswith(("http://", "https://")):
        raise ImproperlyConfigured("SMS_GATEWAY_URL is not set")
    headers = {"Content-Type": "application/json"}
    token = str(getattr(settings, "SMS_GATEWAY_TOKEN", "") or "")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310 (http(s) only, checked above)
        url,
        data=json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode("utf-8"),
        headers=headers,
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (configured URL)
        if not 200 <= response.status < 300:
            raise RuntimeError(f"SMS gateway answered {response.status}")

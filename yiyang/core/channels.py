"""The outbox channels the kernel delivers (registered in ``CoreConfig.ready``).

* ``notifications``: an in-app ``Notification`` for one user, written once per outbox message (the
  notification's key is the message's key, so a second delivery of the same message adds nothing). An
  in-database channel: the notification is written in the same transaction as the fact it announces.
* ``sms``: text messages leave the platform through a gateway adapter named by ``SMS_GATEWAY`` (a dotted
  path to a callable ``send(phone, text)``). The default adapter only logs a redacted line. Payloads carry
  the recipient's phone encrypted (``phone_token``, see ``yiyang.core.pii``), never in clear.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from yiyang.core.identifiers import mask_phone
from yiyang.core.models import Notification, OutboxMessage

log = logging.getLogger("yiyang.sms")


def deliver_notification(payload: dict[str, Any], message: OutboxMessage) -> None:
    from yiyang.core.outbox import insert_once

    insert_once(
        Notification(
            key=message.key,
            recipient_id=int(payload["recipient"]),
            title=str(payload.get("title", ""))[:100],
            body=str(payload.get("body", ""))[:500],
            link=str(payload.get("link", ""))[:300],
        )
    )


def log_gateway(phone: str, text: str) -> None:
    """Default SMS adapter: no message leaves the platform; one redacted log line."""
    log.info("sms not sent (no gateway configured)", extra={"to": mask_phone(phone), "chars": len(text)})


def sms_gateway() -> Any:
    return import_string(getattr(settings, "SMS_GATEWAY", "yiyang.core.channels.log_gateway"))


def deliver_sms(payload: dict[str, Any], message: OutboxMessage) -> None:
    from yiyang.core.pii import decrypt

    phone = decrypt(str(payload["phone_token"]))
    sms_gateway()(phone, str(payload.get("text", "")))


def notify(
    *, recipient: Any, title: str, body: str = "", link: str = "", key: str, region_code: str = ""
) -> None:
    """An in-app notification for ``recipient``, written in the caller's transaction (with its outbox
    record, as sent): it exists exactly when the caller's write commits."""
    from yiyang.core.outbox import outbox_put

    outbox_put(
        channel="notifications",
        payload={"recipient": recipient.pk, "title": title, "body": body, "link": link},
        region_code=region_code,
        key=f"notify:{key}",
    )


def sms_send(*, phone: str, text: str, key: str, region_code: str = "") -> None:
    """Queue a text message in the caller's transaction (the phone is stored encrypted)."""
    from yiyang.core.outbox import outbox_put
    from yiyang.core.pii import encrypt

    outbox_put(
        channel="sms",
        payload={"phone_token": encrypt(phone), "text": text},
        region_code=region_code,
        key=f"sms:{key}",
    )

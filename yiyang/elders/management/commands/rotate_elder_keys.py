from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from yiyang.core.pii import cipher, decrypt
from yiyang.elders.identity import id_number_index, phone_index, phone_tail_index
from yiyang.elders.models import Elder, ElderContact

ENCRYPTED = ["id_number_enc", "phone_enc", "address_enc"]


class Command(BaseCommand):
    help = (
        "密钥轮换：把老年人与联系人的加密字段改用当前密钥（FIELD_ENCRYPTION_KEYS 的第一个）重新加密；"
        "--reindex 在更换 BLIND_INDEX_SECRET 后重算身份证号/电话的盲索引。分批处理，可重复运行。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--reindex", action="store_true", help="同时重算盲索引（更换了 BLIND_INDEX_SECRET 时）"
        )
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args: Any, **opts: Any) -> None:
        c = cipher()
        fields = list(ENCRYPTED)
        if opts["reindex"]:
            fields += ["id_number_hash", "phone_hash", "phone_tail_hash"]
        changed = 0
        last = 0
        while True:
            rows = list(Elder.objects.filter(pk__gt=last).order_by("pk")[: opts["batch"]])
            if not rows:
                break
            last = rows[-1].pk
            for e in rows:
                for name in ENCRYPTED:
                    token = getattr(e, name)
                    if token:
                        setattr(e, name, c.rotate(token))
                if opts["reindex"]:
                    e.id_number_hash = id_number_index(decrypt(e.id_number_enc))
                    digits = decrypt(e.phone_enc).replace("-", "")
                    e.phone_hash = phone_index(digits) if digits else ""
                    e.phone_tail_hash = phone_tail_index(digits[-4:]) if digits else ""
            with transaction.atomic():
                Elder.objects.bulk_update(rows, fields)
            changed += len(rows)
        contacts = [
            ct
            for ct in ElderContact.objects.exclude(phone_enc="")
            if opts["reindex"] or c.needs_rotation(ct.phone_enc)
        ]
        for ct in contacts:
            ct.phone_enc = c.rotate(ct.phone_enc)
            if opts["reindex"]:
                digits = decrypt(ct.phone_enc).replace("-", "")
                ct.phone_hash = phone_index(digits) if digits else ""
        contact_fields = ["phone_enc", "phone_hash"] if opts["reindex"] else ["phone_enc"]
        ElderContact.objects.bulk_update(contacts, contact_fields, batch_size=opts["batch"])
        self.stdout.write(
            self.style.SUCCESS(
                f"已处理 {changed} 位老人、{len(contacts)} 位联系人（当前密钥 {c.current_key_id}）"
            )
        )

from __future__ import annotations

import io
from typing import Any

from django.core.management import call_command
from django.test import override_settings

from yiyang.core.pii import cipher, decrypt
from yiyang.elders.models import Elder
from yiyang.elders.tests.factories import make_elder


def test_rotation_re_encrypts_under_the_new_key_and_keeps_lookup(cast: Any, settings: Any) -> None:
    elder = make_elder(cast, cast.community_a1, phone="13877778888")
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    with override_settings(FIELD_ENCRYPTION_KEYS=["k-new:" + "n" * 40, *old_keys]):
        cipher.cache_clear()
        try:
            call_command("rotate_elder_keys", stdout=io.StringIO())
            elder = Elder.objects.get(pk=elder.pk)
            assert elder.id_number_enc.startswith("k-new:") and elder.phone_enc.startswith("k-new:")
            assert decrypt(elder.phone_enc) == "13877778888"
        finally:
            cipher.cache_clear()

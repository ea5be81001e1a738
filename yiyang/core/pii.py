"""Personal data at rest: one cipher and one blind index for the whole platform, keyed from settings.

``encrypt``/``decrypt`` protect ID numbers, phones and addresses (AES-GCM, key id prefixed so keys can be
rotated: see docs/deployment.md); ``blind_index`` gives a keyed hash for exact-match lookup without
storing the clear value.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from yiyang.core.crypto import FieldCipher, derive_key
from yiyang.core.crypto import blind_index as _blind_index


@lru_cache(maxsize=1)
def cipher() -> FieldCipher:
    keys = []
    for item in settings.FIELD_ENCRYPTION_KEYS:
        key_id, _, secret = item.partition(":")
        keys.append((key_id, derive_key(secret, "field-encryption")))
    return FieldCipher(keys)


@lru_cache(maxsize=8)
def _index_key(purpose: str) -> bytes:
    return derive_key(settings.BLIND_INDEX_SECRET, f"blind-index:{purpose}")


def encrypt(value: str) -> str:
    return cipher().encrypt(value) if value else ""


def decrypt(token: str) -> str:
    return cipher().decrypt(token) if token else ""


def blind_index(value: str, purpose: str) -> str:
    return _blind_index(value, _index_key(purpose)) if value else ""

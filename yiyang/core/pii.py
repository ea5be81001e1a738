"""Personal data at rest: one cipher and one blind index for the whole platform, keyed from settings.

``encrypt``/``decrypt`` protect ID numbers, phones and addresses (AES-GCM, key id prefixed so keys can be
rotated: see docs/deployment.md); ``blind_index`` gives a keyed hash for exact-match lookup without
storing the clear value.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings

from yiyang.core.crypto import FieldCipher, derive_key, normalize_for_index
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


def indexer(purpose: str) -> Callable[[str], str]:
    """``blind_index(value, purpose)`` as a function for many values (bulk import): the HMAC key state is
    prepared once and copied per value, and plain ASCII letters/digits skip the NFKC normalisation (it
    leaves them unchanged). Same output as ``blind_index``."""
    base = hmac.new(_index_key(purpose), digestmod=hashlib.sha256)

    def index(value: str) -> str:
        if not value:
            return ""
        text = value.upper() if value.isascii() and value.isalnum() else normalize_for_index(value)
        h = base.copy()
        h.update(text.encode("utf-8"))
        return h.hexdigest()[:32]

    return index

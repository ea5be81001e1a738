"""Field-level encryption and blind indexes for personal data.

* ``FieldCipher``: AES-GCM with a 96-bit random nonce per value and key
  rotation. Tokens look like ``key_id:base64url(nonce || ciphertext || tag)``
  (unpadded base64url). The key id is bound to the ciphertext as associated
  data, so a token cannot be re-labelled to another key.
* ``blind_index``: keyed HMAC-SHA256 of a normalised value (32 hex chars) for
  exact-match lookup of encrypted columns (e.g. find a person by ID number).
* ``derive_key``: HKDF-SHA256 so one settings secret yields independent keys
  for different purposes (encryption vs. index).

Performance: one ``AESGCM`` object is built per key at construction time; no
key derivation happens per call.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import unicodedata
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "DecryptionError",
    "FieldCipher",
    "blind_index",
    "derive_key",
    "normalize_for_index",
]

_NONCE_BYTES = 12
_TAG_BYTES = 16
_VALID_KEY_LENGTHS = (16, 24, 32)
_HKDF_SALT = b"yiyang.core.crypto/v1"


class DecryptionError(ValueError):
    """A token could not be decrypted (unknown key, malformed or tampered)."""


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii"))


class FieldCipher:
    """Encrypt/decrypt short text fields with AES-GCM and key rotation.

    ``keys`` is an ordered sequence of ``(key_id, key)``; the first key is the
    current one used for encryption, the rest are older keys kept so existing
    tokens can still be decrypted during rotation. Key ids must be non-empty,
    unique and must not contain ``:``; keys must be 16, 24 or 32 bytes.
    """

    __slots__ = ("_aad", "_aeads", "_current", "_current_id")

    def __init__(self, keys: Sequence[tuple[str, bytes]]) -> None:
        if not keys:
            raise ValueError("FieldCipher 至少需要一个密钥。")
        aeads: dict[str, AESGCM] = {}
        aad: dict[str, bytes] = {}
        for key_id, key in keys:
            if not isinstance(key_id, str) or not key_id or ":" in key_id:
                raise ValueError("密钥编号必须是非空字符串，且不能包含冒号。")
            if not key_id.isascii() or not key_id.isprintable():
                raise ValueError("密钥编号只能包含可打印的 ASCII 字符。")
            if key_id in aeads:
                raise ValueError(f"密钥编号重复：{key_id}")
            if not isinstance(key, bytes) or len(key) not in _VALID_KEY_LENGTHS:
                raise ValueError(f"密钥 {key_id} 长度必须为 16、24 或 32 字节。")
            aeads[key_id] = AESGCM(key)
            aad[key_id] = key_id.encode("ascii")
        self._current_id: str = keys[0][0]
        self._current: AESGCM = aeads[self._current_id]
        self._aeads = aeads
        self._aad = aad

    @property
    def current_key_id(self) -> str:
        return self._current_id

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._aeads)

    def encrypt(self, plaintext: str) -> str:
        """Encrypt ``plaintext`` with the current key; a fresh nonce every call."""
        nonce = os.urandom(_NONCE_BYTES)
        key_id = self._current_id
        sealed = self._current.encrypt(nonce, plaintext.encode("utf-8"), self._aad[key_id])
        return key_id + ":" + _b64encode(nonce + sealed)

    def _split(self, token: str) -> tuple[str, str]:
        if not isinstance(token, str):
            raise DecryptionError("密文必须是字符串。")
        key_id, sep, body = token.partition(":")
        if not sep or not key_id:
            raise DecryptionError("密文格式不正确：缺少“密钥编号:”前缀。")
        return key_id, body

    def decrypt(self, token: str) -> str:
        """Decrypt a token produced by ``encrypt`` with any configured key."""
        key_id, body = self._split(token)
        aead = self._aeads.get(key_id)
        if aead is None:
            raise DecryptionError(f"无法解密：密钥编号 {key_id!r} 不在当前配置中（可能是旧密钥已被移除）。")
        try:
            raw = _b64decode(body)
        except (binascii.Error, ValueError):
            raise DecryptionError("密文格式不正确：不是有效的 base64url 编码。") from None
        if len(raw) < _NONCE_BYTES + _TAG_BYTES:
            raise DecryptionError("密文格式不正确：长度过短。")
        try:
            plain = aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], self._aad[key_id])
        except InvalidTag:
            raise DecryptionError("解密失败：密文已损坏、被篡改或与密钥不匹配。") from None
        return plain.decode("utf-8")

    def needs_rotation(self, token: str) -> bool:
        """True if ``token`` was not encrypted with the current key."""
        key_id, _ = self._split(token)
        return key_id != self._current_id

    def rotate(self, token: str) -> str:
        """Re-encrypt ``token`` under the current key if needed (else return it)."""
        if not self.needs_rotation(token):
            return token
        return self.encrypt(self.decrypt(token))


def normalize_for_index(value: str) -> str:
    """Normalisation applied before blind indexing: NFKC (full-width → ASCII),
    all whitespace removed, upper-cased (so a trailing ``x`` in an ID number
    matches ``X``)."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def blind_index(value: str, key: bytes) -> str:
    """HMAC-SHA256 of the normalised value, hex, truncated to 32 characters."""
    if len(key) < 16:
        raise ValueError("盲索引密钥至少需要 16 字节。")
    digest = hmac.new(key, normalize_for_index(value).encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:32]


def derive_key(secret: str, purpose: str) -> bytes:
    """Derive a 32-byte key for ``purpose`` from one settings secret (HKDF-SHA256).

    Different purposes (e.g. ``"field-encryption"``, ``"blind-index"``) give
    independent keys.
    """
    if not secret:
        raise ValueError("派生密钥需要非空的主密钥。")
    if not purpose:
        raise ValueError("派生密钥需要非空的用途标识。")
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=_HKDF_SALT,
        info=purpose.encode("utf-8"),
    )
    return hkdf.derive(secret.encode("utf-8"))

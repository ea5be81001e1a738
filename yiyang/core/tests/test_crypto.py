"""Tests for yiyang.core.crypto."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiyang.core.crypto import (
    DecryptionError,
    FieldCipher,
    blind_index,
    derive_key,
    normalize_for_index,
)

KEY_A = bytes(range(32))
KEY_B = bytes(range(100, 132))
KEY_C = b"\x07" * 16


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher([("k2", KEY_B), ("k1", KEY_A)])


def test_round_trip_and_token_shape(cipher: FieldCipher) -> None:
    token = cipher.encrypt("11010519491231002X")
    key_id, _, body = token.partition(":")
    assert key_id == "k2"
    assert "=" not in body and "+" not in body and "/" not in body
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    assert len(raw) == 12 + len("11010519491231002X") + 16
    assert cipher.decrypt(token) == "11010519491231002X"
    assert "11010519491231002X" not in token


def test_nonce_is_fresh(cipher: FieldCipher) -> None:
    tokens = {cipher.encrypt("张三丰") for _ in range(50)}
    assert len(tokens) == 50


def test_rotation() -> None:
    old = FieldCipher([("k1", KEY_A)])
    token_old = old.encrypt("江苏省扬州市邗江区")
    rotated = FieldCipher([("k2", KEY_B), ("k1", KEY_A)])
    assert rotated.current_key_id == "k2"
    assert rotated.key_ids == ("k2", "k1")
    assert rotated.needs_rotation(token_old)
    assert rotated.decrypt(token_old) == "江苏省扬州市邗江区"
    token_new = rotated.rotate(token_old)
    assert token_new.startswith("k2:")
    assert not rotated.needs_rotation(token_new)
    assert rotated.rotate(token_new) is token_new
    assert rotated.decrypt(token_new) == "江苏省扬州市邗江区"
    # once the old key is retired the new token still works, the old one does not
    retired = FieldCipher([("k2", KEY_B)])
    assert retired.decrypt(token_new) == "江苏省扬州市邗江区"
    with pytest.raises(DecryptionError, match="k1"):
        retired.decrypt(token_old)


def test_unknown_key_id_error_is_clear(cipher: FieldCipher) -> None:
    with pytest.raises(DecryptionError) as info:
        cipher.decrypt("k9:" + "A" * 40)
    assert "k9" in str(info.value)
    assert "密钥编号" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_tampering_detected(cipher: FieldCipher) -> None:
    token = cipher.encrypt("13812345678")
    key_id, body = token.split(":")
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[-1] ^= 1
    forged = key_id + ":" + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(DecryptionError, match="篡改"):
        cipher.decrypt(forged)


def test_key_id_is_authenticated() -> None:
    # same key material under two ids: relabelling a token must fail
    cipher = FieldCipher([("a", KEY_A), ("b", KEY_A)])
    token = cipher.encrypt("secret")
    relabelled = "b" + token[1:]
    with pytest.raises(DecryptionError):
        cipher.decrypt(relabelled)


@pytest.mark.parametrize("token", ["", "no-colon", ":abc", "k2:!!!!", "k2:AAAA"])
def test_malformed_tokens(cipher: FieldCipher, token: str) -> None:
    with pytest.raises(DecryptionError):
        cipher.decrypt(token)


def test_needs_rotation_malformed(cipher: FieldCipher) -> None:
    with pytest.raises(DecryptionError):
        cipher.needs_rotation("garbage")


@pytest.mark.parametrize(
    "keys",
    [
        [],
        [("", KEY_A)],
        [("a:b", KEY_A)],
        [("a", KEY_A), ("a", KEY_B)],
        [("a", b"short")],
        [("a", "x" * 32)],
        [("密钥", KEY_A)],
    ],
)
def test_bad_key_configuration(keys: list[tuple[str, bytes]]) -> None:
    with pytest.raises(ValueError):
        FieldCipher(keys)


def test_aes128_key_supported() -> None:
    cipher = FieldCipher([("small", KEY_C)])
    assert cipher.decrypt(cipher.encrypt("x")) == "x"


@settings(max_examples=200)
@given(st.text())
def test_round_trip_property(plaintext: str) -> None:
    cipher = FieldCipher([("k2", KEY_B), ("k1", KEY_A)])
    token = cipher.encrypt(plaintext)
    assert cipher.decrypt(token) == plaintext
    assert not cipher.needs_rotation(token)


@given(st.text(), st.sampled_from(["k1", "k2", "k3"]))
def test_rotation_property(plaintext: str, old_id: str) -> None:
    keys = {"k1": KEY_A, "k2": KEY_B, "k3": KEY_C}
    old = FieldCipher([(old_id, keys[old_id])])
    token = old.encrypt(plaintext)
    new = FieldCipher([("k4", derive_key("s", "field")), *keys.items()])
    assert new.needs_rotation(token)
    assert new.decrypt(new.rotate(token)) == plaintext


# --- blind index ---------------------------------------------------------------


def test_blind_index_matches_reference() -> None:
    key = derive_key("settings-secret", "blind-index")
    expected = hmac.new(key, b"11010519491231002X", hashlib.sha256).hexdigest()[:32]
    assert blind_index("11010519491231002X", key) == expected
    assert len(expected) == 32


def test_blind_index_normalisation() -> None:
    key = derive_key("settings-secret", "blind-index")
    a = blind_index("11010519491231002X", key)
    assert blind_index(" 110105 19491231002x ", key) == a
    assert blind_index("１１０１０５１９４９１２３１００２ｘ", key) == a
    assert blind_index("11010519491231002Y", key) != a
    assert normalize_for_index(" 138 1234-5678 ") == "1381234-5678"


def test_blind_index_depends_on_key() -> None:
    assert blind_index("张三丰", KEY_A) != blind_index("张三丰", KEY_B)


def test_blind_index_rejects_short_key() -> None:
    with pytest.raises(ValueError):
        blind_index("x", b"short")


@given(st.text(), st.text())
def test_blind_index_equality_property(a: str, b: str) -> None:
    same = normalize_for_index(a) == normalize_for_index(b)
    assert (blind_index(a, KEY_A) == blind_index(b, KEY_A)) == same


# --- key derivation --------------------------------------------------------------


def test_derive_key() -> None:
    enc = derive_key("settings-secret", "field-encryption")
    idx = derive_key("settings-secret", "blind-index")
    assert len(enc) == 32 and len(idx) == 32
    assert enc != idx
    assert derive_key("settings-secret", "field-encryption") == enc
    assert derive_key("other-secret", "field-encryption") != enc
    cipher = FieldCipher([("v1", enc)])
    assert cipher.decrypt(cipher.encrypt("ok")) == "ok"


@pytest.mark.parametrize(("secret", "purpose"), [("", "x"), ("s", "")])
def test_derive_key_rejects_empty(secret: str, purpose: str) -> None:
    with pytest.raises(ValueError):
        derive_key(secret, purpose)

"""Which secrets are good enough for production: the Django secret key, the personal-data field keys
(``YIYANG_FIELD_KEYS``, ``id:secret,…``) and the blind-index secret. Pure Python (no Django import), so
``config/settings.py`` refuses to start with a bad secret and the ``check --deploy`` system check
(``yiyang.core.checks``) reports the same problems. The messages never contain the secret itself."""

from __future__ import annotations

from collections.abc import Iterable

MIN_SECRET = 32
MIN_SECRET_KEY = 50
# Values shipped in this repository (development defaults, CI and documentation examples) and the usual
# placeholders: never acceptable in production.
KNOWN = (
    "dev-only",
    "change-me",
    "changeme",
    "insecure",
    "not-for-production",
    "ci-field-key",
    "ci-index-secret",
    "example",
    "placeholder",
    "secret",
    "password",
)


def _weak(value: str, minimum: int) -> str | None:
    text = value.strip()
    if not text:
        return "为空"
    if len(text) < minimum:
        return f"过短（至少 {minimum} 个字符）"
    lowered = text.lower()
    if any(word in lowered for word in KNOWN) and len(set(text)) < 24:
        return "是默认值或示例值"
    if lowered.startswith(("dev-only", "django-insecure")) or "not-for-production" in lowered:
        return "是默认值或示例值"
    if len(set(text)) < 8:
        return "字符种类过少（疑似占位值）"
    return None


def secret_problems(*, secret_key: str, field_keys: Iterable[str], blind_index_secret: str) -> list[str]:
    """Problems with the production secrets, as sentences naming the variable (empty list: all good)."""
    problems: list[str] = []
    why = _weak(secret_key, MIN_SECRET_KEY)
    if why:
        problems.append(f"DJANGO_SECRET_KEY {why}")
    keys = [k for k in field_keys]
    if not keys:
        problems.append("YIYANG_FIELD_KEYS 为空")
    seen: set[str] = set()
    for item in keys:
        key_id, sep, secret = item.partition(":")
        if not sep or not key_id.strip():
            problems.append("YIYANG_FIELD_KEYS 每项应为 “密钥编号:密钥”")
            continue
        if key_id in seen:
            problems.append(f"YIYANG_FIELD_KEYS 密钥编号 {key_id} 重复")
        seen.add(key_id)
        why = _weak(secret, MIN_SECRET)
        if why:
            problems.append(f"YIYANG_FIELD_KEYS 密钥 {key_id} {why}")
    why = _weak(blind_index_secret, MIN_SECRET)
    if why:
        problems.append(f"YIYANG_BLIND_INDEX_SECRET {why}")
    return problems

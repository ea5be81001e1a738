"""System checks run by ``manage.py check --deploy``: production secrets (see ``secretpolicy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from yiyang.core.secretpolicy import secret_problems


@checks.register(checks.Tags.security, deploy=True)
def check_secrets(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problems = secret_problems(
        secret_key=settings.SECRET_KEY,
        field_keys=settings.FIELD_ENCRYPTION_KEYS,
        blind_index_secret=settings.BLIND_INDEX_SECRET,
    )
    return [
        checks.Error(
            problem,
            hint="用足够长的随机值，例如 python -c 'import secrets; print(secrets.token_urlsafe(48))'",
            id=f"yiyang.E{100 + i:03d}",
        )
        for i, problem in enumerate(problems)
    ]

"""Audit event types and their Chinese labels. Apps add theirs with ``register``."""

from __future__ import annotations

EVENT_LABELS: dict[str, str] = {
    "auth.login": "登录成功",
    "auth.login_failed": "登录失败",
    "auth.locked": "账户锁定",
    "auth.logout": "退出登录",
    "auth.token_issued": "签发 API 令牌",
    "jobs.run": "手动运行后台任务",
    "regions.import": "导入行政区划",
}


def register(code: str, label: str) -> None:
    EVENT_LABELS[code] = label


def label(code: str) -> str:
    return EVENT_LABELS.get(code, code)

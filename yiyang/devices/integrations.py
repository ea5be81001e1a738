"""``var/demo_integrations.json``: the demo's integration details for outside checkers. Each app writes
only its own key (``devices`` here); the other keys (``hotline_12345``…) are kept as they are."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings


def integrations_path() -> Path:
    return Path(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var")) / "demo_integrations.json"


def integrations_update(key: str, value: dict[str, Any]) -> Path:
    path = integrations_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {}
    if path.exists():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            data = loaded if isinstance(loaded, dict) else {}
        except ValueError:
            data = {}
    data[key] = value
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".integrations")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path

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


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def integrations_merge(key: str, **fields: Any) -> Path:
    """Set some fields of one key's entry, keeping its others (the broker names the one it uses)."""
    entry = _read(integrations_path()).get(key)
    return integrations_update(key, {**(entry if isinstance(entry, dict) else {}), **fields})


def integrations_update(key: str, value: dict[str, Any]) -> Path:
    path = integrations_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = _read(path)
    data[key] = value
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".integrations")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path

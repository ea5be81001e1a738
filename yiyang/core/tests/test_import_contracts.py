"""The allow-list import contracts and the no-cycles rule (tools/check_imports.py) hold."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from django.conf import settings


def test_imports_follow_the_allow_lists_and_have_no_cycles() -> None:
    path = Path(settings.BASE_DIR) / "tools" / "check_imports.py"
    spec = importlib.util.spec_from_file_location("check_imports", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.check() == []

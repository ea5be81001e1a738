"""The typed hook registry: subscribing twice registers once, effects merge in order, ``only`` restores."""

from __future__ import annotations

from typing import Any

from yiyang.core.hooks import Hook


def test_hook_subscribes_once_merges_effects_and_restores_after_only() -> None:
    hook: Hook[int] = Hook("test")

    def double(n: int) -> dict[str, Any]:
        return {"double": n * 2}

    def square(n: int) -> dict[str, Any]:
        return {"square": n * n}

    hook.subscribe(double)
    hook.subscribe(double)
    hook.subscribe(square)
    assert hook.handlers == (double, square)
    assert hook.emit(3) == {"double": 6, "square": 9}
    with hook.only(square):
        assert hook.emit(4) == {"square": 16}
    assert hook.handlers == (double, square)

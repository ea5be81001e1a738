"""Money is kept as integer fen; this renders it for people."""

from __future__ import annotations


def yuan(fen: int) -> str:
    """Integer fen as a yuan string without floats: -1234 → "-12.34"."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"

"""Home-page cards. Apps register a card (title, permission, a function counting rows in the user's
scope, a link); the home page shows the cards the user may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HomeCard:
    key: str
    title: str
    perm: str
    value: Callable[[Any], int | str]
    url_name: str = ""
    order: int = 50


CARDS: dict[str, HomeCard] = {}


def register(card: HomeCard) -> None:
    CARDS[card.key] = card


def cards_for(user: Any) -> list[tuple[HomeCard, int | str]]:
    return [
        (c, c.value(user)) for c in sorted(CARDS.values(), key=lambda c: c.order) if user.has_perm(c.perm)
    ]

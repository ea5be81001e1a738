"""Domain exceptions every layer may raise; the API and page layers translate them."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule refused the request. ``code`` is stable and machine-readable."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        errors: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.errors = errors or {}
        self.extra = extra or {}


class Conflict(DomainError):
    """The request conflicts with the current state (duplicate, lost race, illegal transition)."""

    status = 409
    code = "conflict"


class OutOfScope(DomainError):
    """The object is outside the acting user's region scope. Rendered as 404 to hide its existence."""

    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "permission_denied"


def missing_reference(field: str, message: str) -> OutOfScope:
    """A row the request body names (an elder, a service item, a region, a provider…) does not exist or is
    outside the caller's scope: 404 as the row's own URL would answer, with the field named in ``errors``.
    A well-formed id that names nothing is not malformed data (400), and the OpenAPI schema cannot state
    which ids exist."""
    return OutOfScope(message, errors={field: [message]})

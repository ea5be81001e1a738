"""Text fields of the API take text only.

DRF's ``CharField`` turns a JSON number into text (``{"note": 5}`` is stored as ``"5"``), so a client that
sends the wrong type is never told, and the OpenAPI schema (``type: string``) does not describe what the
API accepts (issue 10: schemathesis found free-text fields accepting numbers, and ``{"orders": [false]}``
read as UUID 0). ``install()`` (called from ``CoreConfig.ready``) makes every ``CharField`` (and its
subclasses: e-mail, regex, slug, URL) refuse a value that is not a ``str``, a ``UUIDField`` refuse
anything but text, and number fields refuse ``true``/``false`` — with the fields' own ``invalid``
messages; text and JSON fields refuse NUL (PostgreSQL cannot store it; the schema states it as a
``pattern``, see ``yiyang.core.schema``). Form and multipart bodies are unaffected: their values are always text.
"""

from __future__ import annotations

import uuid
from typing import Any

from rest_framework import fields
from rest_framework.exceptions import ValidationError

from yiyang.core.parsers import NUL_MESSAGE, contains_nul

_INSTALLED = False


def install() -> None:
    global _INSTALLED
    if _INSTALLED:
        return
    loose = fields.CharField.to_internal_value

    def to_internal_value(self: fields.CharField, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        if "\x00" in data:
            raise ValidationError(NUL_MESSAGE, code="nul")
        return loose(self, data)

    fields.CharField.to_internal_value = to_internal_value  # type: ignore[method-assign,assignment]

    # A UUID is text (DRF also takes an integer, and so ``false`` as UUID 0); a number is not a boolean.
    loose_uuid = fields.UUIDField.to_internal_value

    def uuid_to_internal_value(self: fields.UUIDField, data: Any) -> Any:
        if not isinstance(data, str | uuid.UUID):
            self.fail("invalid", value=data)
        return loose_uuid(self, data)

    fields.UUIDField.to_internal_value = uuid_to_internal_value  # type: ignore[method-assign,assignment]
    for number in (fields.IntegerField, fields.FloatField, fields.DecimalField):
        _refuse_booleans(number)

    # Free-form JSON values (assessment records…) are stored as they are: no NUL anywhere in them.
    loose_json = fields.JSONField.to_internal_value

    def json_to_internal_value(self: fields.JSONField, data: Any) -> Any:
        if contains_nul(data):
            raise ValidationError(NUL_MESSAGE, code="nul")
        return loose_json(self, data)

    fields.JSONField.to_internal_value = json_to_internal_value  # type: ignore[method-assign,assignment]
    fields.CharField.default_error_messages = {
        **fields.CharField.default_error_messages,
        "invalid": "应为文本",
    }
    _INSTALLED = True


def _refuse_booleans(cls: type[fields.Field[Any, Any, Any, Any]]) -> None:
    loose = cls.to_internal_value

    def to_internal_value(self: Any, data: Any) -> Any:
        if isinstance(data, bool):
            self.fail("invalid")
        return loose(self, data)

    cls.to_internal_value = to_internal_value  # type: ignore[method-assign]

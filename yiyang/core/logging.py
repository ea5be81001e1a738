"""Structured JSON logs with personal data scrubbed.

The platform never logs ID numbers, phones or names on purpose; ``PersonalDataFilter`` is the safety net
that masks anything shaped like a resident ID or a mobile number before a record leaves the process.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from yiyang.core.identifiers import mask_id_number, mask_phone

_ID_RE = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])|(?<![0-9])[1-9][0-9]{14}(?![0-9])")
_PHONE_RE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


# Query-string (or form-encoded) values of these keys are dropped whole, whatever their shape (a
# full-width or spaced ID number, a partial phone...): access lines never carry them.
_SENSITIVE_KEYS = (
    "id_number",
    "idnumber",
    "id_no",
    "phone",
    "mobile",
    "tel",
    "contact_phone",
    "password",
    "token",
)
_QUERY_VALUE_RE = re.compile(r"(?i)([?&;](?:[a-z_]*_)?(?:" + "|".join(_SENSITIVE_KEYS) + r")=)([^&;\s\"']*)")


def scrub(text: str) -> str:
    text = _QUERY_VALUE_RE.sub(lambda m: m.group(1) + ("***" if m.group(2) else ""), text)
    text = _ID_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


class JsonFormatter(logging.Formatter):
    _skip = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in self._skip and not key.startswith("_"):
                payload[key] = value if isinstance(value, int | float | bool | None) else scrub(str(value))
        if record.exc_info:
            payload["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False)

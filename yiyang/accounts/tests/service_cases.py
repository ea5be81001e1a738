"""Accounts and audit are platform services, not region-bound rows (see
``yiyang/core/tests/service_kit.py``)."""

A = "yiyang.accounts.services"

SERVICE_CASES: dict[str, object] = {}

NOT_WRITES = {
    f"{A}.user_login": "authentication (audited; no region row written)",
    f"{A}.token_issue": "the user's own token",
    f"{A}.token_revoke": "the user's own token",
    f"{A}.user_create": "account administration (management command and tests; not region-bound rows)",
    f"{A}.me_extensions": "reader",
    f"{A}.client_address": "reads the request",
    f"{A}.login_unlock": "account administration (clears the throttle counters; not region-bound)",
    f"{A}.token_hash": "arithmetic",
    f"{A}.token_is_live": "a check",
    f"{A}.token_revoke_by_id": "the user's own token",
    f"{A}.token_touch": "renews the user's own token",
    f"{A}.tokens_live": "reader of the user's own tokens",
    "yiyang.audit.services.audit_record": "the audit writer itself, called by every gated service",
    "yiyang.audit.services.audit_row": "builds the unsaved audit row (its writer inserts it with its change)",
}

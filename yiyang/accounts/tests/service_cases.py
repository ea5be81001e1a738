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
    "yiyang.audit.services.audit_record": "the audit writer itself, called by every gated service",
}

"""Permissions of service providers and the catalog, with their Chinese labels.

Pure data (imports nothing): roles in ``yiyang.accounts.roles`` grant them; ``has_perm`` and the scoped
querysets check them. Add a new permission here, then grant it to roles there."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "providers.view": "查看服务商",
    "providers.manage": "管理服务人员、证书与设施",
    "providers.register": "登记与修改服务机构、签订购买服务合同",
    "providers.catalog": "管理服务目录、补贴比例与月度额度（市级）",
    "providers.price": "设定本区县服务价格（市级允许时）",
}

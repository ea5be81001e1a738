from __future__ import annotations

from typing import Any

from yiyang.core.jobs import recorded_job


@recorded_job("yiyang.orders.tasks.orders_sla_sweep", "工单接单超时：收回重派或升级调度员")
def orders_sla_sweep() -> dict[str, Any]:
    from yiyang.orders.services import orders_sla_sweep as sweep
    from yiyang.regions.scope import SYSTEM

    return sweep(actor=SYSTEM)


@recorded_job("yiyang.orders.tasks.orders_recurring_generate", "周期服务：提前生成未来几天的工单")
def orders_recurring_generate() -> dict[str, Any]:
    from yiyang.orders.recurring import plans_generate
    from yiyang.regions.scope import SYSTEM

    return plans_generate(actor=SYSTEM)

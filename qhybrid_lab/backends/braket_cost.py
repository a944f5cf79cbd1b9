"""What Braket charges: the price model of a device, and a finished task's cost by the rule of Braket's ``Tracker``.

``braket.tracking.tracker`` (amazon-braket-sdk 1.127.5): a QPU task costs ``per_task + per_shot × shots`` when it
COMPLETED (FAILED and CANCELLED tasks cost nothing; a task in a reservation is covered by it); a managed-simulator
task costs its ``executionDuration`` (milliseconds, from the result's simulator metadata) at the per-minute rate,
with a minimum of 3 seconds (``MIN_SIMULATOR_DURATION``). Local simulators are free.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import BackendKind

if TYPE_CHECKING:
    from ..costs.prices import PriceModel

MIN_SIMULATOR_SECONDS = 3.0
"""Braket bills a managed-simulator task for at least 3 s (``MIN_SIMULATOR_DURATION`` in ``braket.tracking``)."""


def device_price_model(short: str, kind: BackendKind, arn: str) -> PriceModel:
    """The price model of ``braket:<short>`` from the price table.

    A QPU without an entry gets a deliberately high model (the per-task fee and the highest per-shot rate of any
    Braket QPU in the table), so the cost guard never lets an unknown device through as free.
    """
    from ..costs.prices import PriceModel, lookup_price, price_table

    model = lookup_price("braket", short)
    if model is not None:
        return model
    if kind is BackendKind.HARDWARE:
        known = [m for key, m in price_table().items() if key.startswith("braket:") and m.per_shot]
        return PriceModel(
            provider="braket",
            device=short,
            per_task=max((m.per_task for m in known), default=0.3),
            per_shot=max((m.per_shot for m in known), default=0.08),
            source=f"no price known for {arn}: the highest Braket QPU rates in the table are assumed; "
            f"add 'braket:{short}' to $QHYBRID_HOME/prices.json",
            date="",
        )
    known = [m for key, m in price_table().items() if key.startswith("braket:") and m.per_second]
    return PriceModel(
        provider="braket",
        device=short,
        per_second=max((m.per_second for m in known), default=0.0046),
        min_seconds=MIN_SIMULATOR_SECONDS,
        source=f"no price known for {arn}: the highest Braket simulator rate in the table is assumed; "
        f"add 'braket:{short}' to $QHYBRID_HOME/prices.json",
        date="",
    )


def actual_cost(
    model: PriceModel, kind: BackendKind, metadata: dict[str, Any], execution_ms: float | None
) -> float | None:
    """A finished task's cost (``None`` when a simulator result gives no execution duration)."""
    if metadata.get("status") != "COMPLETED" or any(
        a.get("type") == "RESERVATION_TIME_WINDOW_ARN" for a in metadata.get("associations") or []
    ):
        return 0.0
    if kind is BackendKind.HARDWARE:
        return model.estimate(int(metadata.get("shots") or 0))
    if execution_ms is None:
        return None
    return round(model.per_second * max(execution_ms / 1000.0, MIN_SIMULATOR_SECONDS), 6)

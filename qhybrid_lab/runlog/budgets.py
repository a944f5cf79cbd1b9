"""Budgets and settings: the run log's small tables for the cost guard (a RunLog mixin)."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

from ..errors import InvalidJobSpec
from ..status import BudgetPeriod, budget_period

if TYPE_CHECKING:
    from .database import LogTable
    from .storage import JsonLinesStorage

_ORDER = list(BudgetPeriod)


def _budget_key(period: BudgetPeriod, backend: str | None) -> str:
    return f"{period.value}|{backend or '*'}"


class BudgetTables:
    """Methods of :class:`~qhybrid_lab.runlog.RunLog` for budgets and settings."""

    _storage: JsonLinesStorage

    if TYPE_CHECKING:

        def _table(self, name: str) -> LogTable: ...

    # -- budgets -----------------------------------------------------------------------------------------------

    def set_budget(
        self,
        *,
        limit: float,
        period: BudgetPeriod | str = BudgetPeriod.TOTAL,
        backend: str | None = None,
        currency: str = "USD",
    ) -> dict[str, Any]:
        """Set the spending limit for a period (day, total or job), overall or for one backend.

        One budget per (period, backend): setting it again replaces it.
        """
        period = budget_period(period)
        if isinstance(limit, bool) or not isinstance(limit, (int, float)) or not math.isfinite(limit) or limit < 0:
            raise InvalidJobSpec(f"budget limit must be a finite number ≥ 0, not {limit!r}")
        if backend is not None and (not isinstance(backend, str) or not backend):
            raise InvalidJobSpec(f"budget backend must be a backend name or None (all backends), not {backend!r}")
        budget = {
            "limit": float(limit),
            "period": period.value,
            "backend": backend,
            "currency": currency,
            "updated": time.time(),
        }
        self._table("budgets").put(_budget_key(period, backend), budget)
        return dict(budget)

    def remove_budget(self, *, period: BudgetPeriod | str, backend: str | None = None) -> bool:
        """Remove one budget; False if there was none."""
        return self._table("budgets").delete(_budget_key(budget_period(period), backend))

    def budgets(self) -> list[dict[str, Any]]:
        """All budgets, overall ones first, then by backend and period."""
        with self._storage.locked():
            docs = [dict(d) for d in self._storage.table("budgets").values()]
        return sorted(
            docs, key=lambda b: (b["backend"] is not None, b["backend"] or "", _ORDER.index(BudgetPeriod(b["period"])))
        )

    # -- settings ----------------------------------------------------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A stored setting (e.g. ``"rehearse"``), or ``default``."""
        with self._storage.locked():
            doc = self._storage.table("settings").get(key)
            return default if doc is None else doc["value"]

    def set_setting(self, key: str, value: Any) -> None:
        """Store a JSON-compatible setting."""
        if not isinstance(key, str) or not key:
            raise InvalidJobSpec(f"setting key must be a non-empty string, not {key!r}")
        self._table("settings").put(key, {"key": key, "value": value, "updated": time.time()})

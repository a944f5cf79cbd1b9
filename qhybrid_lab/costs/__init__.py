"""Cost: price models of providers and devices, cost estimates, and the budget guard."""

from __future__ import annotations

from .guard import budget_status, change_budgets, check_and_reserve
from .prices import PriceModel, estimate_cost, lookup_price, price_table

__all__ = [
    "PriceModel",
    "budget_status",
    "change_budgets",
    "check_and_reserve",
    "estimate_cost",
    "lookup_price",
    "price_table",
]

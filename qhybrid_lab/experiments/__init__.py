"""Hybrid loops as tracked experiments: ``experiment(name)`` groups a loop's runs, ``minimize`` optimizes over them."""

from __future__ import annotations

from .optimize import MinimizeHandle, MinimizeResult, StopOptimization, minimize
from .tracking import Experiment, current_experiment, experiment, load_experiment

__all__ = [
    "Experiment",
    "MinimizeHandle",
    "MinimizeResult",
    "StopOptimization",
    "current_experiment",
    "experiment",
    "load_experiment",
    "minimize",
]

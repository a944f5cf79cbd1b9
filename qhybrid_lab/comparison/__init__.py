"""Compare runs of one circuit across backends: fidelity and TVD with shot-noise intervals, expectation values,
sweeps point by point, mitigation on record, transpilation overhead, latency and cost.

The package is light (stdlib at import; numpy when a comparison is computed), so ``qhybrid_lab.compare`` is bound
eagerly. Modules: ``metrics`` (distances), ``noise`` (bootstrap intervals and the within-shot-noise test),
``pairing`` (comparability, common sweep points, mitigation settings), ``observables`` (expectation-value deltas),
``compare`` (:class:`Comparison`, :func:`compare`), ``view`` (tables and HTML), ``groups`` (the sidebar's groups and
a run's counterparts).
"""

from __future__ import annotations

from .comparisons import Comparison, compare, compare_records, resolve_record, run_summary
from .groups import SCAN_WINDOW, comparison_groups, counterparts, device_stem
from .metrics import hellinger_fidelity, nearest_probabilities, total_variation_distance
from .noise import shot_noise

__all__ = [
    "SCAN_WINDOW",
    "Comparison",
    "compare",
    "compare_records",
    "comparison_groups",
    "counterparts",
    "device_stem",
    "hellinger_fidelity",
    "nearest_probabilities",
    "resolve_record",
    "run_summary",
    "shot_noise",
    "total_variation_distance",
]

"""Shot noise of a comparison: bootstrap intervals on fidelity and TVD, and whether a difference is within noise.

Two sampled distributions differ even when both runs sample one distribution. Two questions are answered here:

* **How precise is each metric?** A parametric bootstrap: each run's counts are resampled from its own observed
  distribution with its own number of shots, and the metric is recomputed. The interval is the *basic* bootstrap
  interval ``[2θ − q_hi, 2θ − q_lo]`` (it corrects the estimators' bias to first order: the TVD of two finite
  samples is larger on average than that of their distributions, the fidelity smaller), clipped to [0, 1] and
  widened to hold the estimate.
* **Is the difference within shot noise?** A test of "both runs sample one distribution": both samples are drawn
  again, with their shot counts, from the pooled distribution, and the observed TVD is ranked among theirs. The
  p-value is ``(1 + #{TVD_null ≥ TVD}) / (1 + resamples)``; the difference is *within shot noise* when p > α
  (α = 0.05: two runs of one distribution are called within shot noise about 95 % of the time). The null's
  (1 − α) quantile is reported as the TVD that shot noise alone reaches.

numpy is imported lazily; each pair's resampling is seeded from its counts, so a comparison is reproducible.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

__all__ = ["ALPHA", "CONFIDENCE", "Z_CRITICAL", "bonferroni_within", "mean_interval", "shot_noise"]

ALPHA = 0.05
"""Level of the "within shot noise" test: two runs of one distribution are called beyond noise ~5 % of the time."""
CONFIDENCE = 0.95
"""Confidence of the metric intervals."""
Z_CRITICAL = 1.959963984540054
"""Two-sided 95 % normal quantile: expectation values differ beyond noise when |Δ| > Z_CRITICAL · combined SE."""
RESAMPLES = 1000
"""Bootstrap resamples per pair (fewer for very many outcomes, see :func:`_resamples`)."""
MAX_CELLS = 2_000_000
"""At most this many (resample × outcome) cells per pair; chunks of :data:`_CHUNK` cells are drawn at a time."""
_CHUNK = 1_000_000


def _resamples(outcomes: int) -> int:
    return max(400, min(RESAMPLES, MAX_CELLS // max(outcomes, 1)))


def _seed(ca: dict[str, float], cb: dict[str, float]) -> int:
    text = json.dumps([sorted(ca.items()), sorted(cb.items())], separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _draw(rng: Any, n: int, p: Any, rows: int) -> Any:
    """``rows`` multinomial samples of ``n`` shots from ``p``, as frequencies, drawn in chunks."""
    import numpy as np

    step = max(1, _CHUNK // max(len(p), 1))
    parts = [rng.multinomial(n, p, size=min(step, rows - start)) for start in range(0, rows, step)]
    return np.concatenate(parts).astype(np.float64) / n


def _metrics(fa: Any, fb: Any) -> tuple[Any, Any]:
    import numpy as np

    tvd = 0.5 * np.abs(fa - fb).sum(axis=1)
    fidelity = np.minimum(1.0, np.sqrt(fa * fb).sum(axis=1) ** 2)
    return fidelity, tvd


def _basic_interval(estimate: float, replicates: Any) -> list[float]:
    import numpy as np

    q_lo, q_hi = np.quantile(replicates, [(1 - CONFIDENCE) / 2, (1 + CONFIDENCE) / 2])
    lo, hi = 2 * estimate - q_hi, 2 * estimate - q_lo
    return [float(max(0.0, min(lo, estimate))), float(min(1.0, max(hi, estimate)))]


def _counts_vectors(ca: dict[str, float], cb: dict[str, float]) -> tuple[Any, Any]:
    import numpy as np

    def merged(counts: dict[str, float]) -> dict[str, float]:
        out: dict[str, float] = {}
        for key, value in counts.items():
            out[key.replace(" ", "")] = out.get(key.replace(" ", ""), 0.0) + value
        return out

    ma, mb = merged(ca), merged(cb)
    keys = sorted(set(ma) | set(mb))
    return np.array([ma.get(k, 0.0) for k in keys]), np.array([mb.get(k, 0.0) for k in keys])


def shot_noise(
    ca: dict[str, float], cb: dict[str, float], *, resamples: int | None = None, seed: int | None = None
) -> dict[str, Any]:
    """Intervals on the fidelity and TVD of two counts distributions, and the "within shot noise" test.

    Args:
        ca: counts of the reference run (integers; shots are their sum).
        cb: counts of the other run.
        resamples: bootstrap resamples (default :data:`RESAMPLES`, fewer for very many outcomes).
        seed: seeds the resampling (default: derived from the counts, so the answer is reproducible).

    Returns:
        ``{"method": "bootstrap", "resamples", "confidence", "alpha", "hellinger_fidelity",
        "hellinger_fidelity_interval": [lo, hi], "total_variation_distance", "total_variation_distance_interval",
        "noise_tvd"`` (the TVD shot noise alone reaches with probability 1 − α), ``"p_value", "within"}``.
        Everything is JSON-serializable.

    Example:
        >>> shot_noise({"0": 510, "1": 490}, {"0": 495, "1": 505})["within"]
        True
    """
    key = (json.dumps([sorted(ca.items()), sorted(cb.items())]), resamples, seed)
    return dict(_cached(*key))


@lru_cache(maxsize=4096)
def _cached(key: str, resamples: int | None, seed: int | None) -> tuple[tuple[str, Any], ...]:
    import numpy as np

    items_a, items_b = json.loads(key)
    ca, cb = dict(items_a), dict(items_b)
    a, b = _counts_vectors(ca, cb)
    na, nb = int(round(a.sum())), int(round(b.sum()))  # noqa: RUF046 - numpy scalars
    if na <= 0 or nb <= 0:
        from ..errors import InvalidJobSpec

        raise InvalidJobSpec("cannot compare an empty counts distribution (no shots recorded)")
    rows = resamples or _resamples(len(a))
    rng = np.random.default_rng(_seed(ca, cb) if seed is None else seed)
    pa, pb = a / a.sum(), b / b.sum()
    fidelity, tvd = (float(m[0]) for m in _metrics(pa[None, :], pb[None, :]))
    boot_f, boot_t = _metrics(_draw(rng, na, pa, rows), _draw(rng, nb, pb, rows))
    pooled = (a + b) / (a.sum() + b.sum())
    _, null_t = _metrics(_draw(rng, na, pooled, rows), _draw(rng, nb, pooled, rows))
    p_value = float((1 + np.count_nonzero(null_t >= tvd - 1e-12)) / (1 + rows))
    out = {
        "method": "bootstrap",
        "resamples": rows,
        "confidence": CONFIDENCE,
        "alpha": ALPHA,
        "hellinger_fidelity": fidelity,
        "hellinger_fidelity_interval": _basic_interval(fidelity, boot_f),
        "total_variation_distance": tvd,
        "total_variation_distance_interval": _basic_interval(tvd, boot_t),
        "hellinger_fidelity_sd": float(boot_f.std()),
        "hellinger_fidelity_bias": float(boot_f.mean() - fidelity),
        "total_variation_distance_sd": float(boot_t.std()),
        "total_variation_distance_bias": float(boot_t.mean() - tvd),
        "noise_tvd": float(np.quantile(null_t, 1 - ALPHA)),
        "p_value": p_value,
        "within": p_value > ALPHA,
    }
    return tuple(out.items())


def bonferroni_within(p_values: list[float]) -> bool:
    """Whether a family of point comparisons (a sweep) is within shot noise as a whole.

    Each of ``m`` points is tested at ``α / m`` (Bonferroni), so two sweeps of one distribution are called beyond
    noise at most ~α of the time however many points they have, not ~α per point.
    """
    return not p_values or min(p_values) > ALPHA / len(p_values)


def mean_interval(points: list[dict[str, Any]], metric: str) -> list[float]:
    """The interval of a metric's mean over a sweep's points, from each point's bootstrap (independent points).

    Args:
        points: :func:`shot_noise` answers, one per point.
        metric: ``"hellinger_fidelity"`` or ``"total_variation_distance"``.
    """
    m = len(points)
    mean = sum(p[metric] for p in points) / m
    center = mean - sum(p[f"{metric}_bias"] for p in points) / m
    half = Z_CRITICAL * sum(p[f"{metric}_sd"] ** 2 for p in points) ** 0.5 / m
    return [max(0.0, min(center - half, mean)), min(1.0, max(center + half, mean))]

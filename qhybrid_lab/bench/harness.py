"""Side-by-side timing: medians of interleaved repetitions, printed as ratios (noise-robust on shared machines)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Figure:
    """One benchmark figure: our path against a reference path, and the bar the ratio must meet."""

    key: str
    """Short id, e.g. ``P1``."""
    title: str
    ours: list[float] = field(default_factory=list)
    """Seconds per repetition of the qhybrid-lab path."""
    reference: list[float] = field(default_factory=list)
    """Seconds per repetition of the reference path."""
    bar: str = ""
    """The bar, e.g. ``<= 1.25`` (ours / reference) or ``>= 50`` (reference / ours)."""
    note: str = ""
    limit: float | None = None
    """For an absolute bar: ``limit_stat`` of ``ours`` must be at most this many seconds (``bar`` names it)."""
    limit_stat: str = "p95"
    """``p50``, ``p95`` or ``max``."""

    @property
    def stat(self) -> float:
        """The statistic an absolute bar is about (p50 or p95 of ``ours``)."""
        ordered = sorted(self.ours)
        if self.limit_stat == "max":
            return ordered[-1]
        q = 0.5 if self.limit_stat == "p50" else 0.95
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def ratio(self) -> float:
        """ours / reference for ``<=`` bars; reference / ours (a speed-up) for ``>=`` bars."""
        ours, ref = statistics.median(self.ours), statistics.median(self.reference)
        return ref / ours if self.bar.startswith(">=") else ours / ref

    @property
    def met(self) -> bool:
        """Whether the bar is met."""
        if self.limit is not None:
            return self.stat <= self.limit
        op, value = self.bar.split()
        return self.ratio >= float(value) if op == ">=" else self.ratio <= float(value)


def interleave(
    ours: Callable[[], object], reference: Callable[[], object], repeats: int, warmup: int = 1
) -> tuple[list[float], list[float]]:
    """Time two callables alternately, ``repeats`` times each, after ``warmup`` untimed calls of each."""
    for _ in range(warmup):
        ours()
        reference()
    a: list[float] = []
    b: list[float] = []
    for i in range(repeats):
        pair = ((ours, a), (reference, b)) if i % 2 == 0 else ((reference, b), (ours, a))
        for fn, sink in pair:
            t0 = time.perf_counter()
            fn()
            sink.append(time.perf_counter() - t0)
    return a, b


def fmt_seconds(seconds: float) -> str:
    """``12.3 ms`` / ``1.23 s`` / ``45 µs``."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} µs"


def render(figures: list[Figure]) -> str:
    """A plain-text table: figure, our median, reference median, ratio, bar, met."""
    rows = [("", "figure", "qhybrid (median)", "reference (median)", "ratio", "bar", "met")]
    for f in figures:
        rows.append(
            (
                f.key,
                f.title,
                fmt_seconds(statistics.median(f.ours)),
                fmt_seconds(statistics.median(f.reference)),
                f"{f.ratio:.2f}x" if f.limit is None else f"{f.limit_stat} {fmt_seconds(f.stat)}",
                f.bar,
                "yes" if f.met else "NO",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {f.key}: {f.note}" for f in figures if f.note]
    return "\n".join(lines + ([""] + notes if notes else []))

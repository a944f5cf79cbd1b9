"""The operations metrics in the Prometheus text format, through ``prometheus_client`` (its own registry per scrape).

All-time figures are counters (``qhybrid_submissions_total``, ``qhybrid_fallbacks_total``, ``qhybrid_spend_total``)
and a gauge of jobs per status (``qhybrid_jobs``); figures of a sliding window (``window`` = hour, day, all) are
gauges named ``qhybrid_window_*``. Every sample is labelled with its ``backend`` (docs/architecture.md,
"Operations metrics"). A figure that is not defined yet (a rate with nothing settled, a median with no sample) is
left out rather than sent as NaN.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""The Prometheus text exposition format's content type (``prometheus_client.CONTENT_TYPE_LATEST``)."""
QUANTILES = (("0.5", "median"), ("0.95", "p95"))
RATIOS = (
    ("success", "success_rate", "done / settled jobs"),
    ("error", "error_rate", "(failed + interrupted) / settled jobs"),
    ("blocked", "blocked_rate", "blocked (refused before submission) / settled jobs"),
    ("fallback", "fallback_rate", "jobs handed on to the next backend of a fallback chain / submissions"),
)


class RunLogCollector(Collector):
    """Collects the run log's operations metrics (``qhybrid_lab.runlog.metrics``) at each scrape."""

    def __init__(self, log: Any) -> None:
        self.log = log

    def collect(self) -> Iterator[Metric]:
        from ..runlog.metrics import all_windows

        windows = all_windows(self.log)
        yield from _totals(windows["all"])
        yield from _windowed(windows)
        yield from _experiments(self.log)


def _totals(metrics: dict[str, Any]) -> Iterator[Metric]:
    jobs = GaugeMetricFamily(
        "qhybrid_jobs", "Jobs in the run log by backend and status", labels=["backend", "kind", "status"]
    )
    submissions = CounterMetricFamily(
        "qhybrid_submissions", "Jobs submitted (every record, blocked included)", labels=["backend", "kind"]
    )
    fallbacks = CounterMetricFamily(
        "qhybrid_fallbacks", "Jobs that fell back to the next backend of their chain", labels=["backend"]
    )
    spend = CounterMetricFamily(
        "qhybrid_spend", "Money spent (actual cost, else a done job's estimate)", labels=["backend", "currency"]
    )
    for row in metrics["backends"]:
        backend, kind = row["backend"], row["kind"] or ""
        for status, count in row["by_status"].items():
            jobs.add_metric([backend, kind, status], count)
        submissions.add_metric([backend, kind], row["submissions"])
        fallbacks.add_metric([backend], row["fallbacks"])
        for currency, amount in row["spend"].items():
            spend.add_metric([backend, currency], amount)
    yield from (jobs, submissions, fallbacks, spend)


def _windowed(windows: dict[str, dict[str, Any]]) -> Iterator[Metric]:
    labels = ["backend", "window"]
    submissions = GaugeMetricFamily("qhybrid_window_submissions", "Jobs submitted in the window", labels=labels)
    ratios = {
        key: GaugeMetricFamily(f"qhybrid_window_{name}_ratio", f"In the window: {text}", labels=labels)
        for name, key, text in RATIOS
    }
    latency = GaugeMetricFamily(
        "qhybrid_window_latency_seconds",
        "Quantiles of submission latency, queue time and execution time in the window",
        labels=[*labels, "phase", "quantile"],
    )
    spend = GaugeMetricFamily(
        "qhybrid_window_spend", "Money spent on the jobs of the window", labels=[*labels, "currency"]
    )
    per_success = GaugeMetricFamily(
        "qhybrid_window_cost_per_success", "Spend per successful job in the window", labels=[*labels, "currency"]
    )
    for window, metrics in windows.items():
        for row in metrics["backends"]:
            key = [row["backend"], window]
            submissions.add_metric(key, row["submissions"])
            for name, family in ratios.items():
                if row[name] is not None:
                    family.add_metric(key, row[name])
            for phase, figures in row["latency"].items():
                for quantile, field in QUANTILES:
                    if figures[field] is not None:
                        latency.add_metric([*key, phase, quantile], figures[field])
            for currency, amount in row["spend"].items():
                spend.add_metric([*key, currency], amount)
            if row["cost_per_success"] is not None:
                per_success.add_metric([*key, row["currency"]], row["cost_per_success"])
    yield from (submissions, *ratios.values(), latency, spend, per_success)


def _experiments(log: Any) -> Iterator[Metric]:
    from ..runlog.experiments import EXPERIMENT_STATES

    family = GaugeMetricFamily("qhybrid_experiments", "Experiments by status", labels=["status"])
    counts = dict.fromkeys(EXPERIMENT_STATES, 0)
    for doc in log.experiments(limit=None):
        counts[doc.get("status")] = counts.get(doc.get("status"), 0) + 1
    for status, count in counts.items():
        family.add_metric([str(status)], count)
    yield family


def exposition(log: Any) -> str:
    """The metrics of ``log`` as Prometheus text, from a registry of this scrape's own (never the global one)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(RunLogCollector(log))
    return generate_latest(registry).decode("utf-8")


__all__ = ["CONTENT_TYPE", "RunLogCollector", "exposition"]

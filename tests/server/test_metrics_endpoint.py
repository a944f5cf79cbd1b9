"""``/qhybrid-lab/metrics`` (Prometheus text) and ``GET api/metrics`` through a real server, on real runs."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "jobs"))

from ops_scenario import EXPECTED, run_scenario  # noqa: E402


@pytest.fixture
def scenario(qhome):
    """The real workload of ``ops_scenario`` in the run log the server reads; its backend names."""
    return run_scenario(qhome)


@pytest.fixture
def prometheus(jp_fetch):
    """``await prometheus(headers=None)`` → (status, content type, text) of ``GET /qhybrid-lab/metrics``."""

    async def call(headers=None, params=None):
        response = await jp_fetch("qhybrid-lab", "metrics", method="GET", raise_error=False, headers=headers,
                                  params=params)
        return response.code, response.headers.get("Content-Type", ""), response.body.decode()

    return call


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """(sample name, sorted labels) → value, from Prometheus text parsed by prometheus_client's own parser."""
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(parsed: dict, name: str, **labels: str) -> float:
    return parsed[(name, tuple(sorted(labels.items())))]


async def test_prometheus_counts_match_the_run_log(prometheus, scenario, runlog):
    # Given real done, failed, blocked and fallback jobs; When Prometheus scrapes
    code, content_type, text = await prometheus()
    assert code == 200 and content_type.startswith("text/plain; version=0.0.4")
    parsed = samples(text)
    # Then every count is the run log's
    for key, (submissions, statuses, fell_back, _) in EXPECTED.items():
        backend = scenario[key]
        kind = runlog.query(backend=backend, limit=1)[0]["backend"]["kind"]
        assert value(parsed, "qhybrid_submissions_total", backend=backend, kind=kind) == runlog.count(
            backend=backend) == submissions
        for status in ("done", "failed", "blocked", "running"):
            assert value(parsed, "qhybrid_jobs", backend=backend, kind=kind, status=status) == runlog.count(
                backend=backend, status=status) == statuses.get(status, 0)
        assert value(parsed, "qhybrid_fallbacks_total", backend=backend) == fell_back
        for window in ("hour", "day", "all"):
            assert value(parsed, "qhybrid_window_submissions", backend=backend, window=window) == submissions
    assert sum(v for (name, _), v in parsed.items() if name == "qhybrid_submissions_total") == runlog.count()
    paid = scenario["paid:1"]
    assert value(parsed, "qhybrid_spend_total", backend=paid, currency="USD") == pytest.approx(0.20)
    assert value(parsed, "qhybrid_window_cost_per_success", backend=paid, window="hour",
                 currency="USD") == pytest.approx(0.20)
    assert value(parsed, "qhybrid_window_success_ratio", backend=paid, window="day") == 0.5
    assert value(parsed, "qhybrid_window_fallback_ratio", backend=scenario["broken"], window="all") == 1.0
    median = value(parsed, "qhybrid_window_latency_seconds", backend="aer", window="hour", phase="run",
                   quantile="0.5")
    p95 = value(parsed, "qhybrid_window_latency_seconds", backend="aer", window="hour", phase="run",
                quantile="0.95")
    runs = sorted(r["timings"]["run"] for r in runlog.query(backend="aer", limit=None))
    assert runs[0] <= median <= p95 <= runs[-1]
    # a rate with nothing settled is left out, not NaN: the broken backend has no run time at all
    assert ("qhybrid_window_latency_seconds", tuple(sorted({"backend": scenario["broken"], "window": "all",
            "phase": "run", "quantile": "0.5"}.items()))) not in parsed


async def test_prometheus_needs_the_token_and_takes_no_arguments(prometheus, runlog, record):
    runlog.insert(record())
    code, _, text = await prometheus(headers={"Authorization": ""})
    assert code == 403 and "qhybrid_" not in text
    code, _, text = await prometheus(params={"window": "hour"})
    assert code == 400 and "does not take" in text


async def test_a_new_job_shows_at_the_next_scrape(prometheus, runlog, record):
    _, _, before = await prometheus()
    assert not any(name == "qhybrid_submissions_total" for name, _ in samples(before))
    runlog.insert(record(backend={"name": "fake_torino", "kind": "emulator"}, status="failed", error="boom"))
    _, _, after = await prometheus()
    parsed = samples(after)
    assert value(parsed, "qhybrid_submissions_total", backend="fake_torino", kind="emulator") == 1
    assert value(parsed, "qhybrid_window_error_ratio", backend="fake_torino", window="hour") == 1.0
    assert value(parsed, "qhybrid_experiments", status="running") == 0


async def test_json_metrics_for_the_sidebar(api, scenario, runlog, record):
    # an old job is outside the hour and the day, inside "all"
    runlog.insert(record(created=time.time() - 3 * 86400, updated=time.time() - 3 * 86400))
    totals = {}
    for window in ("hour", "day", "all"):
        code, data = await api("GET", "metrics", params={"window": window})
        assert code == 200 and data["window"] == window
        totals[window] = data["overall"]["submissions"]
        rows = {row["backend"]: row for row in data["backends"]}
        assert rows[scenario["broken"]]["error_rate"] == 1.0
        assert len(data["series"]["submissions"]) == {"hour": 12, "day": 24, "all": 24}[window]
    assert totals["hour"] == totals["day"] == runlog.count() - 1 and totals["all"] == runlog.count()
    code, one = await api("GET", "metrics", params={"backend": "aer"})
    assert code == 200 and [row["backend"] for row in one["backends"]] == ["aer"]
    code, error = await api("GET", "metrics", params={"window": "week"})
    assert code == 400 and "hour, day, all" in error["message"]

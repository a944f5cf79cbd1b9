"""Operations metrics (``qhybrid_lab.runlog.metrics``) on the records of real runs: counts, rates, latency, spend."""

from __future__ import annotations

import copy
import statistics
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "jobs"))

from ops_scenario import EXPECTED, run_scenario  # noqa: E402

from qhybrid_lab.errors import InvalidJobSpec  # noqa: E402
from qhybrid_lab.runlog import RunLog  # noqa: E402
from qhybrid_lab.runlog.metrics import (  # noqa: E402
    all_windows,
    operations_metrics,
    phase_seconds,
    quantile,
    spend,
    window_metrics,
)


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """(run log, backend names, every record) of the real workload of ``ops_scenario``."""
    home = tmp_path_factory.mktemp("ops-home")
    names = run_scenario(home)
    log = RunLog(home)
    return log, names, log.query(limit=None)


def test_counts_per_backend_match_the_run_log(real):
    log, names, _ = real
    metrics = operations_metrics(log, window="all")
    rows = {row["backend"]: row for row in metrics["backends"]}
    assert set(rows) == set(names.values())
    for key, (submissions, statuses, fell_back, received) in EXPECTED.items():
        row = rows[names[key]]
        assert row["submissions"] == submissions == log.count(backend=names[key])
        assert {s: n for s, n in row["by_status"].items() if n} == statuses
        for status, n in statuses.items():
            assert log.count(backend=names[key], status=status) == n
        assert (row["fallbacks"], row["fallbacks_received"]) == (fell_back, received)
    overall = metrics["overall"]
    assert overall["submissions"] == log.count() == sum(r["submissions"] for r in rows.values())
    assert overall["fallbacks"] == overall["fallbacks_received"] == 2


def test_rates_follow_their_definitions(real):
    log, names, _ = real
    rows = {row["backend"]: row for row in operations_metrics(log)["backends"]}
    paid, broken, aer = rows[names["paid:1"]], rows[names["broken"]], rows["aer"]
    assert aer["success_rate"] == 1.0 and aer["error_rate"] == 0.0 and aer["fallback_rate"] == 0.0
    assert paid["success_rate"] == 0.5 and paid["blocked_rate"] == 0.5 and paid["fallback_rate"] == 0.5
    assert broken["success_rate"] == 0.0 and broken["error_rate"] == 1.0 and broken["fallback_rate"] == 1.0


def test_spend_and_cost_per_success_of_a_paid_backend(real):
    log, names, records = real
    paid = next(row for row in operations_metrics(log)["backends"] if row["backend"] == names["paid:1"])
    done = [r for r in records if r["backend"]["name"] == names["paid:1"] and r["status"] == "done"]
    assert len(done) == 1 and done[0]["cost"]["actual"] == pytest.approx(0.20)
    assert paid["spend"] == {"USD": pytest.approx(0.20)}  # the blocked job spent nothing
    assert paid["cost_per_success"] == pytest.approx(0.20)
    aer = next(row for row in operations_metrics(log)["backends"] if row["backend"] == "aer")
    assert aer["spend"] == {"USD": 0.0} and aer["cost_per_success"] == 0.0


def test_latency_quantiles_are_those_of_the_recorded_timings(real):
    log, _, records = real
    aer_done = [r for r in records if r["backend"]["name"] == "aer"]
    aer = next(row for row in operations_metrics(log)["backends"] if row["backend"] == "aer")
    runs = [r["timings"]["run"] for r in aer_done]
    queues = [r["timings"]["queue"] for r in aer_done]
    assert aer["latency"]["run"]["count"] == 5 and aer["latency"]["queue"]["count"] == 5
    assert aer["latency"]["run"]["median"] == pytest.approx(statistics.median(runs))
    assert aer["latency"]["queue"]["median"] == pytest.approx(statistics.median(queues))
    assert min(runs) <= aer["latency"]["run"]["p95"] <= max(runs)
    submits = [phase_seconds(r, "submit") for r in aer_done]
    assert all(s is not None and s >= 0 for s in submits)
    assert aer["latency"]["submit"]["median"] == pytest.approx(statistics.median(submits))
    # a local job's submission latency is what its creation-to-dispatch time was not spent on
    one = aer_done[0]
    t = one["timings"]
    assert submits[0] == pytest.approx(max(0.0, t["started_at"] - one["created"] - t["transpile"] - t["queue"]))


def test_a_blocked_job_has_no_latency_but_counts_as_a_submission(real):
    _, names, records = real
    blocked = next(r for r in records if r["status"] == "blocked")
    assert blocked["backend"]["name"] == names["paid:1"] and blocked["fallback"]["to"]
    assert all(phase_seconds(blocked, p) is None for p in ("submit", "queue", "run"))
    assert spend(blocked) == 0.0


def test_windows_select_jobs_by_creation_time(real):
    _, _, records = real
    now = max(r["created"] for r in records) + 1.0
    aged = copy.deepcopy(records)
    for r in aged[:3]:  # three jobs two hours old, one two days old
        r["created"] -= 7200.0
    aged[3]["created"] -= 2 * 86400.0
    hour = window_metrics(aged, window="hour", now=now)
    day = window_metrics(aged, window="day", now=now)
    total = window_metrics(aged, window="all", now=now)
    assert (hour["overall"]["submissions"], day["overall"]["submissions"], total["overall"]["submissions"]) == (
        len(records) - 4, len(records) - 1, len(records))
    assert hour["since"] == now - 3600 and total["since"] is None
    assert len(hour["series"]["submissions"]) == 12 and sum(hour["series"]["submissions"]) == len(records) - 4
    assert sum(total["series"]["submissions"]) == len(records)
    assert total["series"]["start"] <= min(r["created"] for r in aged)


def test_series_put_each_job_in_its_bucket(real):
    _, _, records = real
    now = time.time()
    moved = copy.deepcopy(records)
    for i, r in enumerate(moved):
        r["created"] = now - 3600 + 150 + 300 * (i % 3)  # in buckets 0, 1, 2 of the hour
    series = window_metrics(moved, window="hour", now=now)["series"]
    per = [sum(1 for i in range(len(moved)) if i % 3 == b) for b in range(3)]
    assert series["submissions"][:3] == per and sum(series["submissions"][3:]) == 0
    assert sum(series["errors"]) == sum(r["status"] == "failed" for r in moved)
    assert sum(series["done"]) == sum(r["status"] == "done" for r in moved)
    assert sum(series["spend"]) == pytest.approx(0.20)


def test_one_read_gives_every_window(real):
    log, _, records = real
    windows = all_windows(log)
    assert set(windows) == {"hour", "day", "all"}
    assert all(w["overall"]["submissions"] == len(records) for w in windows.values())  # all just now


def test_a_provider_submit_timing_is_the_submission_latency(real):
    _, _, records = real
    record = copy.deepcopy(next(r for r in records if r["status"] == "done"))
    record["timings"]["submit"] = 0.75
    assert phase_seconds(record, "submit") == 0.75
    record["timings"]["submit"] = None
    record["provider_job"] = {"job_id": "abc", "provider": "ibm"}  # a remote job without a submit time: unknown
    assert phase_seconds(record, "submit") is None


def test_quantile_interpolates_like_numpy():
    import numpy as np

    values = [0.3, 0.1, 0.7, 0.2, 0.9, 0.4]
    for q in (0.0, 0.5, 0.95, 1.0):
        assert quantile(values, q) == pytest.approx(float(np.quantile(values, q)))
    assert quantile([], 0.5) is None and quantile([2.0], 0.95) == 2.0


def test_an_empty_run_log_has_no_rates(log):
    metrics = operations_metrics(log, window="day")
    assert metrics["backends"] == [] and metrics["overall"]["submissions"] == 0
    assert metrics["overall"]["success_rate"] is None and metrics["overall"]["cost_per_success"] is None
    assert metrics["overall"]["latency"]["run"] == {"median": None, "p95": None, "count": 0}


def test_an_unknown_window_is_refused(log):
    with pytest.raises(InvalidJobSpec, match="hour, day, all"):
        operations_metrics(log, window="week")

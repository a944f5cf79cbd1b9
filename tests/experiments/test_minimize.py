"""Tracked experiments and minimize: real optimizers, real simulators, the trace in the run log, exit conditions."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter

from qhybrid_lab import experiment, load_experiment, minimize, run
from qhybrid_lab.runlog import RunLog, open_runlog


def one_qubit():
    theta = Parameter("theta")
    qc = QuantumCircuit(1, name="rot")
    qc.ry(theta, 0)
    qc.measure_all()
    return qc


def expected_z(counts: dict) -> float:
    shots = sum(counts.values())
    return (counts.get("0", 0) - counts.get("1", 0)) / shots  # <Z> = cos(theta): minimum -1 at theta = pi


def test_minimize_converges_to_the_exact_answer_within_its_error_bars():
    result = minimize(one_qubit(), [0.3], cost=expected_z, backend="aer", method="COBYLA", shots=4000, seed=5,
                      max_iterations=40, view=False)
    assert result.fun == pytest.approx(-1.0, abs=5 * max(result.stderr, 1e-3))
    assert math.cos(result.x[0]) == pytest.approx(-1.0, abs=0.02)
    record = open_runlog().experiment(result.experiment)
    assert record["status"] in ("finished", "stopped") and record["iterations"] == result.nfev
    assert record["best"]["value"] == result.fun and record["totals"]["jobs"] == result.nfev


def test_spsa_evaluates_each_iteration_as_one_sweep_job():
    result = minimize(one_qubit(), [0.5], cost=expected_z, backend="aer", method="SPSA", shots=2000, seed=3,
                      max_iterations=60, spsa={"a": 2.0, "c": 0.2}, view=False)
    trace = result.trace
    assert len(trace) == 60 and result.message == "max_iterations (60) reached"
    assert sum(t["jobs"] for t in trace) == 20  # three points per SPSA iteration, one job for the three
    jobs = open_runlog().query(experiment=result.experiment, limit=None)
    assert len(jobs) == 20 and all(len(j["parameters"]["values"]) == 3 for j in jobs)
    assert result.fun < -0.9


def test_every_iteration_is_recorded_with_its_latency_breakdown_and_survives_a_new_process(qhome):
    result = minimize(one_qubit(), [1.0], cost=expected_z, backend="fake_manila", method="Nelder-Mead",
                      shots=500, seed=2, max_iterations=8, view=False)
    other = RunLog(qhome)  # another process (a kernel started after a restart) reads the same trace
    trace = other.iterations(result.experiment)
    assert [t["n"] for t in trace] == list(range(8))
    for iteration in trace:
        assert iteration["jobs"] == 1 and iteration["shots"] == 500 and len(iteration["job_ids"]) == 1
        latency = iteration["latency"]
        assert set(latency) >= {"classical", "transpile", "queue", "run", "retrieve", "wall"}
        assert latency["run"] > 0 and latency["wall"] >= latency["run"]
        assert iteration["value"] is not None and iteration["stderr"] > 0
    assert load_experiment(result.experiment)["trace"] == trace


def test_max_cost_stops_before_the_evaluation_that_would_pass_it():
    # fake_manila jobs carry no real cost; paid:<cents per shot> (an ideal Aer priced per shot) does
    result = minimize(one_qubit(), [0.4], cost=expected_z, backend="paid:1", method="COBYLA", shots=100, seed=1,
                      max_cost=3.5, max_iterations=50, view=False)  # $1 per evaluation
    assert result.nfev == 3 and result.cost == pytest.approx(3.0)
    assert result.message.startswith("max_cost (3.5) would be passed")
    assert open_runlog().experiment(result.experiment)["status"] == "stopped"


def test_the_budget_guard_stops_the_loop_with_the_best_point_so_far():
    open_runlog().set_budget(limit=2.5, period="total")
    result = minimize(one_qubit(), [0.4], cost=expected_z, backend="paid:1", method="COBYLA", shots=100, seed=1,
                      max_iterations=50, view=False)
    assert result.nfev == 2 and "budget guard refused" in result.message and result.x is not None


def test_a_stop_request_from_the_sidebar_ends_the_loop():
    def objective(x):
        if len(open_runlog().iterations(name)) == 4:
            open_runlog().request_stop(name, by="sidebar")
        return float(np.sum(np.square(x)))

    name = "stop-me"
    result = minimize(objective, [1.0, 2.0], method="Nelder-Mead", experiment=name, max_iterations=100, view=False)
    assert result.nfev == 5 and result.message == "stopped from the sidebar"


def test_runs_inside_an_experiment_block_belong_to_it():
    qc = one_qubit().assign_parameters([0.0])
    with experiment("manual") as exp:
        for theta in (0.0, math.pi):
            counts = run(one_qubit().assign_parameters([theta]), "aer", shots=100, seed=1).result()["rot"]["aer"]
            exp.record([theta], expected_z(counts))
    run(qc, "aer", shots=10).wait(60)  # outside: not part of it
    assert [r["experiment"] for r in open_runlog().query(limit=None)].count("manual") == 2
    assert exp.best["parameters"] == [math.pi] and exp.best["value"] == -1.0
    assert exp.summary["status"] == "finished" and exp.iterations == 2


def test_max_seconds_ends_the_loop_at_its_wall_time_whatever_the_machine():
    # Given an objective that takes a while per evaluation (a sleep creates the condition on any machine: 100
    # evaluations of 0.05 s could never fit in max_seconds)
    calls = []

    def slow(x):
        calls.append(x)
        time.sleep(0.05)
        return float(np.sum(np.square(x)))

    result = minimize(slow, [1.0, 2.0], method="Nelder-Mead", max_seconds=0.5, max_iterations=100, view=False)
    # Then the loop stopped on the clock, after at least that long, with the best point so far
    assert result.message == "max_seconds (0.5 s) reached" and not result.success
    assert result.seconds >= 0.5 and 1 <= result.nfev == len(calls) < 100
    assert result.fun == min(float(np.sum(np.square(x))) for x in calls)
    assert open_runlog().experiment(result.experiment)["status"] == "stopped"


def test_tol_is_the_optimizers_tolerance():
    # Given a smooth classical objective (no shot noise), minimized with scipy's COBYLA at two tolerances
    def bowl(x):
        return float((x[0] - 1.0) ** 2 + (x[1] + 0.5) ** 2)

    loose = minimize(bowl, [0.0, 0.0], method="COBYLA", tol=1e-1, max_iterations=500, view=False)
    tight = minimize(bowl, [0.0, 0.0], method="COBYLA", tol=1e-8, max_iterations=500, view=False)
    # Then both converge (scipy's own verdict), the tight one with more evaluations and closer to (1, -0.5)
    assert loose.success and tight.success and loose.nfev < tight.nfev < 500
    assert np.allclose(tight.x, [1.0, -0.5], atol=1e-3) and tight.fun < loose.fun
    assert open_runlog().experiment(tight.experiment)["settings"]["tol"] == 1e-8


def test_spsa_stops_when_a_step_moves_less_than_tol():
    # Given SPSA on a smooth objective whose gradient vanishes at the minimum
    def bowl(x):
        return float(x[0] ** 2)

    result = minimize(bowl, [0.5], method="SPSA", tol=1e-3, seed=1, max_iterations=3000, view=False,
                      spsa={"a": 0.5, "c": 0.05})
    # Then it stops on the step size, well before max_iterations, near the minimum
    assert result.success and result.message == "converged: the step moved less than tol (0.001)"
    assert result.nfev < 3000 and abs(result.x[0]) < 0.05
    # And without tol the same run goes on to max_iterations
    unbounded = minimize(bowl, [0.5], method="SPSA", seed=1, max_iterations=300, view=False,
                         spsa={"a": 0.5, "c": 0.05})
    assert unbounded.message == "max_iterations (300) reached"

"""Sweeps through run(): one job per backend, transpiled once, one batched execution, one record per job."""

from __future__ import annotations

import numpy as np
import pytest
from jobs_helpers import ghz
from qiskit import QuantumCircuit, transpile
from qiskit.circuit import ParameterVector
from qiskit.quantum_info import Statevector, hellinger_fidelity

from qhybrid_lab import run
from qhybrid_lab.circuits import Sweep, transpile_cache_info
from qhybrid_lab.errors import InvalidJobSpec, JobFailed, NotComparable
from qhybrid_lab.runlog import open_runlog


def ansatz(prefix: str, n: int = 3) -> QuantumCircuit:
    """RY layer, CX ladder, RY layer; parameters named after ``prefix`` so each test has its own template."""
    theta = ParameterVector(prefix, 2 * n)
    qc = QuantumCircuit(n, name=prefix)
    for q in range(n):
        qc.ry(theta[q], q)
    for q in range(n - 1):
        qc.cx(q, q + 1)
    for q in range(n):
        qc.ry(theta[n + q], q)
    return qc


def test_a_sweep_runs_as_one_job_per_backend_with_the_counts_of_hand_batched_aer():
    from qiskit_aer import AerSimulator

    qc = ansatz("sweep_aer")
    values = np.random.default_rng(1).uniform(-np.pi, np.pi, (12, 6))
    before = transpile_cache_info()["misses"]
    group = run(qc, ["aer", "fake_manila"], parameter_values=values, shots=400, seed=21)
    result = group.result(timeout=120)

    # Then: one job per backend, each transpiled once, one counts dict per point in order
    assert len(group) == 2 and transpile_cache_info()["misses"] == before + 2
    simulator = AerSimulator()
    measured = qc.copy()
    measured.measure_all()
    template = transpile(measured, simulator, optimization_level=2, seed_transpiler=1234)
    binds = {p: list(values[:, i]) for i, p in enumerate(measured.parameters)}
    batched = simulator.run(template, parameter_binds=[binds], shots=400, seed_simulator=21).result()
    assert result["sweep_aer"]["aer"] == [batched.get_counts(i) for i in range(12)]
    record = group["sweep_aer", "aer"].record
    assert record["parameters"] == {"names": [p.name for p in measured.parameters], "values": values.tolist()}
    assert record["result"]["shots"] == 400 and len(record["result"]["counts"]) == 12
    assert record["transpile"]["cached"] is False and record["attempts"] == 1
    assert [h["status"] for h in record["status_history"]] == ["pending", "queued", "running", "done"]
    assert open_runlog().count(group=group.id) == 2

    # And the emulator's points follow the ideal distribution closely (device noise only)
    emulated = result["sweep_aer"]["fake_manila"]
    assert len(emulated) == 12 and all(sum(c.values()) == 400 for c in emulated)
    for row, counts in zip(values, emulated):
        ideal = Statevector(qc.assign_parameters(row)).probabilities_dict()
        assert hellinger_fidelity(ideal, counts) > 0.9


def test_an_emulator_sweep_equals_the_hand_batched_trimmed_device_simulation():
    from qiskit_aer import AerSimulator

    from qhybrid_lab.backends import get_backend
    from qhybrid_lab.backends.trimming import active_qubits, remap_to_qubits
    from qhybrid_lab.circuits import transpile_for

    qc = ansatz("sweep_dev")
    values = np.random.default_rng(2).uniform(-np.pi, np.pi, (6, 6))
    counts = run(Sweep(qc, values), "fake_manila", shots=300, seed=5)[0].result(timeout=120)
    backend = get_backend("fake_manila")
    measured = qc.copy()
    measured.measure_all()
    template = transpile_for(measured, backend).circuit
    qubits = active_qubits(template)
    small = remap_to_qubits(template, qubits)
    binds = {p: list(values[:, i]) for i, p in enumerate(small.parameters)}
    simulator = AerSimulator(noise_model=backend.noise_model(tuple(qubits)))
    expected = simulator.run(small, parameter_binds=[binds], shots=300, seed_simulator=5).result()
    assert counts == [expected.get_counts(i) for i in range(6)]


def test_sweeps_sit_next_to_plain_circuits_and_cost_points_times_shots(bell):
    qc = ansatz("sweep_mix", n=2)
    scan = Sweep(qc, {p: [0.0, np.pi] for p in qc.parameters})
    group = run({"scan": scan, "bell": bell}, "paid:1", shots=100, seed=3)
    result = group.result(timeout=60)
    # RY(π) on both, CX, RY(π) on both: |00⟩ → |11⟩ → q1 flipped back to 0 → q0 to 0, q1 to 1: "10"
    assert result["scan"]["paid:1"] == [{"00": 100}, {"10": 100}]
    assert set(result["bell"]["paid:1"]) == {"00", "11"}
    sweep_cost = group["scan", "paid:1"].record["cost"]["estimate"]
    plain_cost = group["bell", "paid:1"].record["cost"]["estimate"]
    assert plain_cost == pytest.approx(1.0) and sweep_cost == pytest.approx(2.0)  # 2 points × 100 shots × $0.01
    assert group["scan", "paid:1"].parameters["values"] == [[0.0] * 4, [np.pi] * 4]
    assert "2 points" in group._repr_html_()


def test_a_naive_loop_of_bound_circuits_reuses_one_template_and_matches_plain_qiskit():
    from qiskit_aer import AerSimulator

    simulator = AerSimulator()
    qc = ansatz("loop", n=4)
    rng = np.random.default_rng(9)
    records = []
    for _ in range(6):
        bound = qc.assign_parameters(rng.uniform(-np.pi, np.pi, 8))
        job = run(bound, "aer", shots=500, seed=100, name="loop")[0]  # the seed is also the transpiler seed
        counts = job.result(timeout=60)
        measured = bound.copy()
        measured.measure_all()
        plain = transpile(measured, simulator, optimization_level=2, seed_transpiler=100)
        assert counts == simulator.run(plain, shots=500, seed_simulator=100).result().get_counts()
        records.append(job.record)
    assert [r["transpile"]["reuse"] for r in records] == [None, None] + ["structure"] * 4


def test_sweep_errors_are_refused_before_anything_is_recorded_and_failures_are_recorded(token):
    qc = ansatz("sweep_bad", n=2)
    with pytest.raises(InvalidJobSpec, match="unbound parameters"):
        run(qc, "aer")
    with pytest.raises(InvalidJobSpec, match="has 1 values; the circuit has 4 parameters"):
        run(qc, "aer", parameter_values=[[0.1]])
    with pytest.raises(InvalidJobSpec, match="single parameterized QuantumCircuit"):
        run([qc, ghz(2)], "aer", parameter_values=[[0.1] * 4])
    assert open_runlog().count() == 0
    job = run(qc, f"broken:{token}", parameter_values=[[0.1] * 4])[0]
    with pytest.raises(JobFailed, match="the device is retired"):
        job.result(timeout=60)
    assert job.record["parameters"]["values"] == [[0.1] * 4] and job.record["result"] is None


def test_sweep_records_compare_point_by_point_across_backends():
    from qhybrid_lab import compare
    from qhybrid_lab.comparison import comparison_groups

    qc = ansatz("sweep_cmp", n=2)
    values = [[0.0] * 4, [np.pi / 2] * 4, [np.pi] * 4]
    group = run(qc, ["aer", "fake_manila"], parameter_values=values, shots=2000, seed=8)
    group.wait(120)
    comparison = compare(group[0], group[1])
    assert 0.9 < comparison.hellinger_fidelity <= 1.0 and comparison.total_variation_distance < 0.1
    assert "compared over the 3 point(s) both runs measured (of 3 and 3)" in " ".join(comparison.notes)
    (found,) = [g for g in comparison_groups(open_runlog()) if g["circuit_name"] == "sweep_cmp"]
    assert found["pairs"][0]["hellinger_fidelity"] == pytest.approx(comparison.hellinger_fidelity)
    assert found["pairs"][0]["notes"] == comparison.notes  # the sidebar shows the same notes as compare()
    other = run(qc, "aer", parameter_values=values[:2], shots=100)[0]
    other.wait(60)
    partial = compare(group[0], other)  # two grids are compared over the points they share
    assert partial.hellinger_fidelity is not None
    assert "compared over the 2 point(s) both runs measured (of 3 and 2)" in " ".join(partial.notes)
    disjoint = run(qc, "aer", parameter_values=[[0.25] * 4, [0.5] * 4], shots=100)[0]
    disjoint.wait(60)
    with pytest.raises(NotComparable, match="share no parameter point"):
        compare(group[0], disjoint)


def test_a_template_the_transpiler_left_without_parameters_still_gives_one_result_per_point(bell):
    from dataclasses import replace

    from qhybrid_lab.jobs.execution import ExecutionRequest, execute

    measured = bell.copy()
    measured.measure_all()
    request = ExecutionRequest(job_id="x" * 32, backend="aer", circuit=measured, shots=50, seed=3,
                               parameters={"names": ["gone"], "values": [[0.1], [0.2], [0.3]]})
    reply = execute(request)
    assert reply.ok and len(reply.counts) == 3
    assert all(set(c) <= {"00", "11"} and sum(c.values()) == 50 for c in reply.counts)
    free = ansatz("sweep_free", n=2)
    free.measure_all()
    error = execute(replace(request, circuit=free))
    assert not error.ok and "gives no values for" in error.message

"""Dask scale-out on a real LocalCluster: chunks run on the workers, results match the local path, errors name the chunk."""

from __future__ import annotations

import os

import pytest

from jobs_helpers import ghz

from qhybrid_lab.backends import get_backend
from qhybrid_lab.circuits import transpile_for
from qhybrid_lab.errors import BackendError, InvalidJobSpec, TransientBackendError
from qhybrid_lab.jobs import dask_executor
from qhybrid_lab.jobs.dask_executor import execute_on_dask, plan_chunks, point_seed

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def client():
    """One LocalCluster for the module: 2 worker processes of one thread each (the default shape)."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    client.wait_for_workers(2, timeout=60)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def worker_pids(client) -> dict[str, int]:
    """Worker address → pid, asked of the workers themselves."""
    return client.run(os.getpid)


def batch(backend, n: int = 6) -> list:
    """``n`` different transpiled circuits (GHZ of 2..4 qubits with a varying rotation)."""
    out = []
    for k in range(n):
        circuit = ghz(2 + k % 3, f"c{k}")
        circuit.ry(0.2 * k, 0)
        circuit.measure_all()
        out.append(transpile_for(circuit, backend, seed=3).circuit)
    return out


def sweep(backend, points: int = 10) -> tuple:
    """A transpiled 3-qubit parameterized circuit and ``points`` values of its two parameters."""
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter

    a, b = Parameter("a"), Parameter("b")
    circuit = QuantumCircuit(3, name="ansatz")
    circuit.ry(a, 0)
    circuit.cx(0, 1)
    circuit.ry(b, 1)
    circuit.cx(1, 2)
    circuit.measure_all()
    template = transpile_for(circuit, backend, seed=3).circuit
    by_name = {p.name: p for p in template.parameters}
    binds = {by_name["a"]: [0.3 * i for i in range(points)], by_name["b"]: [1.0 - 0.1 * i for i in range(points)]}
    return template, binds


def test_batch_runs_on_the_workers_and_matches_the_local_path(client, worker_pids):
    # Given six different circuits and the engine's local path (each circuit its own execute, same seed)
    backend = get_backend("aer")
    circuits = batch(backend)
    local = [backend.execute([c], shots=500, seed=11)[0].counts for c in circuits]
    # When they run on Dask in three chunks of two
    results = execute_on_dask(client, "aer", circuits, shots=500, seed=11, chunk_size=2)
    # Then the counts are identical, in order, and every chunk ran in a worker process, not here
    assert [r.counts for r in results] == local
    ran = {(r.metadata["dask_worker"], r.metadata["dask_pid"]) for r in results}
    assert all(worker_pids.get(address) == pid for address, pid in ran)
    assert os.getpid() not in {pid for _, pid in ran}
    assert len(ran) == 2, f"the chunks should cover both workers, ran on {ran}"
    assert [r.metadata["dask_chunk"] for r in results] == [0, 0, 1, 1, 2, 2]
    assert {r.metadata["dask_chunks"] for r in results} == {3}


@pytest.mark.parametrize("backend_name", ["aer", "fake_manila"])
def test_sweep_split_over_workers_matches_one_local_sweep(client, worker_pids, backend_name):
    # Given a 10-point sweep run locally as one job (all points in one execute)
    backend = get_backend(backend_name)
    template, binds = sweep(backend)
    local = [r.counts for r in backend.execute([template], shots=400, seed=5, parameter_binds=[binds])]
    # When its points are split over the cluster (default chunking: one chunk per worker)
    results = execute_on_dask(client, backend_name, [template], shots=400, seed=5, parameter_binds=[binds])
    # Then every point's counts are identical: chunks starting at point j run with Aer's seed for point j
    assert [r.counts for r in results] == local
    assert {r.metadata["dask_worker"] for r in results} == set(worker_pids)
    assert all(r.metadata["qubits_simulated"] == 3 for r in results)


def test_mixed_batch_of_circuits_and_sweeps_keeps_order(client):
    backend = get_backend("aer")
    plain = batch(backend, 2)
    template, binds = sweep(backend, points=5)
    circuits = [plain[0], template, plain[1]]
    parameter_binds = [{}, binds, {}]
    local = (backend.execute([plain[0]], shots=300, seed=9)[0].counts,
             [r.counts for r in backend.execute([template], shots=300, seed=9, parameter_binds=[binds])],
             backend.execute([plain[1]], shots=300, seed=9)[0].counts)
    results = execute_on_dask(client, "aer", circuits, shots=300, seed=9, parameter_binds=parameter_binds,
                              chunk_size=3)
    counts = [r.counts for r in results]
    assert len(counts) == 7
    assert (counts[0], counts[1:6], counts[6]) == local


def test_unseeded_runs_still_return_every_shot(client):
    results = execute_on_dask(client, "aer", batch(get_backend("aer"), 3), shots=256, seed=None)
    assert [sum(r.counts.values()) for r in results] == [256, 256, 256]


def test_a_failing_chunk_raises_an_error_naming_it(client):
    circuits = batch(get_backend("aer"), 4)
    with pytest.raises(BackendError, match=r"dask chunk \d of 2 \(circuit \d, circuit \d\) failed on worker tcp://"
                                           r".*UnknownBackend: unknown backend 'aer:statevektor'; did you mean"):
        execute_on_dask(client, "aer:statevektor", circuits, shots=100, seed=1, chunk_size=2)


def test_backend_errors_keep_their_kind_and_runtime_backends_resolve_in_the_workers(client, token):
    # engine_backends registers flaky:/broken: on import; the workers import it through `modules`
    circuits = batch(get_backend("aer"), 2)
    with pytest.raises(TransientBackendError, match=r"dask chunk 1 of 1 \(circuit 0, circuit 1\).*simulated outage"):
        execute_on_dask(client, f"flaky:1:{token}", circuits, shots=100, seed=1, chunk_size=2,
                        modules=("engine_backends",))
    again = execute_on_dask(client, f"flaky:1:{token}", circuits, shots=100, seed=1, chunk_size=2,
                            modules=("engine_backends",))
    assert [sum(r.counts.values()) for r in again] == [100, 100]
    with pytest.raises(BackendError, match=r"dask chunk 1 of 1 .*BackendError: the device is retired") as caught:
        execute_on_dask(client, f"broken:{token}", circuits, shots=100, seed=1, chunk_size=2,
                        modules=("engine_backends",))
    assert not isinstance(caught.value, TransientBackendError)


def test_plan_chunks_splits_sweeps_across_chunks_and_refuses_bad_input():
    circuits = ["c0", "c1", "c2"]
    chunks = plan_chunks(circuits, [{}, {"p": [1, 2, 3, 4, 5]}, {}], 3)
    assert [c.describe() for c in chunks] == ["circuit 0, circuit 1 points 0-1", "circuit 1 points 2-4",
                                              "circuit 2"]
    assert [c.start for c in chunks] == [0, 3, 6]
    assert chunks[1].pieces[0].binds == {"p": [3, 4, 5]}
    assert point_seed(7, 2) == 7 + 2 * 2113 and point_seed(None, 3) is None
    with pytest.raises(InvalidJobSpec, match="chunk_size must be a positive integer"):
        plan_chunks(circuits, None, 0)
    with pytest.raises(InvalidJobSpec, match="one dict per circuit: 2 for 3 circuits"):
        plan_chunks(circuits, [{}, {}], 2)
    with pytest.raises(InvalidJobSpec, match=r"parameter_binds\[1\]: every parameter needs the same number"):
        plan_chunks(circuits, [{}, {"a": [1, 2], "b": [1]}, {}], 2)


def test_process_client_connects_to_the_named_scheduler(client, monkeypatch):
    monkeypatch.setenv(dask_executor.SCHEDULER_ENV, client.scheduler.address)
    dask_executor.close_dask_client()
    try:
        ours = dask_executor.dask_client()
        assert ours is dask_executor.dask_client()
        assert ours.scheduler.address == client.scheduler.address
        assert dask_executor.dask_scheduler_address() == client.scheduler.address
    finally:
        dask_executor.close_dask_client()
    assert dask_executor.dask_scheduler_address() is None


def test_an_unreachable_scheduler_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(dask_executor.SCHEDULER_ENV, "tcp://127.0.0.1:9")
    monkeypatch.setattr(dask_executor, "CONNECT_TIMEOUT", 1.0)
    with pytest.raises(BackendError, match="cannot reach the Dask scheduler 'tcp://127.0.0.1:9' named by "
                                           "QHYBRID_DASK_SCHEDULER.*unset QHYBRID_DASK_SCHEDULER"):
        dask_executor.dask_client()


@pytest.fixture
def named_scheduler(client, monkeypatch):
    """run(..., executor="dask") on the module's cluster, through QHYBRID_DASK_SCHEDULER."""
    monkeypatch.setenv(dask_executor.SCHEDULER_ENV, client.scheduler.address)
    dask_executor.close_dask_client()
    yield client.scheduler.address
    dask_executor.close_dask_client()


def test_run_with_the_dask_executor_matches_a_local_run_and_records_the_workers(named_scheduler, worker_pids):
    from qhybrid_lab import run
    from qhybrid_lab.runlog import open_runlog

    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector

    # Given a 3-qubit ansatz swept over 8 points on an ideal simulator and a device emulator, plus a plain circuit
    theta = ParameterVector("dask_e2e", 2)
    template = QuantumCircuit(3, name="ansatz")
    template.ry(theta[0], 0)
    template.cx(0, 1)
    template.ry(theta[1], 1)
    template.cx(1, 2)
    values = [[0.4 * i, 1.0 - 0.1 * i] for i in range(8)]
    options = {"backend": ["aer", "fake_manila"], "shots": 300, "seed": 21, "wait": True}
    # When it runs once locally and once with executor="dask"
    local = run(template, parameter_values=values, **options).result()
    dask = run(template, parameter_values=values, executor="dask", **options)
    plain_local = run(ghz(3, "plain"), **options).result()
    plain_dask = run(ghz(3, "plain"), executor="dask", **options)
    # Then the counts are identical, point by point, and every record says where its chunks ran
    assert dask.result() == local
    assert plain_dask.result() == plain_local
    log = open_runlog()
    for job in [*dask.jobs, *plain_dask.jobs]:
        record = log.get(job.id)
        assert record["status"] == "done"
        simulation = record["simulation"]
        assert simulation["executor"] == "dask" and simulation["dask_scheduler"] == named_scheduler
        assert set(simulation["dask_workers"]) <= set(worker_pids)
        assert len(simulation["dask_chunk_workers"]) == simulation["dask_chunks"]
    sweep_record = log.get(dask.jobs[0].id)
    assert sweep_record["simulation"]["dask_chunks"] == 2 and len(sweep_record["simulation"]["dask_workers"]) == 2
    assert len(sweep_record["result"]["counts"]) == 8
    assert log.get(plain_dask.jobs[0].id)["simulation"]["dask_chunks"] == 1


def test_run_refuses_an_unknown_executor():
    from qhybrid_lab import run

    with pytest.raises(InvalidJobSpec, match="executor must be one of 'local', 'dask', not 'ray'"):
        run(ghz(2), "aer", executor="ray")


def test_default_is_a_local_cluster_started_once_and_closed(monkeypatch):
    monkeypatch.delenv(dask_executor.SCHEDULER_ENV, raising=False)
    dask_executor.close_dask_client()
    try:
        client = dask_executor.dask_client()
        assert dask_executor.dask_client() is client
        assert client.cluster is not None and len(client.scheduler_info()["workers"]) == 2
        assert dask_executor.startup_seconds is not None
        results = execute_on_dask(client, "aer", batch(get_backend("aer"), 2), shots=100, seed=3)
        assert {r.metadata["dask_worker"] for r in results} <= set(client.scheduler_info()["workers"])
    finally:
        dask_executor.close_dask_client()
    assert client.status == "closed"

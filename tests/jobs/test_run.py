"""Submitting and running: distributions on Aer and an emulator, group shape, complete records, validation."""

from __future__ import annotations

import pytest
from jobs_helpers import ghz

from qhybrid_lab.circuits import transpile_cache_info
from qhybrid_lab.errors import CircuitTooWide, InvalidJobSpec, UnknownBackend, UnsupportedObject
from qhybrid_lab.jobs import Job, JobGroup, JobManager, run
from qhybrid_lab.runlog import open_runlog
from qhybrid_lab.status import JobStatus

RECORD_KEYS = {"schema", "id", "group", "idempotency_key", "created", "updated", "status", "status_history",
               "backend", "provider_job_id", "circuit", "parameters", "shots", "seed", "transpile", "calibration",
               "simulation", "mitigation", "cost", "timings", "attempts", "errors", "error", "blocked_reason",
               "fallback", "result", "origin", "tags"}


def test_bell_on_aer_and_emulator_gives_the_right_distributions(bell):
    group = run(bell, ["aer", "fake_manila"], shots=2000, seed=11)
    assert isinstance(group, JobGroup) and len(group) == 2
    result = group.result(timeout=120)
    assert list(result) == ["bell"] and set(result["bell"]) == {"aer", "fake_manila"}
    ideal, noisy = result["bell"]["aer"], result["bell"]["fake_manila"]
    assert set(ideal) == {"00", "11"} and sum(ideal.values()) == 2000
    assert 0.45 < ideal["00"] / 2000 < 0.55
    assert sum(noisy.values()) == 2000
    good = (noisy.get("00", 0) + noisy.get("11", 0)) / 2000
    assert 0.85 < good < 1.0  # device noise is there, but the Bell state dominates
    assert group.status is JobStatus.DONE and group.done()


def test_group_result_shape_and_indexing():
    circuits = {"g2": ghz(2), "g3": ghz(3)}
    group = run(circuits, ["aer", "aer:statevector"], shots=100, seed=3, tags=["shape"])
    result = group.result(timeout=60)
    assert {c: set(b) for c, b in result.items()} == {"g2": {"aer", "aer:statevector"},
                                                       "g3": {"aer", "aer:statevector"}}
    assert result["g3"]["aer"] == {"000": 100} or set(result["g3"]["aer"]) == {"000", "111"}
    assert [(j.circuit_name, j.backend) for j in group] == [("g2", "aer"), ("g2", "aer:statevector"),
                                                           ("g3", "aer"), ("g3", "aer:statevector")]
    job = group["g3", "aer:statevector"]
    assert isinstance(job, Job) and job is group[3] and job.result() == result["g3"]["aer:statevector"]
    with pytest.raises(KeyError, match="no job for circuit 'g4'"):
        group["g4", "aer"]
    html = group._repr_html_()
    assert html.count("<tr>") == 5 and job.id[:8] in html and "aer:statevector" in html
    assert open_runlog().count(group=group.id, tag="shape") == 4


def test_records_are_complete_after_done(bell):
    log = open_runlog()
    job = run(bell, "fake_manila", shots=500, seed=5, origin={"notebook": "nb.ipynb", "cell_id": "c1"}, wait=True)[0]
    assert job.done()  # wait=True returned only once every job was final
    record = log.get(job.id)
    assert RECORD_KEYS <= set(record)
    assert [h["status"] for h in record["status_history"]] == ["pending", "queued", "running", "done"]
    assert record["backend"] | {"name": "fake_manila", "kind": "emulator", "num_qubits": 5} == record["backend"]
    assert record["circuit"]["measure_added"] is True and record["circuit"]["hash"].startswith("sha256:")
    assert record["circuit"]["ops"] == {"h": 1, "cx": 1, "barrier": 1, "measure": 2}
    transpile = record["transpile"]
    for key in ("optimization_level", "seed", "qiskit_version", "cached", "seconds", "depth", "two_qubit",
                "physical_qubits"):
        assert transpile[key] is not None, key
    assert len(transpile["physical_qubits"]) == 2
    calibration = record["calibration"]
    assert calibration["median_2q_error"] > 0 and log.get_blob(calibration["ref"])
    assert record["simulation"]["qubits_simulated"] == 2 and "trimmed" in record["simulation"]["noise"]
    timings = record["timings"]
    assert all(timings[k] is not None for k in ("transpile", "queue", "run", "total", "submitted_at",
                                               "started_at", "finished_at"))
    assert timings["submitted_at"] <= timings["started_at"] <= timings["finished_at"]
    assert 0 <= timings["queue"] and timings["transpile"] + timings["queue"] + timings["run"] <= timings["total"]
    assert record["cost"]["counted"] == 0.0 and record["cost"]["hardware_equivalent"] > 0
    assert record["attempts"] == 1 and record["errors"] == [] and record["error"] is None
    assert record["result"]["shots"] == 500 and sum(record["result"]["counts"].values()) == 500
    origin = record["origin"]
    assert origin["notebook"] == "nb.ipynb" and origin["owner"] == JobManager.instance().owner
    assert record["idempotency_key"].startswith("sha256:") and job.record == record


@pytest.mark.parametrize(("options", "error", "message"), [
    ({"shots": True}, InvalidJobSpec, "shots must be a positive integer"),
    ({"shots": 0}, InvalidJobSpec, "shots must be a positive integer"),
    ({"shots": 1.5}, InvalidJobSpec, "shots must be a positive integer"),
    ({"optimization_level": 4}, InvalidJobSpec, "optimization_level must be 0, 1, 2 or 3"),
    ({"backend": "fake_manilla"}, UnknownBackend, "fake_manila"),
    ({"backend": []}, InvalidJobSpec, "backend must be a backend name"),
])
def test_bad_requests_are_refused_before_anything_is_recorded(bell, options, error, message):
    kwargs = {"backend": "aer", **options}
    with pytest.raises(error, match=message):
        run(bell, **kwargs)
    assert open_runlog().count() == 0


def test_circuit_too_wide_for_one_backend_refuses_the_whole_submission(bell):
    with pytest.raises(CircuitTooWide, match="needs 6 qubits; fake_manila has 5"):
        run([bell, ghz(6, "wide")], ["aer", "fake_manila"])
    with pytest.raises(UnsupportedObject, match="str"):
        run("not a circuit")
    assert open_runlog().count() == 0


def test_resubmitting_an_equal_circuit_does_not_transpile_again():
    first = run(ghz(3, "again"), "fake_manila", shots=200)[0]
    first.result(timeout=120)
    before = transpile_cache_info()
    second = run(ghz(3, "again"), "fake_manila", shots=200)[0]  # built separately, same content
    second.result(timeout=120)
    after = transpile_cache_info()
    assert after["misses"] == before["misses"] and after["hits"] == before["hits"] + 1
    assert first.record["transpile"]["cached"] is False and second.record["transpile"]["cached"] is True
    assert second.record["transpile"]["physical_qubits"] == first.record["transpile"]["physical_qubits"]


def test_a_non_local_backend_runs_on_a_thread_and_is_recorded_alike(bell):
    job = run(bell, "cloud:sim", shots=300, seed=4)[0]
    counts = job.result(timeout=60)
    assert set(counts) == {"00", "11"} and sum(counts.values()) == 300
    record = job.record
    assert [h["status"] for h in record["status_history"]] == ["pending", "queued", "running", "done"]
    assert record["attempts"] == 1 and record["timings"]["run"] is not None
    assert job.cancel() is False


def test_workers_import_registered_worker_modules(bell):
    import runtime_backends  # noqa: F401  (registers "renamed:" here only)

    from qhybrid_lab.jobs import register_worker_module

    unknown = run(bell, "renamed:one", shots=10)[0]
    assert unknown.wait(60) is JobStatus.FAILED and "UnknownBackend" in unknown.record["error"]
    register_worker_module("runtime_backends")
    assert sum(run(bell, "renamed:two", shots=10).result(timeout=60)["bell"]["renamed:two"].values()) == 10

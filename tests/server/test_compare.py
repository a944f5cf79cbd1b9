"""The Compare endpoints: a pair the user picked (intervals, verdict, reasons), and a run's counterparts."""

from __future__ import annotations

import pytest
from test_openapi import assert_valid


@pytest.fixture
def real_runs(runlog):
    """A Bell circuit really run on aer and on the fake_torino emulator (20000 shots each), and a GHZ on aer."""
    from qiskit import QuantumCircuit

    import qhybrid_lab
    from qhybrid_lab.jobs import JobManager

    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    bell.measure_all()
    ghz = QuantumCircuit(3)
    ghz.h(0)
    ghz.cx(0, 1)
    ghz.cx(1, 2)
    ghz.measure_all()
    try:
        group = qhybrid_lab.run({"bell": bell, "ghz": ghz}, ["aer", "fake_torino"], shots=20000, seed=7)
        group.wait(timeout=300)
    finally:
        JobManager.shutdown()
    by = {(j.record["circuit"]["name"], j.record["backend"]["name"]): j.record for j in group.jobs}
    assert all(r["status"] == "done" for r in by.values()), [r.get("error") for r in by.values()]
    return by


async def test_a_picked_pair_has_intervals_and_a_verdict(api, real_runs):
    aer, emu = real_runs["bell", "aer"], real_runs["bell", "fake_torino"]
    # When the user picks aer (reference) and the emulator
    code, data = await api("GET", "compare", "pair", params={"a": aer["id"][:8], "b": emu["id"]})
    # Then the answer has both runs, metrics with 95 % intervals and the shot-noise verdict
    assert code == 200, data
    _, document = await api("GET", "openapi.json")
    assert_valid(document, "ComparePair", data)
    c = data["comparison"]
    assert c["a"]["backend"] == "aer" and c["b"]["kind"] == "emulator" and c["b"]["counts"]
    lo, hi = c["hellinger_fidelity_interval"]
    assert lo <= c["hellinger_fidelity"] <= hi < 1.0
    # device noise puts ~1-3 % of the shots in 01/10, which the ideal simulator never gives: at 20000 shots that is
    # far beyond shot noise (at 1000 shots it need not be: the verdict is a test, not a rubber stamp)
    assert c["within_shot_noise"] is False and c["shot_noise"]["p_value"] < 0.05
    # two samplings of the same ideal circuit are compared as well (a repeat)
    code, data = await api("GET", "compare", "pair", params={"a": emu["id"], "b": aer["id"]})
    assert code == 200 and data["comparison"]["a"]["backend"] == "fake_torino"


async def test_runs_that_cannot_be_compared_get_the_reason(api, real_runs):
    bell, ghz = real_runs["bell", "aer"], real_runs["ghz", "aer"]
    code, data = await api("GET", "compare", "pair", params={"a": bell["id"], "b": ghz["id"]})
    assert code == 400 and data["error"] == "NotComparable"
    assert "different circuits (bell vs ghz)" in data["message"]
    code, data = await api("GET", "compare", "pair", params={"a": bell["id"], "b": bell["id"]})
    assert code == 400 and "picked twice" in data["message"]
    code, data = await api("GET", "compare", "pair", params={"a": bell["id"]})
    assert code == 400 and "a and b are required" in data["message"]
    code, data = await api("GET", "compare", "pair", params={"a": bell["id"], "b": "ffffffffffff"})
    assert code == 404 and data["error"] == "UnknownJob"


async def test_candidates_put_the_counterpart_first(api, real_runs, runlog, record):
    emu = real_runs["bell", "fake_torino"]
    # a hardware run of the same device (recorded as a provider job would be)
    hardware = record(circuit=dict(emu["circuit"]), backend={"name": "ibm:ibm_torino", "kind": "hardware"},
                      result={"counts": {"00": 470, "11": 460, "01": 40, "10": 30}, "shots": 1000})
    runlog.insert(hardware)
    code, data = await api("GET", "compare", "candidates", params={"job": hardware["id"]})
    assert code == 200, data
    _, document = await api("GET", "openapi.json")
    assert_valid(document, "CompareCandidates", data)
    assert [(c["backend"], c["relation"]) for c in data["candidates"]] == [("fake_torino", "device"),
                                                                           ("aer", "simulator")]
    code, data = await api("GET", "compare", "candidates", params={"job": emu["id"], "limit": 1})
    assert code == 200 and data["candidates"][0]["backend"] == "ibm:ibm_torino" and data["total"] == 2
    code, data = await api("GET", "compare", "candidates", params={"job": emu["id"], "color": "red"})
    assert code == 400 and "job" in data["message"]


async def test_sweeps_are_compared_over_common_points(api, runlog, record):
    sweep = {"hash": "sha256:ry", "name": "ry", "num_qubits": 1}

    def run(backend, kind, points, counts):
        return runlog.insert(record(circuit=sweep, backend={"name": backend, "kind": kind},
                                    parameters={"names": ["t"], "values": [[p] for p in points]},
                                    result={"counts": counts, "shots": 1000}))

    a = run("aer", "simulator", [0.0, 1.0, 2.0], [{"0": 1000}, {"0": 770, "1": 230}, {"0": 290, "1": 710}])
    b = run("fake_torino", "emulator", [1.0, 2.0, 3.0], [{"0": 760, "1": 240}, {"0": 300, "1": 700}, {"1": 1000}])
    c = run("fake_brisbane", "emulator", [0.5], [{"0": 940, "1": 60}])
    code, data = await api("GET", "compare", "pair", params={"a": a, "b": b})
    assert code == 200
    points = data["comparison"]["points"]
    assert [p["values"] for p in points] == [[1.0], [2.0]] and all(p["within"] for p in points)
    assert data["comparison"]["within_shot_noise"] is True
    code, data = await api("GET", "compare", "pair", params={"a": a, "b": c})
    assert code == 400 and "share no parameter point" in data["message"]
    # the automatic groups say so too, instead of a dash
    _, groups = await api("GET", "compare", params={"circuit_hash": "sha256:ry"})
    reasons = [p.get("reason") for g in groups["groups"] for p in g["pairs"]]
    assert any(r and "share no parameter point" in r for r in reasons)

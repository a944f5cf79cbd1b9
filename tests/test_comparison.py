"""Tests of qhybrid_lab.comparison: metrics against Qiskit's, overheads, grouping of runs from a real run log.

The statistics (intervals, the within-shot-noise verdict) are checked against real Aer samplings in
tests/test_comparison_noise.py; sweeps, expectation values and mitigation in tests/test_comparison_pairs.py.
"""

from __future__ import annotations

import json
import uuid

import pytest

from qhybrid_lab.comparison import (
    Comparison,
    compare,
    comparison_groups,
    hellinger_fidelity,
    total_variation_distance,
)
from qhybrid_lab.errors import InvalidJobSpec, NotComparable, UnknownJob

BELL_HASH = "sha256:" + "b" * 64
GHZ_HASH = "sha256:" + "c" * 64


def make_record(backend="aer", kind="simulator", counts=None, *, circuit_hash=BELL_HASH, name="bell",
                depth=3, two_qubit=1, created=1.0, status="done", estimate=0.0, hw=None, **extra):
    """A run-log record shaped like docs/architecture.md's, done with the given counts."""
    return {
        "schema": 1,
        "id": uuid.uuid4().hex,
        "group": uuid.uuid4().hex,
        "created": created,
        "updated": created,
        "status": status,
        "backend": {"name": backend, "provider": "aer" if kind == "simulator" else "ibm-fake", "kind": kind,
                    "version": "1", "num_qubits": 2 if kind == "simulator" else 133},
        "circuit": {"hash": circuit_hash, "name": name, "num_qubits": 2, "depth": 2, "two_qubit": 1},
        "shots": sum((counts or {}).values()) or 1000,
        "seed": None,
        "transpile": {"optimization_level": 2, "depth": depth, "two_qubit": two_qubit},
        "timings": {"queue": 0.1, "run": 0.2, "total": 0.5},
        "cost": {"currency": "USD", "estimate": estimate, "hardware_equivalent": hw, "counted": 0.0},
        "result": {"counts": counts, "shots": sum(counts.values())} if counts else None,
        "origin": {"owner": "test"},
        "tags": [],
        **extra,
    }


def test_metrics_agree_with_qiskit():
    from qiskit.quantum_info import hellinger_fidelity as qiskit_fidelity

    p = {"00": 1001, "11": 999}
    q = {"00": 930, "11": 950, "01": 60, "10": 60}
    assert hellinger_fidelity(p, q) == pytest.approx(qiskit_fidelity(p, q), abs=1e-12)
    assert hellinger_fidelity(p, p) == pytest.approx(1.0)
    assert hellinger_fidelity({"00": 5}, {"11": 5}) == 0.0
    assert total_variation_distance(p, p) == 0.0
    assert total_variation_distance({"00": 5}, {"11": 7}) == pytest.approx(1.0)
    assert total_variation_distance(p, q) == pytest.approx(0.5 * (abs(1001 / 2000 - 930 / 2000)
                                                                  + abs(999 / 2000 - 950 / 2000) + 120 / 2000))
    # register separators do not make equal outcomes differ
    assert hellinger_fidelity({"0 1": 10}, {"01": 3}) == pytest.approx(1.0)


def test_compare_records_overheads_latency_cost():
    a = make_record(counts={"00": 1001, "11": 999}, depth=3, two_qubit=1)
    b = make_record("fake_torino", "emulator", {"00": 930, "11": 950, "01": 60, "10": 60},
                    depth=9, two_qubit=3, hw=1.6)
    c = compare(a, b)
    assert isinstance(c, Comparison)
    assert c.depth_overhead == 6 and c.depth_ratio == 3.0
    assert c.two_qubit_overhead == 2 and c.two_qubit_ratio == 3.0
    assert 0.9 < c.hellinger_fidelity < 1.0
    assert c.a["backend"] == "aer" and c.b["kind"] == "emulator"
    assert c.b["hardware_equivalent"] == 1.6 and c.a["total_seconds"] == 0.5 and c.b["run_seconds"] == 0.2
    data = json.loads(json.dumps(c.as_dict()))
    assert data["b"]["counts"]["01"] == 60
    page = c._repr_html_()
    assert "fake_torino (emulator)" in page and "Hellinger fidelity" in page and "$1.60" in page
    assert "mathjax_ignore" in page and "tex2jax_ignore" in page  # JupyterLab would typeset "$0.00 ... $1.60"
    lo, hi = c.hellinger_fidelity_interval
    assert lo <= c.hellinger_fidelity <= hi and hi - lo < 0.05
    assert c.within_shot_noise is False  # 120 of 2000 shots in outcomes a never saw: far beyond shot noise
    assert "beyond shot noise" in str(c) and "[95 %]" in str(c)
    assert "two-qubit overhead" in str(c)


def test_compare_refuses_different_circuits_and_bad_objects():
    a = make_record(counts={"00": 1})
    b = make_record("fake_torino", "emulator", {"000": 1}, circuit_hash=GHZ_HASH, name="ghz")
    with pytest.raises(NotComparable, match="different circuits.*bell vs ghz"):
        compare(a, b)
    with pytest.raises(NotComparable, match="picked twice"):
        compare(a, a)
    with pytest.raises(InvalidJobSpec, match="type int"):
        compare(a, 42)


def test_compare_unfinished_record_has_no_fidelity_but_says_why():
    a = make_record(counts={"00": 10})
    b = make_record("fake_torino", "emulator", None, status="failed")
    c = compare(a, b)
    assert c.hellinger_fidelity is None and c.total_variation_distance is None
    assert any("failed: no counts" in note for note in c.notes)


def test_compare_by_id_through_the_run_log():
    from qhybrid_lab.runlog import open_runlog

    log = open_runlog()
    a = make_record(counts={"00": 500, "11": 500})
    b = make_record("fake_torino", "emulator", {"00": 480, "11": 470, "10": 50})
    log.insert_many([a, b])
    c = compare(a["id"][:6], b["id"])
    assert c.a["id"] == a["id"] and c.b["backend"] == "fake_torino"
    with pytest.raises(UnknownJob):
        compare("ffffffff", b["id"])


def test_comparison_groups_newest_first_simulator_reference():
    from qhybrid_lab.runlog import open_runlog

    log = open_runlog()
    bell_emu = make_record("fake_torino", "emulator", {"00": 900, "11": 900, "01": 200}, created=10.0)
    bell_aer = make_record("aer", "simulator", {"00": 1000, "11": 1000}, created=11.0)
    ghz_emu = make_record("fake_brisbane", "emulator", {"000": 450, "111": 450, "001": 100},
                          circuit_hash=GHZ_HASH, name="ghz", created=20.0)
    ghz_aer = make_record("aer", "simulator", {"000": 500, "111": 500}, circuit_hash=GHZ_HASH,
                          name="ghz", created=19.0)
    lonely = make_record("aer", "simulator", {"0": 1}, circuit_hash="sha256:" + "d" * 64, created=30.0)
    failed = make_record("fake_torino", "emulator", None, status="failed", created=31.0)
    log.insert_many([bell_emu, bell_aer, ghz_emu, ghz_aer, lonely, failed])

    groups = comparison_groups(log)
    assert [g["circuit_name"] for g in groups] == ["ghz", "bell"]  # one-backend circuits are left out
    ghz = groups[0]
    assert [r["backend"] for r in ghz["runs"]] == ["fake_brisbane", "aer"]
    (pair,) = ghz["pairs"]
    assert pair["a"] == ghz_aer["id"] and pair["b"] == ghz_emu["id"]  # the simulator is the reference
    assert pair["hellinger_fidelity"] == pytest.approx(0.9)
    json.dumps(groups)

    only_bell = comparison_groups(log, circuit_hash=BELL_HASH)
    assert len(only_bell) == 1 and only_bell[0]["circuit_hash"] == BELL_HASH
    assert len(comparison_groups(log, limit=1)) == 1
    # a bounded window of the newest done runs: bell's pair is older than the 3 newest done runs
    assert [g["circuit_name"] for g in comparison_groups(log, scan=3)] == ["ghz"]
    assert len(comparison_groups(log, scan=3, circuit_hash=BELL_HASH)) == 1  # one circuit: all its runs
    with pytest.raises(InvalidJobSpec, match="positive"):
        comparison_groups(log, limit=0)

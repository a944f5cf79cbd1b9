"""Comparisons on the user's terms: sweeps point by point, expectation values, mixed mitigation, counterparts."""

from __future__ import annotations

import json

import pytest

from qhybrid_lab.comparison import (
    compare,
    comparison_groups,
    counterparts,
    device_stem,
    hellinger_fidelity,
    nearest_probabilities,
)
from qhybrid_lab.errors import NotComparable
from qhybrid_lab.runlog import open_runlog
from test_comparison import make_record

ZZ = {"label": "ZZ", "terms": [["ZZ", 1.0]]}
XX = {"label": "XX", "terms": [["XX", 1.0]]}


def sweep_record(backend, kind, points, counts, **extra):
    return make_record(backend, kind, None, parameters={"names": ["theta"], "values": [[v] for v in points]},
                       result={"counts": counts, "shots": 1000}, **extra)


def test_sweeps_are_compared_over_their_common_points_only():
    # Given a sweep over 0, 0.5, 1.0, 1.5 and one over 1.0, 1.5, 2.0 (the same circuit)
    same = {"0": 500, "1": 500}
    a = sweep_record("aer", "simulator", [0.0, 0.5, 1.0, 1.5], [{"0": 1000}, {"0": 900, "1": 100}, same, same])
    b = sweep_record("fake_torino", "emulator", [1.0, 1.5, 2.0], [{"0": 510, "1": 490}, {"0": 700, "1": 300},
                                                                  {"1": 1000}])
    # When they are compared
    c = compare(a, b)
    # Then only 1.0 and 1.5 are compared, point by point, each with its interval and verdict
    assert [p["values"] for p in c.points] == [[1.0], [1.5]]
    assert [(p["a"], p["b"]) for p in c.points] == [(2, 0), (3, 1)]
    assert [p["within"] for p in c.points] == [True, False]
    assert c.within_shot_noise is False
    assert c.hellinger_fidelity == pytest.approx(sum(p["hellinger_fidelity"] for p in c.points) / 2)
    lo, hi = c.hellinger_fidelity_interval
    assert lo <= c.hellinger_fidelity <= hi
    assert any("2 point(s) both runs measured (of 4 and 3)" in n and "1 of 2" in n for n in c.notes)
    json.dumps(c.as_dict())


def test_runs_that_cannot_be_compared_say_why():
    a = sweep_record("aer", "simulator", [0.0, 0.5], [{"0": 10}, {"1": 10}])
    disjoint = sweep_record("fake_torino", "emulator", [0.25, 0.75], [{"0": 10}, {"1": 10}])
    with pytest.raises(NotComparable, match=r"share no parameter point.*theta in \[0, 0.5\].*theta in \[0.25, 0.75\]"):
        compare(a, disjoint)
    single = make_record("fake_torino", "emulator", {"0": 10})
    with pytest.raises(NotComparable, match="is a sweep of 2 point.*a single run"):
        compare(a, single)
    other = make_record("fake_torino", "emulator", None, parameters={"names": ["phi"], "values": [[0.0]]},
                        result={"counts": [{"0": 1}], "shots": 1})
    with pytest.raises(NotComparable, match="sweeps theta.*sweeps phi"):
        compare(a, other)


def test_expectation_values_in_units_of_the_combined_standard_error():
    a = make_record(counts={"00": 500, "11": 500}, observables=[ZZ, XX],
                    result={"counts": {"00": 500, "11": 500}, "expectation_values": [1.0, 0.98],
                            "standard_errors": [0.0, 0.01], "ev_method": "shots"})
    b = make_record("fake_torino", "emulator", None, observables=[XX, {"label": "Z0Z1", "terms": [["ZZ", 1.0]]}],
                    result={"counts": {"00": 480, "11": 470, "01": 50}, "expectation_values": [0.90, 0.9],
                            "standard_errors": [0.03, 0.02], "ev_method": "shots"})
    c = compare(a, b)
    rows = {r["label"]: r for r in c.expectation_values}
    # matched by terms, whatever the labels and the order
    assert set(rows) == {"ZZ", "XX"}
    zz, xx = rows["ZZ"], rows["XX"]
    assert zz["delta"] == pytest.approx(-0.1) and zz["combined_se"] == pytest.approx(0.02)
    assert zz["z"] == pytest.approx(-5.0) and not zz["within_shot_noise"]
    assert xx["delta"] == pytest.approx(-0.08) and xx["combined_se"] == pytest.approx((0.01**2 + 0.03**2) ** 0.5)
    assert xx["within_shot_noise"] is False and abs(xx["z"]) == pytest.approx(2.53, abs=0.01)
    assert "⟨ZZ⟩" in str(c) and "-5.00 σ" in str(c)
    # exact values (standard error 0) agree only when equal
    exact = dict(a, id="e" * 32, result={**a["result"], "standard_errors": [0.0, 0.0], "ev_method": "exact"})
    assert compare(exact, exact | {"id": "f" * 32}).expectation_values[0]["within_shot_noise"]


def test_expectation_values_of_sweeps_and_unmatched_observables():
    a = sweep_record("aer", "simulator", [0.0, 1.0], [{"0": 1000}, {"0": 500, "1": 500}], observables=[ZZ, XX])
    a["result"].update(expectation_values=[[1.0, 0.0], [0.0, 0.1]], standard_errors=[[0.0, 0.03], [0.03, 0.03]])
    b = sweep_record("fake_torino", "emulator", [1.0], [{"0": 520, "1": 480}], observables=[ZZ])
    b["result"].update(expectation_values=[[0.04]], standard_errors=[[0.03]])
    c = compare(a, b)
    (row,) = c.expectation_values
    assert row["point"] == [1.0] and row["delta"] == pytest.approx(0.04) and row["within_shot_noise"]
    assert any("measured only by job" in n and "XX" in n for n in c.notes)


def test_mixed_mitigation_warns_and_shows_both():
    # Given a raw run and a readout-mitigated one of the same circuit
    raw = make_record(counts={"00": 450, "11": 450, "01": 50, "10": 50}, mitigation={})
    mitigation = {"method": "readout", "library": "mthree", "version": "3.0.0", "qubits": [0, 1],
                  "calibration": {"source": "backend", "shots": 4000, "created": 1.0, "data": "sha256:x"}}
    counts = {"00": 440, "11": 440, "01": 60, "10": 60}
    mitigated = make_record("fake_torino", "emulator", None, mitigation=mitigation,
                            result={"counts": counts, "shots": 1000, "mitigated": {
                                "quasi_probabilities": {"00": 0.52, "11": 0.50, "01": -0.01, "10": -0.01}}})
    # When compared
    c = compare(raw, mitigated)
    # Then it warns, names both settings, and shows raw metrics (with intervals) and mitigated ones
    (warning,) = c.warnings
    assert "mix mitigation settings" in warning and "readout (mthree 3.0.0; qubits 0, 1; calibration 4000 shots)" \
        in warning and "none" in warning
    assert c.mitigation["mixed"] and c.mitigation["a"] == "none"
    assert c.hellinger_fidelity_interval is not None  # raw vs raw
    assert c.mitigation["basis"] == "a raw, b mitigated"
    projected = {"00": 0.51, "11": 0.49}  # the nearest probabilities of b's quasi-probabilities
    assert c.mitigation["hellinger_fidelity"] == pytest.approx(hellinger_fidelity(raw["result"]["counts"], projected))
    page = c._repr_html_()
    assert "warning:" in page and "mitigated fidelity / TVD" in page
    # alike settings: no warning
    assert compare(mitigated, dict(mitigated, id="9" * 32)).warnings == []


def test_nearest_probabilities_is_the_smolin_gambetta_smith_projection():
    quasi = {"a": 3 / 5, "b": 1 / 2, "c": 7 / 20, "d": 1 / 10, "e": -11 / 20}  # the paper's example
    assert nearest_probabilities(quasi) == pytest.approx({"a": 9 / 20, "b": 7 / 20, "c": 1 / 5})
    assert nearest_probabilities({"0": 0.25, "1": 0.75}) == pytest.approx({"0": 0.25, "1": 0.75})


def test_counterparts_put_the_devices_emulator_first():
    log = open_runlog()
    hw = make_record("ibm:ibm_torino", "hardware", {"00": 45, "11": 45, "01": 10}, created=5.0)
    emu = make_record("fake_torino", "emulator", {"00": 47, "11": 47, "01": 6}, created=3.0)
    other_emu = make_record("fake_brisbane", "emulator", {"00": 48, "11": 48, "01": 4}, created=4.0)
    aer = make_record("aer", "simulator", {"00": 50, "11": 50}, created=2.0)
    repeat = make_record("ibm:ibm_torino", "hardware", {"00": 44, "11": 46, "01": 10}, created=6.0)
    unrelated = make_record("aer", "simulator", {"0": 1}, circuit_hash="sha256:" + "e" * 64)
    log.insert_many([hw, emu, other_emu, aer, repeat, unrelated])
    found = counterparts(log, hw["id"][:6])
    assert [(c["backend"], c["relation"]) for c in found["candidates"]] == [
        ("fake_torino", "device"), ("aer", "simulator"), ("fake_brisbane", "other"),
        ("ibm:ibm_torino", "same backend")]
    assert found["total"] == 4 and all(c["comparable"] for c in found["candidates"])
    assert "counts" not in found["candidates"][0]
    assert counterparts(log, emu["id"])["candidates"][0]["backend"] == "ibm:ibm_torino"
    assert device_stem("ibm:fake_torino") == device_stem("ibm_torino") == "torino"
    assert device_stem("aer") is None


def test_groups_pair_each_other_backend_once():
    log = open_runlog()
    aer1 = make_record("aer", "simulator", {"00": 50, "11": 50}, created=1.0)
    aer2 = make_record("aer", "simulator", {"00": 52, "11": 48}, created=2.0)
    emu1 = make_record("fake_torino", "emulator", {"00": 45, "11": 45, "01": 10}, created=3.0)
    emu2 = make_record("fake_torino", "emulator", {"00": 44, "11": 46, "01": 10}, created=4.0)
    log.insert_many([aer1, aer2, emu1, emu2])
    (group,) = comparison_groups(log)
    (pair,) = group["pairs"]  # newest aer vs newest fake_torino; no aer-vs-aer pair by itself
    assert (pair["a"], pair["b"]) == (aer2["id"], emu2["id"])
    assert pair["within_shot_noise"] in (True, False) and len(pair["hellinger_fidelity_interval"]) == 2
    assert "counts" not in json.dumps(pair)

"""Transpiling for a backend target, once per content and options."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit

from qhybrid_lab.backends import get_backend
from qhybrid_lab.circuits import clear_transpile_cache, transpile_cache_info, transpile_for
from qhybrid_lab.errors import InvalidJobSpec


def ghz(n, name="ghz"):
    qc = QuantumCircuit(n, name=name)
    qc.h(0)
    for i in range(n - 1):
        qc.cx(i, i + 1)
    qc.measure_all()
    return qc


@pytest.fixture(autouse=True)
def fresh_cache():
    clear_transpile_cache()
    yield
    clear_transpile_cache()


def test_resubmitting_an_equal_circuit_does_not_transpile_again():
    first = transpile_for(ghz(3), "fake_sherbrooke")
    again = transpile_for(ghz(3, name="same content"), "fake_sherbrooke")
    assert transpile_cache_info() == {"hits": 1, "misses": 1, "size": 1}
    assert not first.cached and again.cached
    assert again.circuit.name == "same content"
    assert again.physical_qubits == first.physical_qubits and len(first.physical_qubits) == 3
    assert again.metrics == first.metrics


@pytest.mark.parametrize("change", [{"seed": 99}, {"optimization_level": 1}, {"backend": "fake_manila"}])
def test_different_options_are_different_entries(change):
    transpile_for(ghz(3), "fake_sherbrooke")
    options = {"seed": None, "optimization_level": 2} | {k: v for k, v in change.items() if k != "backend"}
    outcome = transpile_for(ghz(3), change.get("backend", "fake_sherbrooke"), **options)
    assert not outcome.cached
    assert transpile_cache_info()["misses"] == 2


def test_transpiled_for_the_device_target():
    backend = get_backend("fake_sherbrooke")
    outcome = transpile_for(ghz(4), backend)
    assert outcome.circuit.num_qubits == 127
    assert set(outcome.circuit.count_ops()) <= set(backend.target().operation_names) | {"barrier"}
    assert outcome.metrics["two_qubit"] >= 3  # ecr gates, plus any routing
    assert outcome.settings == {
        "optimization_level": 2, "layout_method": None, "routing_method": None, "seed": 1234,
        "qiskit_version": outcome.settings["qiskit_version"],
    }
    record = outcome.as_record()
    assert record["cached"] is False and record["physical_qubits"] == outcome.physical_qubits
    assert {"depth", "size", "two_qubit", "ops", "seconds"} <= set(record)


def test_default_seed_gives_reproducible_layouts():
    first = transpile_for(ghz(6), "fake_torino").physical_qubits
    clear_transpile_cache()
    assert transpile_for(ghz(6), "fake_torino").physical_qubits == first


@pytest.mark.parametrize(("options", "fragment"), [({"optimization_level": 4}, "optimization_level"),
                                                   ({"optimization_level": True}, "optimization_level"),
                                                   ({"seed": 1.5}, "seed")])
def test_bad_options_are_refused(options, fragment):
    with pytest.raises(InvalidJobSpec, match=fragment):
        transpile_for(ghz(2), "aer", **options)

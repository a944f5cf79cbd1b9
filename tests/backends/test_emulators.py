"""Device emulators: the catalogue, trimming to the used qubits, and agreement with the full device model."""

from __future__ import annotations

import subprocess
import sys

import pytest
from backend_helpers import ghz

from qhybrid_lab.backends import get_backend, list_backends
from qhybrid_lab.backends.devices import fake_device_catalog
from qhybrid_lab.backends.trimming import active_qubits, noise_model_for_target, remap_to_qubits, restrict_target
from qhybrid_lab.circuits import transpile_for


def test_catalogue_matches_the_fake_provider_classes():
    import inspect

    from qiskit_ibm_runtime.fake_provider import backends as fake_backends
    from qiskit_ibm_runtime.fake_provider.fake_backend import FakeBackendV2

    shipped = {
        cls.backend_name
        for _, cls in inspect.getmembers(fake_backends, inspect.isclass)
        if issubclass(cls, FakeBackendV2) and cls is not FakeBackendV2
    }
    assert set(fake_device_catalog()) == shipped
    assert {"fake_torino", "fake_sherbrooke", "fake_kyiv", "fake_manila"} <= shipped


def test_list_backends_is_cheap_and_complete():
    code = (
        "import sys, qhybrid_lab.backends as b; rows = b.list_backends();"
        "assert not {'qiskit', 'qiskit_aer', 'qiskit_ibm_runtime'} & set(sys.modules), sorted(sys.modules);"
        "print(len(rows))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    rows = {row["name"]: row for row in list_backends()}
    assert int(done.stdout) == len(rows)
    assert rows["fake_sherbrooke"] | {"description": ""} == {
        "name": "fake_sherbrooke", "kind": "emulator", "provider": "ibm-fake", "num_qubits": 127, "description": "",
    }
    assert rows["aer"]["kind"] == "simulator" and rows["aer:mps"]["provider"] == "aer"
    assert len([r for r in rows.values() if r["provider"] == "ibm-fake"]) == len(fake_device_catalog())
    assert len([r for r in rows.values() if r["name"].startswith("ibm:fake_")]) == len(fake_device_catalog())


def test_trimmed_matches_the_untrimmed_device_model():
    """Same transpiled circuit: trimmed emulator vs AerSimulator.from_backend with the full noise model."""
    from qiskit.quantum_info import hellinger_fidelity
    from qiskit_aer import AerSimulator

    backend = get_backend("fake_manila")
    transpiled = transpile_for(ghz(3), backend).circuit
    (trimmed,) = backend.execute([transpiled], shots=20000, seed=3)
    assert trimmed.metadata["qubits_simulated"] == 3 and trimmed.metadata["device_qubits"] == 5
    full = AerSimulator.from_backend(backend.fake_backend).run(transpiled, shots=20000, seed_simulator=4)
    fidelity = hellinger_fidelity(trimmed.counts, full.result().get_counts())
    assert fidelity >= 0.99


def test_wide_device_simulates_only_the_used_qubits():
    backend = get_backend("fake_sherbrooke")
    outcome = transpile_for(ghz(5), backend)
    assert outcome.circuit.num_qubits == 127
    (result,) = backend.execute([outcome.circuit], shots=2000, seed=1)
    assert result.metadata["qubits_simulated"] == 5
    assert result.metadata["physical_qubits"] == outcome.physical_qubits
    assert result.metadata["noise"] == "device noise trimmed to 5 of 127 qubits"
    assert set(result.counts) <= {format(i, "05b") for i in range(32)}
    assert (result.counts.get("00000", 0) + result.counts.get("11111", 0)) / 2000 > 0.8


def test_noise_model_is_cached_per_qubit_set():
    backend = get_backend("fake_sherbrooke")
    model = backend.noise_model((0, 1, 14))
    assert backend.noise_model((0, 1, 14)) is model
    assert model.noise_qubits == [0, 1, 2]


def test_restricted_target_keeps_only_the_chosen_qubits():
    target = get_backend("fake_sherbrooke").target()
    small = restrict_target(target, [0, 1, 14])
    assert small.num_qubits == 3
    assert small["ecr"].keys() <= {(0, 1), (1, 0), (0, 2), (2, 0), (1, 2), (2, 1)}
    assert small["measure"][(2,)].error == target["measure"][(14,)].error
    assert small.qubit_properties[2].t1 == target.qubit_properties[14].t1
    assert not noise_model_for_target(small).is_ideal()


def test_remap_keeps_classical_bits_and_refuses_outside_qubits():
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(6, 2)
    circuit.x(4)
    circuit.barrier()
    circuit.cx(4, 2)
    circuit.measure(2, 0)
    circuit.measure(4, 1)
    assert active_qubits(circuit) == [2, 4]
    small = remap_to_qubits(circuit, [2, 4])
    assert small.num_qubits == 2 and small.clbits == circuit.clbits
    assert [(i.operation.name, [small.find_bit(q).index for q in i.qubits]) for i in small.data] == [
        ("x", [1]), ("barrier", [0, 1]), ("cx", [1, 0]), ("measure", [0]), ("measure", [1]),
    ]
    with pytest.raises(ValueError, match="outside the simulated set"):
        remap_to_qubits(circuit, [4])

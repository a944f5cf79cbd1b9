"""Simulate only the qubits a transpiled circuit uses: find them, remap the circuit, trim the device.

A circuit transpiled for a 127-qubit device touches a handful of physical qubits. Simulating it with
the whole device's noise model costs ~1 s of noise bookkeeping for a 5-qubit GHZ; remapping the circuit
onto qubits ``0..k-1`` and building the noise model of a ``Target`` restricted to those ``k`` qubits gives
the same distribution in a few milliseconds. The classical bits are left untouched, so counts keys are
those of the circuit as given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.transpiler import Target

IGNORED_FOR_ACTIVITY = frozenset({"barrier", "delay"})
"""Instructions that do not make a qubit worth simulating on their own."""


def active_qubits(circuit: QuantumCircuit) -> list[int]:
    """Indices of the qubits an instruction other than a barrier or delay acts on, sorted."""
    used: set[int] = set()
    for instruction in circuit.data:
        if instruction.operation.name in IGNORED_FOR_ACTIVITY:
            continue
        for qubit in instruction.qubits:
            used.add(circuit.find_bit(qubit).index)
    return sorted(used)


def remap_to_qubits(circuit: QuantumCircuit, qubits: list[int]) -> QuantumCircuit:
    """A copy of ``circuit`` on ``len(qubits)`` qubits: ``qubits[i]`` becomes qubit ``i``.

    Barriers and delays on other qubits are dropped (a barrier keeps its qubits inside the set);
    any other instruction on a qubit outside the set is an error. Classical bits and registers are the
    same objects as in ``circuit``, so measurement results keep their meaning and their keys.

    Raises:
        ValueError: An instruction acts on a qubit outside ``qubits``.
    """
    from qiskit import QuantumCircuit, QuantumRegister
    from qiskit.circuit import Barrier

    position = {q: i for i, q in enumerate(qubits)}
    register = QuantumRegister(len(qubits), "q")
    small = QuantumCircuit(register, *circuit.cregs, name=circuit.name, global_phase=circuit.global_phase)
    loose = [bit for bit in circuit.clbits if not circuit.find_bit(bit).registers]
    if loose:
        small.add_bits(loose)
    small.metadata = dict(circuit.metadata or {})
    for instruction in circuit.data:
        indices = [circuit.find_bit(q).index for q in instruction.qubits]
        name = instruction.operation.name
        if name in IGNORED_FOR_ACTIVITY and any(i not in position for i in indices):
            kept = [i for i in indices if i in position]
            if not kept or name == "delay":
                continue
            small.append(Barrier(len(kept)), [register[position[i]] for i in kept])
            continue
        missing = [i for i in indices if i not in position]
        if missing:
            raise ValueError(f"instruction {name!r} acts on qubits {missing} outside the simulated set {qubits}")
        small._append(instruction.replace(qubits=tuple(register[position[i]] for i in indices)))
    return small


def restrict_target(target: Target, qubits: list[int]) -> Target:
    """A ``Target`` on ``len(qubits)`` qubits with the instructions and properties of ``qubits`` only.

    ``qubits[i]`` becomes qubit ``i``; instructions on qubit tuples that leave the set are dropped.
    """
    from qiskit.transpiler import Target

    position = {q: i for i, q in enumerate(qubits)}
    qubit_properties = target.qubit_properties
    small = Target(
        description=f"{target.description or 'device'} restricted to qubits {qubits}",
        num_qubits=len(qubits),
        dt=target.dt,
        granularity=target.granularity,
        min_length=target.min_length,
        pulse_alignment=target.pulse_alignment,
        acquire_alignment=target.acquire_alignment,
        qubit_properties=[qubit_properties[q] for q in qubits] if qubit_properties else None,
    )
    for name in target.operation_names:
        operation = target.operation_from_name(name)
        properties = target[name]
        if properties is None or None in properties:  # global (e.g. control flow): no per-qubit data
            small.add_instruction(operation, name=name)
            continue
        kept = {
            tuple(position[q] for q in qargs): props
            for qargs, props in properties.items()
            if all(q in position for q in qargs)
        }
        if kept:
            small.add_instruction(operation, kept, name=name)
    return small


def noise_model_for_target(target: Target):
    """Aer's device noise model (gate, readout and relaxation errors) of ``target``.

    Uses ``NoiseModel.from_backend`` itself, the same construction as ``AerSimulator.from_backend``, so a
    trimmed model holds exactly the errors the full one has on those qubits.
    """
    from qiskit.providers import BackendV2, Options
    from qiskit_aer.noise import NoiseModel

    class _TargetOnly(BackendV2):
        """The minimal backend ``NoiseModel.from_backend`` reads a target from."""

        def __init__(self, tgt: Target):
            super().__init__(name="qhybrid-trimmed-device")
            self._tgt = tgt

        @property
        def target(self) -> Target:
            return self._tgt

        @property
        def max_circuits(self) -> None:
            return None

        @classmethod
        def _default_options(cls) -> Options:
            return Options()

        def run(self, run_input, **options):
            raise NotImplementedError("only used to describe a target to NoiseModel.from_backend")

    return NoiseModel.from_backend(_TargetOnly(target))

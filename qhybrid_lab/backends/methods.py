"""Which Aer method simulates a circuit best: by width, depth and entanglement, with the reason recorded.

Three methods matter for circuits with device noise (each shot is then one noisy trajectory):

* ``statevector``: ``2^k`` amplitudes per trajectory; the cost per gate and shot doubles with every qubit.
* ``density_matrix``: one run of ``4^k`` entries for all shots; cheap for few qubits, impossible beyond ~14.
* ``matrix_product_state``: cost per gate and shot grows with the bond dimension ``χ`` (``χ^3``), not with the
  width: fast for wide circuits with little entanglement, hopeless for entangled ones.

The entanglement is bounded from the circuit itself (:func:`entanglement_bound`): across each cut of the qubit
order, the entanglement is at most the number of two-qubit gates crossing it (one ebit per CX-like gate, two for
other two-qubit gates) and at most the smaller side's qubit count; the bond dimension is at most two to that power.
The cost model below turns width, gate count, shots and that bound into comparable estimates.

Measured on this project's 2-core machine (trimmed ``fake_sherbrooke`` noise, 256 shots): GHZ-12 statevector
0.70 s, MPS 0.46 s, density matrix 3.5 s; GHZ-8 density matrix 0.034 s, statevector 0.077 s, MPS 0.17 s; a
12-qubit ``efficient_su2`` with 40 CX (entanglement bound 6 ebits) statevector 1.5 s, density matrix 4.0 s,
MPS 7.5 s; GHZ-20: statevector 432 s, MPS 2.7 s (1024 shots). The constants reproduce those orders.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

SV_US_PER_GATE_SHOT = 3.0
"""Statevector trajectory: fixed cost of one gate (with its noise) in one shot, µs."""
SV_US_PER_AMPLITUDE = 0.003
"""Statevector trajectory: cost per gate, shot and amplitude (``2^k`` of them), µs."""
MPS_US_PER_GATE_SHOT = 12.0
"""MPS trajectory: fixed cost of one gate (with its noise) in one shot, µs."""
MPS_US_PER_CHI_CUBED = 0.001
"""MPS trajectory: cost per gate, shot and ``χ^3``, µs."""
DM_US_PER_ENTRY = 0.002
"""Density matrix: cost per gate and matrix entry (``4^k``), µs, for all shots at once."""
DM_MAX_QUBITS = 13
"""Density matrices beyond this (4^13 complex doubles: 1 GiB) are not considered for emulation."""
SMALL_QUBITS = 6
"""At most this many qubits: every method is fast; Aer's automatic choice is kept."""
MPS_MAX_QUBITS = 10_000
"""Width accepted for the matrix-product-state method (Aer's MPS has no width limit of its own; its
configuration says 63, a placeholder: a 100-qubit GHZ runs in under a second, 1000 qubits in about 10 s)."""
MEMORY_FRACTION = 0.5
"""Share of the machine's physical memory a statevector or density matrix may take."""
BYTES_PER_AMPLITUDE = 16
"""One complex double."""
CX_LIKE = frozenset(
    {
        "cx",
        "cy",
        "cz",
        "ch",
        "ecr",
        "cp",
        "crx",
        "cry",
        "crz",
        "cu",
        "cu1",
        "cu3",
        "csx",
        "cs",
        "csdg",
        "rzz",
        "rxx",
        "ryy",
        "rzx",
        "cr",
    }
)
"""Two-qubit gates of operator Schmidt rank 2: at most one ebit across a cut (others, e.g. swap: two)."""
IGNORED = frozenset({"barrier", "delay", "measure", "reset"})


def memory_budget() -> int:
    """Bytes a dense simulation may use: :data:`MEMORY_FRACTION` of the physical memory."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not POSIX: assume 8 GiB
        total = 8 * 2**30
    return int(total * MEMORY_FRACTION)


def statevector_max_qubits() -> int:
    """Widest statevector (``16 · 2^n`` bytes) within :func:`memory_budget`."""
    return int(math.log2(memory_budget() / BYTES_PER_AMPLITUDE))


def density_matrix_max_qubits() -> int:
    """Widest density matrix (``16 · 4^n`` bytes) within :func:`memory_budget`."""
    return int(math.log2(memory_budget() / BYTES_PER_AMPLITUDE) / 2)


def human_bytes(count: float) -> str:
    """``"16 GiB"``, ``"512 MiB"``: a byte count for messages."""
    for unit, size in (("PiB", 2**50), ("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if count >= size:
            return f"{count / size:.3g} {unit}"
    return f"{count:.0f} B"


@cache
def method_operations(method: str) -> frozenset[str]:
    """Names of the instructions Aer's ``method`` simulates (its target's operation names)."""
    from qiskit_aer import AerSimulator

    return frozenset(AerSimulator(method=method).target.operation_names)


def operation_names(circuit: QuantumCircuit) -> set[str]:
    """Names of every instruction of ``circuit``, control-flow blocks included."""
    names: set[str] = set()
    for instruction in circuit.data:
        names.add(instruction.name)
        for block in getattr(instruction.operation, "blocks", ()) if instruction.is_control_flow() else ():
            names |= operation_names(block)
    return names


@dataclass(frozen=True)
class MethodChoice:
    """The method chosen for one circuit, and why (the run record's ``simulation.method_reason``)."""

    method: str
    reason: str
    estimates: dict[str, float]
    """Estimated cost per method (µs on the calibration machine: compare them, do not read them as times)."""


def entanglement_bound(circuit: QuantumCircuit) -> int:
    """An upper bound on the entanglement (ebits) across any cut of ``circuit``'s qubit order.

    Per cut between qubits ``c`` and ``c + 1``: the two-qubit gates acting across it (one ebit each for CX-like
    gates, two for others, ``k`` for a ``k``-qubit gate), capped by the smaller side. The MPS bond dimension is at
    most ``2 ** bound``.
    """
    n = circuit.num_qubits
    if n < 2:
        return 0
    delta = [0] * n  # crossing counts per cut as a difference array: O(gates + qubits)
    index = {bit: i for i, bit in enumerate(circuit.qubits)}
    for instruction in circuit.data:
        qubits = instruction.qubits
        if len(qubits) < 2 or instruction.name in IGNORED:
            continue
        positions = [index[q] for q in qubits]
        weight = 1 if len(qubits) == 2 and instruction.name in CX_LIKE else len(qubits)
        delta[min(positions)] += weight
        delta[max(positions)] -= weight
    bound, crossing = 0, 0
    for cut in range(n - 1):
        crossing += delta[cut]
        bound = max(bound, min(crossing, cut + 1, n - cut - 1))
    return bound


def choose_method(circuit: QuantumCircuit, *, noisy: bool, shots: int) -> MethodChoice:
    """The Aer method for ``circuit`` (already on its simulated qubits only), with the reason.

    Args:
        circuit: The circuit as it will be simulated (remapped onto its active qubits).
        noisy: Whether a noise model is attached (each shot is then a trajectory).
        shots: Shots requested.
    """
    k = circuit.num_qubits
    gates = sum(1 for instruction in circuit.data if instruction.name != "barrier") or 1
    two_qubit = sum(
        1 for instruction in circuit.data if len(instruction.qubits) == 2 and instruction.name not in IGNORED
    )
    bound = entanglement_bound(circuit)
    chi = 2**bound
    described = (
        f"{k} qubits, {gates} instructions, {two_qubit} two-qubit gates, entanglement bound {bound} "
        f"ebit{'' if bound == 1 else 's'} (bond dimension <= {chi})"
    )
    if k <= SMALL_QUBITS:
        return MethodChoice("automatic", f"{described}: small enough for any method, Aer chooses", {})
    trajectories = shots if noisy else 1
    estimates = {"matrix_product_state": trajectories * gates * (MPS_US_PER_GATE_SHOT + MPS_US_PER_CHI_CUBED * chi**3)}
    if k <= statevector_max_qubits():
        estimates["statevector"] = trajectories * gates * (SV_US_PER_GATE_SHOT + SV_US_PER_AMPLITUDE * 2.0**k)
    if noisy and k <= min(DM_MAX_QUBITS, density_matrix_max_qubits()):
        estimates["density_matrix"] = gates * DM_US_PER_ENTRY * 4.0**k
    used = operation_names(circuit) - {"barrier"}  # a directive every method accepts
    unable = {m: sorted(used - method_operations(m)) for m in estimates}
    runnable = {m: cost for m, cost in estimates.items() if not unable[m]}
    notes = "".join(f"; {m} cannot simulate {', '.join(unable[m])}" for m in sorted(estimates) if unable[m])
    if not runnable:
        return MethodChoice("automatic", f"{described}{notes}: Aer chooses", {})
    method = min(runnable, key=runnable.__getitem__)
    others = ", ".join(f"{m} {runnable[m]:.3g}" for m in sorted(runnable) if m != method)
    reason = f"{described}: estimated cost {method} {runnable[method]:.3g}" + (f" < {others}" if others else "")
    return MethodChoice(method, reason + notes, {m: round(c, 1) for m, c in estimates.items()})


__all__ = [
    "MPS_MAX_QUBITS",
    "MethodChoice",
    "choose_method",
    "density_matrix_max_qubits",
    "entanglement_bound",
    "human_bytes",
    "memory_budget",
    "method_operations",
    "operation_names",
    "statevector_max_qubits",
]

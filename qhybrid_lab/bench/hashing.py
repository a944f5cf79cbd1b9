"""P8: the circuit hash on the submission path: the canonical form against the OpenQASM 3 text it replaced.

The circuit is the naive loop's (P2b): the 6-qubit RY+CX ansatz bound to fresh angles. Before this figure the hash was
``sha256(qasm3.dumps(circuit))``; it is now :func:`~qhybrid_lab.circuits.circuit_hash` of the canonical form, which
must cost no more (bar ``<= 1``). The record still carries the OpenQASM 3 text where it can be written and a QPY blob:
their cost is in the note.
"""

from __future__ import annotations

from .harness import Figure, interleave
from .sweeps import ansatz

CIRCUITS = 200


def p8_hashing(repeats: int = 7) -> Figure:
    """Canonical hash vs OpenQASM 3 + sha256 on 200 freshly bound ansatz circuits, and the record's other parts."""
    import hashlib
    import statistics
    import time

    import numpy as np
    from qiskit import qasm3

    from ..circuits import circuit_hash, portable_qpy

    qc = ansatz()
    rng = np.random.default_rng(9)
    circuits = [qc.assign_parameters(rng.uniform(-3, 3, qc.num_parameters)) for _ in range(CIRCUITS)]

    def ours():
        for circuit in circuits:
            circuit_hash(circuit)

    def reference():
        for circuit in circuits:
            hashlib.sha256(qasm3.dumps(circuit).encode("utf-8")).hexdigest()

    a, b = interleave(ours, reference, repeats)
    started = time.perf_counter()
    for circuit in circuits:
        portable_qpy(circuit)
    qpy_ms = (time.perf_counter() - started) / CIRCUITS * 1e3
    per = statistics.median(a) / CIRCUITS * 1e3, statistics.median(b) / CIRCUITS * 1e3
    return Figure(
        "P8",
        f"hash of a freshly bound 6-qubit ansatz ({CIRCUITS} circuits): canonical form vs OpenQASM 3 text + sha256",
        a,
        b,
        "<= 1",
        note=f"per circuit: canonical {per[0]:.3f} ms, OpenQASM 3 {per[1]:.3f} ms (the record still "
        f"writes that text), QPY {qpy_ms:.3f} ms plus one blob write",
    )

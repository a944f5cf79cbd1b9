"""P1: one small job through qhybrid (run log included) against hand-written Qiskit paths."""

from __future__ import annotations

from .emulation import ghz
from .harness import Figure, interleave


def p1_single_job(repeats: int = 21) -> list[Figure]:
    """GHZ-5 on ``aer``, 1024 shots: ``run(...).result()`` vs the best and the naive plain-Qiskit path."""
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    from .. import run

    sim = AerSimulator()
    target = sim.target

    def ours():
        return run(ghz(5), "aer", shots=1024, optimization_level=2).result(timeout=60)

    def best():  # simulator and its target built once, transpiled per call with the same options
        return sim.run(transpile(ghz(5), target=target, optimization_level=2), shots=1024).result().get_counts()

    def naive():  # the tutorial way: a new simulator (and target) every call
        backend = AerSimulator()
        return backend.run(transpile(ghz(5), backend, optimization_level=2), shots=1024).result().get_counts()

    a, b = interleave(ours, best, repeats, warmup=2)
    c, d = interleave(ours, naive, max(7, repeats // 3), warmup=1)
    return [
        Figure("P1", "GHZ-5 on aer, run log included, vs best hand-written Qiskit", a, b, "<= 1.25"),
        Figure("P1n", "GHZ-5 on aer, run log included, vs naive Qiskit (new simulator per call)", c, d, "<= 0.5"),
    ]

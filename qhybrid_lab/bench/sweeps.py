"""P2/P2b: where hybrid loops live. A 100-point sweep as one qhybrid job, and a naive bind-and-run loop through qhybrid.

P2 compares ``run(ansatz, "aer", parameter_values=...)`` with the hand-batched Aer job (``parameter_binds``, the
simulator and its target built once) and with the naive loop (bind, transpile for a new ``AerSimulator()``, run per
point). P2b compares a naive optimizer loop written against qhybrid (bind, ``run(bound).result()`` per iteration,
which reuses one transpiled template by structure) with the same loop in plain Qiskit.
"""

from __future__ import annotations

from .harness import Figure, interleave

QUBITS = 6
LAYERS = 2
POINTS = 100
SHOTS = 1024


def ansatz(qubits: int = QUBITS, layers: int = LAYERS):
    """RY on every qubit then a CX ladder, ``layers`` times, measured: ``qubits * layers`` parameters."""
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector

    theta = ParameterVector("theta", qubits * layers)
    qc = QuantumCircuit(qubits, name=f"ry-cx-{qubits}")
    for layer in range(layers):
        for q in range(qubits):
            qc.ry(theta[layer * qubits + q], q)
        for q in range(qubits - 1):
            qc.cx(q, q + 1)
    qc.measure_all()
    return qc


def _points(rng, circuit, count: int = POINTS):
    return rng.uniform(-3.14159, 3.14159, (count, circuit.num_parameters))


def p2_sweep(repeats: int = 9, naive_repeats: int = 5) -> list[Figure]:
    """100-point sweep of the 6-qubit ansatz: qhybrid vs hand-batched Aer, and vs the naive per-point loop."""
    import numpy as np
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    from .. import run

    qc = ansatz()
    rng = np.random.default_rng(2)
    simulator = AerSimulator()
    target = simulator.target

    def ours():  # new points every call, as an optimizer's batch would be
        return run(qc, "aer", shots=SHOTS, parameter_values=_points(rng, qc)).result(timeout=300)

    def batched():  # the best hand-written Qiskit: target built once, transpiled once per sweep, one batched job
        values = _points(rng, qc)
        tqc = transpile(qc, target=target, optimization_level=2)
        binds = {p: list(values[:, i]) for i, p in enumerate(qc.parameters)}
        result = simulator.run(tqc, parameter_binds=[binds], shots=SHOTS).result()
        return [result.get_counts(i) for i in range(POINTS)]

    def naive():  # the tutorial loop: bind, transpile for a new simulator, run, per point
        out = []
        for row in _points(rng, qc):
            backend = AerSimulator()
            bound = qc.assign_parameters(row)
            out.append(backend.run(transpile(bound, backend), shots=SHOTS).result().get_counts())
        return out

    ours()  # the engine and its workers start, the template is transpiled: not what is timed
    a, b = interleave(ours, batched, repeats, warmup=1)
    c, d = interleave(ours, naive, naive_repeats, warmup=0)
    # P2n's qhybrid side is the same work as P2's: take every sample of it (P2's and P2n's), so a single noisy
    # sample during the naive loop cannot decide the ratio.
    both = a + c
    return [
        Figure(
            "P2",
            f"{POINTS}-point sweep, {QUBITS}-qubit RY+CX, {SHOTS} shots: run(parameter_values) vs "
            "hand-batched parameter_binds (target reused)",
            a,
            b,
            "<= 1.2",
            note=f"per point: qhybrid {_ms(a) / POINTS:.2f} ms, hand-batched {_ms(b) / POINTS:.2f} ms",
        ),
        Figure(
            "P2n",
            "same sweep vs the naive loop (bind, transpile(AerSimulator()), run per point)",
            both,
            d,
            ">= 50",
            note=f"naive loop {_ms(d) / POINTS:.1f} ms per point; qhybrid side: median of "
            f"{len(both)} sweeps (P2's and those interleaved with the naive loop)",
        ),
    ]


def p2b_naive_loop(iterations: int = POINTS, repeats: int = 5) -> Figure:
    """A naive loop through qhybrid (bind, run(bound).result() per iteration) vs the same loop in plain Qiskit."""
    import numpy as np
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    from .. import run
    from ..circuits import transpile_cache_info

    qc = ansatz()
    rng = np.random.default_rng(3)

    def ours():
        for row in _points(rng, qc, iterations):
            run(qc.assign_parameters(row), "aer", shots=SHOTS).result(timeout=60)

    def plain():
        for row in _points(rng, qc, iterations):
            backend = AerSimulator()
            bound = qc.assign_parameters(row)
            backend.run(transpile(bound, backend), shots=SHOTS).result().get_counts()

    for row in _points(rng, qc, 3):  # engine warm, template transpiled (first circuit exact, second the template)
        run(qc.assign_parameters(row), "aer", shots=SHOTS).result(timeout=60)
    before = transpile_cache_info()
    a, b = interleave(ours, plain, repeats, warmup=0)
    after = transpile_cache_info()
    return Figure(
        "P2b",
        f"naive loop of {iterations} iterations through qhybrid (bind, run(bound).result()) vs "
        "plain Qiskit (bind, transpile for a new AerSimulator(), run)",
        a,
        b,
        ">= 10",
        note=f"per iteration: qhybrid {_ms(a) / iterations:.2f} ms, plain {_ms(b) / iterations:.1f} ms; "
        f"transpilations during the timed loops: {after['misses'] - before['misses']}",
    )


def p2f_loop_floor(iterations: int = POINTS, repeats: int = 7) -> Figure:
    """The same naive qhybrid loop vs its floor: hand-written transpile once, then bind + run per iteration."""
    import numpy as np
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    from .. import run

    qc = ansatz()
    rng = np.random.default_rng(4)
    simulator = AerSimulator()
    template = transpile(qc, target=simulator.target, optimization_level=2)

    def ours():
        for row in _points(rng, qc, iterations):
            run(qc.assign_parameters(row), "aer", shots=SHOTS).result(timeout=60)

    def floor():
        for row in _points(rng, qc, iterations):
            simulator.run(template.assign_parameters(row), shots=SHOTS).result().get_counts()

    a, b = interleave(ours, floor, repeats, warmup=1)
    return Figure(
        "P2f",
        f"naive loop of {iterations} iterations through qhybrid vs its floor (transpile once by "
        "hand, bind + run per iteration)",
        a,
        b,
        "<= 1.4",
        note=f"per iteration: qhybrid {_ms(a) / iterations:.2f} ms, floor {_ms(b) / iterations:.2f} ms",
    )


def _ms(samples: list[float]) -> float:
    import statistics

    return statistics.median(samples) * 1e3

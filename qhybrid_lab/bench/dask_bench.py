"""P7: a 200-point sweep and a 64-circuit batch in chunks on a Dask LocalCluster against the same work run locally.

The bar bounds the overhead of the scale-out path (at most 3x the local time) and asks no speed-up: the workers
share this machine's 2 cores with the local run's Aer threads, so real gains need more machines behind the scheduler.
A ratio below 1 here only means the local run left a core idle (the note gives the cores it kept busy).
"""

from __future__ import annotations

import os
import time

from .harness import Figure, interleave
from .sweeps import ansatz

SWEEP_BACKEND = "fake_sherbrooke"
"""A device emulator: a sweep point costs milliseconds of noisy simulation, like a real hybrid loop."""


def _sweep_work(points: int, backend):
    import numpy as np

    from ..circuits import transpile_for

    template = transpile_for(ansatz(), backend, optimization_level=2, seed=3).circuit
    rng = np.random.default_rng(7)
    binds = {p: list(rng.uniform(0, np.pi, points)) for p in template.parameters}
    return template, binds


def _batch_work(count: int, backend) -> list:
    import numpy as np

    from ..circuits import transpile_for

    rng = np.random.default_rng(11)
    circuit = ansatz()
    return [
        transpile_for(
            circuit.assign_parameters(rng.uniform(0, np.pi, circuit.num_parameters)),
            backend,
            optimization_level=1,
            seed=3,
        ).circuit
        for _ in range(count)
    ]


def dask_figure(points: int = 200, batch: int = 64, shots: int = 1024, repeats: int = 5) -> list[Figure]:
    """P7 (sweep on an emulator) and P7b (batch on ideal Aer): dask vs local, same work and seeds, identical counts."""
    from ..backends import get_backend
    from ..jobs import dask_executor
    from ..jobs.dask_executor import execute_on_dask

    client = dask_executor.dask_client()
    startup = dask_executor.startup_seconds or 0.0
    workers = len(client.scheduler_info(n_workers=-1)["workers"])
    figures = []
    for key, name, work in (("P7", SWEEP_BACKEND, "sweep"), ("P7b", "aer", "batch")):
        backend = get_backend(name)
        if work == "sweep":
            template, binds = _sweep_work(points, backend)
            circuits, parameter_binds, size = [template], [binds], f"{points}-point sweep (6 qubits, 12 parameters)"
        else:
            circuits, parameter_binds, size = _batch_work(batch, backend), None, f"{batch}-circuit batch (6 qubits)"

        def ours():
            return execute_on_dask(client, name, circuits, shots=shots, seed=5, parameter_binds=parameter_binds)

        def reference():  # the local path: what one engine worker runs (each circuit alone; a sweep as one run)
            return [
                r
                for i, c in enumerate(circuits)
                for r in backend.execute(
                    [c], shots=shots, seed=5, parameter_binds=[parameter_binds[i]] if parameter_binds else None
                )
            ]

        a, b = interleave(ours, reference, repeats)
        wall, cpu = time.perf_counter(), time.process_time()
        local = reference()
        cores = (time.process_time() - cpu) / (time.perf_counter() - wall)
        same = [r.counts for r in ours()] == [r.counts for r in local]
        figures.append(
            Figure(
                key,
                f"{size} on {name}: Dask LocalCluster ({workers} workers) vs local",
                a,
                b,
                "<= 3",
                note=(
                    f"the bar bounds the overhead, it asks no speed-up: the local run kept {cores:.1f} of "
                    f"{os.cpu_count()} cores busy and the {workers} workers share the same cores, so real gains need "
                    f"more machines; counts identical to local: {same}; cluster started in {startup:.2f} s"
                ),
            )
        )
    return figures

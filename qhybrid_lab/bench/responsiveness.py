"""P5: a trivial cell's round trip in a real kernel while 4 emulator jobs run, against an idle kernel."""

from __future__ import annotations

import time

from .harness import Figure

SUBMIT = """
import qhybrid_lab
from qiskit import QuantumCircuit
def _ghz(n):
    qc = QuantumCircuit(n); qc.h(0)
    for i in range(n - 1): qc.cx(i, i + 1)
    qc.measure_all(); return qc
_group = qhybrid_lab.run([_ghz(n) for n in (10, 11, 12, 13)], "{device}", shots=4000)
"""


def _round_trip(client, code: str, timeout: float = 120) -> float:
    t0 = time.perf_counter()
    reply = client.execute_interactive(code, timeout=timeout, output_hook=lambda msg: None)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"kernel error: {reply['content'].get('evalue')}")
    return time.perf_counter() - t0


def p5_responsiveness(device: str = "fake_sherbrooke", samples: int = 40) -> Figure:
    """Trivial-cell latency (p95) while 4 emulator jobs run; reference: the same cell in the idle kernel."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        _round_trip(client, "import qhybrid_lab; qhybrid_lab.run.__doc__ and None")
        # Warm the workers and the device's caches with one job, so that the figure is about running, not set-up.
        _round_trip(client, SUBMIT.format(device=device) + "\n_group.result(timeout=600)", timeout=600)
        idle = [_round_trip(client, "1 + 1") for _ in range(samples)]
        _round_trip(client, SUBMIT.format(device=device))
        busy: list[float] = []
        while len(busy) < samples:
            busy.append(_round_trip(client, "1 + 1"))
            time.sleep(0.02)
        still_running = _round_trip(client, "assert not _group.done(), 'jobs finished before the samples'") >= 0
        _round_trip(client, "_group.result(timeout=600)", timeout=600)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return Figure(
        "P5",
        f"trivial cell in a kernel while 4 {device} jobs run (vs idle kernel)",
        busy,
        idle,
        "p95 <= 100 ms",
        limit=0.1,
        note=f"{samples} samples, all taken while the jobs were still running: {still_running}",
    )

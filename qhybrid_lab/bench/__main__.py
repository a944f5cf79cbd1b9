"""``python -m qhybrid_lab.bench [--only P1,P3] [--records N]``: print every performance figure side by side.

Each figure times the qhybrid-lab path and its reference alternately in one process and prints the ratio of
the medians (or, for absolute bars, the percentile the bar names), so it means the same on a noisy machine.
This is a measurement, not a test: it exits 0 whether or not the bars are met, and says which are not.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from .harness import Figure, render


def _figures(only: set[str], records: int) -> list[Figure]:
    from .cold_start import p10_cold_start
    from .dask_bench import dask_figure
    from .emulation import p3_emulation
    from .hashing import p8_hashing
    from .pennylane_bench import pennylane_figure
    from .responsiveness import p5_responsiveness
    from .runlog_scale import p4_runlog
    from .single import p1_single_job
    from .sweeps import p2_sweep, p2b_naive_loop, p2f_loop_floor
    from .table_scale import p9_table

    steps: list[tuple[str, Callable[[], Any]]] = [
        ("P1", p1_single_job),
        ("P2", lambda: p2_sweep() + [p2b_naive_loop(), p2f_loop_floor()]),
        ("P3", p3_emulation),
        ("P4", lambda: p4_runlog(records)),
        ("P5", p5_responsiveness),
        ("P6", pennylane_figure),
        ("P7", dask_figure),
        ("P8", p8_hashing),
        ("P9", lambda: p9_table(records)),
        ("P10", p10_cold_start),
    ]
    out: list[Figure] = []
    for key, step in steps:
        if only and key not in only:
            continue
        t0 = time.perf_counter()
        result = step()
        figures = result if isinstance(result, list) else [result]
        print(f"[{key} measured in {time.perf_counter() - t0:.0f} s]", file=sys.stderr, flush=True)
        out.extend(figures)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the figures and print the table."""
    parser = argparse.ArgumentParser(prog="python -m qhybrid_lab.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="comma-separated figure keys, e.g. P1,P3 (default: all)")
    parser.add_argument("--records", type=int, default=100_000, help="run-log size for P4 and P9 (default 100000)")
    args = parser.parse_args(argv)
    # The figures' own jobs go to a throw-away run log, never the user's.
    os.environ["QHYBRID_HOME"] = tempfile.mkdtemp(prefix="qhybrid-bench-home-")
    only = {k.strip().upper() for k in args.only.split(",") if k.strip()}
    figures = _figures(only, args.records)
    print(render(figures))
    missed = [f.key for f in figures if not f.met]
    print(
        f"\nbars met: {len(figures) - len(missed)} of {len(figures)}"
        + (f"; not met: {', '.join(missed)}" if missed else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

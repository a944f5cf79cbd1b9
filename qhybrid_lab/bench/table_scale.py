"""P9: the Queue's jobs table (``GET table``) at 100k records, against the plain newest-first page of ``GET jobs``."""

from __future__ import annotations

import functools
import tempfile
import time
from pathlib import Path

from .harness import Figure, interleave
from .runlog_scale import sample_record

GROUP_SIZE = 10
"""Records per group (one ``%%qrun`` of ten circuits)."""


def _fill(log, n: int) -> float:
    """``n`` records in groups of :data:`GROUP_SIZE`, a third on an emulator, one in 1000 still running."""
    t0 = time.perf_counter()
    for start in range(0, n, 5000):
        batch = []
        for i in range(start, min(n, start + 5000)):
            record = sample_record(i, "running" if i % 1000 == 0 else "done")
            record["group"] = f"{i // GROUP_SIZE:032x}"
            record["tags"] = ["calib"] if i % 97 == 0 else []
            if record["backend"]["name"] != "aer":
                record["backend"]["kind"] = "emulator"
            batch.append(record)
        log.insert_many(batch)
    return time.perf_counter() - t0


def p9_table(n: int = 100_000, repeats: int = 40) -> list[Figure]:
    """``GET table`` (service level: arguments, run log, brief records) at ``n`` records, four kinds of view."""
    from ..runlog import open_runlog
    from ..server.service import RunLogService

    home = Path(tempfile.mkdtemp(prefix="qhybrid-bench-table-"))
    log = open_runlog(home)
    fill = _fill(log, n)

    class ThrowAwayLogService(RunLogService):
        """The REST API's service on the throw-away log, whatever ``QHYBRID_HOME`` says."""

        @staticmethod
        def log():
            return log

    service = ThrowAwayLogService()
    views = {
        "first page": {"limit": ["50"]},
        "filtered + search": {"kind": ["emulator"], "status": ["done"], "q": ["ghz3"], "limit": ["50"]},
        "deep page": {"limit": ["50"], "offset": [str(n - 100)]},
        "cleared finished": {"finished_after": [str(time.time() - 5e4)], "limit": ["50"]},
    }
    reference = {"limit": ["50"], "brief": ["1"]}
    figures = []
    for key, (title, args) in zip(("P9a", "P9f", "P9d", "P9c"), views.items()):
        ours, plain = interleave(functools.partial(service.table, args), lambda: service.jobs(reference), repeats)
        answer = service.table(args)
        note = (
            f"{title}: {len(answer['page'])} rows, {len(answer['active'])} pinned of {answer['counts']['active']} "
            f"active, {len(answer['groups'])} group rows, total {answer['total']}; p95 "
            f"{1e3 * sorted(ours)[int(0.95 * len(ours))]:.1f} ms"
        )
        if key == "P9a":
            note += f"; {n} records in groups of {GROUP_SIZE} filled in {fill:.0f} s"
        figures.append(
            Figure(
                key,
                f"GET table, {title}, at {n // 1000}k (vs GET jobs newest 50)",
                ours,
                plain,
                "p50 <= 50 ms",
                note=note,
                limit=0.050,
                limit_stat="p50",
            )
        )
    return figures

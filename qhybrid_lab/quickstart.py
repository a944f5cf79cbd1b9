"""``python -m qhybrid_lab.quickstart``: run the quickstart notebook headless and print what it did.

The notebook runs in a copy (the source stays clean) on a real kernel with nbclient, by default against a fresh,
temporary run log so your own jobs and budgets are left alone. Exit code 0 when every cell ran and every job that
was not refused by the budget finished; 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["NOTEBOOK", "StrandedRequestWatch", "execute_notebook", "main", "summarize"]

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01-quickstart.ipynb"
"""The quickstart notebook in a source checkout."""


def execute_notebook(source: Path, workdir: Path, *, home: Path, timeout: int = 300) -> Any:
    """Execute a copy of ``source`` inside ``workdir`` with ``QHYBRID_HOME=home``; returns the executed notebook.

    The executed copy is written to ``workdir`` even when a cell fails (then nbclient's CellExecutionError is
    raised after writing). Widget states are stored in the notebook metadata.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    copy = workdir / source.name
    shutil.copyfile(source, copy)
    nb = nbformat.read(copy, as_version=4)
    package_root = str(Path(__file__).resolve().parents[1])
    pythonpath = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p)
    env = dict(os.environ, QHYBRID_HOME=str(home), JPY_SESSION_NAME=str(source), PYTHONPATH=pythonpath)
    watch = StrandedRequestWatch()
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        store_widget_state=True,
        resources={"metadata": {"path": str(workdir)}},
        on_cell_execute=watch.on_cell_execute,
        on_cell_executed=watch.on_cell_executed,
    )
    watch.client = client
    try:
        client.execute(env=env)
    except CellExecutionError:
        nbformat.write(nb, copy)
        raise
    finally:
        watch.stop()
        if watch.nudges:  # visible in a test run's warnings summary: where a kernel left a request unread
            import warnings

            warnings.warn(
                f"{source.name}: the kernel left cell(s) {sorted(set(watch.nudges))} unstarted for "
                f"{watch.AFTER:.0f} s after their request; a kernel_info_request on its shell channel was sent "
                f"{len(watch.nudges)} time(s)",
                RuntimeWarning,
                stacklevel=2,
            )
    nbformat.write(nb, copy)
    return nb


class StrandedRequestWatch:
    """nbclient hooks that notice a cell the kernel never started, and wake the kernel's shell channel.

    A request can sit unread in a kernel's shell socket while the kernel idles (ipykernel 7's shell channel has had
    such a wedge: ipython/ipykernel#1529, #1554): nbclient then waits for the cell's whole timeout. When no ``busy``
    for the cell's request has come on IOPub :attr:`AFTER` seconds after it was sent, this sends a
    ``kernel_info_request`` (a new message on the same socket wakes its reader; nbclient ignores the reply) and
    says so on stderr; again every :attr:`AFTER` seconds. A cell the kernel is running is left alone, and a cell
    that runs long is reported once (:attr:`LONG`), so that a stall in a test run says where it was.
    """

    AFTER = 60.0
    """Seconds without the kernel's ``busy`` for a cell before a nudge."""
    LONG = 300.0
    """Seconds of a running cell before it is reported (nothing is done to it)."""

    def __init__(self) -> None:
        self.client: Any = None
        self.nudges: list[int] = []
        self._task: Any = None

    async def on_cell_execute(self, cell: Any, cell_index: int, **_: Any) -> None:
        import asyncio

        self.stop()
        self._task = asyncio.ensure_future(self._watch(cell, cell_index))

    async def on_cell_executed(self, cell: Any, cell_index: int, **_: Any) -> None:
        self.stop()

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _watch(self, cell: Any, cell_index: int) -> None:
        import asyncio
        import time

        started = time.monotonic()
        while True:
            await asyncio.sleep(self.AFTER)
            waited = time.monotonic() - started
            if "iopub.status.busy" in (cell.get("metadata", {}).get("execution") or {}):
                if waited >= self.LONG:
                    print(
                        f"qhybrid-lab notebook runner: cell {cell_index} still running after {waited:.0f} s",
                        file=sys.stderr,
                        flush=True,
                    )
                    return
                continue
            self.nudges.append(cell_index)
            print(
                f"qhybrid-lab notebook runner: the kernel has not started cell {cell_index} {waited:.0f} s "
                "after its request; sending kernel_info to wake its shell channel",
                file=sys.stderr,
                flush=True,
            )
            if self.client is not None and self.client.kc is not None:
                self.client.kc.kernel_info()


def summarize(nb: Any, log: Any) -> dict:
    """What the run did: code cells run, every job with its status, and the comparisons of the run log."""
    from .comparison import comparison_groups

    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    jobs = sorted(log.query(limit=None), key=lambda r: r["created"])
    return {
        "cells": len(code),
        "cells_run": sum(1 for cell in code if cell.get("execution_count") is not None),
        "jobs": [
            {
                "id": r["id"][:8],
                "circuit": r["circuit"]["name"],
                "backend": r["backend"]["name"],
                "kind": r["backend"].get("kind"),
                "status": r["status"],
                "shots": r["shots"],
            }
            for r in jobs
        ],
        "comparisons": [
            {"circuit": g["circuit_name"], **pair}
            for g in comparison_groups(log)
            for pair in g["pairs"]
            if pair.get("comparable", True)
        ],
        "widget_state": bool(nb.metadata.get("widgets")),
    }


def _report(summary: dict, out: Any) -> bool:
    print(f"cells run: {summary['cells_run']} of {summary['cells']} code cells", file=out)
    print(f"jobs: {len(summary['jobs'])}", file=out)
    for job in summary["jobs"]:
        print(
            f"  {job['id']}  {job['circuit']:<6} {job['backend']:<12} ({job['kind']}) {job['shots']:>7} shots"
            f"  {job['status']}",
            file=out,
        )
    for pair in summary["comparisons"]:
        print(
            f"comparison {pair['circuit']}: {pair['a'][:8]} vs {pair['b'][:8]}: Hellinger fidelity "
            f"{pair['hellinger_fidelity']:.3f}, TVD {pair['total_variation_distance']:.3f}",
            file=out,
        )
    bad = [j for j in summary["jobs"] if j["status"] not in ("done", "blocked")]
    ok = summary["cells_run"] == summary["cells"] and not bad and bool(summary["comparisons"])
    print("OK" if ok else f"FAILED: {len(bad)} job(s) did not finish", file=out)
    return ok


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m qhybrid_lab.quickstart", description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", type=Path, default=NOTEBOOK, help="the notebook to run (default: %(default)s)")
    parser.add_argument("--output", type=Path, help="also keep the executed copy at this path")
    parser.add_argument("--home", type=Path, help="run against this qhybrid home (default: a temporary one)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell (default: %(default)s)")
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        parser.error(f"no notebook at {args.notebook}; pass --notebook PATH (it ships in the source tree)")

    from nbclient.exceptions import CellExecutionError

    from .runlog import open_runlog

    with tempfile.TemporaryDirectory(prefix="qhybrid-quickstart-") as tmp:
        workdir = Path(tmp)
        home = args.home or workdir / "home"
        home.mkdir(parents=True, exist_ok=True)
        try:
            nb = execute_notebook(args.notebook.resolve(), workdir, home=home, timeout=args.timeout)
        except CellExecutionError as error:
            print(f"a cell failed:\n{error}", file=sys.stderr)
            if args.output:
                shutil.copyfile(workdir / args.notebook.name, args.output)
            return 1
        if args.output:
            shutil.copyfile(workdir / args.notebook.name, args.output)
        ok = _report(summarize(nb, open_runlog(home)), sys.stdout)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

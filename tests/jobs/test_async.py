"""Awaiting jobs and groups in asyncio code: results without blocking the event loop."""

from __future__ import annotations

import asyncio
import time

import pytest
from jobs_helpers import LONG, ghz, long_circuit

from qhybrid_lab import run
from qhybrid_lab.errors import JobCancelled, JobFailed
from qhybrid_lab.jobs import Job, JobManager


async def ticking(awaitable, period: float = 0.01):
    """Await ``awaitable`` while a ticker runs on the same loop; returns (result, ticks, seconds)."""
    ticks = 0
    stop = asyncio.Event()

    async def ticker():
        nonlocal ticks
        while not stop.is_set():
            await asyncio.sleep(period)
            ticks += 1

    task = asyncio.create_task(ticker())
    started = time.monotonic()
    try:
        result = await awaitable
    finally:
        stop.set()
        await task
    return result, ticks, time.monotonic() - started


def test_await_group_and_job_give_their_results_while_the_loop_keeps_running(bell):
    async def idle():
        return await ticking(asyncio.sleep(0.3))

    async def main():
        group = run({"bell": bell, "long": ghz(5)}, "busy:1.0", shots=1000, seed=4)  # each job runs >= 1 s
        result, ticks, seconds = await ticking(group)
        return group, result, ticks, seconds, await group[0]

    _, idle_ticks, idle_seconds = asyncio.run(idle())
    group, result, ticks, seconds, first = asyncio.run(main())
    assert seconds >= 1.0
    # a loop blocked while waiting would tick a handful of times; this one ticks at its idle rate, give or take
    assert ticks / seconds >= 0.25 * idle_ticks / idle_seconds
    assert result == group.result(0) and first == result["bell"]["busy:1.0"]
    assert sum(result["long"]["busy:1.0"].values()) == 1000


def test_await_raises_what_result_raises(token, bell):
    async def failing():
        return await run(bell, f"broken:{token}")[0]

    with pytest.raises(JobFailed, match="retired"):
        asyncio.run(failing())

    async def cancelled():
        job = run(long_circuit(), LONG["backend"], shots=LONG["shots"])[0]
        waiter = asyncio.ensure_future(job._result_async())
        await asyncio.sleep(0.2)
        await asyncio.get_running_loop().run_in_executor(None, job.cancel)
        return await waiter

    with pytest.raises(JobCancelled):
        asyncio.run(cancelled())


def test_await_another_kernels_job_reads_the_run_log(bell):
    done = run(bell, "aer", shots=100, seed=1)[0]
    counts = done.result(timeout=60)
    view = Job(JobManager.instance(), done.record, local=False)  # what another kernel's handle looks like

    async def main():
        return await view

    assert asyncio.run(main()) == counts

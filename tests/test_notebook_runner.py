"""The notebook runner's watch over cells a kernel never started: a real kernel gets the nudge, a running cell not."""

from __future__ import annotations

import asyncio

import pytest

from qhybrid_lab.quickstart import StrandedRequestWatch

pytestmark = pytest.mark.timeout(120)


class _Client:
    """What the watch uses of nbclient's NotebookClient: its kernel client."""

    def __init__(self, kc):
        self.kc = kc


def test_a_cell_the_kernel_never_started_is_nudged_on_its_shell_channel_and_a_started_one_is_not(capsys):
    from jupyter_client.manager import start_new_async_kernel

    async def scenario():
        km, kc = await start_new_async_kernel(kernel_name="python3")
        try:
            watch = StrandedRequestWatch()
            watch.AFTER, watch.LONG = 0.2, 0.5
            watch.client = _Client(kc)
            # Given a cell whose request the kernel has not started (no busy recorded by nbclient)
            stranded = {"metadata": {"execution": {"shell.execute_reply": None}}}
            await watch.on_cell_execute(stranded, 3)
            # Then the watch sends the kernel a kernel_info_request on its shell channel, and the kernel answers
            reply = await kc.get_shell_msg(timeout=60)
            assert reply["header"]["msg_type"] == "kernel_info_reply" and watch.nudges[:1] == [3]
            await watch.on_cell_executed(stranded, 3)
            nudged = len(watch.nudges)
            # And a cell the kernel is running (busy seen) is left alone, and reported once when it runs long
            running = {"metadata": {"execution": {"iopub.status.busy": "2026-12-04T05:00:00Z"}}}
            await watch.on_cell_execute(running, 4)
            await asyncio.sleep(1.0)
            assert len(watch.nudges) == nudged
            watch.stop()
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    asyncio.run(scenario())
    err = capsys.readouterr().err
    assert "the kernel has not started cell 3" in err and "cell 4 still running" in err

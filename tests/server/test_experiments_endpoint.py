"""The experiments routes through a real server: a real ``minimize`` loop on Aer, read back as the panel reads it."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from urllib.parse import quote

import pytest


def one_qubit():
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter

    theta = Parameter("theta")
    qc = QuantumCircuit(1, name="rot")
    qc.ry(theta, 0)
    qc.measure_all()
    return qc


def expected_z(counts: dict) -> float:
    shots = sum(counts.values())
    return (counts.get("0", 0) - counts.get("1", 0)) / shots


@pytest.fixture
def loop_result(qhome):
    """A finished COBYLA loop of 6 evaluations on aer (experiment "vqe/1 qubit", a name with a slash)."""
    from qhybrid_lab import minimize
    from qhybrid_lab.jobs import JobManager

    try:
        return minimize(one_qubit(), [0.3], cost=expected_z, backend="aer", method="COBYLA", shots=500, seed=5,
                        max_iterations=6, experiment="vqe/1 qubit", view=False)
    finally:
        JobManager.shutdown()


async def raw_get(client, base_url: str, auth: dict, path: str) -> tuple[int, dict]:
    """GET an already percent-encoded path under the API (jp_fetch would encode a ``%2F`` again)."""
    import json

    response = await client.fetch(f"{base_url.rstrip('/')}/qhybrid-lab/api/{path}", headers=auth, raise_error=False)
    return response.code, json.loads(response.body)


async def test_the_list_and_one_experiment_with_its_trace_latency_and_jobs(api, loop_result, runlog,
                                                                          http_server_client, jp_base_url,
                                                                          jp_auth_header):
    # Given a loop that ran 6 evaluations
    name = loop_result.experiment
    code, listing = await api("GET", "experiments")
    assert code == 200 and listing["total"] == 1
    listed = listing["experiments"][0]
    assert listed["name"] == name and listed["iterations"] == 6 and listed["status"] in ("finished", "stopped")
    assert listed["owner_alive"] is None  # only a running experiment's process is judged
    # When the panel opens it
    code, view = await raw_get(http_server_client, jp_base_url, jp_auth_header, f"experiments/{quote(name, safe='')}")
    # Then it has the whole trace, the latency breakdown over it, and its jobs
    assert code == 200, view
    trace = runlog.iterations(name)
    assert [i["n"] for i in view["iterations"]] == list(range(6)) and view["iterations"] == trace
    assert view["experiment"]["best"]["value"] == loop_result.fun
    for part in ("classical", "transpile", "queue", "run", "retrieve", "wall"):
        assert view["latency"][part] == pytest.approx(sum(i["latency"][part] for i in trace))
    assert view["latency"]["run"] > 0
    assert view["jobs_total"] == 6 == len(view["jobs"]) and {j["experiment"] for j in view["jobs"]} == {name}
    assert all("counts" not in (j.get("result") or {}) for j in view["jobs"])  # brief records
    assert view["fallbacks"] == 0
    # and only the new iterations when asked from one on
    code, later = await raw_get(http_server_client, jp_base_url, jp_auth_header,
                                f"experiments/{quote(name, safe='')}?since=4&limit=2")
    assert [i["n"] for i in later["iterations"]] == [4, 5] and len(later["jobs"]) == 2 and later["since"] == 4


async def test_unknown_experiment_is_404_and_a_finished_one_cannot_be_stopped(api, runlog):
    code, data = await api("GET", "experiments", "no-such-loop")
    assert code == 404 and data["error"] == "UnknownExperiment"
    runlog.open_experiment("plain name", owner="1@elsewhere")
    runlog.update_experiment("plain name", {"status": "finished"})
    before = runlog.experiment("plain name")
    code, data = await api("POST", "experiments", "plain name", "stop")
    assert code == 409 and "nothing to stop" in data["message"]
    assert runlog.experiment("plain name") == before
    code, data = await api("GET", "experiments", "x" * 129)
    assert code == 400 and "at most 128" in data["message"]
    code, data = await api("GET", "experiments", params={"limit": 0})
    assert code == 400


async def test_a_running_loop_is_seen_live_and_stopped_from_the_sidebar(api, runlog):
    # Given a loop running in this process (a thread), whose objective waits a little so it stays running
    from qhybrid_lab import minimize
    from qhybrid_lab.jobs import JobManager

    done = threading.Event()
    out: dict = {}

    def objective(x):
        time.sleep(0.2)
        return float((x[0] - 1.0) ** 2), 0.01

    def loop():
        try:
            out["result"] = minimize(objective, [0.0], method="Nelder-Mead", experiment="live", max_iterations=10_000,
                                     view=False)
        finally:
            done.set()

    threading.Thread(target=loop, daemon=True).start()
    try:
        seen: list[int] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (len(seen) < 3 or seen[-1] == seen[-2]):
            code, view = await api("GET", "experiments", "live")
            if code == 200:
                seen.append(len(view["iterations"]))
                assert view["experiment"]["status"] == "running" and view["experiment"]["owner_alive"] is True
            await asyncio.sleep(0.3)
        # Then iterations appear between reads while it runs
        assert len(seen) >= 3 and seen[-1] > seen[0], seen
        # When the sidebar asks it to stop
        code, stopped = await api("POST", "experiments", "live", "stop")
        assert code == 200 and stopped["requested"] is True
        assert stopped["experiment"]["stop_requested"]["by"] == "sidebar"
        assert await asyncio.to_thread(done.wait, 120)
    finally:
        JobManager.shutdown()
    # Then the loop ended with the best point so far, and the run log says why
    assert "sidebar" in out["result"].message
    assert runlog.experiment("live")["status"] == "stopped"


async def test_a_running_experiment_of_a_dead_process_is_not_alive(api, runlog):
    dead = 2**22 + 4321
    runlog.open_experiment("orphan", owner=f"{dead}@{socket.gethostname()}")
    mine = f"{os.getpid()}@{socket.gethostname()}"
    runlog.open_experiment("mine", owner=mine)
    runlog.heartbeat(mine, {"pid": os.getpid(), "host": socket.gethostname(), "at": time.time()})
    _, listing = await api("GET", "experiments")
    alive = {e["name"]: e["owner_alive"] for e in listing["experiments"]}
    assert alive == {"orphan": False, "mine": True}

"""The notebook a job records is the notebook's name now, not when its kernel started.

A notebook created as ``Untitled.ipynb`` and renamed keeps its kernel, whose ``$JPY_SESSION_NAME`` still says
``Untitled.ipynb``: the kernel asks the Jupyter server that started it (``/api/sessions``) for the current path.
A real ``jupyter server`` in a subprocess, a real kernel it starts, the rename as JupyterLab does it (PATCH of the
session), and code run in that kernel through jupyter_client.
"""

from __future__ import annotations

import json
import os
import urllib.request

import pytest
from jupyter_client import BlockingKernelClient
from live_server import live_server

from qhybrid_lab.jobs.context import session_path
from qhybrid_lab.runlog import open_runlog

JOB = """
import os, qhybrid_lab
from qiskit import QuantumCircuit
tick = QuantumCircuit(1, name="tick"); tick.x(0); tick.measure_all()
group = qhybrid_lab.run(tick, "aer", shots=10, wait=True)
print("session-name", os.environ.get("JPY_SESSION_NAME"))
"""


def _api(server, method: str, path: str, body: dict | None = None) -> dict:
    base = server.url.rsplit("/qhybrid-lab/api", 1)[0]
    request = urllib.request.Request(
        f"{base}/api/{path}",
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={**server.headers, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read().decode() or "null")


def _run_in(kernel_file: str, code: str) -> str:
    client = BlockingKernelClient()
    client.load_connection_file(kernel_file)
    client.start_channels()
    printed: list[str] = []
    try:
        client.wait_for_ready(timeout=120)
        reply = client.execute_interactive(
            code,
            timeout=300,
            output_hook=lambda msg: printed.append(msg["content"].get("text", "")) if msg["msg_type"] == "stream" else None,
        )
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        client.stop_channels()
    return "".join(printed)


@pytest.mark.slow
def test_a_job_from_a_renamed_notebook_records_its_new_name(tmp_path):
    home = tmp_path / "home"
    with live_server(home, tmp_path / "server") as server:
        root = tmp_path / "server" / "root"
        (root / "analysis").mkdir()
        # Given a notebook created as Untitled.ipynb, with its kernel
        session = _api(
            server,
            "POST",
            "sessions",
            {"path": "Untitled.ipynb", "name": "Untitled.ipynb", "type": "notebook", "kernel": {"name": "python3"}},
        )
        kernel_file = str(tmp_path / "server" / "runtime" / f"kernel-{session['kernel']['id']}.json")
        # When it is renamed (and moved) as JupyterLab does it, keeping its kernel
        renamed = _api(
            server, "PATCH", f"sessions/{session['id']}", {"path": "analysis/energy.ipynb", "name": "energy.ipynb"}
        )
        assert renamed["kernel"]["id"] == session["kernel"]["id"]
        # And a job runs in that kernel
        printed = _run_in(kernel_file, JOB)
        # Then the kernel's variable still says Untitled.ipynb, but the job records the notebook's path now
        assert f"session-name {root / 'Untitled.ipynb'}" in printed
        (record,) = open_runlog(home).query(limit=None)
        assert record["origin"]["notebook"] == str(root / "analysis" / "energy.ipynb")
        assert record["origin"]["kernel_id"] == session["kernel"]["id"]
        _api(server, "DELETE", f"sessions/{session['id']}")


def test_without_a_jupyter_server_the_kernel_variable_stands(tmp_path, monkeypatch):
    # Given no runtime file of a server that started this process (a script, nbclient's kernel)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    # Then there is no path to read, and nothing waits
    assert session_path("0f0e0d0c-0000-4000-8000-000000000000") is None
    # And a runtime file that names a server that is gone is no answer either
    (tmp_path / f"jpserver-{os.getppid()}.json").write_text(
        json.dumps({"url": "http://127.0.0.1:9/", "token": "t", "root_dir": str(tmp_path)})
    )
    assert session_path("0f0e0d0c-0000-4000-8000-000000000001") is None

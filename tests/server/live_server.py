"""A real ``jupyter server`` in a subprocess (free port, known token), for clients that block (schemathesis) and
for running the server with other privileges (a read-only home that root cannot write either)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

WITHOUT_DAC_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
"""Run a command so that even root is held to file permission bits (util-linux ``setpriv``)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    """A running Jupyter server with the qhybrid-lab extension."""

    url: str
    """``http://127.0.0.1:<port>/qhybrid-lab/api``"""
    token: str
    process: subprocess.Popen
    log_file: Path

    @property
    def headers(self) -> dict[str, str]:
        """Token authentication (which Jupyter exempts from the XSRF check, so writes work too)."""
        return {"Authorization": f"token {self.token}"}

    def request(self, method: str, path: str = "", *, body: bytes | str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, object]:
        """One request under the API; (status, decoded JSON or text). HTTP errors do not raise."""
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(f"{self.url}/{path}", data=data,
                                     method=method, headers={**self.headers, **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                code, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            code, text = error.code, error.read().decode()
        try:
            return code, json.loads(text)
        except json.JSONDecodeError:
            return code, text

    def server_log(self) -> str:
        """What the server printed so far."""
        return self.log_file.read_text(errors="replace")


@contextmanager
def live_server(home: Path, workdir: Path, *, prefix: Sequence[str] = (), timeout: float = 90.0,
                extra_args: Sequence[str] = ()) -> Iterator[LiveServer]:
    """Start ``jupyter server`` with ``QHYBRID_HOME=home``, wait until the API answers, stop it afterwards.

    Args:
        home: the qhybrid home the server reads.
        workdir: a writable directory for Jupyter's runtime, config and data dirs, the notebook root and the log.
        prefix: a command to run the server under (e.g. :data:`WITHOUT_DAC_OVERRIDE`).
    """
    port, token = free_port(), uuid.uuid4().hex
    dirs = {name: workdir / name for name in ("runtime", "config", "data", "root")}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "QHYBRID_HOME": str(home), "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
           "JUPYTER_CONFIG_DIR": str(dirs["config"]), "JUPYTER_DATA_DIR": str(dirs["data"]),
           "JUPYTER_PLATFORM_DIRS": "1"}
    extensions = {"qhybrid_lab": True, "jupyterlab": False, "jupyter_lsp": False, "notebook_shim": False,
                  "jupyter_server_terminals": False}
    config = {"ServerApp": {"jpserver_extensions": extensions, "ip": "127.0.0.1", "port": port, "port_retries": 0,
                            "root_dir": str(dirs["root"]), "open_browser": False, "allow_root": True},
              "IdentityProvider": {"token": token}, "QHybridLabServer": {"reap_every": 0.0}}
    (dirs["config"] / "jupyter_server_config.json").write_text(json.dumps(config))
    command = [*prefix, sys.executable, "-m", "jupyter_server", *extra_args]
    log_file = workdir / "server.log"
    with open(log_file, "wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=dirs["root"])
    server = LiveServer(f"http://127.0.0.1:{port}/qhybrid-lab/api", token, process, log_file)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"jupyter server exited with {process.returncode}:\n{server.server_log()}")
            try:
                if server.request("GET")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyter server did not answer within {timeout} s:\n{server.server_log()}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

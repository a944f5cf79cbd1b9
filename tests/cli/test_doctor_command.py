"""``qhybrid doctor``: home, log, engines, extensions and SDKs as Jupyter and pip see them; exit 1 when broken."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import dead_pid, failed, ok_json, qhybrid

from qhybrid_lab.runlog import RunLog

BIN = Path(sys.executable).parent


def _jupyter(*args: str, env: dict) -> str:
    """What a real ``jupyter`` command prints (colour codes removed)."""
    done = subprocess.run([str(BIN / "jupyter"), *args], env={**env, "PATH": f"{BIN}:{env['PATH']}"},
                          capture_output=True, text=True, timeout=120)
    return re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)


def _server_loads(env: dict) -> bool | None:
    """Whether a real ServerApp, finding its extensions as it does at start-up, would load qhybrid_lab."""
    script = ("from jupyter_server.serverapp import ServerApp\napp = ServerApp()\napp.find_server_extensions()\n"
              "print(app.jpserver_extensions.get('qhybrid_lab'))")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    return {"True": True, "False": False}.get(done.stdout.strip())


@pytest.fixture
def own_jupyter_config(tmp_path, monkeypatch) -> Path:
    """A user Jupyter config dir of this test's own, in front of the environment's (nothing outside is touched)."""
    config = tmp_path / "jupyter-config"
    config.mkdir()
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config))
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "0")
    return config


def test_a_healthy_install_is_reported_and_exits_0(home, own_jupyter_config):
    qhome, _ = home
    # Given a live engine's heartbeat and a stopped one's
    log = RunLog(qhome)
    live = subprocess.Popen(["sleep", "300"])
    try:
        host, gone = socket.gethostname(), dead_pid()
        log.heartbeat(f"{live.pid}@{host}", {"pid": live.pid})
        log.heartbeat(f"{gone}@{host}", {"pid": gone})
        report = ok_json(qhybrid("doctor", "--json"))
    finally:
        live.kill()
        live.wait()
    # Then: the home and the log, as the run log itself counts them
    assert report["ok"] is True and report["problems"] == []
    assert report["home"] == {"path": str(qhome), "source": "$QHYBRID_HOME", "exists": True, "writable": True}
    assert report["log"]["file"] == str(log.file) and report["log"]["bytes"] == log.file.stat().st_size
    assert report["log"]["records"] == log.count() == 9 and report["log"]["by_status"]["done"] == 5
    assert report["log"]["compaction_due"] is False and report["log"]["leftovers"] == []
    alive = {e["owner"]: e["alive"] for e in report["engines"]}
    assert alive[f"{live.pid}@{host}"] is True and alive[f"{gone}@{host}"] is False
    # And the extensions as Jupyter sees them, and the SDKs as pip installed them
    env = dict(os.environ)
    assert report["server_extension"]["enabled"] is True and report["server_extension"]["loads"] is True
    assert _server_loads(env) is True
    lab = report["lab_extension"]
    assert lab["installed"] and lab["enabled"] and lab["disabled"] == []
    assert re.search(rf"qhybrid-lab v{re.escape(lab['version'])} enabled OK", _jupyter("labextension", "list",
                                                                                      env=env))
    sdks = {s["name"]: s for s in report["sdks"]}
    assert set(sdks) == {"qiskit", "qiskit-aer", "qiskit-ibm-runtime", "pennylane", "amazon-braket-sdk", "dask",
                         "mthree"}
    for name in ("qiskit", "qiskit-aer", "qiskit-ibm-runtime", "pennylane", "amazon-braket-sdk", "dask"):
        assert sdks[name]["version"] == importlib.metadata.version(name) and sdks[name]["importable"], name
    text = qhybrid("doctor").stdout
    assert "ok: nothing is broken" in text and f"qiskit {importlib.metadata.version('qiskit')}" in text


def test_doctor_imports_the_sdks_when_asked(home):
    report = ok_json(qhybrid("doctor", "--json", "--import-sdks", timeout=240))
    assert all(s["importable"] and "error" not in s for s in report["sdks"] if s["version"] is not None)


def test_a_disabled_server_extension_is_a_problem(home, own_jupyter_config):
    # Given the user's config disabling it (what `jupyter server extension disable --user` writes)
    config_d = own_jupyter_config / "jupyter_server_config.d"
    config_d.mkdir()
    (config_d / "qhybrid_lab.json").write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"qhybrid_lab": False}}}))
    # Then doctor says so and exits 1, as a real ServerApp would not load it
    done = qhybrid("doctor", "--json")
    assert done.returncode == 1 and _server_loads(dict(os.environ)) is False
    report = json.loads(done.stdout)
    assert report["ok"] is False and report["server_extension"]["enabled"] is False
    assert str(own_jupyter_config) in report["server_extension"]["configured_in"]
    assert "the Jupyter server extension qhybrid_lab is not enabled" in failed(done)


def test_a_disabled_lab_extension_is_a_problem(home, own_jupyter_config):
    # Given the lab extension disabled by the real jupyter command, in this test's user config
    env = dict(os.environ)
    _jupyter("labextension", "disable", "--level=user", "qhybrid-lab", env=env)
    assert re.search(r"qhybrid-lab v\S+ disabled", _jupyter("labextension", "list", env=env))
    # Then doctor agrees, and exits 1
    done = qhybrid("doctor")
    assert done.returncode == 1 and "DISABLED" in done.stdout
    assert "the JupyterLab extension is disabled (qhybrid-lab): jupyter labextension enable qhybrid-lab" in failed(done)


def test_a_damaged_log_is_a_problem_naming_the_file_and_line(home):
    qhome, _ = home
    log_file = qhome / "runlog.jsonl"
    lines = log_file.read_bytes().splitlines(keepends=True)
    damaged = b"".join(lines[:2] + [b"\x00 not json\n"] + lines[2:])
    log_file.write_bytes(damaged)
    done = qhybrid("doctor", "--json")
    report = json.loads(done.stdout)
    assert done.returncode == 1 and report["ok"] is False
    assert f"run log {log_file} is damaged: line 3 " in report["log"]["error"]
    assert "line 3" in failed(done) and log_file.read_bytes() == damaged

"""The installed wheel, tested inside the fresh venv that scripts/test-wheel.sh made for it, with no node on PATH.

Not part of the main suite (it needs that venv: ``pip install "qhybrid_lab-*.whl[lab]"`` and nothing else, so
PennyLane and Dask are really absent). Run by scripts/test-wheel.sh as ``<venv>/bin/python -m pytest`` from outside
the source tree, so ``import qhybrid_lab`` is the installed copy.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PREFIX = Path(sys.prefix)
BIN = PREFIX / "bin"
EXTENSION = PREFIX / "share" / "jupyter" / "labextensions" / "qhybrid-lab"
BELL = "from qiskit import QuantumCircuit\nbell = QuantumCircuit(2)\nbell.h(0)\nbell.cx(0, 1)\nbell.measure_all()\n"


@pytest.fixture(autouse=True)
def qhome(tmp_path, monkeypatch):
    """A run log of the test's own."""
    monkeypatch.setenv("QHYBRID_HOME", str(tmp_path / "qhybrid-home"))


@pytest.fixture(scope="module")
def shell():
    """Plain IPython without a kernel, the extension loaded."""
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "qhybrid_lab")
    ip.run_cell(BELL)
    return ip


def jupyter(*args: str) -> str:
    """Output (stdout and stderr, colours removed) of the venv's ``jupyter`` command."""
    done = subprocess.run([str(BIN / "jupyter"), *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)


def test_this_is_the_installed_wheel_without_node():
    import qhybrid_lab

    assert sys.prefix != sys.base_prefix  # a venv
    assert Path(qhybrid_lab.__file__).is_relative_to(PREFIX / "lib")  # site-packages, not a source tree
    assert shutil.which("node") is None and shutil.which("nodejs") is None, os.environ["PATH"]
    assert not list(PREFIX.glob("lib/python*/site-packages/__editable__*"))


def test_the_lab_extension_is_installed_and_enabled():
    import qhybrid_lab

    package = json.loads((EXTENSION / "package.json").read_text())
    assert package["name"] == "qhybrid-lab" and package["version"] == qhybrid_lab.__version__
    assert json.loads((EXTENSION / "install.json").read_text())["packageName"] == "qhybrid-lab"
    assert (EXTENSION / "static" / "style.js").is_file() and list(EXTENSION.glob("static/remoteEntry.*.js"))
    line = next(line for line in jupyter("labextension", "list").splitlines() if "qhybrid-lab" in line)
    assert "enabled" in line and "OK" in line and "(python, qhybrid-lab)" in line


def test_the_server_extension_is_enabled_on_install():
    config = PREFIX / "etc" / "jupyter" / "jupyter_server_config.d" / "qhybrid_lab.json"
    assert json.loads(config.read_text())["ServerApp"]["jpserver_extensions"]["qhybrid_lab"] is True
    import qhybrid_lab

    listing = jupyter("server", "extension", "list")
    assert "qhybrid_lab enabled" in listing
    assert f"qhybrid_lab {qhybrid_lab.__version__} OK" in listing  # it validated: the module imports and loads


def test_the_magics_run_on_aer_and_a_device_emulator(shell, capsys):
    shell.run_cell("%%qrun --backend aer --backend fake_manila --shots 200 --seed 1 --wait\nbell")
    shell.run_cell("%qjobs")
    out = capsys.readouterr().out
    assert out.count(" done ") >= 4, out  # two final job lines and two %qjobs rows
    assert "fake_manila (emulator)" in out and "2 of 2 job(s), newest first" in out


def test_missing_pennylane_names_its_extra():
    from qhybrid_lab.backends import get_backend
    from qhybrid_lab.errors import MissingDependency
    from qhybrid_lab.extras import missing_modules

    assert missing_modules("pennylane", "pennylane_lightning") == ["pennylane", "pennylane_lightning"]
    with pytest.raises(MissingDependency) as error:
        get_backend("pennylane:default.qubit")
    assert str(error.value) == ("the backend 'pennylane:default.qubit' needs pennylane, not installed here: "
                                'pip install "qhybrid-lab[pennylane]"')


def test_missing_dask_names_its_extra_in_run_and_in_the_magic(shell, capsys):
    from qiskit import QuantumCircuit

    from qhybrid_lab import run
    from qhybrid_lab.errors import MissingDependency

    line = 'the dask executor needs dask, distributed, not installed here: pip install "qhybrid-lab[dask]"'
    with pytest.raises(MissingDependency, match=r"qhybrid-lab\[dask\]") as error:
        run(QuantumCircuit(1), "aer", executor="dask")
    assert str(error.value) == line
    shell.run_cell("%%qrun --executor dask\nbell")
    captured = capsys.readouterr()
    assert f"UsageError: {line}" in captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err

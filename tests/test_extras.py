"""A missing optional SDK is a MissingDependency with its exact install line, never a traceback.

Each check runs in a fresh Python whose ``sys.modules`` maps the SDK's modules to None, the interpreter's own way of
making a module unimportable (``import`` raises ModuleNotFoundError and ``find_spec`` finds nothing), exactly as if
it were not installed. The test environment itself has every extra installed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from qhybrid_lab.extras import install_line, missing_modules

PENNYLANE = ("pennylane", "pennylane_lightning")
DASK = ("dask", "distributed")


def run_without(modules: tuple[str, ...], code: str) -> dict:
    """Run ``code`` in a fresh interpreter where ``modules`` cannot be imported; it prints one JSON object."""
    prelude = f"import sys\nfor name in {modules!r}:\n    sys.modules[name] = None\n"
    done = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_install_lines_and_missing_modules():
    assert install_line("dask") == 'pip install "qhybrid-lab[dask]"'
    assert missing_modules("json", "no_such_module_here", "no_such_package.sub") == [
        "no_such_module_here", "no_such_package.sub"]


@pytest.mark.parametrize(("blocked", "backend", "names"), [
    (PENNYLANE, "pennylane:default.qubit", "pennylane"),
    (PENNYLANE, "pennylane:lightning.qubit", "pennylane, pennylane_lightning"),
    (("pennylane_lightning",), "pennylane:lightning.qubit", "pennylane_lightning"),
])
def test_a_pennylane_backend_without_pennylane_names_the_extra(blocked, backend, names):
    result = run_without(blocked, f"""
        import json
        from qhybrid_lab.backends import get_backend, list_backends
        from qhybrid_lab.errors import MissingDependency
        try:
            get_backend({backend!r})
            outcome = None
        except MissingDependency as error:
            outcome = [type(error).__name__, str(error), isinstance(error, ImportError)]
        listed = {{b["name"]: b["description"] for b in list_backends()}}
        print(json.dumps({{"outcome": outcome, "listed": listed[{backend!r}], "aer": listed["aer"]}}))
    """)
    assert result["outcome"] == ["MissingDependency", f"the backend '{backend}' needs {names}, not installed here: "
                                 'pip install "qhybrid-lab[pennylane]"', True]
    assert result["listed"].endswith('; not installed: pip install "qhybrid-lab[pennylane]"')
    assert "not installed" not in result["aer"]


def test_the_dask_executor_without_dask_names_the_extra_and_records_nothing(qhome):
    # Given no dask.distributed, when a run and a %%qrun cell ask for the dask executor
    result = run_without(DASK, """
        import contextlib, io, json
        from qiskit import QuantumCircuit
        from IPython.core.interactiveshell import InteractiveShell
        from qhybrid_lab import run
        from qhybrid_lab.errors import MissingDependency
        from qhybrid_lab.runlog import open_runlog
        bell = QuantumCircuit(2); bell.h(0); bell.cx(0, 1); bell.measure_all()
        try:
            run(bell, "aer", executor="dask")
            outcome = None
        except MissingDependency as error:
            outcome = str(error)
        shell = InteractiveShell.instance()
        shell.run_line_magic("load_ext", "qhybrid_lab")
        shell.user_ns["bell"] = bell
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            shell.run_cell("%%qrun --executor dask\\nbell")
        print(json.dumps({"outcome": outcome, "cell": out.getvalue() + err.getvalue(),
                          "recorded": open_runlog().count()}))
    """)
    # Then both say what is missing and how to install it, without a traceback, and nothing was recorded
    line = 'the dask executor needs dask, distributed, not installed here: pip install "qhybrid-lab[dask]"'
    assert result["outcome"] == line
    assert result["cell"].strip() == f"UsageError: {line}"
    assert result["recorded"] == 0

"""The text views in real IPython shells without a kernel: `%%qrun`'s job lines, `%qjobs` and `%qbackends` as tables.

Once through ``InteractiveShell.instance()`` (the shell scripts and ``ipython -c`` build on), once through terminal
IPython itself in an 80-column pseudo-terminal, which is what a person at a terminal sees.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

import pytest

BELL = "from qiskit import QuantumCircuit\nbell = QuantumCircuit(2)\nbell.h(0)\nbell.cx(0, 1)\nbell.measure_all()\n"
ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[=>])")
"""Terminal control sequences (CSI, OSC, keypad modes) that terminal IPython writes around its output."""


@pytest.fixture(scope="module")
def shell():
    """The plain IPython shell, as in a script: no kernel, so the views are text."""
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "qhybrid_lab")
    return ip


def test_qrun_prints_job_lines_and_qjobs_shows_an_aligned_table(shell, capsys, monkeypatch):
    # Given an 80-column terminal
    monkeypatch.setenv("COLUMNS", "80")
    shell.run_cell(BELL)
    # When a cell runs on two backends and waits, and %qjobs is evaluated as a cell
    shell.run_cell("%%qrun --backend aer --backend fake_manila --shots 200 --seed 3 --wait\nbell")
    shell.run_cell("%qjobs")
    out = capsys.readouterr().out.splitlines()
    # Then the view says what was submitted and how each job ended, the table has one aligned row per job,
    # and nothing is wider than the terminal
    assert any(line.startswith("submitted 2 job(s), group ") for line in out)
    finals = [line for line in out if " done " in line and "depth" in line]
    assert len(finals) == 2 and any("fake_manila (emulator)" in line for line in finals)
    header = next(i for i, line in enumerate(out) if line.split()[:4] == ["job", "circuit", "backend", "status"])
    assert out[header - 1].startswith("2 of 2 job(s), newest first")
    assert out[header + 1] == "    error"  # 80 columns leave the last column no room beside the others
    rows = [line for line in out[header:] if re.match(r"[0-9a-f]{8}  bell ", line)]
    assert len(rows) == 2 and all(row.split()[-1] == "–" for row in rows)  # no notebook in a shell
    assert {row.index(" done ") for row in rows} == {out[header].index(" status ")}
    assert all(len(line) <= 80 for line in out), [line for line in out if len(line) > 80]


def run_in_terminal(code: str, columns: int = 80, timeout: float = 240) -> list[str]:
    """Run ``ipython -c code`` in a pseudo-terminal ``columns`` wide; the screen lines, control sequences removed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["TERM"] = "xterm"
    process = subprocess.Popen([sys.executable, "-m", "IPython", "--no-banner", "--colors=NoColor", "-c", code],
                               stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    output, deadline = b"", time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if select.select([master], [], [], 0.5)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the terminal closed: IPython exited
                    break
                if not chunk:
                    break
                output += chunk
            elif process.poll() is not None:
                break
        else:
            raise AssertionError(f"ipython did not finish within {timeout} s:\n{output.decode(errors='replace')}")
    finally:
        process.kill() if process.poll() is None else None
        process.wait()
        os.close(master)
    assert process.returncode == 0, output.decode(errors="replace")
    return ESCAPES.sub("", output.decode()).replace("\r", "").split("\n")


def test_terminal_ipython_shows_job_lines_and_tables_that_fit_80_columns():
    # Given terminal IPython in an 80-column terminal: a 5-qubit cell on two backends, then %qjobs and %qbackends
    code = "\n".join([
        "%load_ext qhybrid_lab",
        "from qiskit import QuantumCircuit",
        "wide = QuantumCircuit(5, name='wide'); wide.h(range(5)); wide.measure_all()",
        "get_ipython().run_cell_magic('qrun', '--backend aer --backend fake_manila --shots 300 --wait', 'wide')",
        "display(get_ipython().run_line_magic('qjobs', ''))",
        "%qbackends",
    ])
    lines = run_in_terminal(code)
    # Then no line is wider than the terminal
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    # And each finished job's counts follow its line, indented
    done = [i for i, line in enumerate(lines) if " done " in line and "depth" in line]
    assert len(done) == 2 and all(re.match(r" {12}[01]{5}: \d+", lines[i + 1]) for i in done)
    # And %qjobs is a table with both jobs; %qbackends puts each description below its backend
    assert any(line.split()[:3] == ["job", "circuit", "backend"] for line in lines)
    assert sum(1 for line in lines if re.match(r"[0-9a-f]{8}  wide ", line)) == 2
    torino = next(i for i, line in enumerate(lines) if line.startswith("fake_torino "))
    assert lines[torino].split()[1:3] == ["emulator", "133"]
    assert lines[torino + 1].startswith("    Emulator of ibm_torino")

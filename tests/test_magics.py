"""The magics driven through a real IPython shell (ip.run_cell_magic), and %qresult through a real kernel."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from IPython.core.error import UsageError

ROOT = Path(__file__).resolve().parents[1]

BELL = """\
from qiskit import QuantumCircuit
bell = QuantumCircuit(2)
bell.h(0)
bell.cx(0, 1)
bell.measure_all()
"""


@pytest.fixture(scope="module")
def ip():
    """The real IPython shell with the extension loaded (a plain InteractiveShell: the view prints text)."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "qhybrid_lab")
    return shell


@pytest.fixture
def log(qhome):
    from qhybrid_lab.runlog import open_runlog

    return open_runlog(qhome)


def test_qrun_help_lists_every_option(ip, capsys):
    ip.run_cell("%%qrun?")
    text = capsys.readouterr().out
    for option in ("--backend", "-b NAME", "--shots", "--seed", "--optimization-level", "-O", "--name VAR",
                   "--wait", "--tag", "Submission", "Handle", "%qbackends lists them"):
        assert option in text, option
    assert "QuantumCircuit" in text


def test_qrun_submits_assigned_circuits_and_binds_the_group(ip, log, capsys):
    ip.run_cell_magic("qrun", "-b aer --shots 200 --seed 7 --tag smoke --tag t2 --name grp --wait", BELL)
    group = ip.user_ns["grp"]
    assert ip.user_ns["_"] is group and len(group) == 1
    counts = group.result(timeout=60)["bell"]["aer"]
    assert sum(counts.values()) == 200 and set(counts) <= {"00", "11"}
    record = log.get(group[0].id)
    assert record["status"] == "done" and record["tags"] == ["smoke", "t2"] and record["seed"] == 7
    assert record["transpile"]["optimization_level"] == 2
    assert set(record["origin"]) >= {"notebook", "cell_id", "kernel_id", "pid"}
    out = capsys.readouterr().out
    assert "submitted 1 job(s)" in out and "bell" in out and "aer (simulator)" in out and "done" in out


def test_qrun_uses_the_last_expression_and_several_backends(ip, log):
    cell = BELL + "ghz = QuantumCircuit(3)\nghz.h(0)\nghz.cx(0, 1)\nghz.cx(1, 2)\n[bell, ghz]\n"
    ip.run_cell_magic("qrun", "-b aer -b fake_manila --shots 100 -O 1 --wait", cell)
    group = ip.user_ns["_"]
    assert len(group) == 4
    assert {(job.circuit_name, job.backend) for job in group} >= {(job.circuit_name, "fake_manila") for job in group}
    assert all(job.status.value == "done" for job in group), [job.record.get("error") for job in group]
    emulated = [log.get(job.id) for job in group if job.backend == "fake_manila"]
    assert all(r["backend"]["kind"] == "emulator" and r["transpile"]["optimization_level"] == 1 for r in emulated)


def test_qrun_last_expression_circuit_is_named_after_its_variable(ip, log):
    ip.run_cell_magic("qrun", "--shots 10", BELL + "other = 5\nbell\n")
    group = ip.user_ns["_"]
    assert [job.circuit_name for job in group] == ["bell"]
    group.wait(60)


@pytest.mark.parametrize(
    ("line", "cell", "message"),
    [
        ("-b fake_torin", BELL, "unknown backend 'fake_torin'; did you mean 'fake_torino'"),
        ("", "x = 1\n", "the cell produced no QuantumCircuit (nor Sweep, PennyLane tape or bind(qnode, ...))"),
        ("", "'just a string'\n", "last value is a str, not a QuantumCircuit"),
        ("", "[1, 2]\n", "int"),
        ("--shots 0", BELL, "--shots must be a positive integer, got '0'"),
        ("--shots -1", BELL, "--shots must be a positive integer, got '-1'"),
        ("--shots 1.5", BELL, "--shots must be a positive integer, got '1.5'"),
        ("--shots abc", BELL, "--shots must be a positive integer, got 'abc'"),
        ("-O 7", BELL, "--optimization-level must be 0, 1, 2 or 3"),
        ("--seed x", BELL, "--seed must be an integer"),
        ("--name 1x", BELL, "--name must be a Python variable name"),
        ("--frobnicate", BELL, "unrecognized arguments: --frobnicate"),
        ("-b fake_manila", "from qiskit import QuantumCircuit\nwide = QuantumCircuit(6)\nwide.h(range(6))\n",
         "6 qubits"),
    ],
)
def test_bad_input_is_a_usage_error_and_nothing_is_recorded(ip, log, line, cell, message):
    with pytest.raises(UsageError) as info:
        ip.run_cell_magic("qrun", line, cell)
    assert message in str(info.value)
    assert log.count() == 0


def test_budget_in_rehearsal_mode_blocks_and_records_blocked(ip, log):
    table = ip.run_line_magic("qbudget", "--limit 0.5 --per total --rehearse")
    assert "rehearsal mode on" in repr(table) and "$0.50" in repr(table)
    with pytest.raises(UsageError, match="budget") as info:
        ip.run_cell_magic("qrun", "-b fake_manila --shots 4000", BELL)
    assert "%qbudget --limit" in str(info.value)
    records = log.query(limit=None)
    assert records and {r["status"] for r in records} == {"blocked"}
    assert log.count(status=["pending", "queued", "running", "done"]) == 0
    # the ideal simulator is free, so it still runs under the same budget
    ip.run_cell_magic("qrun", "--shots 10 --wait", BELL)
    assert ip.user_ns["_"].status.value == "done"
    assert "no total budget" not in repr(ip.run_line_magic("qbudget", "--no-rehearse"))
    ip.run_line_magic("qbudget", "--remove --per total")
    assert "budgets: none set" in repr(ip.run_line_magic("qbudget", ""))
    for line, message in [("--remove", "--remove needs --per"), ("--limit x", "amount of money"),
                          ("--limit -1", "finite amount"), ("--remove --per day", "there is no day budget"),
                          ("--per day", "go with --limit"), ("--per week", "invalid choice")]:
        with pytest.raises(UsageError, match=message):
            ip.run_line_magic("qbudget", line)


def test_qjobs_qresult_qcancel_qcompare(ip, log):
    ip.run_cell_magic("qrun", "-b aer -b fake_manila --shots 300 --seed 3 --wait --name pair", BELL)
    aer, emu = ip.user_ns["pair"][("bell", "aer")], ip.user_ns["pair"][("bell", "fake_manila")]

    table = ip.run_line_magic("qjobs", "")
    assert len(table) == 2 and "fake_manila (emulator)" in repr(table) and "<table" in table._repr_html_()
    assert len(ip.run_line_magic("qjobs", "--status failed")) == 0
    assert len(ip.run_line_magic("qjobs", "-n 1")) == 1 and len(ip.run_line_magic("qjobs", "--all")) == 2
    with pytest.raises(UsageError, match="unknown status 'finished'"):
        ip.run_line_magic("qjobs", "--status finished")
    os.environ["JPY_SESSION_NAME"] = "lab/exp.ipynb"  # what Jupyter tells a kernel about its notebook
    try:
        ip.run_cell_magic("qrun", "--shots 10 --tag calib --wait", BELL)
    finally:
        del os.environ["JPY_SESSION_NAME"]
    assert [row[3] for row in ip.run_line_magic("qjobs", "--tag calib").rows] == ["done"]
    assert [row[6] for row in ip.run_line_magic("qjobs", "--notebook lab/exp.ipynb").rows] == ["exp.ipynb"]
    assert len(ip.run_line_magic("qjobs", "--notebook nowhere.ipynb")) == 0

    counts = ip.run_line_magic("qresult", aer.id[:6])
    assert counts == aer.result() and sum(counts.values()) == 300
    assert "already finished (done)" in ip.run_line_magic("qcancel", emu.id)

    comparison = ip.run_line_magic("qcompare", f"{aer.id} {emu.id[:8]}")
    assert comparison.a["backend"] == "aer" and comparison.b["kind"] == "emulator"
    assert 0.5 < comparison.hellinger_fidelity <= 1.0 and comparison.depth_ratio >= 1.0
    assert "Hellinger fidelity" in repr(comparison)
    lo, hi = comparison.hellinger_fidelity_interval
    assert lo <= comparison.hellinger_fidelity <= hi and "shot noise" in repr(comparison)
    # one id: compared with its counterpart, the newest simulator run of the circuit, as the reference
    paired = ip.run_line_magic("qcompare", emu.id[:8])
    assert paired.b["id"] == emu.id and paired.a["kind"] == "simulator"

    for magic, arg, message in [("qresult", "ffffffff", "ffffffff"), ("qcancel", "ffffffff", "ffffffff"),
                                ("qresult", "", "usage: %qresult JOB_ID"), ("qcancel", "", "usage: %qcancel"),
                                ("qcompare", f"{aer.id} {emu.id} x", "usage: %qcompare"),
                                ("qcompare", "", "usage: %qcompare")]:
        with pytest.raises(UsageError, match=message):
            ip.run_line_magic(magic, arg)


def test_qcancel_stops_a_running_job_and_qresult_explains(ip, log):
    cell = "from qiskit import QuantumCircuit\nslow = QuantumCircuit(20)\nslow.h(range(20))\n"
    cell += "for q in range(19):\n    slow.cx(q, q + 1)\n    slow.rz(0.3, q)\n    slow.cx(q, q + 1)\nslow.measure_all()\n"
    ip.run_cell_magic("qrun", "-b fake_sherbrooke --shots 20000", cell)
    job = ip.user_ns["_"][0]
    assert ip.run_line_magic("qcancel", job.id[:10]).startswith("cancel requested")
    assert job.wait(30).value == "cancelled"
    with pytest.raises(UsageError, match="is cancelled, it has no result"):
        ip.run_line_magic("qresult", job.id)


ROTATION = """\
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter
theta = Parameter("theta")
rot = QuantumCircuit(1)
rot.ry(theta, 0)
rot.measure_all()
"""


def test_qrun_help_mentions_pennylane_and_sweeps(ip, capsys):
    ip.run_cell("%%qrun?")
    text = capsys.readouterr().out
    for word in ("--sweep VALUES", "Sweep", "PennyLane", "bind(qnode", "one counts dict per point"):
        assert word in text, word


def test_qrun_sweep_option_runs_one_job_per_backend_with_counts_per_point(ip, log, capsys):
    ip.user_ns["angles"] = [[0.0], [3.141592653589793], [0.0]]
    ip.run_cell_magic("qrun", "-b aer -b pennylane:default.qubit --shots 50 --seed 2 --sweep angles --wait",
                      ROTATION)
    group = ip.user_ns["_"]
    assert len(group) == 2 and {job.circuit_name for job in group} == {"rot"}
    for backend, points in group.result(timeout=60)["rot"].items():
        assert points == [{"0": 50}, {"1": 50}, {"0": 50}], backend  # exact: RY(0) and RY(pi)
    record = log.get(group[0].id)
    assert record["parameters"] == {"names": ["theta"], "values": [[0.0], [3.141592653589793], [0.0]]}
    out = capsys.readouterr().out
    assert "rot (3 pts)" in out and "3 points; point 0:  0: 50" in out


def test_qrun_executor_dask_runs_the_sweep_on_a_dask_cluster(ip, log):
    ip.user_ns["angles"] = [[0.0], [3.141592653589793]]
    try:
        ip.run_cell_magic("qrun", "--shots 30 --seed 3 --sweep angles --executor dask --wait", ROTATION)
        group = ip.user_ns["_"]
        assert group.result(timeout=120)["rot"]["aer"] == [{"0": 30}, {"1": 30}]
        assert log.get(group[0].id)["simulation"]["executor"] == "dask"
    finally:
        from qhybrid_lab.jobs.dask_executor import close_dask_client

        close_dask_client()
    with pytest.raises(UsageError, match="invalid choice"):
        ip.run_cell_magic("qrun", "--executor spark", ROTATION)


def test_qresult_and_qcompare_of_sweeps_give_points_in_order(ip, log):
    ip.user_ns["angles"] = [[0.0], [3.141592653589793]]
    ip.run_cell_magic("qrun", "-b aer -b fake_manila --shots 40 --seed 4 --sweep angles --wait", ROTATION)
    ideal, device = ip.user_ns["_"]
    assert ip.run_line_magic("qresult", ideal.id) == [{"0": 40}, {"1": 40}]
    comparison = ip.run_line_magic("qcompare", f"{ideal.id} {device.id}")
    assert 0.8 < comparison.hellinger_fidelity <= 1.0


def test_qrun_runs_a_sweep_value_and_assigned_pennylane_objects(ip, log):
    ip.run_cell_magic("qrun", "--shots 20 --seed 1 --wait", ROTATION + "from qhybrid_lab.circuits import Sweep\n"
                      "Sweep(rot, {theta: [3.141592653589793, 0.0]}, name='flip')\n")
    assert ip.user_ns["_"].result()["flip"]["aer"] == [{"1": 20}, {"0": 20}]
    cell = """\
import numpy as np
import pennylane as qml
from qhybrid_lab.circuits.pennylane import bind
dev = qml.device("default.qubit", wires=2)
def body(x):
    qml.RX(x, wires=0)
    return qml.probs(wires=[0, 1])
needs_args = qml.QNode(body, dev)
op = qml.PauliX(1)
tape = qml.tape.QuantumScript([qml.PauliX(0), qml.PauliX(1)], [qml.probs(wires=[0, 1])])
bound = bind(needs_args, np.pi)
"""
    ip.run_cell_magic("qrun", "-b pennylane:default.qubit --shots 30 --wait", cell)
    results = ip.user_ns["_"].result()
    assert set(results) == {"tape", "bound"}  # the device, the operation and the QNode needing arguments are skipped
    assert results["tape"]["pennylane:default.qubit"] == {"11": 30}
    assert results["bound"]["pennylane:default.qubit"] == {"01": 30}  # RX(pi) on wire 0: Qiskit's bit 0


@pytest.mark.parametrize(
    ("variable", "value", "cell", "message"),
    [
        ("nothing", None, ROTATION, "--sweep nothing: there is no variable 'nothing'"),
        ("pts", [[0.1]], BELL, "needs exactly one circuit with unbound parameters in the cell; it has none"),
        ("pts", [[0.1]], ROTATION + "rot2 = rot.copy()\n", "it has 2 (rot, rot2)"),
        ("pts", [[0.1, 0.2]], ROTATION, "--sweep pts: point 0 of 'rot' has 2 values; the circuit has 1 parameters"),
        ("pts", "abc", ROTATION, "--sweep pts: "),
        ("pts", [[float("nan")]], ROTATION, "must be finite"),
        ("1x", None, ROTATION, "--sweep must name a variable"),
    ],
)
def test_bad_sweeps_are_usage_errors(ip, log, variable, value, cell, message):
    ip.user_ns.pop("nothing", None)
    if value is not None:
        ip.user_ns[variable] = value
    with pytest.raises(UsageError) as info:
        ip.run_cell_magic("qrun", f"--sweep {variable}", cell)
    assert message in str(info.value)
    assert log.count() == 0


def test_qbackends_lists_kinds_and_prices(ip):
    table = ip.run_line_magic("qbackends", "")
    rows = {row[0]: row for row in table.rows}
    assert rows["aer"][1] == "simulator" and rows["aer"][3] == "free"
    assert rows["fake_torino"][1] == "emulator" and "$1.6/QPU s" in rows["fake_torino"][3]


def execute(kc, code: str, *, cell_id: str | None = None, timeout: float = 90) -> tuple[dict, list[dict]]:
    """Send one execute_request the way JupyterLab does (cellId in the metadata); returns (reply, iopub)."""
    msg = kc.session.msg("execute_request", {"code": code, "silent": False, "store_history": True,
                                             "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
                         metadata={"cellId": cell_id} if cell_id else {})
    kc.shell_channel.send(msg)
    msg_id = msg["header"]["msg_id"]
    outputs = []
    while True:
        message = kc.get_iopub_msg(timeout=timeout)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            break
        outputs.append(message)
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply, outputs


def streams(outputs: list[dict], name: str) -> str:
    return "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream" and m["content"]["name"] == name)


def test_a_real_kernel_qresult_of_an_earlier_job_and_qrun_origin(ip, log, qhome, tmp_path):
    """A kernel started after a job ran reads its result from the run log; its own %%qrun records its origin."""
    import uuid

    from jupyter_client import KernelManager

    # Given a job run in this process
    ip.run_cell_magic("qrun", "--shots 64 --seed 1 --wait", BELL)
    job = ip.user_ns["_"][0]
    # When a fresh kernel, started the way Jupyter Server does (connection file kernel-<id>.json), asks for it
    kernel_id = str(uuid.uuid4())
    env = dict(os.environ, QHYBRID_HOME=str(qhome), PYTHONPATH=str(ROOT), JPY_SESSION_NAME="work/demo.ipynb")
    km = KernelManager(kernel_name="python3", connection_file=str(tmp_path / f"kernel-{kernel_id}.json"))
    km.start_kernel(env=env, extra_arguments=["--InteractiveShell.colors=nocolor"])
    kc = km.blocking_client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        reply, out = execute(kc, f"%load_ext qhybrid_lab\nr = %qresult {job.id[:8]}\nprint(sorted(r.items()))")
        assert reply["content"]["status"] == "ok", streams(out, "stderr")
        assert str(sorted(job.result().items())) in streams(out, "stdout")

        reply, out = execute(kc, "%qresult ffffffff")
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "UsageError"
        assert "UsageError: no job" in streams(out, "stderr") and "ffffffff" in streams(out, "stderr")

        # Then a %%qrun in that kernel shows a widget view and records the notebook, cell id and kernel id
        reply, out = qrun_out = execute(kc, "%%qrun --shots 32 --wait --name k\n" + BELL, cell_id="cell-42")
        assert reply["content"]["status"] == "ok", streams(out, "stderr")
        assert any("application/vnd.jupyter.widget-view+json" in m["content"].get("data", {}) for m in out
                   if m["msg_type"] == "display_data")
        reply, out = execute(kc, "print(k[0].id, k[0].status)")
        kernel_job_id, status = streams(out, "stdout").split()
        assert status == "done"
        origin = log.get(kernel_job_id)["origin"]
        assert origin["notebook"] == "work/demo.ipynb" and origin["cell_id"] == "cell-42"
        assert origin["kernel_id"] == kernel_id
        # and its live view carries a static fallback naming the group (what shows once the kernel is gone)
        (bundle,) = [m["content"]["data"] for m in qrun_out[1] if m["msg_type"] == "display_data"]
        assert "data-qhybrid-group=" in bundle["text/html"] and "needs its kernel" in bundle["text/html"]

        # And run() called from the notebook records it too, without being told
        reply, out = execute(kc, "import qhybrid_lab\nfrom qiskit import QuantumCircuit\nqc = QuantumCircuit(1)\n"
                                 "qc.measure_all()\ng = qhybrid_lab.run(qc, 'aer', shots=8, wait=True)\nprint(g[0].id)",
                             cell_id="cell-43")
        assert reply["content"]["status"] == "ok", streams(out, "stderr")
        origin = log.get(streams(out, "stdout").strip())["origin"]
        assert (origin["notebook"], origin["cell_id"], origin["kernel_id"]) == ("work/demo.ipynb", "cell-43", kernel_id)

        # And a bug in the user's own %%qrun cell shows the user's frames, none of qhybrid-lab's
        reply, out = execute(kc, "%%qrun --shots 8\ndef build():\n    return 1 / 0\nqc = build()\n")
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "ZeroDivisionError"
        frames = "\n".join(reply["content"]["traceback"])
        assert "qhybrid_lab" not in frames, frames
        # the cell's own lines with their source, outermost first
        assert frames.index("----> 3 qc = build()") < frames.index("in build()") < frames.index("----> 2     return 1 / 0")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_qrun_names_jobs_and_errors_after_the_cell_variable_never_a_generated_name(ip, log):
    # Given a cell binding a library circuit (bound: Qiskit names the copy "QAOA-<n>") and a plain unnamed circuit
    cell = ("import numpy as np\nfrom qiskit import QuantumCircuit\nfrom qiskit.circuit.library import QAOAAnsatz\n"
            "from qiskit.quantum_info import SparsePauliOp\n"
            "ansatz = QAOAAnsatz(SparsePauliOp(['ZZI', 'IZZ']), reps=1)\nansatz.measure_all()\n"
            "step = ansatz.assign_parameters([0.3, 0.7])\n")
    ip.run_cell_magic("qrun", "--shots 50 --wait", cell + "step\n")
    (job,) = ip.user_ns["_"]
    assert job.circuit_name == "step" and log.get(job.id)["circuit"]["name"] == "step"
    ip.run_cell_magic("qrun", "--shots 50 --wait", cell + "[step]\n")  # in a list: the circuit's own name
    (job,) = ip.user_ns["_"]
    assert job.circuit_name == "QAOA"
    # When a circuit is refused, then the message names it by its variable
    with pytest.raises(UsageError, match="circuit 'unnamed' needs 6 qubits; fake_manila has 5"):
        ip.run_cell_magic("qrun", "-b fake_manila", "from qiskit import QuantumCircuit\nunnamed = QuantumCircuit(6)\n"
                                                    "unnamed.h(range(6))\nunnamed\n")


def test_qrun_refuses_a_pennylane_mid_circuit_measurement_by_name(ip, log):
    cell = ("import pennylane as qml\ndev = qml.device('default.qubit', wires=2)\n@qml.qnode(dev)\n"
            "def feedback():\n    qml.Hadamard(0)\n    m = qml.measure(0)\n    qml.cond(m, qml.PauliX)(1)\n"
            "    return qml.expval(qml.PauliZ(1))\nfeedback\n")
    with pytest.raises(UsageError, match=r"PennyLane circuit 'feedback' uses qml.measure \(MidMeasure.*qml.cond"):
        ip.run_cell_magic("qrun", "", cell)
    assert log.count() == 0


def test_qrun_experiment_and_mode_options(ip, log):
    ip.run_cell_magic("qrun", "--shots 16 --wait --experiment scan-1 --mode batch", BELL)
    record = log.get(ip.user_ns["_"][0].id)
    assert record["experiment"] == "scan-1" and record["options"]["mode"] == "batch"
    with pytest.raises(UsageError, match="mode"):
        ip.run_cell_magic("qrun", "--mode sometimes", BELL)


def test_qrun_mitigation_option_records_readout_mitigation_or_says_why_not(ip, log):
    with pytest.raises(UsageError, match="readout mitigation is not needed on aer"):
        ip.run_cell_magic("qrun", "--mitigation readout", BELL)
    assert log.count() == 0
    ip.run_cell_magic("qrun", "-b fake_manila --shots 200 --seed 3 --wait --mitigation readout", BELL)
    record = log.get(ip.user_ns["_"][0].id)
    assert record["options"]["mitigation"] == "readout" and record["mitigation"]["applied"]
    assert record["mitigation"]["library"] == "mthree" and sum(record["result"]["counts"].values()) == 200
    with pytest.raises(UsageError, match="mitigation"):
        ip.run_cell_magic("qrun", "--mitigation zne", BELL)

"""The quickstart notebook executed end to end on a real kernel (nbclient, widget state stored), via the CLI."""

from __future__ import annotations

import json

import nbformat
import pytest

from qhybrid_lab.quickstart import NOTEBOOK, main

# A notebook runs tens of jobs on a real kernel: its time follows the machine's speed and load, so the guard
# against a hang is generous (a quiet machine runs the longest in well under two minutes) and never a speed check.
NOTEBOOK_TIMEOUT = 900
pytestmark = [pytest.mark.slow, pytest.mark.timeout(NOTEBOOK_TIMEOUT + 60)]


def outputs_of(nb, prefix: str) -> list[dict]:
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(prefix)]
    return cell.outputs


def text_of(outputs: list[dict]) -> str:
    parts = []
    for output in outputs:
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif "data" in output:
            parts.append(output["data"].get("text/plain", ""))
    return "\n".join(parts)


def test_quickstart_runs_end_to_end(tmp_path, qhome, capsys):
    # Given the clean source notebook
    source = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in source.cells if c.cell_type == "code")
    executed_path = tmp_path / "executed.ipynb"

    # When the quickstart CLI runs it against a fresh home
    code = main(["--home", str(qhome), "--output", str(executed_path), "--timeout", "120"])

    # Then it succeeds and reports cells, jobs and the comparisons
    report = capsys.readouterr().out
    assert code == 0, report
    assert "cells run: 11 of 11 code cells" in report and "jobs: 6" in report and report.rstrip().endswith("OK")
    assert report.count(" done") == 4 and report.count(" blocked") == 2
    assert "comparison bell:" in report and "comparison ghz:" in report

    nb = nbformat.read(executed_path, as_version=4)
    waited = text_of(outputs_of(nb, "bell_runs.wait"))
    for line in ("bell  on aer", "bell  on fake_torino", "ghz   on aer", "ghz   on fake_torino"):
        assert line in waited
    assert "fake_torino (emulator)" in text_of(outputs_of(nb, "%qjobs"))

    compared = outputs_of(nb, "%qcompare")
    assert "Hellinger fidelity" in compared[0]["data"]["text/html"]
    plot = compared[1]["data"]["application/vnd.plotly.v1+json"]
    assert [trace["type"] for trace in plot["data"]] == ["bar", "bar"]

    fidelity_line = text_of(outputs_of(nb, "import qhybrid_lab"))
    fidelity = float(fidelity_line.split("Hellinger fidelity ")[1].split(",")[0])
    assert 0.8 < fidelity < 1.0  # the emulated device is noisy, but not that noisy

    refused = text_of(outputs_of(nb, "%%qrun -b fake_torino --shots 100000"))
    assert "UsageError: submission refused, nothing was run" in refused and "%qbudget --limit" in refused
    assert "refused: submission refused" in text_of(outputs_of(nb, "from qhybrid_lab.errors"))
    assert "2 of 2 job(s)" in text_of(outputs_of(nb, "%qbudget --remove"))

    # the live views were real widgets; their stored state holds a histogram per finished job
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    histograms = [out for model in state.values() if model["model_name"] == "OutputModel"
                  for out in model["state"].get("outputs", [])]
    assert len(histograms) == 4
    assert all("application/vnd.plotly.v1+json" in out["data"] for out in histograms)
    assert sum("plotly.js" in json.dumps(out) for out in histograms) == 0  # no embedded library

    # the jobs carry their notebook (nbclient sends no cell id; tests/test_magics.py checks that with a kernel)
    from qhybrid_lab.runlog import open_runlog

    records = open_runlog(qhome).query(status="done", limit=None)
    assert {r["origin"]["notebook"] for r in records} == {str(NOTEBOOK)}


def test_quickstart_exits_non_zero_when_a_cell_fails(tmp_path, capsys):
    broken = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("%load_ext qhybrid_lab\n%qresult nope")])
    path = tmp_path / "broken.ipynb"
    nbformat.write(broken, path)
    assert main(["--notebook", str(path), "--timeout", "60"]) == 1
    assert "UsageError" in capsys.readouterr().err


BENCHMARKING = NOTEBOOK.parent / "02-benchmarking.ipynb"


def test_benchmarking_notebook_judges_qaoa_against_brute_force(tmp_path, qhome):
    import time

    from qhybrid_lab.quickstart import execute_notebook
    from qhybrid_lab.runlog import open_runlog

    # Given the clean source notebook
    source = nbformat.read(BENCHMARKING, as_version=4)
    assert all(not c.get("outputs") for c in source.cells if c.cell_type == "code")

    # When it runs on a real kernel
    nb = execute_notebook(BENCHMARKING, tmp_path, home=qhome, timeout=NOTEBOOK_TIMEOUT)

    # Then the classical baseline is exact and the QAOA paths are scored against it
    assert "maximum cut 5 of 6 edges, 4 optimal cuts" in text_of(outputs_of(nb, "import time"))
    table = text_of(outputs_of(nb, "from qiskit.quantum_info import Statevector")).splitlines()
    rows = {line[:24].strip(): line[24:].split() for line in table[1:] if line.strip()}
    assert rows["classical brute force"][:2] == ["1.000", "1.000"]
    aer, emulated = rows["QAOA on aer"], rows["QAOA on fake_manila"]
    for ratio, exact, seconds, shots, usd in (aer, emulated):
        assert 0.6 < float(ratio) < 0.95 and 0.6 < float(exact) <= 0.95 and float(seconds) > 0
        assert int(shots) == 1024 * (96 + 3 * 25)
    assert float(aer[4]) == 0.0 and float(emulated[4]) > 0.0  # the emulator records what the device would cost
    assert float(emulated[0]) < float(aer[0])  # device noise lowers the measured quality

    # the figures: quality vs time (classical + two paths) and the three landscapes
    (quality,) = [o for o in outputs_of(nb, "import plotly.graph_objects") if "data" in o]
    traces = quality["data"]["application/vnd.plotly.v1+json"]["data"]
    assert [t["name"] for t in traces] == ["classical brute force", "QAOA on aer", "QAOA on fake_manila"]
    assert all(len(t["x"]) == 4 for t in traces[1:])  # coarse grid + 3 iterations
    gap_outputs = outputs_of(nb, "from plotly.subplots import make_subplots")
    landscapes = gap_outputs[0]["data"]["application/vnd.plotly.v1+json"]
    heatmaps = landscapes["data"]
    assert [t["type"] for t in heatmaps] == ["heatmap"] * 3
    # both landscapes on one colour scale, the gap on its own; both colour bars labelled
    assert [t["coloraxis"] for t in heatmaps] == ["coloraxis", "coloraxis", "coloraxis2"]
    layout = landscapes["layout"]
    assert layout["coloraxis"]["colorbar"]["title"]["text"] == "ratio"
    assert layout["coloraxis2"]["colorbar"]["title"]["text"] == "gap" and layout["coloraxis2"]["cmid"] == 0
    assert "on hardware" not in str(quality) and "no device cost" in traces[1]["text"][0]
    assert "correlation of the two landscapes" in text_of(gap_outputs)

    # the %%qrun sweep cell showed one live sweep row per backend, each a heatmap over the (gamma, beta) grid
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    plots = [out["data"]["application/vnd.plotly.v1+json"] for model in state.values()
             if model["model_name"] == "OutputModel" for out in model["state"].get("outputs", [])]
    assert len(plots) == 2 and all(p["data"][0]["type"] == "heatmap" for p in plots)
    assert all(len(p["data"][0]["x"]) * len(p["data"][0]["y"]) == 96 for p in plots)

    # every quantum step was ONE recorded sweep job
    records = open_runlog(qhome).query(limit=None)
    assert len(records) == 2 + 2 * 3 and {r["status"] for r in records} == {"done"}
    assert sorted(len(r["parameters"]["values"]) for r in records) == [25] * 6 + [96] * 2


VARIATIONAL = NOTEBOOK.parent / "03-variational-loop.ipynb"


def test_variational_loop_notebook_judges_three_backends_against_the_exact_answer(tmp_path, qhome):
    from qhybrid_lab.quickstart import execute_notebook
    from qhybrid_lab.runlog import open_runlog

    # Given the clean source notebook, when it runs on a real kernel
    source = nbformat.read(VARIATIONAL, as_version=4)
    assert all(not c.get("outputs") for c in source.cells if c.cell_type == "code")
    nb = execute_notebook(VARIATIONAL, tmp_path, home=qhome, timeout=NOTEBOOK_TIMEOUT)

    # Then the classical baseline is exact and every quantum path is scored against it
    assert "maximum cut 5 of 6 edges, 4 optimal cuts" in text_of(outputs_of(nb, "import time"))
    table = text_of(outputs_of(nb, "from qiskit.quantum_info import Statevector")).splitlines()
    rows = {line[:24].strip(): line[24:].split() for line in table[1:] if line.strip()}
    assert rows["classical brute force"][:2] == ["1.000", "1.000"]
    for backend in ("aer", "fake_manila", "ibm:fake_manila"):
        measured, exact, seconds, shots, usd = rows[f"QAOA on {backend}"]
        assert 0.6 < float(measured) < 1.0 and 0.6 < float(exact) <= 1.0 and int(shots) == 25 * 1024
        assert (float(usd) > 0) == (backend != "aer")  # emulated devices record what the device would cost
    # every loop is an experiment of 25 iterations in the run log, each with its latency breakdown
    log = open_runlog(qhome)
    for backend in ("aer", "fake_manila", "ibm:fake_manila"):
        experiment = log.experiment(f"qaoa-{backend}")
        assert experiment["iterations"] == 25 and experiment["status"] == "stopped"
        assert all(t["latency"]["run"] > 0 for t in log.iterations(f"qaoa-{backend}"))
    # the fallback cell: the IBM device was blocked (no account here) and the job ran on the emulator, linked
    fallback = text_of(outputs_of(nb, "from qhybrid_lab import run"))
    assert "asked for ibm:ibm_torino: blocked" in fallback and "ran on fake_torino: done, linked back" in fallback
    assert log.budgets() == []  # the notebook removed the budget it set


REHEARSAL = NOTEBOOK.parent / "04-cost-rehearsal.ipynb"


def test_cost_rehearsal_notebook_is_stopped_by_the_guard_and_prices_the_campaign(tmp_path, qhome):
    import re

    from qhybrid_lab.quickstart import execute_notebook
    from qhybrid_lab.runlog import open_runlog

    nb = execute_notebook(REHEARSAL, tmp_path, home=qhome, timeout=NOTEBOOK_TIMEOUT)
    stopped = text_of(outputs_of(nb, "from qhybrid_lab import minimize"))
    assert "the budget guard refused the next evaluation" in stopped
    evaluations = int(re.search(r"stopped after (\d+) of 100 evaluations", stopped).group(1))
    prices = text_of(outputs_of(nb, "jobs = log.query"))
    per = float(re.search(r"one evaluation on ibm_torino: \$([\d.]+)", prices).group(1))
    # the guard stopped it before the job that would have passed $60, not after
    assert evaluations * per <= 60.0 < (evaluations + 1) * per
    assert f"buys {int(60.0 // per)} evaluations" in prices and f"would cost ${per * 100:.2f}" in prices
    log = open_runlog(qhome)
    statuses = [r["status"] for r in log.query(experiment="rehearsal", limit=None)]
    assert statuses.count("done") == evaluations and statuses.count("blocked") == 1
    # batching three points per job (SPSA's sweep) is the cheapest plan per evaluation
    plans = text_of(outputs_of(nb, "from qhybrid_lab import run")).splitlines()[1:]
    prices_per_plan = [float(line[36:52]) for line in plans if line.strip()]
    assert prices_per_plan[2] < prices_per_plan[1] < prices_per_plan[0]
    assert log.get_setting("rehearse") is False


EVERY_BACKEND = NOTEBOOK.parent / "05-one-circuit-every-backend.ipynb"


def test_every_backend_notebook_compares_two_circuits_with_the_exact_answer_and_mitigation(tmp_path, qhome):
    from qhybrid_lab.quickstart import execute_notebook
    from qhybrid_lab.runlog import open_runlog

    # Given the clean source notebook, when it runs on a real kernel
    source = nbformat.read(EVERY_BACKEND, as_version=4)
    assert all(not c.get("outputs") for c in source.cells if c.cell_type == "code")
    nb = execute_notebook(EVERY_BACKEND, tmp_path, home=qhome, timeout=NOTEBOOK_TIMEOUT)

    # Then the classical baseline is exact and PennyLane's own answer agrees with it
    assert "PennyLane agrees to" in text_of(outputs_of(nb, "import time"))
    assert float(text_of(outputs_of(nb, "import time")).split("agrees to ")[1].split()[0]) < 1e-9

    # every backend ran both circuits; the ideal ones said mitigation is not needed, the emulators applied it
    submitted = text_of(outputs_of(nb, "from qhybrid_lab import run"))
    for backend in ("aer", "pennylane:default.qubit", "pennylane:lightning.qubit", "braket:local"):
        assert f"readout mitigation is not needed on {backend}" in submitted
    assert submitted.count("readout mitigation applied") == 2

    table = text_of(outputs_of(nb, "from qiskit.quantum_info import hellinger_fidelity")).splitlines()
    rows = {(line.split()[0], line.split()[1]): line.split()[2:] for line in table[1:] if line.strip()}
    assert len(rows) == 12
    for (circuit, backend), (kind, raw, mitigated, tvd, seconds, calibration, usd) in rows.items():
        if kind == "simulator":
            assert float(raw) > 0.98 and mitigated == "-" and calibration == "0" and float(usd) == 0.0
        else:  # the emulated device is noisy, and readout mitigation brings it closer to the exact answer
            assert kind == "emulator" and 0.7 < float(raw) < 0.97 and float(mitigated) > float(raw) + 0.03
            assert int(calibration) >= 10_000 and float(usd) > 0

    # the plots: fidelity per backend (raw and mitigated for each circuit), the GHZ distribution on the device
    figures = [o["data"]["application/vnd.plotly.v1+json"] for o in outputs_of(nb, "import plotly.graph_objects")
               if "data" in o]
    assert [t["name"] for t in figures[0]["data"]] == ["raw", "mitigated"] * 2
    assert [t["name"] for t in figures[1]["data"]] == ["exact", "raw", "mitigated"]
    assert "calibration: mthree balanced calibration" in text_of(outputs_of(nb, 'mitigation = device_ghz'))

    # the controls are real widgets, and their first run (fake_manila, 2000 shots, mitigation on) is in their state
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    models = {model["model_name"] for model in state.values()}
    assert {"DropdownModel", "CheckboxModel", "OutputModel"} <= models
    shown = json.dumps([model["state"].get("outputs", []) for model in state.values()
                        if model["model_name"] == "OutputModel"])
    assert "fake_manila: readout mitigation applied" in shown

    verdict = text_of(outputs_of(nb, "ideal = [r for r"))
    assert "readout mitigation raises it by +" in verdict and "classical exact answer" in verdict

    # raw and mitigated results are both in the run log, with the calibration used
    records = open_runlog(qhome).query(limit=None)
    assert {r["status"] for r in records} == {"done"}
    mitigated = [r for r in records if r["mitigation"]]
    assert len(mitigated) == 2 * 3  # two emulators in the comparison, one in the controls' first run; two circuits
    assert all(r["mitigation"]["applied"] and r["result"]["counts"] and r["result"]["mitigated"] for r in mitigated)

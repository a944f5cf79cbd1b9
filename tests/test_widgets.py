"""Tests of the live job view (text and widget modes, driven by real jobs), static tables and the figures."""

from __future__ import annotations

import io
import itertools
import re
import time

import pytest

from qhybrid_lab.plots import (
    comparison_histogram,
    comparison_histogram_mpl,
    counts_histogram,
    counts_histogram_mpl,
    probabilities,
)
from qhybrid_lab.widgets import JobView, Table, job_line, progress_line, widgets_available


def wait_for(predicate, timeout: float) -> None:
    """Poll until ``predicate()`` is true (AssertionError after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"condition not met within {timeout} s"
        time.sleep(0.02)


def bell():
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(2, name="bell")
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def test_probabilities_share_one_sorted_axis_and_fold_the_tail():
    outcomes, (p, q) = probabilities({"11": 3, "00": 1}, {"01": 2, "0 0": 2})
    assert outcomes == ["00", "01", "11"]
    assert p == [0.25, 0.0, 0.75] and q == [0.5, 0.5, 0.0]
    wide = {format(i, "06b"): 1 + (i == 5) * 100 for i in range(64)}
    outcomes, (p,) = probabilities(wide, max_outcomes=4)
    assert len(outcomes) == 5 and outcomes[-1] == "other" and "000101" in outcomes
    assert sum(p) == pytest.approx(1.0)


def test_plotly_and_matplotlib_figures():
    fig = counts_histogram({"00": 1001, "11": 999}, title="bell on aer")
    assert list(fig.data[0].x) == ["00", "11"] and fig.layout.title.text == "bell on aer"
    fig = comparison_histogram({"00": 10}, {"00": 8, "01": 2}, labels=("aer", "fake_torino"))
    assert [bar.name for bar in fig.data] == ["aer", "fake_torino"] and fig.layout.barmode == "group"
    assert list(fig.data[1].y) == [0.8, 0.2]
    assert list(fig.data[1].error_y.array) == pytest.approx([(0.8 * 0.2 / 10) ** 0.5] * 2)
    static = comparison_histogram_mpl({"00": 10}, {"00": 8, "01": 2}, labels=("aer", "fake_torino"), title="t")
    assert len(static.axes[0].patches) == 4
    single = counts_histogram_mpl({"0": 3, "1": 1}).axes[0]
    assert len(single.patches) == 2
    # the static figures draw the same error bars: one vertical segment per bar, ±√(p(1−p)/N) around it
    (errorbar,) = [c for c in single.containers if hasattr(c, "has_yerr")]
    (whiskers,) = errorbar.lines[2]
    assert [seg[1][1] - seg[0][1] for seg in whiskers.get_segments()] == pytest.approx(
        [2 * (0.75 * 0.25 / 4) ** 0.5] * 2
    )


def test_table_text_and_html():
    table = Table(["job", "status"], [["3f2a9c1d", "done"], ["<b>", None]], caption="2 jobs")
    assert len(table) == 2
    assert repr(table).splitlines() == ["2 jobs", "job       status", "3f2a9c1d  done", "<b>       –"]
    assert "&lt;b&gt;" in table._repr_html_() and "<caption" in table._repr_html_()


def test_job_line_shows_counts_or_the_reason():
    record = {
        "id": "abcdef0123",
        "status": "done",
        "circuit": {"name": "bell"},
        "backend": {"name": "fake_torino", "kind": "emulator"},
        "transpile": {"depth": 9, "two_qubit": 3},
        "timings": {"total": 0.5},
        "result": {"counts": {"00": 900, "11": 880, "01": 20}},
    }
    line = job_line(record)
    assert line.startswith("abcdef01") and "fake_torino (emulator)" in line and "depth 9" in line
    assert "00: 900, 11: 880, 01: 20" in line and "0.50 s" in line
    blocked = dict(record, status="blocked", result=None, blocked_reason="the total budget is $1.00")
    assert job_line(blocked).endswith("the total budget is $1.00")


def test_no_widgets_outside_a_kernel():
    from IPython.core.interactiveshell import InteractiveShell

    assert widgets_available(InteractiveShell.instance()) is False
    with pytest.raises(ValueError, match="mode"):
        JobView([], mode="fancy")


def slow_circuit():
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(20, name="slow")
    qc.h(range(20))
    for q in range(19):
        qc.cx(q, q + 1)
        qc.rz(0.3, q)
        qc.cx(q, q + 1)
    qc.measure_all()
    return qc


def test_text_view_prints_submitted_and_final_lines(monkeypatch):
    from qhybrid_lab.jobs import run

    monkeypatch.setenv("COLUMNS", "200")  # wide enough: one line per job
    group = run(bell(), ["aer", "fake_manila"], shots=100, seed=5)
    stream = io.StringIO()
    view = JobView(group, mode="text", stream=stream).show()
    assert view.wait(60).value == "done"
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("submitted 2 job(s), group")
    finals = lines[3:]
    assert len(finals) == 2 and all(" done " in line for line in finals)
    assert any("fake_manila (emulator)" in line and "depth" in line for line in finals)
    # the lines of one view are aligned: the status column starts at the same place in every line (whatever state a
    # job had reached when the view first printed it: pending on a slow machine, queued or running on a fast one)
    status = re.compile(r" (pending|queued|running|done) ")
    assert all(status.search(line) for line in lines[1:]), lines
    assert len({status.search(line).start() for line in lines[1:]}) == 1, lines


def test_text_view_lines_fit_an_80_column_terminal(monkeypatch):
    from qiskit import QuantumCircuit

    from qhybrid_lab.jobs import run

    # Given an 80-column terminal, a 5-qubit circuit (its counts do not fit beside the job on one line) and a
    # 16-qubit one (its counts do not fit on one line of their own)
    monkeypatch.setenv("COLUMNS", "80")
    wide, wider = QuantumCircuit(5, name="wide"), QuantumCircuit(16, name="wider")
    wide.h(range(5))
    wider.h(range(16))
    stream = io.StringIO()
    group = run({"wide": wide, "wider": wider}, ["aer"], shots=200, seed=2)
    view = JobView(group, mode="text", stream=stream).show()
    view.wait(60)
    lines = stream.getvalue().splitlines()
    # Then every line fits, and each finished job's counts follow on indented lines of their own
    assert all(len(line) <= 80 for line in lines), lines
    done = [i for i, line in enumerate(lines) if " done " in line]
    assert len(done) == 2
    for i in done:
        outcome = list(itertools.takewhile(lambda line: line.startswith(" " * 12), lines[i + 1 :]))
        assert outcome and " done " not in "".join(outcome)
        counts = dict(pair.split(": ") for pair in " ".join(o.strip() for o in outcome).rstrip(" …").split(", "))
        assert all(len(key) in (5, 16) and value.isdigit() for key, value in counts.items())
    assert any(
        len(list(itertools.takewhile(lambda line: line.startswith(" " * 12), lines[i + 1 :]))) > 1 for i in done
    )  # the 16-qubit outcomes wrap


def test_text_view_prints_a_progress_line_while_a_job_runs(monkeypatch):
    import qhybrid_lab.widgets as widgets
    from qhybrid_lab.jobs import run

    # Given a progress interval of 0.1 s and a job that runs for seconds
    monkeypatch.setattr(widgets, "PROGRESS_SECONDS", 0.1)
    slow = run(slow_circuit(), "fake_sherbrooke", shots=20000)
    stream = io.StringIO()
    view = JobView(slow, mode="text", stream=stream).show()
    # When it is still active, then a progress line names it, its status and its elapsed time
    wait_for(lambda: "still active" in stream.getvalue() or slow.done(), timeout=60)
    assert not slow.done(), "the job finished before the first progress line"
    progress = next(line for line in stream.getvalue().splitlines() if "still active" in line)
    assert re.fullmatch(
        r"  … 1 of 1 job\(s\) still active: slow on fake_sherbrooke (pending|queued|running) \d+ s", progress
    )
    # And once it is final, the progress lines stop
    slow.cancel()
    view.wait(60)
    view._ticker.join(10)
    assert not view._ticker.is_alive()
    assert " cancelled " in stream.getvalue().splitlines()[-1]


def test_progress_line_counts_active_jobs_and_names_the_first_few():
    def record(i, status):
        return {
            "id": f"{i:08d}",
            "status": status,
            "circuit": {"name": f"c{i}"},
            "backend": {"name": "aer"},
            "created": 100.0,
            "timings": {"submitted_at": 100.0, "total": 1.0},
        }

    records = [record(0, "done")] + [record(i, "running") for i in range(1, 5)] + [record(5, "pending")]
    line = progress_line(records, now=112.4)
    assert (
        line == "… 5 of 6 job(s) still active: c1 on aer running 12 s, c2 on aer running 12 s, "
        "c3 on aer running 12 s, +2 more"
    )


def test_widget_view_rows_histograms_and_cancelled_reason():
    from qhybrid_lab.jobs import run

    done = run(bell(), "aer", shots=50, seed=1)
    view = JobView(done, mode="widget")
    view.show()
    view.wait(60)
    (job,) = done
    line, cells, detail = view._rows[job.id]
    assert [c.value for c in cells[:2]] == ["bell", "aer (simulator)"] and "done" in cells[2].value
    assert cells[3].value == str(job.record["transpile"]["depth"]) and cells[5].value.endswith(" s")
    (histogram,) = detail.outputs
    assert list(histogram["data"]["application/vnd.plotly.v1+json"]["data"][0]["x"]) == sorted(job.result())

    slow = run(slow_circuit(), "fake_sherbrooke", shots=20000)
    view = JobView(slow, mode="widget").show()
    slow.cancel()
    view.wait(30)
    _, cells, detail = view._rows[slow[0].id]
    assert "cancelled" in cells[2].value
    assert detail.outputs[0]["output_type"] == "stream" and "cancelled" in detail.outputs[0]["text"]
    assert "<table" in view._repr_html_()


def test_a_sweep_row_names_its_points_and_plots_an_expectation_per_point():
    import numpy as np
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter

    from qhybrid_lab.jobs import run
    from qhybrid_lab.widgets import parity_expectation

    theta = Parameter("theta")
    qc = QuantumCircuit(1, name="rot")
    qc.ry(theta, 0)
    qc.measure_all()
    angles = np.linspace(0, np.pi, 5)
    many = run(qc, "aer", shots=4000, seed=3, parameter_values=angles[:, None])
    view = JobView(many, mode="widget").show()
    view.wait(60)
    (job,) = many
    _, cells, detail = view._rows[job.id]
    assert cells[0].value == "rot (5 pts)"
    (plot,) = detail.outputs
    (trace,) = plot["data"]["application/vnd.plotly.v1+json"]["data"]
    assert trace["type"] == "scatter" and np.allclose(trace["x"], angles)  # over the parameter's values
    assert "theta = " in trace["hovertemplate"]
    assert np.allclose(trace["y"], np.cos(angles), atol=0.05)  # <Z> after RY(theta) is cos(theta)
    assert [parity_expectation(c) for c in job.result()] == list(trace["y"])

    custom = run(qc, "aer", shots=100, seed=3, parameter_values=[[0.0], [np.pi]])
    view = JobView(custom, mode="widget", expectations={"rot": ("P(1)", lambda c: c.get("1", 0) / 100)}).show()
    view.wait(60)
    (plot,) = view._rows[custom[0].id][2].outputs
    figure = plot["data"]["application/vnd.plotly.v1+json"]
    assert list(figure["data"][0]["y"]) == [0.0, 1.0] and figure["layout"]["yaxis"]["title"]["text"] == "P(1)"

    single = run(qc, "aer", shots=50, seed=3, parameter_values=[[np.pi]])
    view = JobView(single, mode="widget").show()
    view.wait(60)
    (histogram,) = view._rows[single[0].id][2].outputs  # one point: its histogram
    assert list(histogram["data"]["application/vnd.plotly.v1+json"]["data"][0]["x"]) == ["1"]
    assert job_line(single[0].record).endswith("1 points; point 0:  1: 50")


def test_histograms_label_bars_switch_counts_and_overlay_runs_in_one_legend():
    from qhybrid_lab.plots import histogram, mimebundle

    fig = histogram({"00": 600, "11": 400}, {"00": 500, "01": 100, "11": 400}, labels=["aer", "fake_torino"])
    assert [b.name for b in fig.data] == ["aer", "fake_torino"] and fig.layout.showlegend
    assert list(fig.data[0].text) == ["0.600", "0.000", "0.400"] and fig.data[0].textposition == "outside"
    (menu,) = fig.layout.updatemenus
    probability, counts = menu.buttons
    # no active fill (plotly's is a fixed light colour, glaring in a dark theme); a title sits on its own top line
    assert menu.showactive is False
    titled = histogram({"0": 1}, title="bell on aer").layout.title
    assert (titled.yref, titled.y, titled.yanchor) == ("container", 1, "top")
    assert counts.label == "counts" and counts.args[0]["y"][1] == [500, 100, 400]
    assert probability.args[0]["y"][0] == [0.6, 0.0, 0.4]
    # every bar carries ±1σ of shot noise, √(p(1−p)/N), as an error bar, in the hover and through the switch
    assert fig.data[0].error_y.array == pytest.approx([(0.6 * 0.4 / 1000) ** 0.5, 0.0, (0.4 * 0.6 / 1000) ** 0.5])
    assert fig.data[1].error_y.array[1] == pytest.approx((0.1 * 0.9 / 1000) ** 0.5)
    assert fig.data[1].customdata[1] == "0.100 ± 0.00949"
    assert counts.args[0]["error_y.array"][1][1] == pytest.approx((1000 * 0.1 * 0.9) ** 0.5)
    assert probability.args[0]["error_y.array"][1] == list(fig.data[1].error_y.array)
    one = counts_histogram({"0": 3, "1": 1}, kind="counts")
    assert list(one.data[0].y) == [3, 1] and not one.layout.showlegend
    # shown in a notebook, any figure follows the theme: transparent backgrounds, neutral text
    layout = mimebundle(fig)["application/vnd.plotly.v1+json"]["layout"]
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == "rgba(0,0,0,0)"
    assert layout["font"]["color"] == "#8c8c8c"
    with pytest.raises(ValueError, match="2 result"):
        histogram({"0": 1}, {"1": 1}, labels=["one"])


def test_sweep_plots_follow_their_parameters():
    from qhybrid_lab.plots import sweep_plot

    grid = {"names": ["gamma", "beta"], "values": [[g, b] for g in (0.0, 0.5, 1.0) for b in (0.1, 0.2)]}
    fig = sweep_plot([1, 2, 3, 4, 5, 6], grid, label="⟨ZZ⟩", title="t")
    (heat,) = fig.data
    assert heat.type == "heatmap" and list(heat.x) == [0.0, 0.5, 1.0] and list(heat.y) == [0.1, 0.2]
    assert [list(row) for row in heat.z] == [[1, 3, 5], [2, 4, 6]] and heat.colorbar.title.text == "⟨ZZ⟩"
    assert "gamma = " in heat.hovertemplate and "beta = " in heat.hovertemplate
    scattered = {"names": ["a", "b"], "values": [[0.0, 1.0], [0.5, 0.2], [0.7, 0.7]]}  # not a grid
    (line,) = sweep_plot([1, 2, 3], scattered, label="v", title="t").data
    assert line.type == "scatter" and list(line.x) == [0, 1, 2] and list(line.text)[1] == "a = 0.5<br>b = 0.2"


def test_a_large_group_shows_one_summary_with_details_on_demand():
    from qiskit import QuantumCircuit

    from qhybrid_lab.jobs import run
    from qhybrid_lab.summary import SUMMARY_ABOVE

    circuits = {}
    for i in range(SUMMARY_ABOVE + 4):
        qc = QuantumCircuit(1, name=f"c{i}")
        qc.x(0) if i % 2 else qc.id(0)
        qc.measure_all()
        circuits[f"c{i}"] = qc
    group = run(circuits, "aer", shots=20, seed=1)
    view = JobView(group, mode="widget").show()
    view.wait(120)
    summary = view.summary
    assert summary is not None and view._rows == {}  # no row, no histogram per job
    assert summary.progress.value == summary.progress.max == len(circuits)
    assert summary.progress.bar_style == "success" and summary.cancel.disabled
    assert summary.cancel.button_style == ""  # not orange once nothing is left to cancel
    assert f"<b>{len(circuits)}</b> done" in summary.status.value and "$0.00" in summary.status.value
    assert summary.table.value == "" and summary.output.outputs == ()  # nothing built until asked for
    summary.toggle.value = True
    assert summary.table.value.count("<tr") == len(circuits) + 1
    summary.choice.value = group[1].id
    (histogram,) = summary.output.outputs
    assert list(histogram["data"]["application/vnd.plotly.v1+json"]["data"][0]["x"]) == ["1"]


def test_a_large_group_can_be_cancelled_from_its_summary():
    from qhybrid_lab.jobs import run

    group = run({f"slow{i}": slow_circuit() for i in range(10)}, "fake_sherbrooke", shots=20000)
    view = JobView(group, mode="widget").show()
    assert not view.summary.cancel.disabled and view.summary.cancel.button_style == "warning"
    view.summary.cancel.click()
    view.wait(120)
    assert {job.record["status"] for job in group} == {"cancelled"}
    assert "<b>10</b> cancelled" in view.summary.status.value and view.summary.cancel.disabled


def test_a_group_line_and_the_static_fallback_say_what_became_of_the_jobs():
    from qhybrid_lab.summary import group_counts, group_line, static_html

    records = [
        {
            "id": f"{i:08x}",
            "status": s,
            "created": 100.0,
            "updated": 102.5,
            "timings": {"submitted_at": 100.0, "finished_at": 102.5},
            "cost": {"counted": 0.0},
        }
        for i, s in enumerate(["done"] * 148 + ["failed"] * 2)
    ]
    assert group_counts(records) == {"done": 148, "failed": 2}
    assert group_line(records) == "150 jobs: 148 done, 2 failed in 2.50 s; cost $0.00"
    fallback = static_html("0123456789abcdef", records)
    assert "data-qhybrid-group='0123456789abcdef'" in fallback and "mathjax_ignore" in fallback
    running = [{**records[0], "status": "running", "timings": {"submitted_at": 100.0}}]
    assert group_line(running, now=130.0) == "1 jobs: 1 running, 30.0 s so far; cost $0.00"

"""The live view of a submission: one row per circuit × backend, updated as the engine reports progress.

In a kernel with ipywidgets the rows are widgets (status, backend and kind, transpiled depth and two-qubit count,
elapsed time, then the counts histogram or the error; a sweep row names its points and ends with an
expectation-vs-point plot, or the histogram of its only point). Elsewhere (terminal IPython, scripts) the view prints
one text line per job when it is submitted and one when it finishes (the outcome on a second line when the terminal
is too narrow for both), and a progress line every :data:`PROGRESS_SECONDS` while jobs are still active.
"""

from __future__ import annotations

import html
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

from .status import FINAL_STATES, JobStatus
from .summary import SUMMARY_ABOVE, GroupSummary, static_html
from .tables import Table, seconds, terminal_columns

__all__ = [
    "JobView",
    "Table",
    "job_line",
    "parity_expectation",
    "progress_line",
    "sweep_points",
    "terminal_columns",
    "widgets_available",
]

TICK_SECONDS = 0.5
"""How often elapsed times of unfinished jobs are refreshed in the widget view."""
PROGRESS_SECONDS = 15.0
"""How often the text view prints a progress line while jobs are still active."""

_COLOURS = {
    "done": "var(--jp-success-color1, green)",
    "failed": "var(--jp-error-color1, red)",
    "blocked": "var(--jp-error-color1, red)",
    "interrupted": "var(--jp-warn-color1, orange)",
    "cancelled": "var(--jp-warn-color1, orange)",
}
_COLUMNS = (
    ("circuit", "9em"),
    ("backend", "15em"),
    ("status", "7em"),
    ("depth", "5em"),
    ("2q gates", "6em"),
    ("elapsed", "6em"),
)


def widgets_available(shell: Any = None) -> bool:
    """Whether a widget view can show: a Jupyter kernel (not terminal IPython, not a script) and ipywidgets."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return False
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def _shell() -> Any:
    from IPython import get_ipython

    return get_ipython()


def _elapsed(record: dict, now: float | None = None) -> float | None:
    timings = record.get("timings") or {}
    if JobStatus(record["status"]) in FINAL_STATES:
        return timings.get("total")
    start = timings.get("submitted_at") or record.get("created")
    return None if start is None else max(0.0, (now or time.time()) - start)


def sweep_points(record: dict) -> int | None:
    """The number of parameter points of a sweep record, ``None`` for a single circuit."""
    values = (record.get("parameters") or {}).get("values")
    return None if values is None else len(values)


def parity_expectation(counts: dict[str, int]) -> float:
    """⟨Z⊗…⊗Z⟩ over every measured bit: the default expectation a sweep's view plots per point."""
    shots = sum(counts.values()) or 1
    return sum((-1) ** key.count("1") * n for key, n in counts.items()) / shots


def _cells(record: dict, now: float | None = None) -> list[str]:
    backend = record.get("backend") or {}
    transpiled = record.get("transpile") or {}
    elapsed = _elapsed(record, now)

    def num(value: Any) -> str:
        return "–" if value is None else str(value)

    name = (record.get("circuit") or {}).get("name") or "?"
    points = sweep_points(record)
    return [
        name if points is None else f"{name} ({points} pts)",
        f"{backend.get('name')} ({backend.get('kind')})",
        str(record["status"]),
        num(transpiled.get("depth")),
        num(transpiled.get("two_qubit")),
        "–" if elapsed is None else seconds(elapsed),
    ]


def expectation_lines(record: dict) -> list[str]:
    """``⟨O⟩ = v ± e`` per observable of a done job (a sweep: ``… at point 0 of N``; exact: ``(exact)``)."""
    result = record.get("result") or {}
    values, errors = result.get("expectation_values"), result.get("standard_errors")
    if values is None:
        return []
    labels = [o.get("label", "?") for o in record.get("observables") or []]
    suffix = " (exact)" if result.get("ev_method") == "exact" else ""
    if values and isinstance(values[0], list):
        suffix += f" at point 0 of {len(values)}"
        values, errors = values[0], (errors or [[]])[0]
    return [f"⟨{label}⟩ = {v:.4g} ± {e:.2g}{suffix}" for label, v, e in zip(labels, values, errors or [])]


def job_line(record: dict) -> str:
    """One text line for a job: circuit, backend (kind), status, depth, two-qubit count, time, then counts or error."""
    head, outcome = _line_parts(record)
    return f"{head}  {outcome}" if outcome else head


def _line_parts(record: dict, widths: tuple[int, int] = (10, 26)) -> tuple[str, str]:
    """A job's text line in two parts: what ran and how far it is, then its outcome (counts, error; may be "").

    ``widths``: of the circuit and backend columns (a view aligns its jobs' lines with its own widths).
    """
    circuit, backend, status, depth, twoq, elapsed = _cells(record)
    head = (
        f"{record['id'][:8]}  {circuit:<{widths[0]}} {backend:<{widths[1]}} {status:<11} depth {depth:<3} "
        f"2q {twoq:<3} {elapsed}"
    )
    counts, outcome = (record.get("result") or {}).get("counts"), ""
    if isinstance(counts, list) and counts:  # a sweep: the first point's outcomes
        outcome = f"{len(counts)} points; point 0"
        counts = counts[0]
    if counts:
        top = sorted(counts.items(), key=lambda kv: -kv[1])[:4]
        outcome += (
            (":  " if outcome else "") + ", ".join(f"{k}: {v}" for k, v in top) + (" …" if len(counts) > 4 else "")
        )
    elif record.get("error") or record.get("blocked_reason"):
        outcome = " ".join(str(record.get("blocked_reason") or record.get("error")).split())
    evs = expectation_lines(record)
    if evs:
        outcome = "; ".join(evs) + (";  " + outcome if outcome else "")
    return head, outcome


def progress_line(records: list[dict], now: float | None = None, *, shown: int = 3) -> str:
    """One line on the jobs still active: how many, and the first ``shown`` of them with status and elapsed time."""
    active = [r for r in records if JobStatus(r["status"]) not in FINAL_STATES]
    parts = []
    for record in active[:shown]:
        elapsed = _elapsed(record, now)
        parts.append(
            f"{(record.get('circuit') or {}).get('name') or '?'} on {(record.get('backend') or {}).get('name')}"
            f" {record['status']}" + ("" if elapsed is None else f" {elapsed:.0f} s")
        )
    more = f", +{len(active) - shown} more" if len(active) > shown else ""
    return f"… {len(active)} of {len(records)} job(s) still active: {', '.join(parts)}{more}"


class JobView:
    """A live view of a JobGroup (or any list of Jobs).

    Args:
        group: the jobs to show.
        mode: "widget" or "text"; by default widgets inside a Jupyter kernel, text elsewhere.
        stream: where text mode prints (default: sys.stdout at the time of printing).
        expectations: per circuit name, ``(label, function of counts)``: what a sweep's plot shows per point
            (default: :func:`parity_expectation`, labelled ⟨Z…Z⟩).
    """

    def __init__(
        self,
        group: Any,
        *,
        mode: str | None = None,
        stream: TextIO | None = None,
        expectations: dict[str, tuple[str, Callable[[dict], float]]] | None = None,
    ) -> None:
        self.group = group
        self.expectations = dict(expectations or {})
        self.jobs = list(group)
        cells = [_cells(job.record) for job in self.jobs]  # the text lines' circuit and backend column widths
        self._widths = (max([len(c[0]) for c in cells] + [4]), max([len(c[1]) for c in cells] + [4]))
        if mode is None:
            mode = "widget" if widgets_available() else "text"
        if mode not in ("widget", "text"):
            raise ValueError(f"mode must be 'widget' or 'text', got {mode!r}")
        self.mode = mode
        self._stream = stream
        self._lock = threading.RLock()
        self._rendered_final: set[str] = set()
        self._rows: dict[str, tuple[Any, list[Any], Any]] = {}
        self._dirty: set[str] = set()
        self._shell: Any = None
        self.summary: GroupSummary | None = None
        self.widget = self._build() if mode == "widget" else None
        self._ticker: threading.Thread | None = None
        self._finished = threading.Event()

    # -- showing ----------------------------------------------------------------------------------------------

    def show(self) -> JobView:
        """Display the view (widget) or print the submitted lines (text), and follow the jobs."""
        if self.mode == "widget":
            from IPython.display import display

            # With a static fallback: what shows where the widget cannot (a saved notebook, a restarted kernel)
            if self.widget is None:  # built in __init__ whenever the mode is "widget"
                raise RuntimeError("this job view has no widget to show")
            bundle = dict(self.widget._repr_mimebundle_())
            bundle["text/html"] = static_html(str(getattr(self.group, "id", "?")), [j.record for j in self.jobs])
            display(bundle, raw=True)
        else:
            self._print(f"submitted {len(self.jobs)} job(s), group {getattr(self.group, 'id', '?')[:8]}:")
            for job in self.jobs:
                self._print_job(job.record)
        for job in self.jobs:
            job.add_status_callback(self._on_status)
            self._on_status(job)  # it may have changed before the callback was in place
        if self.mode == "text" and not self._all_final():
            self._ticker = threading.Thread(target=self._progress, name="qhybrid-jobview-progress", daemon=True)
            self._ticker.start()
        if self.mode == "widget" and not self._all_final():
            self._ticker = threading.Thread(target=self._tick, name="qhybrid-jobview-tick", daemon=True)
            self._ticker.start()
            self._shell = _shell()
            if self._shell is not None:
                self._shell.events.register("pre_run_cell", self._resync)
        return self

    def wait(self, timeout: float | None = None) -> Any:
        """Wait until every job is final and its final state is shown; returns the group status."""
        status = self.group.wait(timeout)
        for job in self.jobs:  # renders what a callback has not yet; waits for one that is rendering now
            self._on_status(job)
        if self.summary is not None:
            with self._lock:
                self.summary.refresh()
        return status

    def _print(self, text: str) -> None:
        # sys.stdout at the time of printing: at a terminal IPython prompt it is prompt_toolkit's proxy, which
        # prints above the prompt and redraws it.
        print(text, file=self._stream or sys.stdout, flush=True)

    def _print_job(self, record: dict) -> None:
        """A job's line, indented; its outcome on lines of its own below when both do not fit the terminal."""
        head, outcome = _line_parts(record, self._widths)
        width = terminal_columns()
        if not outcome:
            self._print("  " + head)
        elif len(head) + len(outcome) + 4 <= width:
            self._print(f"  {head}  {outcome}")
        else:
            indent = " " * 12
            wrapped = textwrap.fill(
                outcome, max(width, 40), initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
            )
            self._print(f"  {head}\n{wrapped}")

    def _progress(self) -> None:
        """Text mode: every PROGRESS_SECONDS, one line on the jobs still active, until all are final."""
        while not self._finished.wait(PROGRESS_SECONDS):
            records = [job.record for job in self.jobs]
            if all(JobStatus(r["status"]) in FINAL_STATES for r in records):
                return
            self._print("  " + progress_line(records))

    def _all_final(self) -> bool:
        return all(job.done() for job in self.jobs)

    # -- updates (engine thread) ---------------------------------------------------------------------------------

    def _on_status(self, job: Any) -> None:
        with self._lock:  # one render at a time, so wait() returns only after the final one is out
            if job.id in self._rendered_final:
                return
            record = job.record
            final = JobStatus(record["status"]) in FINAL_STATES
            if final:
                self._rendered_final.add(job.id)
            if self.summary is not None:
                self.summary.stale = True
                if len(self._rendered_final) == len(self.jobs):
                    self.summary.refresh()
                    self._dirty.add(job.id)
            elif self.mode == "widget":
                self._update_row(job.id, record, final)
            elif final:
                self._print_job(record)
            if len(self._rendered_final) == len(self.jobs):
                self._finished.set()

    def _resync(self, *_: Any) -> None:
        """At the start of each cell, re-send the rows that finished since the last one.

        Updates from the engine thread carry the parent header of the kernel's latest request; one that lands
        between two cells belongs to no running cell. JupyterLab applies it anyway, but headless runners such as
        nbclient keep only the messages of the cell they run, so the final rows are re-sent here, from the
        kernel's main thread, inside the next cell. Unregisters itself once every row is final and re-sent.
        """
        with self._lock:
            dirty, self._dirty = self._dirty, set()
            if self.summary is not None and dirty:
                for widget in self.summary.widgets:
                    widget.send_state()
                dirty = set()
            for job_id in dirty:
                _line, cells, detail = self._rows[job_id]
                for widget in cells:
                    widget.send_state(key="value")
                detail.send_state(key="outputs")  # not msg_id: nbclient's Output handling trips over it
            finished = len(self._rendered_final) == len(self.jobs)
        if finished and self._shell is not None:
            self._shell.events.unregister("pre_run_cell", self._resync)
            self._shell = None

    def _tick(self) -> None:
        while not self._all_final():
            now = time.time()
            if self.summary is not None:  # redrawn from the records, at most every TICK_SECONDS
                with self._lock:
                    self.summary.refresh(now)
                time.sleep(TICK_SECONDS)
                continue
            for job in self.jobs:
                with self._lock:
                    if job.id not in self._rendered_final:
                        self._rows[job.id][1][-1].value = _cells(job.record, now)[-1]
            time.sleep(TICK_SECONDS)

    # -- widgets ------------------------------------------------------------------------------------------------

    def _build(self) -> Any:
        import ipywidgets as w

        if len(self.jobs) > SUMMARY_ABOVE:
            self.summary = GroupSummary(self.group, self.jobs, _render_detail_into(self.expectations))
            return self.summary.widget

        def cell(text: str, width: str, bold: bool = False) -> Any:
            value = f"<b>{html.escape(text)}</b>" if bold else html.escape(text)
            return w.HTML(value, layout=w.Layout(width=width))

        header = w.HBox([cell(name, width, bold=True) for name, width in _COLUMNS])
        rows = [header]
        for job in self.jobs:
            cells = [cell(text, width) for text, (_, width) in zip(_cells(job.record), _COLUMNS)]
            detail = w.Output(layout=w.Layout(margin="0 0 0 2em"))
            line = w.HBox(cells)
            self._rows[job.id] = (line, cells, detail)
            rows += [line, detail]
        caption = w.HTML(
            f"<b>qhybrid-lab</b> group <code>{html.escape(str(getattr(self.group, 'id', '?'))[:8])}"
            f"</code>: {len(self.jobs)} job(s)"
        )
        return w.VBox(
            [caption, *rows], layout=w.Layout(border="1px solid var(--jp-border-color2, #ccc)", padding="4px")
        )

    def _update_row(self, job_id: str, record: dict, final: bool) -> None:
        _, cells, detail = self._rows[job_id]
        texts = _cells(record)
        colour = _COLOURS.get(str(record["status"]))
        for widget, text in zip(cells, texts):
            widget.value = html.escape(text)
        if colour:
            cells[2].value = f"<span style='color:{colour}'><b>{html.escape(texts[2])}</b></span>"
        if not final:
            return
        self._dirty.add(job_id)
        _render_detail_into(self.expectations)(record, detail)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{name}</th>" for name, _ in _COLUMNS)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in _cells(job.record)) + "</tr>" for job in self.jobs
        )
        return f"<table class='qh-JobView'><tr>{head}</tr>{body}</table>"


def _render_detail_into(expectations: dict[str, tuple[str, Callable[[dict], float]]]) -> Callable[[dict, Any], None]:
    """A function that shows a final job's outcome in an Output widget: histogram, sweep plot or the reason."""

    def render(record: dict, detail: Any) -> None:
        from .plots import counts_histogram, mimebundle, sweep_plot

        evs = expectation_lines(record)
        if evs:
            detail.append_stdout("\n".join(evs) + "\n")
        name = (record.get("circuit") or {}).get("name") or "?"
        backend = record.get("backend") or {}
        where = f"{backend.get('name')} ({backend.get('kind')})"
        counts = (record.get("result") or {}).get("counts")
        if isinstance(counts, list) and len(counts) > 1:
            label, function = expectations.get(name, ("⟨Z…Z⟩ of the measured bits", parity_expectation))
            title = f"{name} on {where}: {label} at each of {len(counts)} points, {record.get('shots')} shots"
            figure = sweep_plot([function(c) for c in counts], record.get("parameters"), label=label, title=title)
            detail.outputs += ({"output_type": "display_data", "data": mimebundle(figure), "metadata": {}},)
            return
        if isinstance(counts, list):
            counts = counts[0] if counts else None
        if counts:
            points = sweep_points(record)
            title = f"{name if points is None else f'{name} ({points} pts)'} on {where}, {record.get('shots')} shots"
            bundle = mimebundle(counts_histogram(counts, title=title, height=260))
            detail.outputs += ({"output_type": "display_data", "data": bundle, "metadata": {}},)
        else:
            reason = record.get("blocked_reason") or record.get("error") or f"job {record['status']}"
            detail.append_stdout(f"{reason}\n")

    return render

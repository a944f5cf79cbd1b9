"""The live view of an optimization: objective ± error per iteration, the best so far, cost and time, a Stop button.

In a Jupyter kernel with ipywidgets it is a widget (a plotly figure redrawn at most every half second, a summary
line, a Stop button that works while the loop runs on a thread: ``minimize(..., wait=False)``; with ``wait=True``
the kernel's interrupt button or the sidebar's Stop end the loop). Elsewhere it prints a line every ten iterations.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

REDRAW_SECONDS = 0.5


def convergence_figure(trace: list[dict], title: str) -> Any:
    """A plotly figure of a trace: objective ± standard error per iteration, and the best value so far."""
    import plotly.graph_objects as go

    values = [t.get("value") for t in trace]
    errors = [t.get("stderr") or 0.0 for t in trace]
    best, running = [], float("inf")
    for value in values:
        running = min(running, value) if value is not None else running
        best.append(running)
    steps = list(range(len(trace)))
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=steps,
            y=values,
            mode="markers+lines",
            name="objective",
            error_y={"type": "data", "array": errors, "visible": True},
            customdata=[[str(t.get("parameters"))] for t in trace],
            hovertemplate="iteration %{x}<br>%{y:.4g}<br>θ = %{customdata[0]}<extra></extra>",
        )
    )
    figure.add_trace(go.Scatter(x=steps, y=best, mode="lines", name="best so far", line={"dash": "dot"}))
    figure.update_layout(
        title={"text": title},
        height=300,
        margin={"l": 50, "r": 10, "t": 40, "b": 40},
        xaxis_title="iteration",
        yaxis_title="objective",
        legend={"orientation": "h"},
    )
    return figure


def summary_line(summary: dict, iterations: int, max_iterations: int | None) -> str:
    """``iteration 12/100 · best −2.91 ± 0.03 · $0.00 · 4.2 s · running``."""
    best = summary.get("best") or {}
    totals = summary.get("totals") or {}
    value = best.get("value")
    error = best.get("stderr")
    best_text = "–" if value is None else f"{value:.4g}" + (f" ± {error:.2g}" if error else "")
    limit = f"/{max_iterations}" if max_iterations else ""
    return (
        f"iteration {iterations}{limit} · best {best_text} · ${totals.get('cost', 0.0):.2f} · "
        f"{totals.get('seconds', 0.0):.1f} s · {summary.get('status', 'running')}"
        + (f" · {summary['message']}" if summary.get("message") else "")
    )


class ExperimentView:
    """Follows one experiment: ``update(iteration)`` after each iteration, ``finished(result)`` at the end."""

    def __init__(self, experiment: Any, *, max_iterations: int | None = None) -> None:
        self.experiment = experiment
        self.max_iterations = max_iterations
        self._trace: list[dict] = []
        self._last_draw = 0.0
        self._lock = threading.Lock()
        self._widgets = self._build() if self.widgets_available() else None

    @staticmethod
    def widgets_available() -> bool:
        from ..widgets import widgets_available

        return widgets_available()

    @classmethod
    def wanted(cls, view: bool | None) -> bool:
        """Whether to show a view: as asked, else in a Jupyter kernel (or a terminal IPython: text lines)."""
        if view is not None:
            return view
        from IPython import get_ipython

        return get_ipython() is not None

    def _build(self) -> Any:
        import ipywidgets as widgets

        stop = widgets.Button(description="Stop", button_style="warning", tooltip="stop after this evaluation")
        stop.on_click(lambda _: self.experiment.stop("stopped from the cell's Stop button"))
        label = widgets.HTML(f"<b>{self.experiment.name}</b>: starting")
        plot = widgets.Output()
        return {"box": widgets.VBox([widgets.HBox([label, stop]), plot]), "label": label, "plot": plot, "stop": stop}

    def show(self) -> ExperimentView:
        if self._widgets is not None:
            from IPython.display import display

            display(self._widgets["box"])
        else:
            print(f"experiment {self.experiment.name}: started", file=sys.stdout)  # noqa: T201 - no widgets
        return self

    def update(self, iteration: dict) -> None:
        with self._lock:
            self._trace.append(iteration)
            due = time.monotonic() - self._last_draw >= REDRAW_SECONDS
        if due:
            self._draw()

    def _draw(self, final: bool = False) -> None:
        with self._lock:
            trace = list(self._trace)
            self._last_draw = time.monotonic()
        summary = self.experiment.summary
        line = summary_line(summary, len(trace), self.max_iterations)
        if self._widgets is None:
            if final or len(trace) % 10 == 0:
                print(f"experiment {self.experiment.name}: {line}", file=sys.stdout)  # noqa: T201 - no widgets
            return
        import html

        from ..plots import mimebundle

        self._widgets["label"].value = f"<b>{html.escape(self.experiment.name)}</b>: {html.escape(line)}"
        plot = self._widgets["plot"]
        plot.clear_output(wait=True)
        with plot:
            from IPython.display import display

            display(mimebundle(convergence_figure(trace, f"{self.experiment.name}: convergence")), raw=True)
        if final:
            self._widgets["stop"].disabled = True

    def finished(self, result: Any) -> None:
        self._draw(final=True)


__all__ = ["ExperimentView", "convergence_figure", "summary_line"]

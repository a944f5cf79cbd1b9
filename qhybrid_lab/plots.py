"""Figures of counts: plotly for interactive views, matplotlib for static ones (papers, PDFs)."""

from __future__ import annotations

from typing import Any

__all__ = [
    "comparison_histogram",
    "comparison_histogram_mpl",
    "counts_histogram",
    "counts_histogram_mpl",
    "mimebundle",
    "probabilities",
]

MAX_OUTCOMES = 32
"""Outcomes beyond the most likely ones are summed into one "other" bar, so wide circuits stay readable."""


def probabilities(*counts: dict[str, int], max_outcomes: int = MAX_OUTCOMES) -> tuple[list[str], list[list[float]]]:
    """Shared outcome axis and per-distribution probabilities, outcomes sorted as bitstrings.

    Args:
        *counts: one or more counts dicts (keys are bitstrings; spaces between registers are dropped).
        max_outcomes: keep the outcomes most likely in any distribution; the rest become ``"other"``.

    Returns:
        (outcomes, one list of probabilities per counts dict, aligned with outcomes).
    """
    normed = []
    for dist in counts:
        total = sum(dist.values()) or 1
        probs: dict[str, float] = {}
        for key, value in dist.items():
            clean = key.replace(" ", "")
            probs[clean] = probs.get(clean, 0.0) + value / total
        normed.append(probs)
    keys = set().union(*normed) if normed else set()
    if len(keys) > max_outcomes:
        ranked = sorted(keys, key=lambda k: max(p.get(k, 0.0) for p in normed), reverse=True)
        keep = sorted(ranked[:max_outcomes])
        values = [[p.get(k, 0.0) for k in keep] + [1.0 - sum(p.get(k, 0.0) for k in keep)] for p in normed]
        return [*keep, "other"], values
    outcomes = sorted(keys)
    return outcomes, [[p.get(k, 0.0) for k in outcomes] for p in normed]


def counts_histogram(counts: dict[str, int], *, title: str | None = None, height: int = 260) -> Any:
    """A plotly bar chart of one result's outcome probabilities.

    Example:
        >>> counts_histogram({"00": 1001, "11": 999}, title="bell on aer")  # doctest: +SKIP
    """
    import plotly.graph_objects as go

    outcomes, (probs,) = probabilities(counts)
    fig = go.Figure(go.Bar(x=outcomes, y=probs, hovertemplate="%{x}: %{y:.3f}<extra></extra>"))
    _layout(fig, title, height)
    return fig


def comparison_histogram(
    counts_a: dict[str, int], counts_b: dict[str, int], *, labels: tuple[str, str] = ("a", "b"),
    title: str | None = None, height: int = 300,
) -> Any:
    """A plotly grouped bar chart: two results of one circuit side by side, as probabilities."""
    import plotly.graph_objects as go

    outcomes, (pa, pb) = probabilities(counts_a, counts_b)
    fig = go.Figure(
        [
            go.Bar(name=labels[0], x=outcomes, y=pa, hovertemplate="%{x}: %{y:.3f}<extra>" + labels[0] + "</extra>"),
            go.Bar(name=labels[1], x=outcomes, y=pb, hovertemplate="%{x}: %{y:.3f}<extra>" + labels[1] + "</extra>"),
        ]
    )
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": 1.12})
    _layout(fig, title, height)
    return fig


def mimebundle(fig: Any) -> dict[str, Any]:
    """A display bundle of a plotly figure: the plotly mime type JupyterLab renders, and a text fallback.

    Unlike plotly's notebook renderer it never embeds plotly.js, so notebooks and widget states stay small.
    Show it with ``IPython.display.display(bundle, raw=True)`` or append it to an Output widget.
    """
    import json

    figure = json.loads(fig.to_json())
    title = ((figure.get("layout") or {}).get("title") or {}).get("text") or "counts histogram"
    return {"application/vnd.plotly.v1+json": {**figure, "config": {"displaylogo": False}},
            "text/plain": f"<plotly figure: {title}>"}


def _layout(fig: Any, title: str | None, height: int) -> None:
    fig.update_layout(
        title=title, height=height, margin={"l": 40, "r": 10, "t": 40 if title else 10, "b": 40},
        yaxis_title="probability", xaxis_title="outcome", xaxis_type="category",
    )


def counts_histogram_mpl(counts: dict[str, int], *, title: str | None = None, ax: Any = None) -> Any:
    """A static matplotlib bar chart of one result; returns the Figure."""
    outcomes, (probs,) = probabilities(counts)
    fig, ax = _axes(ax)
    ax.bar(outcomes, probs)
    _mpl_labels(ax, title)
    return fig


def comparison_histogram_mpl(
    counts_a: dict[str, int], counts_b: dict[str, int], *, labels: tuple[str, str] = ("a", "b"),
    title: str | None = None, ax: Any = None,
) -> Any:
    """A static matplotlib grouped bar chart of two results; returns the Figure."""
    outcomes, (pa, pb) = probabilities(counts_a, counts_b)
    fig, ax = _axes(ax)
    xs = range(len(outcomes))
    width = 0.4
    ax.bar([x - width / 2 for x in xs], pa, width, label=labels[0])
    ax.bar([x + width / 2 for x in xs], pb, width, label=labels[1])
    ax.set_xticks(list(xs), outcomes)
    ax.legend()
    _mpl_labels(ax, title)
    return fig


def _axes(ax: Any) -> tuple[Any, Any]:
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

    fig = Figure(figsize=(6, 3), layout="constrained")
    return fig, fig.add_subplot()


def _mpl_labels(ax: Any, title: str | None) -> None:
    ax.set_xlabel("outcome")
    ax.set_ylabel("probability")
    ax.tick_params(axis="x", labelrotation=60 if len(ax.get_xticks()) > 8 else 0)
    if title:
        ax.set_title(title)

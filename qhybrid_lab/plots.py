"""Figures of counts and sweeps: plotly for interactive views, matplotlib for static ones (papers, PDFs).

Every plotly figure shown through :func:`mimebundle` follows the JupyterLab theme: its backgrounds are
transparent (the cell's own background shows through, light or dark) and its text and grid lines are a neutral grey
that reads on both.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "comparison_histogram",
    "comparison_histogram_mpl",
    "counts_histogram",
    "counts_histogram_mpl",
    "histogram",
    "mimebundle",
    "probabilities",
    "shot_noise",
    "sweep_plot",
    "theme_neutral",
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


def shot_noise(probability: float, shots: int) -> float:
    """The standard error of an outcome's estimated probability from ``shots`` samples: √(p(1−p)/N).

    The error bars of :func:`histogram` are ±1 of it (a bar with 1000 shots at p = 0.5 is ±0.016).
    """
    return (probability * (1.0 - probability) / shots) ** 0.5 if shots > 0 else 0.0


def histogram(
    *counts: dict[str, int],
    labels: list[str] | tuple[str, ...] | None = None,
    title: str | None = None,
    height: int = 260,
    kind: str = "probability",
) -> Any:
    """A plotly bar chart of one or more results, like ``qiskit.visualization.plot_histogram``.

    Several results share one outcome axis, side by side with one legend entry each; every bar is labelled with
    its value with ±1 standard error of shot noise as an error bar (:func:`shot_noise`), and buttons above the plot
    switch between probabilities and counts.

    Args:
        *counts: counts dicts (bitstring → shots).
        labels: one legend entry per counts dict (default: "run 1", "run 2", …; no legend for one result).
        title: the figure's title.
        height: in pixels.
        kind: what shows first: "probability" or "counts".

    Example:
        >>> histogram({"00": 1001, "11": 999}, {"00": 950, "01": 50, "11": 1000}, labels=["aer", "fake_torino"])  # doctest: +SKIP
    """
    import plotly.graph_objects as go

    if kind not in ("probability", "counts"):
        raise ValueError(f"kind must be 'probability' or 'counts', got {kind!r}")
    labels = list(labels or [f"run {i + 1}" for i in range(len(counts))])
    if len(labels) != len(counts):
        raise ValueError(f"{len(counts)} result(s) but {len(labels)} label(s)")
    outcomes, probs = probabilities(*counts)
    shots = [sum(c.values()) for c in counts]
    values: dict[str, list[list[float]]] = {
        "probability": probs,
        "counts": [[round(p * n) for p in ps] for ps, n in zip(probs, shots)],
    }
    texts = {
        "probability": [[f"{p:.3f}" for p in ps] for ps in probs],
        "counts": [[str(v) for v in vs] for vs in values["counts"]],
    }
    errors = {"probability": _errors(probs, counts)}
    errors["counts"] = [[e * n for e in es] for es, n in zip(errors["probability"], shots)]
    hovers = {
        key: [[f"{t} ± {e:.3g}" for t, e in zip(ts, es)] for ts, es in zip(texts[key], errors[key])] for key in texts
    }
    several = len(counts) > 1
    fig = go.Figure(
        [
            go.Bar(
                name=label,
                x=outcomes,
                y=values[kind][i],
                text=texts[kind][i],
                textposition="outside",
                cliponaxis=False,
                textfont={"size": 10 if several or len(outcomes) > 8 else 11},
                error_y={"type": "data", "array": errors[kind][i], "thickness": 1, "width": 3, "color": NEUTRAL_TEXT},
                customdata=hovers[kind][i],
                hovertemplate="%{x}: %{customdata} (±1σ shot noise)<extra>" + (label if several else "") + "</extra>",
            )
            for i, label in enumerate(labels)
        ]
    )
    fig.update_layout(
        barmode="group",
        showlegend=several,
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
    )
    buttons = [
        {
            "label": name,
            "method": "update",
            "args": [
                {"y": values[key], "text": texts[key], "error_y.array": errors[key], "customdata": hovers[key]},
                {"yaxis.title.text": name, "yaxis.autorange": True},
            ],
        }
        for key, name in (("probability", "probability"), ("counts", "counts"))
    ]
    fig.update_layout(
        updatemenus=[
            {
                "type": "buttons",
                "direction": "left",
                "buttons": buttons,
                "active": 0 if kind == "probability" else 1,
                "x": 0,
                "xanchor": "left",
                "y": 1.02,
                "yanchor": "bottom",
                "pad": {"l": 0, "r": 0, "t": 0, "b": 0},
                # plotly.js fills the active button with a fixed light colour (#F4FAFF) that no layout attribute changes:
                # glaring in a dark theme, so no button is shown active; the y-axis title says what is shown
                "showactive": False,
                "font": {"size": 10},
            }
        ]
    )
    _layout(fig, title, height)
    fig.update_layout(yaxis_title=kind, margin={"t": 64 if title else 34})
    if title:  # the title on its own line at the top, the switch (and legend) on the line under it
        fig.update_layout(
            title={
                "text": title,
                "x": 0,
                "xref": "paper",
                "xanchor": "left",
                "y": 1,
                "yref": "container",
                "yanchor": "top",
                "pad": {"t": 8},
                "font": {"size": 13},
            }
        )
    return fig


def counts_histogram(
    counts: dict[str, int], *, title: str | None = None, height: int = 260, kind: str = "probability"
) -> Any:
    """A plotly bar chart of one result (value labels; a probability/counts switch): :func:`histogram` of one.

    Example:
        >>> counts_histogram({"00": 1001, "11": 999}, title="bell on aer")  # doctest: +SKIP
    """
    return histogram(counts, title=title, height=height, kind=kind)


def sweep_plot(values: list[float], parameters: dict | None, *, label: str, title: str, height: int = 260) -> Any:
    """One value per sweep point, plotted over the sweep's parameters.

    One parameter: a line over its values. Two parameters whose points form a full grid: a heatmap over them
    (a labelled colour bar). Otherwise: a line over the point index, the parameter values in the hover.

    Args:
        values: one value per point, in point order.
        parameters: the record's ``parameters`` (``names`` and ``values[point][parameter]``), or None.
        label: what the values are (the y axis, or the colour bar).
        title: the figure's title.
        height: in pixels.
    """
    import plotly.graph_objects as go

    names = list((parameters or {}).get("names") or [])
    points = [list(p) for p in (parameters or {}).get("values") or []]
    if len(points) != len(values) or not names:
        names, points = ["point"], [[i] for i in range(len(values))]
    grid = _grid(points) if len(names) == 2 else None
    if len(names) == 1:
        xs = [p[0] for p in points]
        fig = go.Figure(
            go.Scatter(
                x=xs,
                y=values,
                mode="lines+markers",
                name=label,
                hovertemplate=f"{names[0]} = %{{x:.4g}}<br>{label} = %{{y:.4f}}<extra></extra>",
            )
        )
        fig.update_layout(xaxis_title=names[0], yaxis_title=label)
    elif grid is not None:
        xs, ys = grid
        z: list[list[float | None]] = [[None] * len(xs) for _ in ys]
        for (x, y), v in zip(points, values):
            z[ys.index(y)][xs.index(x)] = v
        fig = go.Figure(
            go.Heatmap(
                x=xs,
                y=ys,
                z=z,
                colorscale="Viridis",
                colorbar={"title": {"text": label, "side": "right"}},
                hovertemplate=f"{names[0]} = %{{x:.4g}}<br>{names[1]} = %{{y:.4g}}<br>{label} = %{{z:.4f}}<extra></extra>",
            )
        )
        fig.update_layout(xaxis_title=names[0], yaxis_title=names[1])
    else:
        text = ["<br>".join(f"{n} = {v:.4g}" for n, v in zip(names, p)) for p in points]
        fig = go.Figure(
            go.Scatter(
                x=list(range(len(values))),
                y=values,
                mode="lines+markers",
                name=label,
                text=text,
                hovertemplate=f"point %{{x}}<br>%{{text}}<br>{label} = %{{y:.4f}}<extra></extra>",
            )
        )
        fig.update_layout(xaxis_title="point", yaxis_title=label)
    fig.update_layout(
        title={"text": title, "font": {"size": 13}}, height=height, margin={"l": 50, "r": 10, "t": 40, "b": 40}
    )
    return fig


def _grid(points: list[list[float]]) -> tuple[list[float], list[float]] | None:
    """The sorted distinct x and y values of 2-D points when every (x, y) pair occurs exactly once, else None."""
    xs, ys = sorted({p[0] for p in points}), sorted({p[1] for p in points})
    pairs = {(p[0], p[1]) for p in points}
    if len(xs) < 2 or len(ys) < 2 or len(pairs) != len(points) or len(pairs) != len(xs) * len(ys):
        return None
    return xs, ys


def comparison_histogram(
    counts_a: dict[str, int],
    counts_b: dict[str, int],
    *,
    labels: tuple[str, str] = ("a", "b"),
    title: str | None = None,
    height: int = 300,
) -> Any:
    """A plotly grouped bar chart: two results of one circuit side by side, as probabilities (±1σ shot noise)."""
    import plotly.graph_objects as go

    outcomes, probs = probabilities(counts_a, counts_b)
    fig = go.Figure(
        [
            go.Bar(
                name=label,
                x=outcomes,
                y=ps,
                error_y={"type": "data", "array": errors, "thickness": 1, "width": 3, "color": NEUTRAL_TEXT},
                customdata=errors,
                hovertemplate="%{x}: %{y:.3f} ± %{customdata:.3g}<extra>" + label + "</extra>",
            )
            for label, ps, errors in zip(labels, probs, _errors(probs, (counts_a, counts_b)))
        ]
    )
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": 1.12})
    _layout(fig, title, height)
    return fig


NEUTRAL_TEXT = "#8c8c8c"
"""Text colour of themed figures: readable on JupyterLab's light and dark backgrounds alike."""
NEUTRAL_GRID = "rgba(128, 128, 128, 0.25)"
"""Grid line colour of themed figures."""


def theme_neutral(fig: Any) -> Any:
    """Make a plotly figure follow the JupyterLab theme: transparent backgrounds, neutral text and grid lines.

    Colours the figure sets itself (a trace's, a title's font) are kept; only the template's light-theme
    backgrounds and dark-grey text are replaced. Returns the figure.
    """
    axis = {"gridcolor": NEUTRAL_GRID, "zerolinecolor": "rgba(128, 128, 128, 0.5)", "linecolor": NEUTRAL_GRID}
    fig.update_layout(
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"color": NEUTRAL_TEXT},
        legend={"bgcolor": "rgba(0,0,0,0)"},
    )
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    for menu in fig.layout.updatemenus or ():
        menu.update(bgcolor="rgba(128, 128, 128, 0.15)", bordercolor=NEUTRAL_GRID, font={"color": NEUTRAL_TEXT})
    return fig


def mimebundle(fig: Any) -> dict[str, Any]:
    """A display bundle of a plotly figure: the plotly mime type JupyterLab renders, and a text fallback.

    The figure is shown theme-neutral (:func:`theme_neutral` of a copy), so it reads in light and dark themes. Unlike
    plotly's notebook renderer it never embeds plotly.js, so notebooks and widget states stay small.
    Show it with ``IPython.display.display(bundle, raw=True)`` or append it to an Output widget.
    """
    import json

    import plotly.graph_objects as go

    figure = json.loads(theme_neutral(go.Figure(fig)).to_json())  # a copy: the caller's figure is left as it is
    title = ((figure.get("layout") or {}).get("title") or {}).get("text") or "counts histogram"
    return {
        "application/vnd.plotly.v1+json": {**figure, "config": {"displaylogo": False}},
        "text/plain": f"<plotly figure: {title}>",
    }


def _layout(fig: Any, title: str | None, height: int) -> None:
    fig.update_layout(
        title=title,
        height=height,
        margin={"l": 48, "r": 10, "t": 40 if title else 10, "b": 40},
        yaxis_title="probability",
        xaxis_title="outcome",
        xaxis_type="category",
    )


def counts_histogram_mpl(counts: dict[str, int], *, title: str | None = None, ax: Any = None) -> Any:
    """A static matplotlib bar chart of one result with ±1σ shot-noise error bars; returns the Figure."""
    outcomes, (probs,) = probabilities(counts)
    fig, ax = _axes(ax)
    ax.bar(outcomes, probs, yerr=_errors([probs], [counts])[0], capsize=2, ecolor=NEUTRAL_TEXT)
    _mpl_labels(ax, title)
    return fig


def comparison_histogram_mpl(
    counts_a: dict[str, int],
    counts_b: dict[str, int],
    *,
    labels: tuple[str, str] = ("a", "b"),
    title: str | None = None,
    ax: Any = None,
) -> Any:
    """A static matplotlib grouped bar chart of two results; returns the Figure."""
    outcomes, (pa, pb) = probabilities(counts_a, counts_b)
    ea, eb = _errors([pa, pb], [counts_a, counts_b])
    fig, ax = _axes(ax)
    xs = range(len(outcomes))
    width = 0.4
    bars = {"capsize": 2, "ecolor": NEUTRAL_TEXT}
    ax.bar([x - width / 2 for x in xs], pa, width, yerr=ea, label=labels[0], **bars)
    ax.bar([x + width / 2 for x in xs], pb, width, yerr=eb, label=labels[1], **bars)
    ax.set_xticks(list(xs), outcomes)
    ax.legend()
    _mpl_labels(ax, title)
    return fig


def _errors(probs: list[list[float]], counts: Any) -> list[list[float]]:
    """±1σ shot noise of each probability, per distribution (its shots are the sum of its counts)."""
    return [[shot_noise(p, sum(c.values())) for p in ps] for ps, c in zip(probs, counts)]


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

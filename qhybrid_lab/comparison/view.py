"""How a Comparison reads: (metric, a, b) rows, a plain-text table and HTML that MathJax leaves alone."""

from __future__ import annotations

import html as _html
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .comparisons import Comparison

__all__ = ["fmt_interval", "html", "money", "rows", "seconds", "summary_rows", "text", "verdict"]

DASH = "–"


def money(amount: float | None, currency: str | None = "USD") -> str:
    """Money one way everywhere (as ``%qjobs``/``%qbudget``): ``$1.23`` for dollars, ``1.23 EUR`` otherwise."""
    if amount is None:
        return DASH
    currency = currency or "USD"
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}" if currency == "USD" else f"{sign}{abs(amount):,.2f} {currency}"


def seconds(value: float | None) -> str:
    """A duration one way everywhere: ``0.42 s``, ``12.3 s``, ``2 min 05 s``, ``1 h 02 min``."""
    if value is None:
        return DASH
    if value < 10:
        return f"{value:.2f} s"
    if value < 60:
        return f"{value:.1f} s"
    minutes, secs = divmod(round(value), 60)
    return f"{minutes} min {secs:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def _number(value: Any, digits: int = 4) -> str:
    if value is None:
        return DASH
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.{digits}f}"
    return f"{int(value)}" if isinstance(value, float) else str(value)


def fmt_interval(value: float | None, interval: list[float] | None, digits: int = 4) -> str:
    """``0.9312 [0.9205, 0.9418]``; the value alone without an interval."""
    if value is None:
        return DASH
    text = f"{value:.{digits}f}"
    return f"{text} [{interval[0]:.{digits}f}, {interval[1]:.{digits}f}]" if interval else text


def verdict(c: Comparison) -> str:
    """One line: within shot noise or not, and the evidence."""
    if c.within_shot_noise is None or not c.shot_noise:
        return DASH
    noise = c.shot_noise
    if c.points:
        return (
            f"{'within' if c.within_shot_noise else 'beyond'} shot noise: {noise['points_within']} of "
            f"{noise['points']} point(s) within; {noise['test']}"
        )
    return (
        f"{'within' if c.within_shot_noise else 'beyond'} shot noise (p = {noise['p_value']:.3f}; shot noise "
        f"alone reaches TVD {noise['noise_tvd']:.4f} at {1 - noise['alpha']:.0%})"
    )


def rows(c: Comparison) -> list[tuple[str, str, str]]:
    """(metric, a, b) rows as text, for HTML and plain-text tables."""
    a, b = c.a, c.b

    def cost(run: dict) -> str:
        return money(run.get("cost"), run.get("currency"))

    return [
        ("job", a["id"][:8], b["id"][:8]),
        ("backend (kind)", f"{a['backend']} ({a['kind']})", f"{b['backend']} ({b['kind']})"),
        ("shots", _number(a["shots"]), _number(b["shots"])),
        ("mitigation", a.get("mitigation") or "none", b.get("mitigation") or "none"),
        ("transpiled depth", _number(a["depth"]), _number(b["depth"])),
        ("two-qubit gates", _number(a["two_qubit"]), _number(b["two_qubit"])),
        ("total time", seconds(a["total_seconds"]), seconds(b["total_seconds"])),
        (
            "queue / run time",
            f"{seconds(a['queue_seconds'])} / {seconds(a['run_seconds'])}",
            f"{seconds(b['queue_seconds'])} / {seconds(b['run_seconds'])}",
        ),
        ("cost", cost(a), cost(b)),
        (
            "hardware-equivalent cost",
            money(a.get("hardware_equivalent"), a.get("currency")),
            money(b.get("hardware_equivalent"), b.get("currency")),
        ),
    ]


def _ev_rows(entries: list[dict], prefix: str) -> list[tuple[str, str]]:
    out = []
    for e in entries[:12]:
        where = "" if e.get("point") is None else f" @ {', '.join(f'{v:.4g}' for v in e['point'])}"
        z = "exact" if e["z"] is None else f"{e['z']:+.2f} σ"
        out.append(
            (
                f"{prefix}⟨{e['label']}⟩{where}",
                f"{e['a']:.4f} ± {e['a_se']:.4f} vs {e['b']:.4f} ± {e['b_se']:.4f}: Δ {e['delta']:+.4f} ({z}), "
                f"{'within' if e['within_shot_noise'] else 'beyond'} shot noise",
            )
        )
    if len(entries) > 12:
        out.append((f"{prefix}⟨…⟩", f"{len(entries) - 12} more in .expectation_values"))
    return out


def summary_rows(c: Comparison) -> list[tuple[str, str]]:
    """(metric, value) rows of b against a: metrics with 95 % intervals, the verdict, EVs, mitigation."""

    def signed(value: float | None) -> str:
        return DASH if value is None else f"{value:+g}"

    def ratio(value: float | None) -> str:
        return DASH if value is None else f"×{value:.2f}"

    mean = "mean " if c.points else ""
    out = [
        (f"{mean}Hellinger fidelity [95 %]", fmt_interval(c.hellinger_fidelity, c.hellinger_fidelity_interval)),
        (
            f"{mean}total variation distance [95 %]",
            fmt_interval(c.total_variation_distance, c.total_variation_distance_interval),
        ),
        ("shot noise", verdict(c)),
        ("depth overhead (b − a, b / a)", f"{signed(c.depth_overhead)}, {ratio(c.depth_ratio)}"),
        ("two-qubit overhead (b − a, b / a)", f"{signed(c.two_qubit_overhead)}, {ratio(c.two_qubit_ratio)}"),
    ]
    out += _ev_rows(c.expectation_values, "")
    mitigation = c.mitigation or {}
    if mitigation.get("hellinger_fidelity") is not None:
        out.append(
            (
                f"mitigated fidelity / TVD ({mitigation['basis']})",
                f"{mitigation['hellinger_fidelity']:.4f} / {mitigation['total_variation_distance']:.4f}",
            )
        )
        out += _ev_rows(mitigation.get("expectation_values") or [], "mitigated ")
    return out


def text(c: Comparison) -> str:
    """The comparison as aligned plain text."""
    lines = [f"circuit {c.circuit_name} ({c.circuit_hash[:19]}…), {c.num_qubits} qubits"]
    lines += [f"  warning: {w}" for w in c.warnings]
    lines += [f"  {name:<26} {va:<28} {vb}" for name, va, vb in rows(c)]
    lines += [f"  {name:<36} {value}" for name, value in summary_rows(c)]
    lines += [f"  note: {note}" for note in c.notes]
    return "\n".join(lines)


def html(c: Comparison) -> str:
    """The comparison as an HTML table that fits the cell; ``$`` amounts are kept from MathJax."""
    esc = _html.escape
    cell = "style='text-align:left;white-space:normal;overflow-wrap:anywhere;vertical-align:top'"
    head = f"<b>{esc(str(c.circuit_name))}</b> <code>{esc(c.circuit_hash[:19])}…</code>, {c.num_qubits} qubits"
    warnings = "".join(
        f"<div role='alert' style='color:var(--jp-warn-color0, #e65100)'><b>warning:</b> {esc(w)}</div>"
        for w in c.warnings
    )
    body = "".join(
        f"<tr><th {cell}>{esc(n)}</th><td {cell}>{esc(va)}</td><td {cell}>{esc(vb)}</td></tr>" for n, va, vb in rows(c)
    )
    body += "".join(
        f"<tr><th {cell}>{esc(n)}</th><td {cell} colspan='2'><b>{esc(v)}</b></td></tr>" for n, v in summary_rows(c)
    )
    notes = "".join(f"<div><i>{esc(note)}</i></div>" for note in c.notes)
    # tex2jax_ignore/mathjax_ignore: JupyterLab typesets HTML output and would read "$0.00 ... $1.60" as LaTeX
    return (
        f"<div class='qh-Comparison tex2jax_ignore mathjax_ignore' style='max-width:100%;overflow-x:auto'>"
        f"{head}{warnings}<table style='table-layout:auto;max-width:100%'><tr><th></th>"
        f"<th {cell}>a (reference)</th><th {cell}>b</th></tr>{body}</table>{notes}</div>"
    )

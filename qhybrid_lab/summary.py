"""The cell view of a large group: one summary (progress, counts per status, cost, time, cancel), details on demand.

A :class:`~qhybrid_lab.widgets.JobView` of more than :data:`SUMMARY_ABOVE` jobs shows this instead of one row per
job: a page of 150 histograms stalls the browser. The per-circuit table and a chosen job's histogram or error are
built only when asked for. Updates are coalesced: the engine thread marks the summary stale and a ticker redraws
it at most every :data:`~qhybrid_lab.widgets.TICK_SECONDS`.
"""

from __future__ import annotations

import html
import time
from collections import Counter
from typing import Any

from .status import FINAL_STATES, JobStatus
from .tables import money, seconds

__all__ = ["SUMMARY_ABOVE", "GroupSummary", "group_counts", "group_line", "static_html"]

SUMMARY_ABOVE = 8
"""Groups of more jobs than this show as one summary; smaller ones as one row per job."""

_ORDER = ("done", "running", "queued", "pending", "failed", "blocked", "cancelled", "interrupted")
_COLOURS = {
    "done": "var(--jp-success-color1, green)",
    "failed": "var(--jp-error-color1, red)",
    "blocked": "var(--jp-error-color1, red)",
    "interrupted": "var(--jp-warn-color1, orange)",
    "cancelled": "var(--jp-warn-color1, orange)",
}
_FAILED = ("failed", "blocked", "interrupted")


def group_counts(records: list[dict]) -> dict[str, int]:
    """How many jobs are in each state, in a fixed order (done first), states with none left out."""
    counts = Counter(str(r["status"]) for r in records)
    return {s: counts[s] for s in _ORDER if counts[s]}


def _span(records: list[dict], now: float) -> float | None:
    """Seconds from the first submission to the last finish (to now while jobs are active)."""
    submitted = [(r.get("timings") or {}).get("submitted_at") or r.get("created") for r in records]
    starts = [s for s in submitted if s is not None]
    if not starts:
        return None
    active = any(JobStatus(r["status"]) not in FINAL_STATES for r in records)
    ends = [(r.get("timings") or {}).get("finished_at") or r.get("updated") for r in records]
    end = now if active else max([e for e in ends if e is not None] or [now])
    return max(0.0, end - min(starts))


def _cost(records: list[dict]) -> tuple[float, float]:
    """(money counted against budgets, what the real devices would have cost) over the records."""
    counted = sum(
        float((r.get("cost") or {}).get("counted") or (r.get("cost") or {}).get("actual") or 0.0) for r in records
    )
    equivalent = sum(float((r.get("cost") or {}).get("hardware_equivalent") or 0.0) for r in records)
    return counted, equivalent


def group_line(records: list[dict], now: float | None = None) -> str:
    """One text line on a group: "150 jobs: 148 done, 2 failed in 2.50 s; cost $0.00"."""
    parts = ", ".join(f"{n} {s}" for s, n in group_counts(records).items())
    return f"{len(records)} jobs: {parts}{_tail(records, now)}"


def _tail(records: list[dict], now: float | None = None) -> str:
    """The time and cost part of a group's line: " in 2.50 s; cost $0.00"."""
    now = time.time() if now is None else now
    span = _span(records, now)
    active = any(JobStatus(r["status"]) not in FINAL_STATES for r in records)
    counted, equivalent = _cost(records)
    cost = f"; cost {money(counted)}" + (f" (hardware equivalent {money(equivalent)})" if equivalent else "")
    return ("" if span is None else (f", {seconds(span)} so far" if active else f" in {seconds(span)}")) + cost


def static_html(group_id: str, records: list[dict]) -> str:
    """What a notebook shows of the view without its kernel (a saved notebook, a restarted kernel).

    The ``data-qhybrid-group`` attribute lets the sidebar extension replace it by what became of the jobs.
    """
    return (
        f"<div class='qh-JobView-static tex2jax_ignore mathjax_ignore' data-qhybrid-group='{html.escape(group_id)}'>"
        f"<b>qhybrid-lab</b> group <code>{html.escape(group_id[:8])}</code>: {html.escape(group_line(records))}"
        " — the live view needs its kernel; the sidebar's Queue lists these jobs.</div>"
    )


class GroupSummary:
    """The widgets of a large group's view; :class:`~qhybrid_lab.widgets.JobView` drives them.

    Args:
        group: the JobGroup (its ``cancel()`` backs the Cancel button).
        jobs: its jobs, in submission order.
        detail: ``detail(record, output)`` renders one job's histogram, plot or error into an Output widget.
    """

    def __init__(self, group: Any, jobs: list[Any], detail: Any) -> None:
        import ipywidgets as w

        self.group, self.jobs, self._detail = group, jobs, detail
        gid = str(getattr(group, "id", "?"))
        backends = {(job.record.get("backend") or {}).get("name") for job in jobs}
        circuits = len(jobs) // max(1, len(backends))
        self.caption = w.HTML(
            f"<b>qhybrid-lab</b> group <code>{html.escape(gid[:8])}</code>: {len(jobs)} jobs "
            f"({circuits} circuits × {len(backends)} backend{'s' if len(backends) > 1 else ''})"
        )
        self.progress = w.IntProgress(value=0, min=0, max=len(jobs), layout=w.Layout(width="calc(100% - 8px)"))
        self.status = w.HTML(layout=w.Layout(width="100%"))
        self.cancel = w.Button(
            description="Cancel group",
            button_style="warning",
            icon="stop",
            tooltip="cancel every unfinished job of this group",
            layout=w.Layout(width="auto"),
        )
        self.cancel.on_click(lambda _: self.group.cancel())
        self.toggle = w.ToggleButton(
            description="Details",
            icon="list",
            value=False,
            layout=w.Layout(width="auto"),
            tooltip="one line per circuit, and the histogram of a chosen one",
        )
        self.toggle.observe(self._toggled, "value")
        self.table = w.HTML(layout=w.Layout(max_height="320px", overflow="auto"))
        self.choice = w.Dropdown(
            description="show", layout=w.Layout(width="auto"), style={"description_width": "initial"}
        )
        self.choice.observe(self._chosen, "value")
        self.output = w.Output(layout=w.Layout(margin="0 0 0 1em"))
        self.details = w.VBox([self.table, self.choice, self.output], layout=w.Layout(display="none"))
        buttons = w.HBox([self.cancel, self.toggle])
        self.widget = w.VBox(
            [self.caption, self.progress, self.status, buttons, self.details],
            layout=w.Layout(border="1px solid var(--jp-border-color2, #ccc)", padding="4px"),
        )
        self.stale = True
        self.refresh()

    @property
    def widgets(self) -> list[Any]:
        """The widgets whose state changes (re-sent inside the next cell for headless runners)."""
        return [self.progress, self.status, self.cancel, self.table]

    def refresh(self, now: float | None = None) -> None:
        """Redraw progress, counts, cost and time (and the details table when it shows) from the records."""
        self.stale = False
        records = [job.record for job in self.jobs]
        counts = group_counts(records)
        finished = sum(n for s, n in counts.items() if JobStatus(s) in FINAL_STATES)
        self.progress.value = finished
        self.progress.bar_style = (
            "danger" if any(counts.get(s) for s in _FAILED) else "success" if finished == len(records) else "info"
        )
        parts = " · ".join(
            f"<span style='color:{_COLOURS.get(s, 'inherit')}'><b>{n}</b> {s}</span>" for s, n in counts.items()
        )
        line = html.escape(_tail(records, now).lstrip(",; ").removeprefix("in "))
        failed = [r for r in records if str(r["status"]) in _FAILED]
        reasons = "".join(
            f"<div style='color:{_COLOURS[str(r['status'])]}'>{html.escape(_name(r))}: {html.escape(_reason(r))}</div>"
            for r in failed[:3]
        )
        more = f"<div>… and {len(failed) - 3} more (Details)</div>" if len(failed) > 3 else ""
        self.status.value = f"<div class='tex2jax_ignore mathjax_ignore'>{parts} — {line}{reasons}{more}</div>"
        self.cancel.disabled = finished == len(records)
        # a disabled "warning" button still looks orange and live (in both themes): plain once nothing is left to cancel
        self.cancel.button_style = "" if self.cancel.disabled else "warning"
        if self.toggle.value:
            self._fill_table(records, now)

    def _toggled(self, change: dict) -> None:
        self.details.layout.display = "flex" if change["new"] else "none"
        if change["new"]:
            records = [job.record for job in self.jobs]
            self._fill_table(records)
            self.choice.options = [("—", None)] + [(f"{_name(r)} ({r['status']})", r["id"]) for r in records]

    def _fill_table(self, records: list[dict], now: float | None = None) -> None:
        now = time.time() if now is None else now
        head = "".join(
            f"<th style='text-align:left'>{c}</th>"
            for c in ("circuit", "backend", "status", "depth", "2q", "time", "outcome")
        )
        rows = []
        for r in records:
            t = r.get("transpile") or {}
            status = str(r["status"])
            timings = r.get("timings") or {}
            elapsed = (
                timings.get("total")
                if JobStatus(status) in FINAL_STATES
                else (None if not (submitted := timings.get("submitted_at") or r.get("created")) else now - submitted)
            )
            cells = [
                (r.get("circuit") or {}).get("name") or "?",
                (r.get("backend") or {}).get("name"),
                status,
                t.get("depth"),
                t.get("two_qubit"),
                seconds(elapsed),
                _outcome(r),
            ]
            tds = "".join(
                f"<td style='text-align:left'>{html.escape('–' if c is None else str(c))}</td>" for c in cells
            )
            rows.append(f"<tr style='color:{_COLOURS.get(status, 'inherit')}'>{tds}</tr>")
        self.table.value = (
            f"<table class='qh-Table tex2jax_ignore mathjax_ignore'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    def _chosen(self, change: dict) -> None:
        self.output.clear_output()
        job = next((j for j in self.jobs if j.id == change["new"]), None)
        if job is not None:
            self._detail(job.record, self.output)


def _name(record: dict) -> str:
    return f"{(record.get('circuit') or {}).get('name') or '?'} on {(record.get('backend') or {}).get('name')}"


def _reason(record: dict) -> str:
    return " ".join(str(record.get("blocked_reason") or record.get("error") or record["status"]).split())


def _outcome(record: dict) -> str:
    counts = (record.get("result") or {}).get("counts")
    if isinstance(counts, list):
        return f"{len(counts)} points"
    if counts:
        top = sorted(counts.items(), key=lambda kv: -kv[1])[:2]
        return ", ".join(f"{k}: {v}" for k, v in top) + (" …" if len(counts) > 2 else "")
    if str(record["status"]) in _FAILED:
        return _reason(record)
    return ""

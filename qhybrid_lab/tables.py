"""Static tables (``%qjobs``, ``%qbudget``, ``%qbackends``): HTML in notebooks, aligned text fitted to a terminal.

The job and budget listings are built here too (:func:`jobs_table`, :func:`budgets_table`), so the notebook and the
``qhybrid`` command show the same columns and rows.
"""

from __future__ import annotations

import html
import os
import shutil
import textwrap
from typing import Any, overload

__all__ = ["JOB_COLUMNS", "Table", "budgets_table", "jobs_table", "job_row", "money", "seconds", "terminal_columns"]

JOB_COLUMNS = ["job", "circuit", "backend", "status", "shots", "time", "notebook", "error"]
"""The columns of a job listing."""

MIN_LAST_COLUMN = 24
"""The least room the last column wraps into beside the others; with less it goes below each row."""


def money(amount: float | None, currency: str | None = "USD") -> str | None:
    """An amount of money, written one way everywhere: ``$1.23`` for dollars, ``1.23 EUR`` otherwise; None stays."""
    if amount is None:
        return None
    currency = currency or "USD"
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}" if currency == "USD" else f"{sign}{abs(amount):,.2f} {currency}"


@overload
def seconds(value: float) -> str: ...
@overload
def seconds(value: None) -> None: ...
@overload
def seconds(value: float | None) -> str | None: ...
def seconds(value: float | None) -> str | None:
    """A duration, written one way everywhere: ``0.42 s``, ``12.3 s``, ``2 min 05 s``, ``1 h 02 min``; None stays."""
    if value is None:
        return None
    if value < 10:
        return f"{value:.2f} s"
    if value < 60:
        return f"{value:.1f} s"
    minutes, secs = divmod(round(value), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def terminal_columns() -> int:
    """The width text views fit into: the terminal's, ``$COLUMNS``, else 100 (output to a file or a pipe)."""
    return shutil.get_terminal_size((100, 24)).columns


class Table:
    """A small static table that shows as HTML in notebooks and as aligned text in terminals.

    Args:
        columns: header names.
        rows: one sequence of cell values per row (shown with ``str``; None shows as "–").
        caption: a line above the table.
        data: what the table shows, kept for code (e.g. the records behind ``%qjobs``).
    """

    def __init__(self, columns: list[str], rows: list[list[Any]], *, caption: str = "", data: Any = None) -> None:
        self.columns = columns
        self.rows = [["–" if value is None else str(value) for value in row] for row in rows]
        self.caption = caption
        self.data = data

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return self.text()

    def text(self, width: int | None = None) -> str:
        """Aligned columns fitted to ``width`` (default: the terminal's) by wrapping the last column.

        The last column wraps under itself; when the other columns leave it too little room, it goes on lines of its
        own below each row, indented. Cells are shown on one line each (newlines and runs of spaces become one space).
        """
        width = terminal_columns() if width is None else width
        rows = [[" ".join(v.split()) for v in row] for row in self.rows]
        widths = [max([len(c)] + [len(row[i]) for row in rows]) for i, c in enumerate(self.columns)]
        indent = sum(widths[:-1]) + 2 * (len(widths) - 1)
        below = len(widths) > 1 and indent + widths[-1] > width and width - indent < MIN_LAST_COLUMN
        lines = textwrap.wrap(self.caption, max(width, MIN_LAST_COLUMN)) if self.caption else []
        for row in [self.columns, *rows]:
            if below:
                lines.append("  ".join(v.ljust(w) for v, w in zip(row[:-1], widths)).rstrip())
                lines += ["    " + part for part in textwrap.wrap(row[-1], max(width - 4, MIN_LAST_COLUMN))]
                continue
            first, *rest = textwrap.wrap(row[-1], max(width - indent, MIN_LAST_COLUMN), break_on_hyphens=False) or [""]
            lines.append("  ".join(v.ljust(w) for v, w in zip([*row[:-1], first], widths)).rstrip())
            lines += [" " * indent + part for part in rest]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The table as HTML that fits the cell: the last column (a message) wraps, the others keep their words whole
        (an id, a backend, a status), the table scrolls sideways inside its box when the cell is narrower; MathJax
        leaves ``$`` signs alone."""
        esc = html.escape
        cap = f"<caption style='text-align:left'>{esc(self.caption)}</caption>" if self.caption else ""
        head = "".join(f"<th style='text-align:left'>{esc(c)}</th>" for c in self.columns)
        whole = "<td style='text-align:left;white-space:nowrap;vertical-align:top'>"
        wraps = (
            "<td style='text-align:left;white-space:normal;overflow-wrap:anywhere;vertical-align:top;min-width:16em'>"
        )
        last = len(self.columns) - 1
        body = "".join(
            "<tr>" + "".join(f"{wraps if i == last else whole}{esc(v)}</td>" for i, v in enumerate(row)) + "</tr>"
            for row in self.rows
        )
        # tex2jax_ignore/mathjax_ignore: JupyterLab typesets rendered HTML, and would read "$0.00 ... $5.00" as LaTeX
        return (
            f"<div class='qh-Table-wrap tex2jax_ignore mathjax_ignore' style='max-width:100%;overflow-x:auto'>"
            f"<table class='qh-Table' style='table-layout:auto;max-width:100%'>{cap}<thead><tr>{head}</tr>"
            f"</thead><tbody>{body}</tbody></table></div>"
        )


def job_row(record: dict) -> list[Any]:
    """One job as a row of :data:`JOB_COLUMNS`: short id, circuit, backend (kind), status, shots, time, notebook, error."""
    backend, timings = record.get("backend") or {}, record.get("timings") or {}
    origin = record.get("origin") or {}
    return [
        record["id"][:8],
        (record.get("circuit") or {}).get("name"),
        f"{backend.get('name')} ({backend.get('kind')})",
        record["status"],
        record.get("shots"),
        seconds(timings.get("total")),
        os.path.basename(origin.get("notebook") or "") or None,
        record.get("error") or record.get("blocked_reason") or "",
    ]


def jobs_table(records: list[dict], total: int) -> Table:
    """The job listing of ``%qjobs`` and ``qhybrid jobs``: ``records`` (newest first) of ``total`` matching jobs."""
    return Table(
        JOB_COLUMNS,
        [job_row(r) for r in records],
        caption=f"{len(records)} of {total} job(s), newest first",
        data=records,
    )


def budgets_table(status: list[dict], *, rehearse: bool) -> Table:
    """The budget listing of ``%qbudget`` and ``qhybrid budget``.

    Args:
        status: :func:`qhybrid_lab.costs.guard.budget_status` (each budget with spent, committed, remaining).
        rehearse: whether rehearsal mode is on (emulators count what the real device would cost).
    """

    def amount(b: dict, key: str, default: float | None = None) -> str | None:
        return money(b.get(key, default), b.get("currency"))

    rows = [
        [
            b.get("period"),
            b.get("backend") or "all",
            amount(b, "limit"),
            amount(b, "spent", 0.0),
            amount(b, "committed", 0.0),
            amount(b, "remaining"),
        ]
        for b in status
    ]
    mode = "on (emulators count hardware-equivalent cost)" if rehearse else "off"
    caption = f"budgets: {len(rows) or 'none set'}; rehearsal mode {mode}"
    return Table(["per", "backend", "limit", "spent", "committed", "remaining"], rows, caption=caption, data=status)

"""``qhybrid jobs``, ``show``, ``result``, ``cancel``, ``compare``: what ``%qjobs``, ``%qresult``, ``%qcancel`` and
``%qcompare`` do, from a terminal.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from typing import Any

from ..status import FINAL_STATES, JobStatus
from .common import OK, Output, add_filters, filters_of, limit_of, open_log, positive_seconds

POLL_SECONDS = 0.25
"""How often ``--wait`` reads the run log again."""


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add the job commands to the ``qhybrid`` parser."""
    jobs = commands.add_parser(
        "jobs",
        parents=[common],
        help="list jobs, newest first (filters as %%qjobs)",
        description="Recent jobs of every notebook and kernel, newest first.",
    )
    add_filters(jobs)
    jobs.add_argument(
        "--brief",
        action="store_true",
        help="with --json: leave out OpenQASM text and counts (as the REST API's brief=1).",
    )
    jobs.set_defaults(handler=list_jobs, parser=jobs)

    show = commands.add_parser(
        "show",
        parents=[common],
        help="one job's record",
        description="One job's record: as text, or the whole record with --json.",
    )
    show.add_argument("job_id", metavar="ID", help="a job id or a unique prefix of at least 4 characters.")
    show.set_defaults(handler=show_job, parser=show)

    result = commands.add_parser(
        "result",
        parents=[common],
        help="a job's counts as JSON (a list per point for sweeps)",
        description="The counts of a done job as JSON (one counts object per point for a "
        "sweep). An unfinished, failed or cancelled job exits 1 saying where "
        "it is or why it has none.",
    )
    result.add_argument("job_id", metavar="ID", help="a job id or a unique prefix of at least 4 characters.")
    result.add_argument(
        "--wait", type=positive_seconds, metavar="SECONDS", help="wait up to SECONDS for an unfinished job to finish."
    )
    result.set_defaults(handler=job_result, parser=result)

    cancel = commands.add_parser(
        "cancel",
        parents=[common],
        help="cancel a job, whichever kernel runs it",
        description="Write a cancel request for a job, as the sidebar does; the process "
        "that follows the job (its kernel, or the Jupyter server for a "
        "provider job it adopted) carries it out at its next heartbeat. A "
        "finished job exits 1.",
    )
    cancel.add_argument("job_id", metavar="ID", help="a job id or a unique prefix of at least 4 characters.")
    cancel.add_argument(
        "--wait",
        type=positive_seconds,
        metavar="SECONDS",
        help="wait up to SECONDS until the job is cancelled (exit 1 if it ended otherwise or is still active).",
    )
    cancel.set_defaults(handler=cancel_job, parser=cancel)

    compare = commands.add_parser(
        "compare",
        parents=[common],
        help="compare two runs of one circuit",
        description="Fidelity, total variation distance, depth and two-qubit overheads, "
        "latency and cost of run B against reference run A.",
    )
    compare.add_argument("a", metavar="A", help="the reference run's job id (or prefix).")
    compare.add_argument("b", metavar="B", help="the other run's job id (or prefix).")
    compare.set_defaults(handler=compare_jobs, parser=compare)


def list_jobs(args: argparse.Namespace, out: Output) -> int:
    """``qhybrid jobs``: the ``%qjobs`` table, or ``{"jobs", "total", "limit"}``."""
    from ..record import brief
    from ..tables import jobs_table

    log, filters = open_log(args), filters_of(args)
    records = log.query(**filters, limit=limit_of(args))
    total = log.count(**filters)
    shown = [brief(r) for r in records] if args.brief else records
    out.emit({"jobs": shown, "total": total, "limit": limit_of(args)}, lambda: jobs_table(records, total).text())
    return OK


def _when(epoch: float | None) -> str:
    return "–" if epoch is None else datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S")


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def record_text(record: dict) -> str:
    """A job's record as a few labelled lines for people (``--json`` gives all of it)."""
    from ..jobs.results import job_location

    circuit, backend = record.get("circuit") or {}, record.get("backend") or {}
    transpiled, timings = record.get("transpile") or {}, record.get("timings") or {}
    cost, origin = record.get("cost") or {}, record.get("origin") or {}
    values = (record.get("parameters") or {}).get("values")
    points = None if values is None else len(values)
    lines = [
        ("job", f"{record['id']} (group {str(record.get('group'))[:8]})"),
        ("status", job_location(record)),
        (
            "circuit",
            f"{circuit.get('name')}  {str(circuit.get('hash'))[:19]}…  {circuit.get('num_qubits')} qubits, "
            f"depth {circuit.get('depth')}, {circuit.get('two_qubit')} two-qubit gates"
            + (f"; a sweep of {points} points" if points is not None else ""),
        ),
        (
            "backend",
            f"{backend.get('name')} ({backend.get('kind')}, {backend.get('provider')} "
            f"{backend.get('version')}, {backend.get('num_qubits')} qubits)",
        ),
        ("shots", f"{record.get('shots')}" + (f" (seed {record['seed']})" if record.get("seed") is not None else "")),
        (
            "transpiled",
            f"depth {transpiled.get('depth')}, {transpiled.get('two_qubit')} two-qubit gates, "
            f"optimization level {transpiled.get('optimization_level')}"
            if transpiled
            else "–",
        ),
        (
            "time",
            f"{_seconds(timings.get('total'))} (transpile {_seconds(timings.get('transpile'))}, queue "
            f"{_seconds(timings.get('queue'))}, run {_seconds(timings.get('run'))})",
        ),
        (
            "cost",
            f"{cost.get('estimate')} {cost.get('currency', 'USD')} estimated, actual {cost.get('actual')}, "
            f"hardware equivalent {cost.get('hardware_equivalent')}",
        ),
    ]
    if record.get("provider_job_id"):
        lines.append(
            ("provider job", f"{(record.get('provider_job') or {}).get('provider')} {record['provider_job_id']}")
        )
    counts = (record.get("result") or {}).get("counts")
    if counts:
        first = counts[0] if isinstance(counts, list) else counts
        top = ", ".join(f"{k}: {v}" for k, v in sorted(first.items(), key=lambda kv: -kv[1])[:6])
        lines.append(
            (
                "result",
                (f"{len(counts)} points; point 0: " if isinstance(counts, list) else "")
                + top
                + (" …" if len(first) > 6 else ""),
            )
        )
    if record.get("error") or record.get("blocked_reason"):
        lines.append(("error", str(record.get("blocked_reason") or record.get("error"))))
    lines.append(("origin", f"{origin.get('owner')}, notebook {origin.get('notebook') or '–'}"))
    if record.get("tags"):
        lines.append(("tags", ", ".join(map(str, record["tags"]))))
    for entry in record.get("status_history") or []:
        note = f" ({entry['note']})" if entry.get("note") else ""
        lines.append(("history", f"{_when(entry.get('at'))}  {entry.get('status')}{note}"))
    return "\n".join(f"{label:<13} {value}" for label, value in lines)


def show_job(args: argparse.Namespace, out: Output) -> int:
    """``qhybrid show ID``: the record."""
    record = open_log(args).get(args.job_id)
    out.emit(record, lambda: record_text(record))
    return OK


def _waited(log: Any, record: dict, seconds: float | None) -> dict:
    """The record once the job is final, or after ``seconds`` (reading the run log, which settles the dead)."""
    deadline = time.monotonic() + (seconds or 0.0)
    while JobStatus(record["status"]) not in FINAL_STATES and time.monotonic() < deadline:
        time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
        record = log.get(record["id"])
    return record


def job_result(args: argparse.Namespace, out: Output) -> int:
    """``qhybrid result ID``: the counts as JSON (``%qresult``'s answer); exit 1 when there are none."""
    from ..jobs.results import follower_note, recorded_counts

    log = open_log(args)
    record = _waited(log, log.get(args.job_id), args.wait)
    short = record["id"][:8]
    hint = (
        f"(waited {args.wait:g} s.) " if args.wait else ""
    ) + f"Wait for it with: qhybrid result {short} --wait SECONDS"
    active = JobStatus(record["status"]) not in FINAL_STATES
    counts = recorded_counts(record, follower=follower_note(record) if active else "", hint=hint)
    out.json(counts)
    return OK


def cancel_job(args: argparse.Namespace, out: Output) -> int:
    """``qhybrid cancel ID``: a cancel request in the run log, for whichever process follows the job."""
    from ..jobs import JobManager
    from ..jobs.results import follower_note, job_location
    from ..runlog.owners import responsible_owner

    log = open_log(args)
    record = log.get(args.job_id)  # a job whose kernel is gone is settled here: interrupted, or released
    short = record["id"][:8]
    requested = JobStatus(record["status"]) not in FINAL_STATES and JobManager.instance(log.directory).cancel_job(
        record["id"], by="qhybrid cancel"
    )
    if not requested:
        record = log.get(record["id"])
        reason = record.get("error") if record["status"] == JobStatus.INTERRUPTED.value else None
        return out.error(
            f"job {short} already finished ({record['status']}"
            + (f": {reason}" if reason else "")
            + "); nothing to cancel",
            "AlreadyFinished",
            job_id=record["id"],
            status=record["status"],
            requested=False,
        )
    owner = responsible_owner(record)
    carried = (
        f"{owner} carries it out at its next heartbeat"
        if owner
        else follower_note(record).lstrip("; ") + "; the process that adopts it carries the request out"
    )
    message = f"cancel requested for job {short} ({job_location(record)}); {carried}"
    if args.wait is None:
        out.emit(
            {
                "requested": True,
                "job_id": record["id"],
                "status": record["status"],
                "follower": owner,
                "message": message,
            },
            message,
        )
        return OK
    if not out.json_mode:
        out.line(message)
    final = _waited(log, record, args.wait)
    answer = {"requested": True, "job_id": final["id"], "status": final["status"], "follower": owner}
    if final["status"] == JobStatus.CANCELLED.value:
        out.emit({**answer, "message": f"job {short} cancelled"}, f"job {short} cancelled")
        return OK
    if JobStatus(final["status"]) in FINAL_STATES:
        return out.error(f"job {short} ended {final['status']} before the cancel reached it", "NotCancelled", **answer)
    return out.error(
        f"job {short} is still {job_location(final)} after {args.wait:g} s; the cancel request "
        f"waits for {owner or 'a process to adopt the job'}",
        "NotCancelled",
        **answer,
    )


def compare_jobs(args: argparse.Namespace, out: Output) -> int:
    """``qhybrid compare A B``: ``%qcompare``'s metrics, as text or ``Comparison.as_dict()``."""
    from ..comparison import compare

    comparison = compare(args.a, args.b, log=open_log(args))
    out.emit(comparison.as_dict(), lambda: str(comparison))
    return OK

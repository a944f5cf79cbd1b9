"""IPython magics: ``%%qrun`` submits a cell's circuits; ``%qjobs``, ``%qresult``, ``%qcancel``, ``%qbudget``,
``%qcompare`` and ``%qbackends`` read and steer the shared run log. Thin adapters over jobs, runlog and compare.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, argument_group, magic_arguments, parse_argstring

from ..errors import QHybridError, UnknownBudget
from ..status import ACTIVE_STATES, FINAL_STATES, BudgetPeriod, JobStatus
from ..tables import Table, budgets_table, jobs_table
from ..widgets import JobView, widgets_available
from .cell import cell_runnables, expectations, sweep_of

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

__all__ = ["QMagics", "load_ipython_extension"]


def _with(*decorators: Callable) -> Callable:
    """Apply argument decorators so they read top-down (a group header first, then its arguments)."""

    def apply(func: Callable) -> Callable:
        for deco in reversed(decorators):
            func = deco(func)
        return func

    return apply


submission_args = _with(
    argument_group("Submission"),
    argument(
        "-b",
        "--backend",
        action="append",
        metavar="NAME",
        help="backend to run on; repeat for several (-b aer -b fake_torino). Default: aer. %%qbackends lists them.",
    ),
    argument(
        "--shots",
        default="1024",
        metavar="N",
        help="shots per circuit and backend (a positive integer). Default: 1024.",
    ),
    argument("--seed", default=None, metavar="INT", help="simulator seed, for reproducible counts."),
    argument(
        "-O",
        "--optimization-level",
        default="2",
        metavar="LEVEL",
        help="transpiler optimization level, 0 to 3. Default: 2 (noise-aware layout).",
    ),
    argument("--tag", action="append", metavar="TAG", help="label the jobs in the run log; repeatable."),
    argument(
        "--executor",
        default="local",
        choices=("local", "dask"),
        metavar="WHERE",
        help="where simulations run: local (warm worker processes, the default) or dask (chunks on a Dask "
        "cluster: $QHYBRID_DASK_SCHEDULER, else a LocalCluster).",
    ),
    argument(
        "--timeout",
        default=None,
        metavar="SECONDS",
        help="end each job that has not finished SECONDS after submission (queue included) as failed, "
        "cancelling it (at the provider too); see --on-timeout. Default: no limit.",
    ),
    argument(
        "--fallback",
        action="append",
        metavar="NAME",
        help="if a job cannot run or finish on its backend (unavailable, refused by the budget, failing after "
        "retries, timed out), run it on this backend instead; repeat for a chain (--fallback "
        "fake_torino --fallback aer). Both records link to each other.",
    ),
    argument(
        "--mode",
        default="job",
        choices=("job", "batch", "session"),
        metavar="MODE",
        help="how a provider groups the jobs: job (the default), batch or session (IBM Runtime's Batch and "
        "Session: later submissions with the same mode join the open one); local backends ignore it.",
    ),
    argument(
        "--experiment",
        metavar="NAME",
        help="record the jobs as part of experiment NAME (see qhybrid_lab.experiment); the sidebar's "
        "Experiments panel groups them.",
    ),
    argument(
        "--mitigation",
        default=None,
        choices=("readout",),
        metavar="METHOD",
        help="error mitigation: readout (mthree, calibrated on the same backend; raw and mitigated results "
        "are both recorded). Default: none.",
    ),
    argument(
        "--on-timeout",
        default="cancel",
        choices=("cancel", "keep"),
        metavar="WHAT",
        help="what a timeout does: cancel (the default) or keep (leave the job running; the record says it timed out).",
    ),
)
"""Options of what is submitted, shared by every magic that submits circuits."""

handle_args = _with(
    argument_group("Handle"),
    argument("--name", metavar="VAR", help="also bind the JobGroup to this variable (it is always bound to _)."),
    argument("--wait", action="store_true", help="block until every job is done (the default returns at once)."),
)
"""Options of what the notebook gets back."""

observable_args = _with(
    argument_group("Observables"),
    argument(
        "--observable",
        action="append",
        metavar="PAULI",
        help="estimate the expectation value of this Pauli label (qubit 0 rightmost, e.g. 'ZZ') on every "
        "circuit, with its standard error; repeatable. A cell whose value is (circuit, observables) "
        "pairs or Estimator-style PUBs (circuit, observables, parameter_values) needs no option.",
    ),
)
"""Options that ask for expectation values."""

sweep_args = _with(
    argument_group("Sweep"),
    argument(
        "--sweep",
        metavar="VALUES",
        help="run the cell's one parameterized circuit as ONE sweep job per backend over the parameter values "
        "in variable VALUES: points x parameters (a 2-D array, circuit.parameters order) or a dict "
        "{parameter or name: values}. A cell whose value is a Sweep, or a broadcast PennyLane QNode "
        "(bind(qnode, X)), is a sweep without this option.",
    ),
)
"""Options that turn a parameterized circuit into a sweep."""

filter_args = _with(
    argument_group("Filters"),
    argument(
        "-s",
        "--status",
        action="append",
        metavar="STATUS",
        help="only jobs in this state (pending, queued, running, done, failed, cancelled, blocked, "
        "interrupted); repeatable.",
    ),
    argument("-b", "--backend", action="append", metavar="NAME", help="only jobs on this backend; repeatable."),
    argument(
        "--notebook",
        metavar="PATH",
        help="only jobs submitted from this notebook (its path as recorded, e.g. notebooks/01-quickstart.ipynb).",
    ),
    argument("-t", "--tag", metavar="TAG", help="only jobs with this tag (see %%qrun --tag)."),
    argument("-n", "--limit", default="20", metavar="N", help="show the newest N jobs. Default: 20."),
    argument("--all", action="store_true", help="show every job in the run log (no limit)."),
)
"""Options that select jobs from the run log."""


def _positive_int(option: str, text: str | int) -> int:
    try:
        value = int(str(text), 10)
    except ValueError:
        raise UsageError(f"{option} must be a positive integer, got {text!r}") from None
    if value < 1:
        raise UsageError(f"{option} must be a positive integer, got {text!r}")
    return value


def _positive_number(option: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{option} must be a number of seconds, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise UsageError(f"{option} must be a positive number of seconds, got {text!r}")
    return value


def _origin(shell: Any) -> dict:
    """Where a submission comes from: notebook path, cell id and kernel id when the kernel knows them."""
    from ..jobs.context import caller_origin

    return caller_origin(shell)


@magics_class
class QMagics(Magics):
    """The qhybrid-lab magics. Load with ``%load_ext qhybrid_lab``."""

    shell: InteractiveShell  # always set: the magics are registered on a shell

    # -- %%qrun -------------------------------------------------------------------------------------------------

    @magic_arguments(name="%qrun")  # shown as %%qrun: it is a cell magic
    @submission_args
    @handle_args
    @sweep_args
    @observable_args
    @cell_magic
    def qrun(self, line: str, cell: str) -> None:
        """Run the cell, then submit its circuits to every backend asynchronously.

        What runs is the value of the cell's last expression: a QuantumCircuit, a Sweep, a PennyLane tape,
        QNode (without arguments) or ``bind(qnode, *args)``, or a list or dict of them. Otherwise it is every
        such object the cell assigned, named after its variable. A Sweep, a broadcast PennyLane QNode (a batch of
        points) or ``--sweep VALUES`` runs as ONE job per backend whose result is one counts dict per point.
        The JobGroup is bound to ``_`` (and to --name VAR) and a live view shows each job; ``_.result()`` waits
        for the counts.

        Examples::

            %%qrun -b aer -b fake_torino --shots 2000
            bell = QuantumCircuit(2)
            bell.h(0); bell.cx(0, 1); bell.measure_all()

            %%qrun -b aer --sweep thetas          # thetas = np.linspace(0, np.pi, 50)[:, None]
            qc = QuantumCircuit(1); qc.ry(Parameter("t"), 0); qc.measure_all()

            %%qrun -b pennylane:lightning.qubit   # one sweep of len(X) points
            bind(ansatz, X)
        """
        __tracebackhide__ = True
        args = parse_argstring(self.qrun, line)
        shots = _positive_int("--shots", args.shots)
        seed = None if args.seed is None else self._int("--seed", args.seed)
        level = self._int("--optimization-level", args.optimization_level)
        if level not in (0, 1, 2, 3):
            raise UsageError(f"--optimization-level must be 0, 1, 2 or 3, got {args.optimization_level!r}")
        timeout = None if args.timeout is None else _positive_number("--timeout", args.timeout)
        if args.name is not None and not args.name.isidentifier():
            raise UsageError(f"--name must be a Python variable name, got {args.name!r}")
        if args.sweep is not None and not args.sweep.isidentifier():
            raise UsageError(f"--sweep must name a variable holding the parameter values, got {args.sweep!r}")
        from ..circuits import as_circuits
        from ..circuits.observables import split_pubs
        from ..jobs import run
        from ..jobs.options import RunOptions

        try:
            options = RunOptions(
                shots=shots,
                seed=seed,
                optimization_level=level,
                tags=tuple(args.tag or ()),
                executor=args.executor,
                timeout=timeout,
                on_timeout=args.on_timeout,
                fallback=tuple(args.fallback or ()),
                mode=args.mode,
                experiment=args.experiment,
                mitigation=args.mitigation,
            )
            value = cell_runnables(self.shell, cell)
            if split_pubs(value) is not None:  # (circuit, observables[, parameter_values]) pairs: Estimator PUBs
                if args.sweep is not None or args.observable:
                    raise UsageError(
                        "the cell's value is Estimator-style PUBs (circuit, observables, ...): they "
                        "carry their observables and parameter values; leave out --sweep/--observable"
                    )
                named = {}
                group = run(value, backend=args.backend or ["aer"], options=options, origin=_origin(self.shell))
            else:
                named = dict(as_circuits(value))  # PennyLane objects converted once, here
                if args.sweep is not None:
                    named = sweep_of(named, args.sweep, self.shell.user_ns)
                group = run(
                    named,
                    backend=args.backend or ["aer"],
                    options=options,
                    origin=_origin(self.shell),
                    observables=args.observable or None,
                )
        except QHybridError as error:
            raise UsageError(str(error)) from error
        self.shell.user_ns["_"] = group
        if args.name:
            self.shell.user_ns[args.name] = group
        view = JobView(group, expectations=expectations(named)).show()
        if args.wait:
            view.wait()

    @staticmethod
    def _int(option: str, text: str) -> int:
        try:
            return int(text, 10)
        except ValueError:
            raise UsageError(f"{option} must be an integer, got {text!r}") from None

    # -- the run log ----------------------------------------------------------------------------------------------

    @staticmethod
    def _log() -> Any:
        from ..runlog import open_runlog

        return open_runlog()

    def _record(self, job_id: str) -> dict:
        try:
            return self._log().get(job_id.strip())
        except QHybridError as error:
            raise UsageError(str(error)) from error

    @magic_arguments()
    @filter_args
    @line_magic
    def qjobs(self, line: str) -> Table:
        """Recent jobs of every notebook and kernel, newest first, from the shared run log."""
        args = parse_argstring(self.qjobs, line)
        statuses = args.status or None
        for status in statuses or []:
            if status not in {s.value for s in JobStatus}:
                raise UsageError(f"unknown status {status!r}; use one of {', '.join(s.value for s in JobStatus)}")
        limit = None if args.all else _positive_int("--limit", args.limit)
        log = self._log()
        filters = {"status": statuses, "backend": args.backend or None, "notebook": args.notebook, "tag": args.tag}
        return jobs_table(log.query(**filters, limit=limit), log.count(**filters))

    @line_magic
    def qresult(self, line: str) -> dict | list[dict]:
        """The counts of job ID (any unique prefix of ≥ 4 characters), read from the run log.

        A sweep gives one counts dict per parameter point, in order. Works in any kernel, also one started
        after the job ran. Usage: ``%qresult 3f2a9c``
        """
        if not line.strip():
            raise UsageError("usage: %qresult JOB_ID (see %qjobs for ids)")
        from ..jobs.results import recorded_counts

        record = self._record(line)
        follower = self._follow(record) if record["status"] in {s.value for s in ACTIVE_STATES} else ""
        hint = (
            f"Try again later, or wait with qhybrid_lab.jobs.JobManager.instance().job('{record['id'][:8]}').result()"
        )
        try:
            return recorded_counts(record, follower=follower, hint=hint)
        except QHybridError as error:
            raise UsageError(str(error)) from error

    @staticmethod
    def _follow(record: dict) -> str:
        """Adopt an unfinished provider job that no process follows; says so as a clause of the message."""
        from ..jobs import JobManager
        from ..jobs.adoption import is_adoptable

        if not is_adoptable(record):
            return ""
        try:
            JobManager.instance().adopt(record["id"])
            return "; no process followed it, so this kernel does now"
        except QHybridError as error:
            return f"; no process follows it and this kernel cannot: {error}"

    @magic_arguments()
    @argument(
        "provider_job_id",
        metavar="PROVIDER_JOB_ID",
        help="the provider's id of the job: an IBM Quantum job id, a Braket quantum-task ARN.",
    )
    @argument(
        "-b",
        "--backend",
        required=True,
        metavar="NAME",
        help="the device it runs on, as qhybrid-lab names it (ibm:ibm_torino, braket:iqm_garnet ...).",
    )
    @argument("--name", metavar="LABEL", help="what to call its circuit in the run log. Default: attached <id>.")
    @argument("--tag", action="append", metavar="TAG", help="label the job in the run log; repeatable.")
    @line_magic
    def qattach(self, line: str) -> Any:
        """Bring a provider job submitted elsewhere (a script, the provider's web page) into the run log.

        This kernel follows it from then on (the Jupyter server takes over if the kernel stops), and it shows in
        the sidebar like any other job. Usage: ``%qattach d3m0j0b1d -b ibm:ibm_torino``
        """
        args = parse_argstring(self.qattach, line)
        from ..jobs import JobManager

        try:
            job = JobManager.instance().attach(
                args.provider_job_id,
                args.backend,
                name=args.name,
                origin=_origin(self.shell),
                tags=tuple(args.tag or ()),
            )
        except QHybridError as error:
            raise UsageError(str(error)) from error
        self.shell.user_ns["_"] = job
        return job

    @magic_arguments()
    @argument("job_id", metavar="JOB_ID", help="the job to run again (a unique prefix of >= 4 characters works).")
    @argument(
        "-b",
        "--backend",
        action="append",
        metavar="NAME",
        help="where to run it; repeatable. Default: the job's own backend.",
    )
    @argument("--shots", metavar="N", help="shots per circuit. Default: the job's own.")
    @argument("--wait", action="store_true", help="wait for the new jobs before returning.")
    @line_magic
    def qrerun(self, line: str) -> Any:
        """Run a recorded job's circuit again (read back from the run log: any circuit, any kernel), on any backend.

        The same circuit (its QPY copy, also for circuits OpenQASM 3 cannot write), sweep points and observables;
        the job's shots, seed, optimization level, tags and mitigation unless given. The new JobGroup is bound to
        ``_``. Usage: ``%qrerun 3f2a9c -b fake_torino --shots 4000``
        """
        args = parse_argstring(self.qrerun, line)
        settings = {} if args.shots is None else {"shots": _positive_int("--shots", args.shots)}
        from ..jobs.rerun import rerun

        try:
            group = rerun(args.job_id, args.backend or None, wait=args.wait, **settings)
        except QHybridError as error:
            raise UsageError(str(error)) from error
        self.shell.user_ns["_"] = group
        return group

    @line_magic
    def qcancel(self, line: str) -> str:
        """Cancel job ID (a unique prefix of ≥ 4 characters works), whichever kernel runs it.

        Usage: ``%qcancel 3f2a9c``
        """
        if not line.strip():
            raise UsageError("usage: %qcancel JOB_ID (see %qjobs for ids)")
        record = self._record(line)
        job_id, status = record["id"], JobStatus(record["status"])
        if status in FINAL_STATES:
            return f"job {job_id[:8]} already finished ({status.value}); nothing to cancel"
        from ..jobs import JobManager

        try:
            JobManager.instance().cancel_job(job_id)
        except QHybridError as error:
            raise UsageError(str(error)) from error
        return f"cancel requested for job {job_id[:8]} ({status.value})"

    # -- budgets, comparisons, backends ---------------------------------------------------------------------------

    @magic_arguments()
    @argument("--limit", metavar="AMOUNT", help="set a budget of AMOUNT (in USD) for the --per period.")
    @argument(
        "--per",
        choices=[p.value for p in BudgetPeriod],
        metavar="PERIOD",
        help="budget period: day, total or job. Default: total.",
    )
    @argument("-b", "--backend", metavar="NAME", help="the budget applies to this backend only.")
    @argument("--remove", action="store_true", help="remove the budget of --per (and --backend).")
    @argument(
        "--rehearse",
        dest="rehearse",
        action="store_const",
        const=True,
        default=None,
        help="rehearsal mode: emulator runs count what the real device would cost.",
    )
    @argument(
        "--no-rehearse",
        dest="rehearse",
        action="store_const",
        const=False,
        help="leave rehearsal mode: budgets count real money only.",
    )
    @line_magic
    def qbudget(self, line: str) -> Table:
        """Show the budgets with what was spent and committed; set, remove them, or switch rehearsal mode."""
        args = parse_argstring(self.qbudget, line)
        from ..costs.guard import REHEARSE_SETTING, budget_status, change_budgets

        log = self._log()
        try:
            change_budgets(
                log, limit=args.limit, period=args.per, backend=args.backend, remove=args.remove, rehearse=args.rehearse
            )
        except UnknownBudget as error:
            raise UsageError(f"{error}; %qbudget lists them") from error
        except QHybridError as error:
            raise UsageError(str(error)) from error
        return budgets_table(budget_status(log), rehearse=bool(log.get_setting(REHEARSE_SETTING, False)))

    @line_magic
    def qcompare(self, line: str) -> Any:
        """Compare two runs of one circuit: fidelity and TVD with 95 % shot-noise intervals, whether they differ
        beyond shot noise, expectation values, overheads, latency, cost, mitigation, and both histograms.

        Usage: ``%qcompare REFERENCE_ID OTHER_ID`` (unique prefixes of ≥ 4 characters work), or
        ``%qcompare ID`` to compare a run with its best counterpart (its device's emulator or hardware run, else a
        simulator run of the same circuit).
        """
        ids = line.split()
        if len(ids) not in (1, 2):
            raise UsageError(
                "usage: %qcompare REFERENCE_ID OTHER_ID, or %qcompare ID to compare with its "
                "counterpart (job ids, see %qjobs)"
            )
        from ..comparison import compare, counterparts

        try:
            if len(ids) == 1:
                found = counterparts(self._log(), ids[0])
                done = [c for c in found["candidates"] if c["comparable"] and c["status"] == JobStatus.DONE.value]
                if not done:
                    raise UsageError(
                        f"job {ids[0]} has no finished run of the same circuit on another backend to "
                        "compare with; run it on one (e.g. %%qrun -b aer -b fake_torino)"
                    )
                ids = (
                    [done[0]["id"], found["job"]["id"]]
                    if done[0]["kind"] == "simulator"
                    else [found["job"]["id"], done[0]["id"]]
                )
            comparison = compare(ids[0], ids[1], log=self._log())
        except QHybridError as error:
            raise UsageError(str(error)) from error
        if widgets_available(self.shell) and comparison.a["counts"] and comparison.b["counts"]:
            from IPython.display import display

            from ..plots import comparison_histogram, mimebundle

            a, b, point = comparison.a["counts"], comparison.b["counts"], ""
            if isinstance(a, list) or isinstance(b, list):  # sweeps: the histogram of the first point
                a, b, point = (a[0] if isinstance(a, list) else a), (b[0] if isinstance(b, list) else b), ", point 0"
            labels = (
                f"{comparison.a['backend']} ({comparison.a['id'][:6]})",
                f"{comparison.b['backend']} ({comparison.b['id'][:6]})",
            )
            figure = comparison_histogram(
                a, b, labels=labels, title=f"{comparison.circuit_name}{point}: {labels[0]} vs {labels[1]}"
            )
            display(comparison)
            display(mimebundle(figure), raw=True)
            self.shell.user_ns["_"] = comparison
            return None
        return comparison

    @line_magic
    def qbackends(self, line: str) -> Table:
        """The backends you can run on: name, kind (simulator, emulator, hardware), qubits, price."""
        from ..backends import list_backends

        backends = list_backends()
        rows = [
            [b["name"], b.get("kind"), b.get("num_qubits"), _price_text(b), b.get("description") or ""]
            for b in backends
        ]
        return Table(
            ["name", "kind", "qubits", "price", "description"],
            rows,
            caption=f"{len(rows)} backends (emulators run locally for free; the price in brackets is "
            "what the real device would cost)",
            data=backends,
        )


def _price_text(backend: dict) -> str:
    """What a backend costs, from the price table, without loading it."""
    from ..costs.prices import lookup_price

    def rates(model: Any) -> str:
        parts = [
            f"${model.per_task:g}/task" if model.per_task else "",
            f"${model.per_shot:g}/shot" if model.per_shot else "",
            f"${model.per_second:g}/QPU s" if model.per_second else "",
        ]
        return " + ".join(p for p in parts if p) or "free"

    name, kind, provider = backend["name"], backend.get("kind"), backend.get("provider") or ""
    if kind == "emulator" and provider == "ibm-fake":
        device = lookup_price("ibm", "ibm_" + name.removeprefix("fake_"))
        return "free" + (f" (device: {rates(device)})" if device is not None else "")
    model = lookup_price(provider, name) if kind == "hardware" else None
    return rates(model) if model is not None else "free"


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics (``%load_ext qhybrid_lab``)."""
    ipython.register_magics(QMagics)

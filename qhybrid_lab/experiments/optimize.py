"""``minimize``: a classical optimizer over quantum evaluations, tracked as an experiment with exit conditions.

Any ``scipy.optimize.minimize`` method (COBYLA, Nelder-Mead, Powell, BFGS ...) evaluates one point per call: one job
per evaluation. ``method="SPSA"`` (simultaneous perturbation) is implemented here and evaluates its three points of
an iteration (θ, θ + cΔ, θ − cΔ) as ONE sweep job. Every evaluation is an iteration of the experiment's trace
(parameters, value ± standard error, jobs, cost, latency). The loop stops, returning the best point so far and why,
at ``max_iterations``, ``max_cost`` (before the submission that would pass it), ``max_seconds``, a budget the cost
guard refuses, a stop request (the cell's Stop button, the sidebar) or the kernel's interrupt.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

from ..errors import BudgetExceeded, InvalidJobSpec
from .tracking import Experiment

BOOTSTRAP_SAMPLES = 64
"""Resamples of the counts used to estimate the standard error of a cost computed from counts."""


class StopOptimization(Exception):
    """Raised inside the objective to end the loop (an exit condition); carries the reason."""


def _bootstrap_stderr(cost: Callable[[dict], float], counts: dict[str, int], rng: Any) -> float | None:
    """Standard error of ``cost(counts)`` from shot noise: the spread of the cost over multinomial resamples."""
    import numpy as np

    keys = list(counts)
    shots = sum(counts.values())
    if shots <= 1 or len(keys) < 1:
        return None
    probabilities = np.array([counts[k] for k in keys], dtype=float) / shots
    values = []
    for draw in rng.multinomial(shots, probabilities, size=BOOTSTRAP_SAMPLES):
        values.append(cost({k: int(n) for k, n in zip(keys, draw) if n}))
    return float(np.std(values, ddof=1))


class _Loop:
    """The exit conditions and the bookkeeping of one optimization (its evaluations and the best so far)."""

    def __init__(
        self,
        experiment: Experiment,
        evaluate: Callable[[list[list[float]]], list[tuple[float, Any]]],
        *,
        max_iterations: int | None,
        max_cost: float | None,
        max_seconds: float | None,
        on_iteration: Callable[[dict], None] | None,
    ) -> None:
        self.experiment = experiment
        self._evaluate = evaluate
        self.max_iterations, self.max_cost, self.max_seconds = max_iterations, max_cost, max_seconds
        self.on_iteration = on_iteration
        self.started = time.monotonic()
        self.nfev = 0
        self.cost = 0.0
        self.last_cost = 0.0
        self.best: tuple[float, list[float], float | None] | None = None
        self.stopped: str | None = None

    def check(self, points: int) -> None:
        """Raise StopOptimization if the next submission (of ``points`` points) must not happen."""
        reason = self.experiment.stop_requested
        if reason is None and self.max_iterations is not None and self.nfev + points > self.max_iterations:
            reason = f"max_iterations ({self.max_iterations}) reached"
        if reason is None and self.max_seconds is not None and time.monotonic() - self.started >= self.max_seconds:
            reason = f"max_seconds ({self.max_seconds:g} s) reached"
        if reason is None and self.max_cost is not None and self.cost + self.last_cost * points > self.max_cost:
            reason = (
                f"max_cost ({self.max_cost:g}) would be passed by the next evaluation (spent "
                f"{self.cost:.2f}, about {self.last_cost:.2f} per point)"
            )
        if reason is not None:
            self.stopped = reason
            raise StopOptimization(reason)

    def evaluate(self, points: list[list[float]]) -> list[float]:
        """Evaluate points (one job for all of them), record each as an iteration; their values."""
        self.check(len(points))
        try:
            results = self._evaluate(points)
        except BudgetExceeded as error:
            self.stopped = f"the budget guard refused the next evaluation: {error}"
            raise StopOptimization(self.stopped) from error
        values, spent = [], 0.0
        for index, (point, (value, stderr)) in enumerate(zip(points, results)):
            # the batch's job (and its cost and latency) is recorded with its first point
            record = self.experiment.record(point, value, stderr, extra={"batch": len(points), "in_batch": index})
            self.nfev += 1
            spent += record["cost"]
            if self.best is None or value < self.best[0]:
                self.best = (float(value), list(point), stderr)
            if self.on_iteration is not None:
                self.on_iteration(record)
            values.append(float(value))
        self.cost += spent
        self.last_cost = spent / len(points)
        return values


def _objective(
    fun: Any, cost: Callable[[dict], float] | None, backend: Any, seed: int | None, run_settings: dict
) -> Callable[[list[list[float]]], list[tuple[float, Any]]]:
    """``points → [(value, stderr)]``: a parameterized circuit run as one sweep job, or a Python function."""
    from qiskit import QuantumCircuit

    if isinstance(fun, QuantumCircuit):
        if not fun.parameters:
            raise InvalidJobSpec(f"circuit '{fun.name}' has no parameters to optimize")
        if cost is None:
            raise InvalidJobSpec("minimize(circuit, ...) needs cost=function(counts) -> float: what to minimize")
        import numpy as np

        rng = np.random.default_rng(seed)

        def sweep(points: list[list[float]]) -> list[tuple[float, Any]]:
            from ..jobs import run

            group = run(fun, backend, parameter_values=points, seed=seed, **run_settings)
            (by_backend,) = group.result().values()
            (counts,) = by_backend.values()
            return [(float(cost(c)), _bootstrap_stderr(cost, c, rng)) for c in counts]  # type: ignore[arg-type]  # a sweep: counts per point

        return sweep
    if not callable(fun):
        raise InvalidJobSpec(
            f"minimize() takes a parameterized QuantumCircuit or a function f(x), not {type(fun).__name__}"
        )

    def each(points: list[list[float]]) -> list[tuple[float, Any]]:
        out = []
        for point in points:
            value = fun(list(point))
            out.append((float(value[0]), value[1]) if isinstance(value, tuple) else (float(value), None))
        return out

    return each


def minimize(
    fun: Any,
    x0: Any,
    *,
    backend: str | list[str] = "aer",
    method: str = "COBYLA",
    cost: Callable[[dict], float] | None = None,
    seed: int | None = None,
    experiment: str | None = None,
    max_iterations: int | None = 100,
    max_cost: float | None = None,
    max_seconds: float | None = None,
    tol: float | None = None,
    spsa: dict | None = None,
    view: bool | None = None,
    wait: bool = True,
    **run_settings: Any,
) -> Any:
    """Minimize a quantum objective with a classical optimizer, as a tracked experiment.

    Args:
        fun: a parameterized ``QuantumCircuit`` (with ``cost``: what to minimize, from the counts of one point) or
            a function ``f(x) -> value`` or ``(value, stderr)`` that runs its own jobs (``run()`` inside it is part
            of the experiment).
        x0: the starting parameters (in ``circuit.parameters`` order).
        backend: where the circuit runs (one backend name).
        method: ``"SPSA"`` or any ``scipy.optimize.minimize`` method.
        cost: for a circuit: ``cost(counts) -> float``; its standard error comes from a bootstrap of the counts.
        seed: simulator seed (and the SPSA perturbations' seed).
        experiment: the experiment's name (default: ``minimize-<time>``).
        max_iterations: evaluations at most (each evaluated point is one iteration of the trace).
        max_cost: money at most; the loop stops before the evaluation that would pass it.
        max_seconds: wall time at most.
        tol: the optimizer's tolerance (scipy's ``tol``; SPSA stops when a step moves less than it).
        spsa: SPSA settings: ``a`` (0.2), ``c`` (0.1), ``alpha`` (0.602), ``gamma`` (0.101).
        view: show the live convergence view (default: in a Jupyter kernel with ipywidgets).
        wait: False runs the loop on a thread and returns a handle at once (its Stop button works meanwhile).
        **run_settings: RunOptions fields for the jobs (``shots``, ``fallback``, ``timeout``, ``mitigation`` ...).

    Returns:
        A :class:`MinimizeResult` (``x``, ``fun``, ``stderr``, ``nit``, ``nfev``, ``success``, ``message``,
        ``experiment``, ``cost``, ``seconds``); with ``wait=False`` a :class:`MinimizeHandle`.

    Example:
        >>> result = minimize(ansatz, [0.1, 0.1], cost=expected_cut, backend="aer", method="SPSA",
        ...                   max_iterations=60, shots=512, seed=7)
        >>> result.fun, result.message
        (-2.96, 'max_iterations (60) reached')
    """
    import numpy as np

    if not isinstance(backend, str):
        raise InvalidJobSpec("minimize() runs on one backend; give its name (use fallback=[...] for others)")
    name = experiment or f"minimize-{time.strftime('%Y%m%d-%H%M%S')}-{np.random.default_rng().integers(10**6):06d}"
    x = np.asarray(x0, dtype=float).ravel()
    settings = {
        "method": method,
        "backend": backend,
        "x0": x.tolist(),
        "max_iterations": max_iterations,
        "max_cost": max_cost,
        "max_seconds": max_seconds,
        "tol": tol,
    }
    exp = Experiment(name, settings=settings)
    evaluate = _objective(fun, cost, backend, seed, {"experiment": name, **run_settings})
    from .view import ExperimentView

    live = ExperimentView(exp, max_iterations=max_iterations) if ExperimentView.wanted(view) else None
    loop = _Loop(
        exp,
        evaluate,
        max_iterations=max_iterations,
        max_cost=max_cost,
        max_seconds=max_seconds,
        on_iteration=live.update if live else None,
    )

    def work() -> MinimizeResult:
        return _drive(loop, exp, x, method=method, tol=tol, seed=seed, spsa=spsa or {})

    if live is not None:
        live.show()
    if wait:
        result = work()
        if live is not None:
            live.finished(result)
        return result
    handle = MinimizeHandle(exp, work, live)
    return handle


def _drive(
    loop: _Loop, exp: Experiment, x0: Any, *, method: str, tol: float | None, seed: int | None, spsa: dict
) -> MinimizeResult:
    """Run the optimizer to its end or an exit condition; the experiment records how it ended."""
    from scipy.optimize import minimize as scipy_minimize

    # the clock of max_seconds and of the result's seconds starts here, after the optimizer's import (a first import
    # of scipy.optimize can take longer than a short max_seconds on a loaded machine)
    started = loop.started = time.monotonic()
    message, success = "", False
    with exp:
        try:
            if method.upper() == "SPSA":
                message, success = _spsa(loop, x0, tol=tol, seed=seed, **spsa)
            else:
                out = scipy_minimize(lambda v: loop.evaluate([list(v)])[0], x0, method=method, tol=tol)
                message, success = str(out.message), bool(out.success)
        except StopOptimization as stop:
            message, success = str(stop), False
            exp.stop(message)
        except KeyboardInterrupt:
            message, success = "interrupted (the kernel's stop button)", False
            exp.stop(message)
    exp.log.update_experiment(exp.name, {"message": message})
    best = loop.best
    return MinimizeResult(
        x=None if best is None else best[1],
        fun=None if best is None else best[0],
        stderr=None if best is None else best[2],
        nit=loop.nfev,
        nfev=loop.nfev,
        success=success,
        message=message,
        experiment=exp.name,
        cost=loop.cost,
        seconds=time.monotonic() - started,
    )


def _spsa(
    loop: _Loop,
    x0: Any,
    *,
    tol: float | None,
    seed: int | None,
    a: float = 0.2,
    c: float = 0.1,
    alpha: float = 0.602,
    gamma: float = 0.101,
    stability: float = 10.0,
) -> tuple[str, bool]:
    """SPSA (Spall): each iteration evaluates θ, θ + cΔ and θ − cΔ in one sweep job; Δ is a random ±1 vector."""
    import numpy as np

    rng = np.random.default_rng(seed)
    theta = np.asarray(x0, dtype=float)
    k = 0
    while True:
        ak, ck = a / (k + 1 + stability) ** alpha, c / (k + 1) ** gamma
        delta = rng.choice([-1.0, 1.0], size=theta.size)
        _, plus, minus = loop.evaluate([theta.tolist(), (theta + ck * delta).tolist(), (theta - ck * delta).tolist()])
        step = ak * (plus - minus) / (2 * ck) * delta
        theta = theta - step
        k += 1
        if tol is not None and float(np.linalg.norm(step)) < tol:
            return f"converged: the step moved less than tol ({tol:g})", True
        if not math.isfinite(float(np.sum(theta))):
            return "diverged: non-finite parameters", False


class MinimizeResult(dict):
    """What ``minimize`` found (attribute access like ``scipy.optimize.OptimizeResult``)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def trace(self) -> list[dict]:
        """The experiment's iterations, from the run log."""
        from ..runlog import open_runlog

        return open_runlog().iterations(self["experiment"])

    def __repr__(self) -> str:
        return (
            f"MinimizeResult(fun={self['fun']!r}, x={self['x']!r}, nfev={self['nfev']}, "
            f"message={self['message']!r}, experiment={self['experiment']!r})"
        )


class MinimizeHandle:
    """A minimization running on a thread: ``result(timeout)``, ``done()``, ``stop()``."""

    def __init__(self, experiment: Experiment, work: Callable[[], MinimizeResult], view: Any) -> None:
        self.experiment = experiment
        self._view = view
        self._result: MinimizeResult | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(work,), name=f"qhybrid-minimize-{experiment.name}", daemon=True
        )
        self._thread.start()

    def _run(self, work: Callable[[], MinimizeResult]) -> None:
        try:
            self._result = work()
            if self._view is not None:
                self._view.finished(self._result)
        except BaseException as error:  # noqa: BLE001 - re-raised by result() in the caller's thread
            self._error = error
        finally:
            self._done.set()

    def done(self) -> bool:
        """Whether the loop has ended."""
        return self._done.is_set()

    def stop(self) -> None:
        """End the loop after the current evaluation."""
        self.experiment.stop()

    def result(self, timeout: float | None = None) -> MinimizeResult:
        """The result once the loop ended (TimeoutError after ``timeout`` seconds)."""
        if not self._done.wait(timeout):
            raise TimeoutError(f"experiment {self.experiment.name!r} still running after {timeout} s")
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


__all__ = ["MinimizeHandle", "MinimizeResult", "StopOptimization", "minimize"]

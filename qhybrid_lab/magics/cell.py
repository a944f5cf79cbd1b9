"""What a ``%%qrun`` cell runs: execute it, pick its circuits, Sweeps and PennyLane objects, apply ``--sweep``."""

from __future__ import annotations

import ast
from collections.abc import Callable
from functools import partial
from typing import Any

from IPython.core.error import UsageError

from ..errors import QHybridError

__all__ = ["NO_CIRCUIT", "cell_runnables", "expectations", "sweep_of"]

NO_CIRCUIT = (
    "the cell produced no QuantumCircuit (nor Sweep, PennyLane tape or bind(qnode, ...)); end the cell "
    "with the circuit or assign it"
)


def _assigned_names(tree: ast.AST) -> list[str]:
    """Names a cell binds at any statement, in order of first binding."""
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in names:
            names.append(node.id)
    return names


def cell_runnables(shell: Any, cell: str) -> Any:
    """Execute ``cell`` in the user's namespace and return what it runs.

    That is the value of the last expression when it is runnable (a ``QuantumCircuit``, a ``Sweep``, a PennyLane
    tape, QNode or ``bind(qnode, ...)``; named after its variable when it is one) or a non-empty list or dict;
    otherwise ``{name: object}`` of every runnable object the cell assigned. A QNode that still needs arguments
    is returned as the last value, so that running it explains how to bind them; assigned, it is skipped.

    An error in the cell's own code shows the user's frames first: the cell is compiled under IPython's name for it
    (``Cell In[n], line k`` with its source) and the qhybrid-lab frames around it are hidden (``__tracebackhide__``).

    Raises:
        UsageError: The cell produced nothing runnable.
    """
    __tracebackhide__ = True
    from ..circuits.collect import is_runnable
    from ..circuits.pennylane import is_pennylane_object

    source = shell.transform_cell(cell)
    filename = _cell_filename(shell, source, cell)
    tree = ast.parse(source, filename=filename)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    names = _assigned_names(tree) + (_assigned_names(last) if last else [])
    ns = shell.user_ns
    exec(compile(tree, filename, "exec"), shell.user_global_ns, ns)  # noqa: S102 - the user's cell
    value = None
    if last is not None:
        expression = ast.Expression(last.value)
        value = eval(compile(expression, filename, "eval"), shell.user_global_ns, ns)  # noqa: S307
    if is_runnable(value) or is_pennylane_object(value):
        return {last.value.id: value} if last is not None and isinstance(last.value, ast.Name) else value
    if isinstance(value, (list, tuple, dict)) and value:
        return value
    assigned = {name: ns[name] for name in names if is_runnable(ns.get(name))}
    if assigned:
        return assigned
    if value is not None:
        raise UsageError(
            f"the cell's last value is a {type(value).__name__}, not a QuantumCircuit, Sweep or PennyLane "
            "QNode/tape (nor a list or dict of them); end the cell with the circuit or assign it"
        )
    raise UsageError(NO_CIRCUIT)


def _cell_filename(shell: Any, source: str, cell: str) -> str:
    """The name IPython gives the cell's code (its tracebacks then show ``Cell In[n]`` and the source lines)."""
    cache = getattr(getattr(shell, "compile", None), "cache", None)
    if cache is None:
        return "<qrun cell>"
    try:
        return cache(source, getattr(shell, "execution_count", 0), raw_code=cell)
    except TypeError:  # an IPython whose cache() takes no raw_code
        return cache(source, getattr(shell, "execution_count", 0))


def sweep_of(named: dict[str, Any], variable: str, user_ns: dict) -> dict[str, Any]:
    """``named`` with its one parameterized circuit made a ``Sweep`` over the values in ``user_ns[variable]``.

    Raises:
        UsageError: ``variable`` is not defined, ``named`` holds no or several parameterized circuits, or the
            values do not fit the circuit's parameters (the message says how).
    """
    from qiskit import QuantumCircuit

    from ..circuits import Sweep

    if variable not in user_ns:
        raise UsageError(
            f"--sweep {variable}: there is no variable '{variable}'; assign the parameter values "
            f"first, e.g. {variable} = np.linspace(0, np.pi, 20)[:, None] (points x parameters)"
        )
    swept = [n for n, c in named.items() if isinstance(c, QuantumCircuit) and c.parameters]
    if len(swept) != 1:
        found = f"{len(swept)} ({', '.join(swept)})" if swept else "none"
        raise UsageError(
            f"--sweep {variable} needs exactly one circuit with unbound parameters in the cell; "
            f"it has {found}. Give a Sweep(circuit, values) per circuit instead"
        )
    (label,) = swept
    try:
        sweep = Sweep(named[label], user_ns[variable], name=label)
    except (QHybridError, TypeError, ValueError) as error:
        raise UsageError(f"--sweep {variable}: {error}") from error
    return {**named, label: sweep}


def expectations(named: dict[str, Any]) -> dict[str, tuple[str, Callable[[dict], float]]]:
    """What a sweep's live plot shows per point: a PennyLane circuit's first expectation value, when it has one."""
    from ..circuits.pennylane import measurement_specs
    from ..circuits.pennylane_results import expval_from_counts

    out: dict[str, tuple[str, Callable[[dict], float]]] = {}
    for label, item in named.items():
        specs = [s for s in measurement_specs(getattr(item, "circuit", item)) if s["type"] == "expval"]
        if specs:
            spec = specs[0]
            out[label] = (f"⟨{spec['observable']}⟩", partial(expval_from_counts, spec=spec))
    return out

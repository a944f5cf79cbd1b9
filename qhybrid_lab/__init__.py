"""qhybrid-lab: hybrid quantum-classical workflows from JupyterLab.

Load the magics with ``%load_ext qhybrid_lab``; run circuits from Python with :func:`qhybrid_lab.run`.
Heavy SDKs (Qiskit, Aer, PennyLane) are imported on first use, so importing this package is cheap.
"""

from __future__ import annotations

from typing import Any

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - a source tree that was never built
    __version__ = "0.0.0+unknown"

from .comparison import compare  # light (stdlib only)

__all__ = [
    "__version__",
    "compare",
    "experiment",
    "load_experiment",
    "load_ipython_extension",
    "minimize",
    "run",
    "runlog",
]


def load_ipython_extension(ipython: Any) -> None:
    """Register the ``%%qrun`` family of magics (``%load_ext qhybrid_lab``)."""
    from .magics import load_ipython_extension as _load

    _load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Nothing to undo beyond what IPython does itself; the engine keeps running its jobs."""


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "../labextension", "dest": "qhybrid-lab"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "qhybrid_lab.server"}]


def __getattr__(name: str) -> Any:
    # Lazy public API: importing qhybrid_lab must not import Qiskit.
    if name == "run":
        from .jobs.api import run

        return run
    if name in ("experiment", "minimize", "load_experiment"):
        from . import experiments

        return getattr(experiments, name)
    if name == "runlog":
        from . import runlog

        return runlog
    raise AttributeError(f"module 'qhybrid_lab' has no attribute {name!r}")

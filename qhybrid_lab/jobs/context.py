"""What a submission inherits from the code around it: the experiment of an enclosing ``with experiment(...)``."""

from __future__ import annotations

import contextvars
from typing import Any, Protocol


class ExperimentContext(Protocol):
    """What ``run()`` needs of the experiment it runs in (:class:`qhybrid_lab.experiments.Experiment`)."""

    name: str

    def note_jobs(self, jobs: list[Any]) -> None:
        """Jobs submitted inside the experiment: they belong to its next iteration."""


current_experiment: contextvars.ContextVar[ExperimentContext | None] = contextvars.ContextVar(
    "qhybrid_experiment", default=None
)
"""Set by ``with experiment(...)``; read by ``run()``."""


def caller_origin(shell: Any = None) -> dict[str, Any]:
    """Where a submission comes from when its caller does not say: the notebook, cell and kernel, when known.

    Inside a Jupyter kernel that is the notebook's path (``$JPY_SESSION_NAME``, which the Jupyter server sets, or
    the ``__session__`` ipykernel puts in the user's namespace), the id of the cell being run and the kernel's id.
    IPython is only looked up when it is already loaded (this module never imports it); elsewhere (a script)
    every field is None.

    Args:
        shell: the IPython shell to ask (default: the running one, if any).
    """
    import os
    import re
    import sys

    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    user_ns = getattr(shell, "user_ns", None) or {}
    notebook = os.environ.get("JPY_SESSION_NAME") or user_ns.get("__session__") or None
    origin: dict[str, Any] = {"notebook": notebook, "cell_id": None, "kernel_id": None}
    kernel = getattr(shell, "kernel", None)
    if kernel is not None:
        parent = kernel.get_parent() or {}
        origin["cell_id"] = (parent.get("metadata") or {}).get("cellId")
        connection_file = getattr(getattr(kernel, "parent", None), "connection_file", "") or ""
        match = re.search(r"kernel-([0-9a-f-]+)\.json$", connection_file)
        origin["kernel_id"] = match.group(1) if match else None
    return origin

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
        if origin["kernel_id"]:
            origin["notebook"] = session_path(origin["kernel_id"]) or notebook
    return origin


SESSION_TTL = 2.0
"""Seconds a notebook path read from the Jupyter server is fresh; an older one is used at once while it is read again
in the background (a loop of ``run()`` calls never waits for the server after its first call)."""
SESSION_RETRY = 10.0
"""Seconds before asking again a server that did not answer (or has no such session)."""
SESSION_TIMEOUT = 3.0
"""Seconds the server has to answer (a busy server, polled by sidebars, can take over a second)."""
_sessions: dict[str, tuple[float, str | None]] = {}
_refreshing: set[str] = set()


def session_path(kernel_id: str) -> str | None:
    """The path of the notebook a kernel runs for, as the Jupyter server that started it knows it now.

    ``$JPY_SESSION_NAME`` is what the notebook was called when its kernel started: a notebook created as
    ``Untitled.ipynb`` and renamed keeps that name there. The server that started the kernel (its parent process)
    has a runtime file (``jpserver-<pid>.json``: its URL, token and root directory); its ``/api/sessions`` gives the
    session's current path, returned as ``root_dir/path`` like ``$JPY_SESSION_NAME``. The first call waits for the
    answer (at most :data:`SESSION_TIMEOUT`); later ones use the last answer and refresh it in the background when
    it is older than :data:`SESSION_TTL`. ``None`` (the caller keeps the variable) when this kernel has no such
    server, or it never answered.
    """
    import threading
    import time

    now = time.monotonic()
    cached = _sessions.get(kernel_id)
    if cached is None:
        return _read_session_path(kernel_id)
    at, path = cached
    if now - at >= (SESSION_TTL if path else SESSION_RETRY) and kernel_id not in _refreshing:
        _refreshing.add(kernel_id)
        threading.Thread(target=_read_session_path, args=(kernel_id,), name="qhybrid-session-path", daemon=True).start()
    return path


def _read_session_path(kernel_id: str) -> str | None:
    """Ask the server now; remember the answer (a failure keeps the last path known)."""
    import json
    import os
    import time
    import urllib.request
    from pathlib import Path

    path: str | None = None
    try:
        from jupyter_core.paths import jupyter_runtime_dir

        info = json.loads(Path(jupyter_runtime_dir(), f"jpserver-{os.getppid()}.json").read_text())
        request = urllib.request.Request(
            f"{str(info['url']).rstrip('/')}/api/sessions", headers={"Authorization": f"token {info.get('token', '')}"}
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the local server, never a proxy
        with opener.open(request, timeout=SESSION_TIMEOUT) as answer:
            sessions = json.load(answer)
        for session in sessions if isinstance(sessions, list) else []:
            if (session.get("kernel") or {}).get("id") == kernel_id and session.get("path"):
                path = os.path.join(str(info.get("root_dir") or ""), str(session["path"]))
                break
    except (OSError, ValueError, KeyError, TypeError, AttributeError, ImportError):
        path = None  # no server of ours (a script, nbclient), or it did not answer: $JPY_SESSION_NAME stands
    finally:
        _refreshing.discard(kernel_id)
    known = (_sessions.get(kernel_id) or (0.0, None))[1]
    _sessions[kernel_id] = (time.monotonic(), path or known)
    return path or known

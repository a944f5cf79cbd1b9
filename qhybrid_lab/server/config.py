"""Server-side settings of the qhybrid-lab extension, as traitlets (documented by ``jupyter server --help-all``)."""

from __future__ import annotations

from traitlets import Bool, Float, Int
from traitlets.config import Configurable


class QHybridLabServer(Configurable):
    """Settings of the qhybrid-lab REST API (``c.QHybridLabServer.<name>`` in jupyter_server_config.py)."""

    poll_interval = Float(
        1.0,
        min=0.2,
        config=True,
        help="How often (seconds) the sidebar should poll for job changes; sent to the sidebar as a hint.",
    )
    reap_every = Float(
        5.0,
        min=0.0,
        config=True,
        help=(
            "Minimum seconds between two checks for jobs whose owning kernel stopped beating "
            "(they are marked 'interrupted' when the job list is read). 0 checks on every request."
        ),
    )
    stale_after = Float(
        20.0,
        min=1.0,
        config=True,
        help="Seconds without a heartbeat after which a kernel's active jobs are marked 'interrupted'.",
    )
    max_page = Int(
        500,
        min=1,
        config=True,
        help="Largest 'limit' a client may ask for in one page of jobs.",
    )
    adopt_provider_jobs = Bool(
        True,
        config=True,
        help=(
            "Follow provider jobs (IBM Quantum, Amazon Braket) whose kernel exited or died: poll them and record "
            "their results in the run log, so a hardware result is never lost to a kernel restart."
        ),
    )

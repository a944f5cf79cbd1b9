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
    "qhybrid_experiment", default=None)
"""Set by ``with experiment(...)``; read by ``run()``."""

"""The engine: submit circuits as recorded jobs, run them in warm worker processes, follow them with handles."""

from __future__ import annotations

from .api import run
from .handles import Job, JobGroup
from .manager import JobManager, register_worker_module

__all__ = ["Job", "JobGroup", "JobManager", "register_worker_module", "run"]

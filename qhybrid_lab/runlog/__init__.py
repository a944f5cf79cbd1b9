"""The run log: the only code that touches the store (TinyDB on an append-only JSON-lines log)."""

from __future__ import annotations

from .log import RunLog, open_runlog
from .storage import JsonLinesStorage
from .database import LogDB, LogTable

__all__ = ["JsonLinesStorage", "LogDB", "LogTable", "RunLog", "open_runlog"]

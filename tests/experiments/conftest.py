"""The engine tests' backends (``paid:<cents per shot>`` costs money) are available here too, in the workers as well:
their folder is put on ``sys.path`` at collection, before any worker process starts."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "jobs"))

import engine_backends  # noqa: E402,F401  (registers paid:, busy:, ...)

"""The IPython front end: ``%%qrun`` and the magics over the run log (``%load_ext qhybrid_lab``)."""

from __future__ import annotations

from .commands import QMagics, load_ipython_extension

__all__ = ["QMagics", "load_ipython_extension"]

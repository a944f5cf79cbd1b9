"""Make circuits that hold ``CASE_DEFAULT`` picklable, so a ``switch`` with a default case reaches a worker process.

Qiskit 2.6.2's ``CASE_DEFAULT`` is a sentinel compared by identity, but it pickles as a new object: a circuit with
``with case(case.DEFAULT):`` then fails to unpickle ("ValueError: invalid case specifier"), which ended the worker
process that received it. :func:`register` teaches :mod:`copyreg` to pickle the sentinel as "the sentinel".
"""

from __future__ import annotations

import copyreg
import threading

_registered = False
_lock = threading.Lock()


def case_default():
    """Qiskit's ``CASE_DEFAULT`` (what the sentinel unpickles to)."""
    from qiskit.circuit import CASE_DEFAULT

    return CASE_DEFAULT


def _reduce(_sentinel):
    return case_default, ()


def register() -> None:
    """Register the reducer once per process (idempotent; cheap after the first call)."""
    global _registered
    if _registered:
        return
    with _lock:
        if not _registered:
            copyreg.pickle(type(case_default()), _reduce)
            _registered = True


__all__ = ["case_default", "register"]

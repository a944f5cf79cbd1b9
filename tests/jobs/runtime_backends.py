"""A backend registered at runtime under a new name with a built-in class (so its class module does not register it).

Only ``test_run.py::test_workers_import_registered_worker_modules`` imports this module.
"""

from __future__ import annotations

from qhybrid_lab.backends import register_backend
from qhybrid_lab.backends.aer import AerBackend


def renamed_aer(name: str) -> AerBackend:
    """Ideal Aer under another registry name."""
    backend = AerBackend("aer")
    backend.name = name
    return backend


register_backend("renamed:", renamed_aer)

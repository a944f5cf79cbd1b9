"""A registry snapshot for the backend tests (shared circuits are in backend_helpers.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def clean_registry():
    """Restore the backend registry (registrations and cached instances) after the test."""
    from qhybrid_lab.backends import registry

    registry._ensure_builtins()
    saved = (list(registry._registrations), dict(registry._instances))
    yield registry
    registry._registrations[:] = saved[0]
    registry._instances.clear()
    registry._instances.update(saved[1])

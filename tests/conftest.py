"""Shared fixtures: every test gets its own QHYBRID_HOME, so no test sees another's run log."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def qhome(tmp_path, monkeypatch):
    """A fresh qhybrid home directory (run log, blobs, price overrides) for each test."""
    home = tmp_path / "qhybrid-home"
    home.mkdir()
    monkeypatch.setenv("QHYBRID_HOME", str(home))
    return home

"""Shared fixtures: every test gets its own QHYBRID_HOME, so no test sees another's run log; measured figures.

Tests that measure something worth quoting (the reliability catalogue) add a line with the ``figures`` fixture;
pytest prints them all in a "qhybrid-lab figures" section at the end of the run.
"""

from __future__ import annotations

import pytest

from qhybrid_lab.runlog.log import close_runlogs

_FIGURES: list[str] = []


@pytest.fixture(autouse=True)
def qhome(tmp_path, monkeypatch):
    """A fresh qhybrid home directory (run log, blobs, price overrides) for each test."""
    home = tmp_path / "qhybrid-home"
    home.mkdir()
    monkeypatch.setenv("QHYBRID_HOME", str(home))
    yield home
    # each open run log keeps two descriptors: a suite that opened hundreds of homes would pass select()'s 1024
    close_runlogs(tmp_path)


@pytest.fixture
def figures(request):
    """``figures("8 processes x 200 jobs: 0 lost")``: a line for the end-of-run summary, prefixed by the test."""

    def add(line: str) -> None:
        _FIGURES.append(f"{request.node.name}: {line}")

    return add


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("qhybrid-lab figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)

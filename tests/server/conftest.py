"""Fixtures for the server-extension tests: a real Jupyter server with qhybrid-lab enabled, auth required."""

from __future__ import annotations

import json
from typing import Any

import pytest

# Not a top-level conftest, so no ``pytest_plugins``: import the fixtures of pytest-jupyter's server plugin here.
from pytest_jupyter.jupyter_server import *  # noqa: F403,E402
from server_helpers import make_record


@pytest.fixture
def jp_server_config():
    """Enable the extension; every request must carry the server's token."""
    return {
        "ServerApp": {
            "jpserver_extensions": {"qhybrid_lab": True, "jupyter_server_terminals": False},
            "allow_unauthenticated_access": False,
        },
        "QHybridLabServer": {"reap_every": 0.0},
    }


@pytest.fixture
def runlog(qhome):
    """The run log the server reads (the same QHYBRID_HOME)."""
    from qhybrid_lab.runlog import open_runlog

    return open_runlog(qhome)


@pytest.fixture
def api(jp_fetch):
    """``await api("GET", "jobs", params=..., body=...)`` → (status, decoded JSON); errors do not raise."""

    async def call(method: str, *path: str, params: dict | None = None, body: Any = None, headers=None):
        kwargs: dict[str, Any] = {"method": method, "raise_error": False, "headers": headers, "params": params}
        if body is not None:
            kwargs["body"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
        elif method in ("POST", "PUT"):
            kwargs["body"] = b""
        response = await jp_fetch("qhybrid-lab", "api", *path, **kwargs)
        text = response.body.decode() if response.body else ""
        try:
            data = json.loads(text) if text else None
        except json.JSONDecodeError:
            data = text
        return response.code, data

    return call


@pytest.fixture
def record():
    """``record(**overrides)`` → a run record shaped like the engine's; dict values are merged one level."""
    return make_record

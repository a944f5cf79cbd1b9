"""The ``ibm:`` names in the registry: listed cheaply, resolved without contacting IBM, typos answered."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qhybrid_lab.backends import BackendKind, get_backend, list_backends
from qhybrid_lab.errors import UnknownBackend

REPO = Path(__file__).resolve().parents[2]


def test_listing_names_every_fake_device_without_importing_an_sdk(qhome):
    code = ("import sys; from qhybrid_lab.backends import list_backends; rows = list_backends(); "
            "print(sum(r['name'].startswith('ibm:fake_') for r in rows), "
            "[r['name'] for r in rows if r['name'] == 'ibm:<device>'], "
            "'qiskit_ibm_runtime' in sys.modules, 'qiskit' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QHYBRID_HOME": str(qhome)})
    assert done.returncode == 0, done.stderr
    from qhybrid_lab.backends.devices import fake_device_catalog

    assert done.stdout.split() == [str(len(fake_device_catalog())), "['ibm:<device>']", "False", "False"]


def test_listed_entries_say_what_they_are(qhome):
    rows = {row["name"]: row for row in list_backends()}
    local = rows["ibm:fake_manila"]
    assert (local["kind"], local["provider"], local["num_qubits"]) == ("emulator", "ibm", 5)
    assert "local testing mode" in local["description"] and "fake_manila" in local["description"]
    placeholder = rows["ibm:<device>"]
    assert placeholder["kind"] == "hardware" and "ibm:ibm_torino" in placeholder["description"]


def test_a_device_name_resolves_without_contacting_ibm(monkeypatch):
    # No account at all: constructing the backend must not need one (nothing is asked of IBM yet)
    monkeypatch.delenv("QISKIT_IBM_TOKEN", raising=False)
    backend = get_backend("ibm:ibm_some_new_device")
    assert backend.kind is BackendKind.HARDWARE and not backend.is_local and backend.provider == "ibm"
    assert backend.name == "ibm:ibm_some_new_device"


def test_typos_and_the_placeholder_are_answered():
    with pytest.raises(UnknownBackend, match="did you mean 'ibm:fake_manila'"):
        get_backend("ibm:fake_manla")
    with pytest.raises(UnknownBackend, match="needs a device name"):
        get_backend("ibm:<device>")
    with pytest.raises(UnknownBackend, match="did you mean 'ibm:fake_torino'"):
        get_backend("ibn:fake_torino")


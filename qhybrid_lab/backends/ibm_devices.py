"""Which ``ibm:`` names exist, cheaply (nothing imported, no network): for ``list_backends()`` and did-you-mean.

``ibm:fake_<device>`` comes from the same catalogue as the project's emulators (qiskit-ibm-runtime's data files,
read by :func:`qhybrid_lab.backends.devices.fake_device_catalog`). Real devices depend on the account and are
only known after asking IBM: the devices the adapter has seen for the account are remembered in
``$QHYBRID_HOME/ibm_devices.json`` (every device used, and the whole list after a failed lookup or
:func:`qhybrid_lab.backends.ibm.refresh_devices`); until then a single ``ibm:<device>`` entry says how to name one.
"""

from __future__ import annotations

import json
import os
import time
from functools import lru_cache
from typing import Any

from ..config import home_dir

PREFIX = "ibm:"
PLACEHOLDER = "ibm:<device>"
CACHE_FILENAME = "ibm_devices.json"


def fake_entries() -> list[dict[str, Any]]:
    """``ibm:fake_<device>``: IBM's local testing mode on each fake backend qiskit-ibm-runtime ships."""
    from .devices import fake_device_catalog

    return [
        {
            "name": PREFIX + d.name,
            "kind": "emulator",
            "provider": "ibm",
            "num_qubits": d.num_qubits,
            "description": f"IBM local testing mode on {d.class_name} (SamplerV2, Aer with the noise of "
            f"{d.device_name}); not the project's own emulator {d.name}",
        }
        for d in fake_device_catalog().values()
    ]


@lru_cache(maxsize=1)
def known_ibm_device_names() -> frozenset[str]:
    """Every device name IBM has used for the fake backends (to tell a retired device from a typo)."""
    from .devices import fake_device_catalog

    return frozenset(d.device_name for d in fake_device_catalog().values())


def _read_cache() -> dict[str, Any]:
    try:
        data = json.loads((home_dir() / CACHE_FILENAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def record_devices(rows: list[dict[str, Any]], *, account: str, replace: bool = False) -> None:
    """Remember devices seen for ``account`` (``{"name", "num_qubits"}`` rows); never a credential."""
    data = _read_cache()
    devices = (
        {}
        if replace or data.get("account") != account
        else {row["name"]: row for row in data.get("devices", []) if isinstance(row, dict) and "name" in row}
    )
    for row in rows:
        devices[row["name"]] = {"name": row["name"], "num_qubits": row.get("num_qubits")}
    path = home_dir() / CACHE_FILENAME
    aside = path.with_name(f".{CACHE_FILENAME}.{os.getpid()}.tmp")
    aside.write_text(
        json.dumps(
            {"account": account, "updated": time.time(), "devices": sorted(devices.values(), key=lambda r: r["name"])},
            indent=1,
        ),
        encoding="utf-8",
    )
    os.replace(aside, path)


def device_entries() -> list[dict[str, Any]]:
    """The account's devices last seen, or the ``ibm:<device>`` placeholder when none was seen yet."""
    data = _read_cache()
    rows = [row for row in data.get("devices", []) if isinstance(row, dict) and row.get("name")]
    if not rows:
        return [
            {
                "name": PLACEHOLDER,
                "kind": "hardware",
                "provider": "ibm",
                "num_qubits": None,
                "description": "IBM Quantum devices of your account: run on ibm:<device name> (e.g. "
                "ibm:ibm_torino); they are listed here once the account was used",
            }
        ]
    seen = time.strftime("%Y-%m-%d", time.localtime(data.get("updated", 0)))
    return [
        {
            "name": PREFIX + row["name"],
            "kind": "hardware",
            "provider": "ibm",
            "num_qubits": row.get("num_qubits"),
            "description": f"IBM Quantum {row['name']} (real device; seen for {data.get('account')} on {seen})",
        }
        for row in rows
    ]


def ibm_names() -> list[dict[str, Any]]:
    """Every listable ``ibm:`` name, as ``list_backends`` entries."""
    return fake_entries() + device_entries()

"""Backend registry: names → backend factories, one cached instance per name per process.

Built in: the Aer variants (``aer``, ``aer:statevector``, ``aer:mps``, ``aer:density_matrix``), one
emulator per fake device of qiskit-ibm-runtime (``fake_torino``, ``fake_sherbrooke``, ...), the PennyLane
simulators (``pennylane:default.qubit``, ``pennylane:lightning.qubit``), Amazon Braket (``braket:local``,
``braket:local_dm[:<noise>]``, ``braket:<device>``, ``braket:arn:...``) and IBM Quantum (``ibm:<device>``,
``ibm:fake_<device>``). Adapters for
other providers register themselves with :func:`register_backend` without touching the engine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import UnknownBackend
from .base import Backend
from .names import closest_names


@dataclass(frozen=True)
class _Registration:
    key: str
    factory: Callable[[str], Backend]
    names: Callable[[], Sequence[str | dict[str, Any]]] | None

    def listed(self) -> list[dict[str, Any]]:
        if self.names is None:
            return [] if self.key.endswith(":") else [{"name": self.key}]
        return [entry if isinstance(entry, dict) else {"name": entry} for entry in self.names()]

    def matches(self, name: str) -> bool:
        if self.names is not None:
            return any(entry["name"] == name for entry in self.listed())
        if self.key.endswith(":"):
            return name.startswith(self.key) and len(name) > len(self.key)
        return name == self.key


_registrations: list[_Registration] = []
_instances: dict[str, Backend] = {}
_lock = threading.RLock()
_builtins_loaded = False


def register_backend(
    prefix_or_name: str,
    factory: Callable[[str], Backend],
    *,
    names: Callable[[], Sequence[str | dict[str, Any]]] | None = None,
) -> None:
    """Make backends available by name.

    Args:
        prefix_or_name: An exact name (``"my_sim"``) or a prefix ending in ``":"`` (``"braket:"``)
            that the factory resolves itself (raising :class:`~qhybrid_lab.errors.UnknownBackend` for a
            name it does not know).
        factory: Called with the full name once per process; returns the :class:`Backend`.
        names: Optional: the names this registration serves, as strings or as ``list_backends``
            entries (dicts with ``name`` and optionally ``kind``, ``provider``, ``num_qubits``,
            ``description``). When given, exactly these names resolve, and they are listed.

    Later registrations take precedence, so a registration can replace a built-in. Instances already
    created under a name it now serves are dropped from the cache.

    Example:
        >>> register_backend("my_aer", lambda name: AerBackend("aer"))  # doctest: +SKIP
    """
    _ensure_builtins()
    registration = _Registration(prefix_or_name.strip().lower(), factory, names)
    with _lock:
        _registrations.insert(0, registration)
        for cached in [n for n in _instances if registration.matches(n)]:
            del _instances[cached]


def _ensure_builtins() -> None:
    global _builtins_loaded
    with _lock:
        if _builtins_loaded:
            return
        from .aer import AerBackend, aer_names
        from .braket import make_backend as make_braket_backend
        from .braket_devices import PREFIX as BRAKET_PREFIX
        from .braket_devices import braket_names
        from .devices import FakeDeviceBackend, fake_device_catalog, fake_device_names
        from .ibm import PREFIX as IBM_PREFIX
        from .ibm import ibm_names
        from .ibm import make_backend as make_ibm_backend
        from .pennylane import PREFIX, make_backend, pennylane_names

        _registrations.append(
            _Registration("fake_", lambda n: FakeDeviceBackend(fake_device_catalog()[n]), fake_device_names)
        )
        _registrations.append(_Registration("aer", AerBackend, aer_names))
        _registrations.append(_Registration(PREFIX, make_backend, pennylane_names))  # listed devices
        _registrations.append(_Registration(PREFIX, make_backend, None))  # any other: UnknownBackend listing them
        _registrations.append(_Registration(BRAKET_PREFIX, make_braket_backend, braket_names))
        _registrations.append(_Registration(BRAKET_PREFIX, make_braket_backend, None))  # ARNs, other noise names
        _registrations.append(_Registration(IBM_PREFIX, make_ibm_backend, ibm_names))  # ibm:fake_*, devices seen
        _registrations.append(_Registration(IBM_PREFIX, make_ibm_backend, None))  # any ibm:<device> of the account
        _builtins_loaded = True


def _known_names() -> list[str]:
    names: list[str] = []
    for registration in list(_registrations):
        names.extend(entry["name"] for entry in registration.listed())
        if registration.names is None and registration.key.endswith(":"):
            names.append(registration.key + "<device>")
    return names


def _unknown(name: str, key: str, known: list[str]) -> UnknownBackend:
    close = closest_names(key, known)
    if close:
        hint = "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    else:
        hint = "list_backends() shows the available names, e.g. 'aer', 'fake_sherbrooke'"
    return UnknownBackend(f"unknown backend '{name}'; {hint}")


def backend_name(name: str) -> str:
    """The registry name that serves ``name`` (stripped, lower case), without creating the backend.

    A listed name, or a name under a registered prefix (``"braket:<device>"``) that its factory resolves later.

    Raises:
        UnknownBackend: No registration serves ``name``; the message suggests the closest names.

    Example:
        >>> backend_name(" Fake_Torino ")
        'fake_torino'
    """
    if not isinstance(name, str) or not name.strip():
        raise UnknownBackend(f"a backend name must be a non-empty string, got {name!r}")
    key = name.strip().lower()
    _ensure_builtins()
    with _lock:
        if key in _instances or any(registration.matches(key) for registration in _registrations):
            return key
        known = _known_names()
    raise _unknown(name, key, known)


def get_backend(name: str) -> Backend:
    """The backend registered under ``name`` (case-insensitive), created once per process.

    Raises:
        UnknownBackend: No registration serves ``name``; the message suggests the closest names.

    Example:
        >>> get_backend("aer").kind
        <BackendKind.SIMULATOR: 'simulator'>
    """
    if isinstance(name, Backend):
        return name
    if not isinstance(name, str) or not name.strip():
        raise UnknownBackend(f"a backend name must be a non-empty string, got {name!r}")
    key = name.strip().lower()
    _ensure_builtins()
    with _lock:
        cached = _instances.get(key)
        if cached is not None:
            return cached
        for registration in _registrations:
            if registration.matches(key):
                backend = registration.factory(key)
                _instances[key] = backend
                return backend
        known = _known_names()
    raise _unknown(name, key, known)


def list_backends() -> list[dict[str, Any]]:
    """Every listable backend, cheaply: ``name``, ``kind``, ``provider``, ``num_qubits``, ``description``.

    Nothing is loaded: ``num_qubits`` is ``None`` when it is not known without loading the backend
    (unless an instance already exists in this process). Prefix registrations without a name list
    (``"braket:"``) are not listed.
    """
    _ensure_builtins()
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    with _lock:
        registrations = list(_registrations)
        instances = dict(_instances)
    for registration in registrations:
        for entry in registration.listed():
            name = entry["name"]
            if name in seen:
                continue
            seen.add(name)
            row = {"name": name, "kind": None, "provider": None, "num_qubits": None, "description": ""}
            row.update({k: entry[k] for k in row if k in entry})
            instance = instances.get(name)
            if instance is not None:
                row.update(kind=str(instance.kind), provider=instance.provider)
                if row["num_qubits"] is None and instance._target_cache is not None:
                    row["num_qubits"] = instance.num_qubits
            out.append(row)
    return out

"""The Braket device catalogue (short name → ARN, region, kind) and Qiskit targets built from device capabilities.

Listing is cheap: no network and no boto3 import (``importlib.util.find_spec`` only says whether the SDK is there).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..status import JobStatus
from .braket_convert import BRAKET_TO_QISKIT

if TYPE_CHECKING:
    from qiskit.transpiler import Target

PREFIX = "braket:"
INSTALL_LINE = 'pip install "qhybrid-lab[braket]"'
CATALOGUE_DATE = "2026-10"
"""When the catalogue was checked: the ``braket.devices.Devices`` enum of amazon-braket-sdk 1.127.5, whose
names starting with ``_`` are retired devices."""

BRAKET_STATES: dict[str, JobStatus] = {
    "CREATED": JobStatus.QUEUED,
    "QUEUED": JobStatus.QUEUED,
    "RUNNING": JobStatus.RUNNING,
    "COMPLETED": JobStatus.DONE,
    "FAILED": JobStatus.FAILED,
    "CANCELLING": JobStatus.RUNNING,
    "CANCELLED": JobStatus.CANCELLED,
}
"""Braket quantum-task states → JobStatus. CREATED is accepted by the service (so ``queued`` here); CANCELLING is
not final (the task may still complete), so it stays active until Braket says CANCELLED."""


def sdk_version() -> str:
    """The installed amazon-braket-sdk version."""
    from importlib.metadata import version

    return version("amazon-braket-sdk")


@dataclass(frozen=True)
class BraketDevice:
    """A Braket device the catalogue knows by a short name."""

    short: str
    """``sv1``, ``iqm_garnet``: the part after ``braket:``."""
    arn: str
    kind: str
    """``simulator`` (managed simulators) or ``hardware`` (QPUs)."""
    num_qubits: int
    description: str
    retired: bool = False

    @property
    def region(self) -> str | None:
        """The region in the ARN (QPUs); ``None`` for managed simulators, which run in the session's region."""
        return self.arn.split(":")[3] or None


CATALOGUE: dict[str, BraketDevice] = {
    d.short: d
    for d in (
        BraketDevice(
            "sv1",
            "arn:aws:braket:::device/quantum-simulator/amazon/sv1",
            "simulator",
            34,
            "Amazon Braket SV1 managed state-vector simulator",
        ),
        BraketDevice(
            "dm1",
            "arn:aws:braket:::device/quantum-simulator/amazon/dm1",
            "simulator",
            17,
            "Amazon Braket DM1 managed density-matrix simulator",
        ),
        BraketDevice(
            "tn1",
            "arn:aws:braket:::device/quantum-simulator/amazon/tn1",
            "simulator",
            50,
            "Amazon Braket TN1 managed tensor-network simulator",
        ),
        BraketDevice(
            "iqm_garnet",
            "arn:aws:braket:eu-north-1::device/qpu/iqm/Garnet",
            "hardware",
            20,
            "IQM Garnet superconducting QPU (eu-north-1)",
        ),
        BraketDevice(
            "iqm_emerald",
            "arn:aws:braket:eu-north-1::device/qpu/iqm/Emerald",
            "hardware",
            54,
            "IQM Emerald superconducting QPU (eu-north-1)",
        ),
        BraketDevice(
            "ionq_forte",
            "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-1",
            "hardware",
            36,
            "IonQ Forte-1 trapped-ion QPU (us-east-1)",
        ),
        BraketDevice(
            "ionq_forte_enterprise",
            "arn:aws:braket:us-east-1::device/qpu/ionq/Forte-Enterprise-1",
            "hardware",
            36,
            "IonQ Forte Enterprise-1 trapped-ion QPU (us-east-1)",
        ),
        BraketDevice(
            "rigetti_cepheus",
            "arn:aws:braket:us-west-1::device/qpu/rigetti/Cepheus-1-108Q",
            "hardware",
            108,
            "Rigetti Cepheus-1-108Q superconducting QPU (us-west-1)",
        ),
        BraketDevice(
            "rigetti_ankaa",
            "arn:aws:braket:us-west-1::device/qpu/rigetti/Ankaa-3",
            "hardware",
            84,
            "Rigetti Ankaa-3 superconducting QPU (us-west-1; retired in the SDK's device list)",
            retired=True,
        ),
        BraketDevice(
            "aqt_ibex",
            "arn:aws:braket:eu-north-1::device/qpu/aqt/Ibex-Q1",
            "hardware",
            12,
            "AQT IBEX Q1 trapped-ion QPU (eu-north-1)",
        ),
    )
}
"""Gate-model devices by short name, checked on :data:`CATALOGUE_DATE` (QuEra Aquila runs analog Hamiltonian
programs, not circuits, so it is not here). Any other device is reachable by its full ARN: ``braket:arn:aws:...``."""

LOCAL_MODES: dict[str, tuple[str, str]] = {
    "local": ("braket_sv", "Braket LocalSimulator braket_sv (state vector, in the worker process)"),
    "local_dm": (
        "braket_dm",
        "Braket LocalSimulator braket_dm (density matrix; braket:local_dm:<noise> adds a "
        "noise model saved with register_braket_noise)",
    ),
}
"""Local modes: ``braket:<mode>`` → (LocalSimulator backend, description)."""


def sdk_installed() -> bool:
    """Whether amazon-braket-sdk (and boto3) can be imported, without importing either (nor ``braket`` itself)."""
    try:
        spec = importlib.util.find_spec("braket")
        if spec is None or not spec.submodule_search_locations or importlib.util.find_spec("boto3") is None:
            return False
    except (ImportError, ValueError):  # a finder that refuses the name: not importable here
        return False
    return any((Path(location) / "aws").is_dir() for location in spec.submodule_search_locations)


def braket_names() -> list[dict[str, Any]]:
    """The local modes, the saved noise models and the catalogue, as ``list_backends`` entries."""
    from .braket_noise import noise_names

    installed = sdk_installed()
    note = "" if installed else f" [unavailable: amazon-braket-sdk is not installed; {INSTALL_LINE}]"
    rows: list[dict[str, Any]] = [
        {
            "name": PREFIX + mode,
            "kind": "simulator",
            "provider": "braket",
            "num_qubits": None,
            "description": description + note,
        }
        for mode, (_, description) in LOCAL_MODES.items()
    ]
    rows += [
        {
            "name": f"{PREFIX}local_dm:{noise}",
            "kind": "simulator",
            "provider": "braket",
            "num_qubits": None,
            "description": f"Braket LocalSimulator braket_dm with the noise model '{noise}'{note}",
        }
        for noise in noise_names()
    ]
    rows += [
        {
            "name": PREFIX + d.short,
            "kind": d.kind,
            "provider": "braket",
            "num_qubits": d.num_qubits,
            "description": d.description + note,
        }
        for d in CATALOGUE.values()
    ]
    return rows


def catalogue_entry(name_or_arn: str) -> BraketDevice | None:
    """The catalogue device of a short name or (case-insensitively) an ARN."""
    key = name_or_arn.lower()
    if key in CATALOGUE:
        return CATALOGUE[key]
    return next((d for d in CATALOGUE.values() if d.arn.lower() == key), None)


@dataclass(frozen=True)
class DeviceLayout:
    """What a device's capabilities say about circuits: the target and how qubits are named in programs."""

    target: Target
    physical: list[int] | None
    """Device label of each target qubit, for QPUs with a connectivity graph (``$label``); else ``None``."""
    gates: list[str]
    """Qiskit names of the target's gates."""
    native: bool
    """Whether ``gates`` is the device's native gate set (else: every supported gate Qiskit has)."""


def layout_from_capabilities(capabilities: Any) -> DeviceLayout:
    """The Qiskit target of a Braket device, from its capabilities (``AwsDevice.properties`` or LocalSimulator's).

    QPUs: the native gate set when every native gate has a Qiskit equivalent (IQM: prx, cz; Rigetti: rx, rz,
    iswap), else the supported gates (IonQ's native gpi/gpi2/ms have none: Braket compiles the rest); the
    connectivity graph, both directions; the qubit count. Simulators: the supported gates on ``qubitCount``
    qubits, all to all.
    """
    from qiskit.transpiler import CouplingMap, Target

    action = capabilities.action.get("braket.ir.openqasm.program")
    if action is None:
        from ..errors import DeviceUnavailable

        raise DeviceUnavailable("the device runs no OpenQASM programs (not a gate-model device)")
    names = [op if op in BRAKET_TO_QISKIT else op.lower() for op in action.supportedOperations]
    supported = [BRAKET_TO_QISKIT[op] for op in names if op in BRAKET_TO_QISKIT]
    paradigm = capabilities.paradigm
    native_set = [g.lower() for g in (getattr(paradigm, "nativeGateSet", None) or [])]
    native = bool(native_set) and all(g in BRAKET_TO_QISKIT for g in native_set)
    gates = [BRAKET_TO_QISKIT[g] for g in native_set] if native else sorted(set(supported))
    connectivity = getattr(paradigm, "connectivity", None)
    graph = getattr(connectivity, "connectivityGraph", None) if connectivity is not None else None
    if connectivity is not None and not connectivity.fullyConnected and graph:
        labels = sorted({int(a) for a in graph} | {int(b) for targets in graph.values() for b in targets})
        index = {label: i for i, label in enumerate(labels)}
        edges = sorted(
            {(index[int(a)], index[int(b)]) for a, targets in graph.items() for b in targets}
            | {(index[int(b)], index[int(a)]) for a, targets in graph.items() for b in targets}
        )
        target = Target.from_configuration(
            basis_gates=[*gates, "measure"], num_qubits=len(labels), coupling_map=CouplingMap(edges)
        )
        return DeviceLayout(target=target, physical=labels, gates=gates, native=native)
    target = Target.from_configuration(basis_gates=[*gates, "measure"], num_qubits=int(paradigm.qubitCount))
    return DeviceLayout(target=target, physical=None, gates=gates, native=native)

"""The devices the loopback Braket service offers: their GetDevice answers, built with Braket's own schema classes.

SV1/DM1 are the local simulator's capabilities at the managed simulators' widths; the QPU is IQM-shaped (native
gates prx and cz, qubits labelled from 1 in a 4 × 5 lattice): a fixture with the structure of a real IQM device's
capabilities, not IQM Garnet's published topology or calibration.
"""

from __future__ import annotations

import json
from typing import Any

SIMULATORS = {
    "arn:aws:braket:::device/quantum-simulator/amazon/sv1": ("SV1", 34),
    "arn:aws:braket:::device/quantum-simulator/amazon/dm1": ("DM1", 17),
}
QPU_ARN = "arn:aws:braket:eu-north-1::device/qpu/iqm/Garnet"
QPU_LABELS = list(range(1, 21))


def lattice() -> dict[str, list[str]]:
    """A 4 × 5 lattice on labels 1..20, each edge listed once (as IQM lists them)."""
    graph: dict[str, list[str]] = {}
    for row in range(4):
        for col in range(5):
            label = 1 + row * 5 + col
            nbrs = ([label + 1] if col < 4 else []) + ([label + 5] if row < 3 else [])
            if nbrs:
                graph[str(label)] = [str(n) for n in nbrs]
    return graph


def _service(poll_ms: int = 100) -> dict[str, Any]:
    return {"braketSchemaHeader": {"name": "braket.device_schema.device_service_properties", "version": "1"},
            "executionWindows": [{"executionDay": "Everyday", "windowStartHour": "00:00", "windowEndHour": "23:59:59"}],
            "shotsRange": [1, 100000], "updatedAt": "2026-10-01T00:00:00", "getTaskPollIntervalMillis": poll_ms}


def simulator_capabilities(qubits: int, noise: bool) -> str:
    """GateModelSimulatorDeviceCapabilities of the default simulator at another width."""
    from braket.default_simulator import DensityMatrixSimulator, StateVectorSimulator

    props = json.loads((DensityMatrixSimulator() if noise else StateVectorSimulator()).properties.json())
    props["paradigm"]["qubitCount"] = qubits
    props["service"] = _service()
    return json.dumps(props)


def qpu_capabilities() -> str:
    """IqmDeviceCapabilities of the loopback QPU (validated by the schema class before it is served)."""
    from braket.device_schema.iqm import IqmDeviceCapabilities

    caps = {
        "braketSchemaHeader": {"name": "braket.device_schema.iqm.iqm_device_capabilities", "version": "1"},
        "service": _service(),
        "action": {
            "braket.ir.openqasm.program": {
                "actionType": "braket.ir.openqasm.program", "version": ["1"],
                "supportedOperations": ["ccnot", "cnot", "cphaseshift", "cz", "h", "i", "prx", "rx", "ry", "rz",
                                        "s", "si", "swap", "t", "ti", "x", "y", "z"],
                "supportedPragmas": ["braket_result_type_probability"],
                "supportedResultTypes": [{"name": "Sample", "observables": ["x", "y", "z", "h", "i"],
                                          "minShots": 1, "maxShots": 20000}]},
            "braket.ir.openqasm.program_set": {"actionType": "braket.ir.openqasm.program_set", "version": ["1"],
                                               "maximumExecutables": 100, "maximumTotalShots": 200000},
        },
        "deviceParameters": {},
        "paradigm": {"braketSchemaHeader": {"name": "braket.device_schema.gate_model_qpu_paradigm_properties",
                                            "version": "1"},
                     "qubitCount": len(QPU_LABELS), "nativeGateSet": ["cz", "prx"],
                     "connectivity": {"fullyConnected": False, "connectivityGraph": lattice()}},
    }
    return IqmDeviceCapabilities.parse_obj(caps).json()


def devices() -> dict[str, dict[str, Any]]:
    """``{arn: GetDevice response}`` of every loopback device."""
    out = {arn: {"deviceArn": arn, "deviceName": name, "providerName": "Amazon Braket", "deviceType": "SIMULATOR",
                 "deviceStatus": "ONLINE", "deviceCapabilities": simulator_capabilities(qubits, name == "DM1")}
           for arn, (name, qubits) in SIMULATORS.items()}
    out[QPU_ARN] = {"deviceArn": QPU_ARN, "deviceName": "Garnet", "providerName": "IQM", "deviceType": "QPU",
                    "deviceStatus": "ONLINE", "deviceCapabilities": qpu_capabilities()}
    return out

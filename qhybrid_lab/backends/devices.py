"""Device emulators: one backend per fake device shipped by qiskit-ibm-runtime, simulated with its noise.

The catalogue is read from the package's data files (``fake_provider/backends/<dir>/fake_<dir>.py`` and
``conf_<dir>.json``) without importing ``qiskit_ibm_runtime`` (1.2 s) or constructing any fake backend.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import MissingDependency
from .base import Backend, BackendKind, ExecutionResult
from .calibration import device_calibration
from .methods import choose_method
from .trimming import active_qubits, noise_model_for_target, remap_to_qubits, restrict_target

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.transpiler import Target

    from ..costs.prices import PriceModel

_CLASS = re.compile(r"class\s+(\w+)\s*\(\s*FakeBackendV2\s*\)")
_ATTR = re.compile(r"^\s*(backend_name|conf_filename|props_filename)\s*=\s*[\"']([^\"']+)[\"']", re.M)
NOISE_CACHE_SIZE = 64
"""Trimmed noise models kept per device (keyed by the tuple of physical qubits)."""


@dataclass(frozen=True)
class FakeDevice:
    """What the catalogue knows of a fake device without loading it."""

    name: str
    """Registry name, e.g. ``fake_sherbrooke``."""
    module: str
    class_name: str
    directory: Path
    props_filename: str | None
    device_name: str
    """The real device it copies, e.g. ``ibm_sherbrooke``."""
    num_qubits: int
    version: str
    max_shots: int
    rep_delay_seconds: float | None
    description: str


def _fake_backends_dir() -> Path:
    spec = importlib.util.find_spec("qiskit_ibm_runtime")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependency("device emulators need qiskit-ibm-runtime: pip install qiskit-ibm-runtime")
    return Path(next(iter(spec.submodule_search_locations))) / "fake_provider" / "backends"


@lru_cache(maxsize=1)
def fake_device_catalog() -> dict[str, FakeDevice]:
    """Every fake device qiskit-ibm-runtime ships, by registry name (read once per process)."""
    devices: dict[str, FakeDevice] = {}
    for directory in sorted(p for p in _fake_backends_dir().iterdir() if p.is_dir()):
        for source in sorted(directory.glob("fake_*.py")):
            text = source.read_text(encoding="utf-8")
            cls = _CLASS.search(text)
            attrs = dict(_ATTR.findall(text))
            if cls is None or "backend_name" not in attrs or "conf_filename" not in attrs:
                continue
            conf = json.loads((directory / attrs["conf_filename"]).read_text(encoding="utf-8"))
            rep_delay = conf.get("default_rep_delay")
            processor = conf.get("processor_type") or {}
            family = f" {processor.get('family')}" if isinstance(processor, dict) and processor.get("family") else ""
            devices[attrs["backend_name"]] = FakeDevice(
                name=attrs["backend_name"],
                module=f"qiskit_ibm_runtime.fake_provider.backends.{directory.name}.{source.stem}",
                class_name=cls.group(1),
                directory=directory,
                props_filename=attrs.get("props_filename"),
                device_name=conf.get("backend_name", attrs["backend_name"]),
                num_qubits=int(conf["n_qubits"]),
                version=str(conf.get("backend_version", "")),
                max_shots=int(conf.get("max_shots") or 8192),
                rep_delay_seconds=float(rep_delay) * 1e-6 if rep_delay is not None else None,
                description=(
                    f"Emulator of {conf.get('backend_name', directory.name)} "
                    f"({conf['n_qubits']} qubits{family}) with its calibrated noise"
                ),
            )
    return devices


def fake_device_names() -> list[dict[str, Any]]:
    """The emulators as ``list_backends`` entries."""
    return [
        {
            "name": d.name,
            "kind": "emulator",
            "provider": "ibm-fake",
            "num_qubits": d.num_qubits,
            "description": d.description,
        }
        for d in fake_device_catalog().values()
    ]


class FakeDeviceFacts:
    """What a backend built on one of qiskit-ibm-runtime's fake devices says about it: the fake backend itself
    (built on first use), its target, width, shot limit, the real device's price and the calibration snapshot.

    Shared by the project's emulator (:class:`FakeDeviceBackend`) and IBM's local testing mode
    (``ibm:fake_<device>``, :mod:`.ibm_local`); mixed in before :class:`~.base.Backend`.
    """

    if TYPE_CHECKING:

        def target(self) -> Target: ...  # the host backend's (Backend.target)

    device: FakeDevice

    def _use_device(self, device: FakeDevice) -> None:
        self.device = device
        self.rep_delay_seconds = device.rep_delay_seconds
        self._fake: Any = None
        self._calibration: dict[str, Any] | None = None
        self._lock = threading.RLock()

    @property
    def fake_backend(self):
        """The qiskit-ibm-runtime fake backend object (constructed on first use)."""
        with self._lock:
            if self._fake is None:
                module = importlib.import_module(self.device.module)
                self._fake = getattr(module, self.device.class_name)()
            return self._fake

    @property
    def version(self) -> str:
        return self.device.version

    @property
    def num_qubits(self) -> int:
        return self.device.num_qubits

    @property
    def max_shots(self) -> int:
        return self.device.max_shots

    def _build_target(self) -> Target:
        return self.fake_backend.target

    def hardware_price_model(self) -> PriceModel | None:
        """The real device's IBM price model (``ibm:<device>``, else ``ibm:default``)."""
        from ..costs.prices import lookup_price

        return lookup_price("ibm", self.device.device_name)

    def calibration(self) -> dict[str, Any]:
        """Median errors, T1/T2 and date of the device calibration, and its canonical JSON snapshot."""
        with self._lock:
            if self._calibration is None:
                props = self.device.directory / self.device.props_filename if self.device.props_filename else None
                self._calibration = device_calibration(self.target(), props)
            return {"summary": dict(self._calibration["summary"]), "snapshot": self._calibration["snapshot"]}


class FakeDeviceBackend(FakeDeviceFacts, Backend):
    """Emulates a real IBM device: its target (coupling map, basis gates) and its noise, via Aer.

    Circuits are simulated on the qubits they use only: the transpiled circuit is remapped onto
    ``0..k-1`` and run with the device noise model of those ``k`` qubits (cached per qubit tuple), by the Aer
    method that fits its width, depth and entanglement (:func:`~qhybrid_lab.backends.methods.choose_method`; the
    reason is recorded as ``simulation.method_reason``).
    """

    kind = BackendKind.EMULATOR
    provider = "ibm-fake"
    is_local = True

    def __init__(self, device: FakeDevice):
        self._use_device(device)
        self.name = device.name
        self.description = device.description
        self._noise: dict[tuple[int, ...], Any] = {}

    def noise_model(self, qubits: tuple[int, ...]):
        """The device noise of physical ``qubits``, remapped onto ``0..k-1`` (cached)."""
        with self._lock:
            model = self._noise.get(qubits)
            if model is None:
                model = noise_model_for_target(restrict_target(self.target(), list(qubits)))
                if len(self._noise) >= NOISE_CACHE_SIZE:
                    self._noise.pop(next(iter(self._noise)))
                self._noise[qubits] = model
            return model

    def execute(
        self,
        circuits: list[QuantumCircuit],
        *,
        shots: int,
        seed: int | None,
        parameter_binds: list[dict] | None = None,
    ) -> list[ExecutionResult]:
        """Run transpiled circuits with the device noise, each on its active qubits only."""
        from qiskit_aer import AerSimulator

        out: list[ExecutionResult] = []
        for index, circuit in enumerate(circuits):
            started = time.perf_counter()
            qubits = tuple(active_qubits(circuit)) or (0,)
            small = remap_to_qubits(circuit, list(qubits))
            noise = self.noise_model(qubits)
            choice = choose_method(small, noisy=True, shots=shots)
            options: dict[str, Any] = {"shots": shots}
            if seed is not None:
                options["seed_simulator"] = seed
            if parameter_binds is not None:
                options["parameter_binds"] = [parameter_binds[index]]
            result = AerSimulator(method=choice.method, noise_model=noise).run(small, **options).result()
            seconds = time.perf_counter() - started
            experiments = result.results
            for position, experiment in enumerate(experiments):
                out.append(
                    ExecutionResult(
                        counts=dict(result.get_counts(position)),
                        shots=shots,
                        seconds=seconds / len(experiments),
                        metadata={
                            "method": (experiment.metadata or {}).get("method", choice.method),
                            "method_requested": choice.method,
                            "method_reason": choice.reason,
                            "qubits_simulated": len(qubits),
                            "device_qubits": self.num_qubits,
                            "physical_qubits": list(qubits),
                            "noise": f"device noise trimmed to {len(qubits)} of {self.num_qubits} qubits",
                        },
                    )
                )
        return out

"""Amazon Braket backends: ``braket:local`` / ``braket:local_dm[:<noise>]`` (LocalSimulator) and ``braket:<device>``.

Names (see ``braket_devices.py`` for the catalogue):

* ``braket:local``: ``LocalSimulator("braket_sv")``; ``braket:local_dm``: ``LocalSimulator("braket_dm")``, and
  ``braket:local_dm:<noise>`` with a Braket ``NoiseModel`` saved by :func:`register_braket_noise`. Local modes
  (``is_local = True``) run in the engine's worker processes through :meth:`RemoteBackend.execute`; their tasks
  finish inside ``submit`` (the LocalSimulator is synchronous) and live only in that process (``local=True``).
* ``braket:sv1``, ``braket:iqm_garnet``, ... or ``braket:arn:aws:braket:...``: a device of the Braket service,
  driven through ``AwsDevice.run`` / ``AwsQuantumTask`` (``braket_remote.py``).

Circuits go to Braket as OpenQASM 3 programs written by ``braket_convert.py`` (why not Qiskit's exporter or
qiskit-braket-provider: see there); a sweep is one OpenQASM program with ``input float`` parameters, run as one
Braket program set on the service. The SDK is imported lazily: without it these names are listed as unavailable and
resolving one raises :class:`~qhybrid_lab.errors.MissingDependency` with ``pip install "qhybrid-lab[braket]"``.
"""

from __future__ import annotations

import threading
import time
import uuid
import warnings
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import BackendError, InvalidJobSpec, MissingDependency, UnknownBackend, UnknownProviderJob
from ..status import JobStatus
from .base import BackendKind, ExecutionResult
from .braket_convert import BraketProgram, counts_from_braket, programs_for
from .braket_devices import (
    BRAKET_STATES,
    CATALOGUE,
    INSTALL_LINE,
    LOCAL_MODES,
    PREFIX,
    catalogue_entry,
    sdk_installed,
    sdk_version,
)
from .braket_noise import register_braket_noise
from .remote import ProviderJobRef, ProviderStatus, RemoteBackend, RemoteResult

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.transpiler import Target

__all__ = ["BRAKET_STATES", "BraketLocalBackend", "make_backend", "register_braket_noise"]


def make_backend(name: str) -> RemoteBackend:
    """The registry factory for ``braket:...`` names.

    Raises:
        MissingDependency: amazon-braket-sdk is not installed (the message has the install line).
        UnknownBackend: A short name the catalogue does not know (with the closest names).
    """
    rest = name[len(PREFIX) :] if name.startswith(PREFIX) else name
    if not sdk_installed():
        raise MissingDependency(f"'{name}' needs amazon-braket-sdk, which is not installed: {INSTALL_LINE}")
    mode, _, noise = rest.partition(":")
    if mode in LOCAL_MODES and (not noise or mode == "local_dm"):
        return BraketLocalBackend(name, LOCAL_MODES[mode][0], noise or None)
    if rest.startswith("arn:"):
        from .braket_remote import BraketDeviceBackend

        return BraketDeviceBackend(name, rest)
    entry = catalogue_entry(rest)
    if entry is None:
        from .names import closest_names

        known = [PREFIX + m for m in LOCAL_MODES] + [PREFIX + d for d in CATALOGUE]
        close = closest_names(name, known)
        hint = ("did you mean " + " or ".join(f"'{c}'" for c in close) + "? ") if close else ""
        raise UnknownBackend(
            f"unknown Braket device '{rest}' in '{name}'; {hint}use a name from list_backends() "
            "or a full device ARN: 'braket:arn:aws:braket:<region>::device/...'"
        )
    from .braket_remote import BraketDeviceBackend

    return BraketDeviceBackend(name, entry.arn)


def run_programs(
    device: Any, programs: list[BraketProgram], shots: int, seed: int | None, noise_model: Any = None
) -> tuple[list[ExecutionResult], list[str]]:
    """Run every point of every program on a LocalSimulator, one task each; ``(results, task ids)``."""
    from braket.circuits import Circuit
    from braket.ir.openqasm import Program

    results, ids, index = [], [], 0
    for program in programs:
        for point in range(program.points):
            spec: Any = Program(source=program.source, inputs=program.point_inputs(point) or None)
            if noise_model is not None:  # a NoiseModel applies to Circuit objects only (a Program would be ignored)
                spec = Circuit.from_ir(spec)
            simulator = device(None if seed is None else seed + index)
            started = time.perf_counter()
            with warnings.catch_warnings():  # braket_dm without noise is asked for on purpose (braket:local_dm)
                warnings.filterwarnings("ignore", message="You are running a noise-free circuit")
                task = simulator.run(spec, shots=shots)
            outcome = task.result()
            seconds = time.perf_counter() - started
            counts = counts_from_braket(outcome.measurements, outcome.measured_qubits, program.source)
            results.append(ExecutionResult(counts=counts, shots=shots, seconds=max(seconds, 1e-9), metadata={}))
            ids.append(str(task.id))
            index += 1
    return results, ids


class BraketLocalBackend(RemoteBackend):
    """Braket's ``LocalSimulator`` (``braket_sv`` or ``braket_dm``, optionally with a saved noise model).

    A seed seeds the simulator's sampling: the simulation object of ``braket.default_simulator`` draws shots from
    its ``_rng_generator`` (a NumPy ``Generator``), which a subclass of the simulator replaces with
    ``numpy.random.default_rng(seed + point)``; everything else is Braket's own simulation.
    """

    kind = BackendKind.SIMULATOR
    provider = "braket"
    is_local = True
    STATE_TABLE: ClassVar[dict[str, JobStatus]] = BRAKET_STATES

    def __init__(self, name: str, simulator: str, noise: str | None = None):
        self.name = name
        self.simulator_name = simulator
        self.noise_name = noise
        self.description = LOCAL_MODES["local" if simulator == "braket_sv" else "local_dm"][1]
        self._noise: tuple[Any, str] | None = None
        self._reload_noise()
        self._finished: dict[str, tuple[list[ExecutionResult], dict[str, float]]] = {}
        self._lock = threading.Lock()

    def _reload_noise(self) -> None:
        """Read the saved noise model again (it may have been replaced since; UnknownBackend if removed)."""
        if self.noise_name is not None:
            from .braket_noise import load_noise

            self._noise = load_noise(self.noise_name)

    @property
    def version(self) -> str:
        from importlib.metadata import version

        self._reload_noise()
        text = f"amazon-braket-default-simulator {version('amazon-braket-default-simulator')}"
        return text + (f" noise {self._noise[1][:19]}" if self._noise else "")

    @property
    def max_shots(self) -> int:
        return 1_000_000

    def _simulator_class(self) -> type:
        from braket.default_simulator import DensityMatrixSimulator, StateVectorSimulator

        return StateVectorSimulator if self.simulator_name == "braket_sv" else DensityMatrixSimulator

    def _device(self, seed: int | None) -> Any:
        """A LocalSimulator whose sampling is seeded with ``seed`` (unseeded for None)."""
        import numpy as np
        from braket.devices import LocalSimulator

        base, self_name = self._simulator_class(), self.name

        class Seeded(base):  # type: ignore[misc, valid-type]
            def initialize_simulation(self, **kwargs: Any) -> Any:
                simulation = super().initialize_simulation(**kwargs)
                if seed is not None:
                    if not hasattr(simulation, "_rng_generator"):
                        raise BackendError(
                            f"this amazon-braket-default-simulator samples without a generator "
                            f"that can be seeded; run {self_name} with seed=None"
                        )
                    simulation._rng_generator = np.random.default_rng(seed)
                return simulation

        return LocalSimulator(backend=Seeded(), noise_model=self._noise[0] if self._noise else None)

    def mitigation_refusal(self, method: str) -> str | None:
        """A density-matrix simulator with a saved noise model can be calibrated; the ideal modes need nothing."""
        if self.noise_name is not None:
            return None
        return (
            f"readout mitigation is not needed on {self.name}: Braket's {self.simulator_name} is noise-free "
            f"(a noisy one is braket:local_dm:<noise>, see register_braket_noise)"
        )

    def _build_target(self) -> Target:
        from braket.devices import LocalSimulator

        from .braket_devices import layout_from_capabilities

        return layout_from_capabilities(LocalSimulator(self.simulator_name).properties).target

    def validate(self, circuit: QuantumCircuit, shots: int) -> None:
        """The base checks, plus: measurements only at the end, no resets, conditions or control flow."""
        from .measurements import terminal_measurements

        super().validate(circuit, shots)
        terminal_measurements(circuit, InvalidJobSpec, "Braket devices")

    def submit(
        self,
        circuits: list[QuantumCircuit],
        *,
        shots: int,
        seed: int | None,
        parameter_binds: list[dict] | None = None,
        idempotency_key: str,
        tags: list[str] | tuple = (),
        mode: str = "job",
    ) -> ProviderJobRef:
        """Run every circuit (and sweep point) now; the reference finds the results in this process."""
        created = time.time()
        self._reload_noise()
        programs = programs_for(circuits, parameter_binds)
        results, ids = run_programs(self._device, programs, shots, seed, self._noise[0] if self._noise else None)
        noise = f"Braket NoiseModel '{self.noise_name}' ({self._noise[1]})" if self._noise else "none (ideal simulator)"
        for program, result in zip((p for p in programs for _ in range(p.points)), results):
            result.metadata.update(
                method=f"braket LocalSimulator {self.simulator_name}",
                qubits_simulated=len(program.qubits),
                noise=noise,
                braket_task_ids=ids,
            )
        ref = ProviderJobRef(
            provider="braket",
            job_id=ids[0] if ids else uuid.uuid4().hex,
            backend=self.name,
            sdk="amazon-braket-sdk",
            sdk_version=sdk_version(),
            local=True,
        )
        with self._lock:
            self._finished[ref.job_id] = (results, {"created": created, "finished": time.time()})
        return ref

    def _finished_job(self, ref: ProviderJobRef) -> tuple[list[ExecutionResult], dict[str, float]]:
        with self._lock:
            found = self._finished.get(ref.job_id)
        if found is None:
            raise UnknownProviderJob(
                f"local Braket task {ref.job_id} is not in this process: LocalSimulator tasks "
                "live only in the process that ran them and cannot be looked up again"
            )
        return found

    def poll(self, ref: ProviderJobRef) -> ProviderStatus:
        """COMPLETED (local tasks finish inside :meth:`submit`)."""
        _, stamps = self._finished_job(ref)
        return ProviderStatus(status=JobStatus.DONE, provider_state="COMPLETED", timestamps=dict(stamps))

    def result(self, ref: ProviderJobRef) -> RemoteResult:
        """The results kept by :meth:`submit` (handed out once)."""
        results, stamps = self._finished_job(ref)
        with self._lock:
            self._finished.pop(ref.job_id, None)
        return RemoteResult(
            results=results,
            metrics={"braket_task_ids": results[0].metadata["braket_task_ids"]},
            usage={"qpu_seconds": None},
            timestamps=dict(stamps),
            actual_cost=0.0,
        )

    def cancel(self, ref: ProviderJobRef) -> bool:
        """False: a local task has finished before anyone can cancel it."""
        return False

    def attach(self, provider_job_id: str) -> ProviderJobRef:
        """Local tasks cannot be attached (UnknownProviderJob)."""
        raise UnknownProviderJob(
            f"{self.name} cannot attach task {provider_job_id}: LocalSimulator tasks live only "
            "in the process that ran them"
        )

    def find_submitted(self, idempotency_key: str, *, since: float) -> ProviderJobRef | None:
        """None: a local submission either finished in this call or never happened."""
        return None

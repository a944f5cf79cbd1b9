"""``ibm:fake_<device>``: the IBM adapter in IBM's documented local testing mode, ``SamplerV2(mode=FakeXxxV2())``.

The same submission path as a real device (PUBs, one job, counts joined from the registers' BitArrays), run by
qiskit-ibm-runtime's local service, which samples with Aer and the fake backend's whole noise model. It runs
in the engine's worker processes (``is_local``); its job lives only in that process (``ProviderJobRef(local=True)``,
it cannot be attached from elsewhere). This is not the project's own emulator ``fake_<device>``
(:mod:`.devices`), which trims the noise to the qubits a circuit uses: both exist, and the tests compare them.
"""

from __future__ import annotations

import importlib
import time
import uuid
from typing import TYPE_CHECKING, Any

from ..errors import ProviderError, UnknownProviderJob
from ..status import JobStatus
from .base import BackendKind
from .ibm_devices import PREFIX
from .ibm_runtime import IBMRuntimeBackend

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.transpiler import Target

    from ..costs.prices import PriceModel
    from .base import ExecutionResult
    from .devices import FakeDevice
    from .remote import ProviderJobRef, RemoteResult


class IBMLocalBackend(IBMRuntimeBackend):
    """IBM's local testing mode on one of qiskit-ibm-runtime's fake backends (see the module docstring)."""

    kind = BackendKind.EMULATOR
    is_local = True

    def __init__(self, device: FakeDevice) -> None:
        super().__init__()
        self.device = device
        self.name = PREFIX + device.name
        self.description = (f"IBM local testing mode: SamplerV2 on {device.class_name} "
                            f"(Aer with the noise of {device.device_name})")
        self.rep_delay_seconds = device.rep_delay_seconds
        self._fake: Any = None
        self._calibration: dict[str, Any] | None = None

    def qiskit_backend(self) -> Any:
        """The qiskit-ibm-runtime fake backend (built once per instance; it keeps its Aer simulator)."""
        with self._lock:
            if self._fake is None:
                from .ibm_account import sdk

                sdk()
                module = importlib.import_module(self.device.module)
                self._fake = getattr(module, self.device.class_name)()
            return self._fake

    def _build_target(self) -> Target:
        return self.qiskit_backend().target

    @property
    def version(self) -> str:
        return self.device.version

    @property
    def num_qubits(self) -> int:
        return self.device.num_qubits

    @property
    def max_shots(self) -> int:
        return self.device.max_shots

    def hardware_price_model(self) -> PriceModel | None:
        """What the real device would cost (``ibm:<device>`` in prices.json, else ``ibm:default``)."""
        from ..costs.prices import lookup_price

        return lookup_price("ibm", self.device.device_name)

    def calibration(self) -> dict[str, Any]:
        """The fake backend's calibration snapshot (the same data the project's emulator reports)."""
        from .calibration import device_calibration

        with self._lock:
            if self._calibration is None:
                props = self.device.directory / self.device.props_filename if self.device.props_filename else None
                self._calibration = device_calibration(self.target(), props)
            return {"summary": dict(self._calibration["summary"]), "snapshot": self._calibration["snapshot"]}

    # --- jobs -----------------------------------------------------------------------------------------
    def sampler_options(self, *, shots: int, seed: int | None, tags: list[str]) -> dict[str, Any]:
        # Job tags have no effect locally (the local service would warn about them); the key is kept here.
        options: dict[str, Any] = {"default_shots": shots}
        if seed is not None:
            options["simulator"] = {"seed_simulator": int(seed)}
        return options

    def reference(self, job: Any) -> ProviderJobRef:
        return self.base_reference(job.job_id(), local=True)

    def lookup(self, ref: ProviderJobRef) -> Any:
        submitted = self._jobs.get(ref.job_id)
        if submitted is None:
            raise UnknownProviderJob(
                f"local testing-mode job {ref.job_id} of {self.name} is not in this process: such jobs live only "
                f"in the process that ran them and cannot be looked up again")
        return submitted.job

    def attach(self, provider_job_id: str) -> ProviderJobRef:
        from .remote import ProviderJobRef

        return self.reference(self.lookup(ProviderJobRef(provider="ibm", job_id=provider_job_id,
                                                         backend=self.name, local=True)))

    def find_submitted(self, idempotency_key: str, *, since: float) -> ProviderJobRef | None:
        """This process's job with that key, if any (local jobs exist nowhere else)."""
        for job_id, submitted in list(self._jobs.items()):
            if submitted.idempotency_key == idempotency_key and submitted.submitted_at >= since:
                return self.reference(submitted.job)
        return None

    def final_timestamps(self, job: Any) -> dict[str, float]:
        return {}  # the local job's metrics give its creation time for all three

    def poll(self, ref: ProviderJobRef):
        status = super().poll(ref)
        if status.status is JobStatus.FAILED and not status.message:
            from dataclasses import replace

            error = self._local_error(self._jobs[ref.job_id].job)
            status = replace(status, message=f"{type(error).__name__}: {error}" if error else None)
        return status

    @staticmethod
    def _local_error(job: Any) -> BaseException | None:
        """Wait for a local job; its exception if it failed (the local job's error_message() is empty)."""
        try:
            job.result()
        except Exception as exc:  # noqa: BLE001  (returned to be reported, never swallowed)
            return exc
        return None

    def result(self, ref: ProviderJobRef) -> RemoteResult:
        outcome = super().result(ref)
        submitted = self._jobs[ref.job_id]
        noise = f"{self.device.class_name} noise model (all {self.num_qubits} qubits; Aer keeps the active ones)"
        for result in outcome.results:
            qubits = submitted.qubits[result.metadata["pub"]] if submitted.qubits else None
            result.metadata.update(method="automatic", qubits_simulated=qubits, noise=noise,
                                   mode="qiskit-ibm-runtime local testing mode")
        outcome.usage = {"qpu_seconds": 0.0, "note": "local testing mode uses no QPU time"}
        outcome.timestamps = {}  # a local job's metrics give its creation time for all three
        outcome.actual_cost = 0.0
        return outcome

    def execute(self, circuits: list[QuantumCircuit], *, shots: int, seed: int | None,
                parameter_binds: list[dict] | None = None) -> list[ExecutionResult]:
        """Submit, wait for the local job, fetch its result (RemoteBackend.execute without its polling sleeps)."""
        ref = self.submit(circuits, shots=shots, seed=seed, parameter_binds=parameter_binds,
                          idempotency_key=uuid.uuid4().hex)
        submitted = self._jobs[ref.job_id]
        self._local_error(submitted.job)  # waits for the local job (a failure is reported by poll below)
        submitted.waited = time.perf_counter()
        status = self.poll(ref)
        if status.status is not JobStatus.DONE:
            raise ProviderError(f"IBM local job {ref.job_id} on {self.name} ended {status.provider_state}"
                                + (f": {status.message}" if status.message else ""))
        outcome = self.result(ref)
        for result in outcome.results:
            result.metadata.setdefault("provider_job", ref.as_record())
        return outcome.results

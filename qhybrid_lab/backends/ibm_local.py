"""``ibm:fake_<device>``: the IBM adapter in IBM's documented local testing mode, ``SamplerV2(mode=FakeXxxV2())``.

The same submission path as a real device (PUBs, one job, counts joined from the registers' BitArrays), run by
qiskit-ibm-runtime's local service, which samples with Aer and the fake backend's whole noise model. It runs
in the engine's worker processes (``is_local``): :meth:`IBMLocalBackend.submit` returns once the local job has
ended (as Braket's local modes do), so ``RemoteBackend.execute`` polls it once. The job lives only in that process
(``ProviderJobRef(local=True)``; it cannot be attached from elsewhere). This is not the project's own emulator
``fake_<device>`` (:mod:`.devices`), which trims the noise to the qubits a circuit uses and builds it from the
target (symmetric readout errors) where IBM's local mode builds it from the calibration properties (P(1|0) and
P(0|1) apart): both exist, and the tests compare them.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..errors import UnknownProviderJob
from ..status import JobStatus
from .base import BackendKind
from .devices import FakeDeviceFacts
from .ibm_account import sdk
from .ibm_devices import PREFIX
from .ibm_runtime import IBMRuntimeBackend
from .remote import ProviderJobRef

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.transpiler import Target

    from .devices import FakeDevice
    from .remote import ProviderStatus, RemoteResult


class IBMLocalBackend(FakeDeviceFacts, IBMRuntimeBackend):
    """IBM's local testing mode on one of qiskit-ibm-runtime's fake backends (see the module docstring)."""

    kind = BackendKind.EMULATOR
    is_local = True

    def __init__(self, device: FakeDevice) -> None:
        IBMRuntimeBackend.__init__(self)
        self._use_device(device)
        self.name = PREFIX + device.name
        self.description = (
            f"IBM local testing mode: SamplerV2 on {device.class_name} (Aer with the noise of {device.device_name})"
        )

    def qiskit_backend(self) -> Any:
        """The qiskit-ibm-runtime fake backend (built once per instance; it keeps its Aer simulator)."""
        sdk()
        return self.fake_backend

    def _build_target(self) -> Target:
        return self.qiskit_backend().target  # through qiskit_backend(): MissingDependency without the SDK

    # --- jobs -----------------------------------------------------------------------------------------
    def sampler_options(self, *, shots: int, seed: int | None, tags: list[str]) -> dict[str, Any]:
        # Job tags have no effect locally (the local service would warn about them); the key is kept here.
        options: dict[str, Any] = {"default_shots": shots}
        if seed is not None:
            options["simulator"] = {"seed_simulator": int(seed)}
        return options

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
        """Submit to the local service and wait for the job to end (a failure is reported by :meth:`poll`)."""
        ref = super().submit(
            circuits,
            shots=shots,
            seed=seed,
            parameter_binds=parameter_binds,
            idempotency_key=idempotency_key,
            tags=tags,
            mode=mode,
        )
        submitted = self._jobs[ref.job_id]
        submitted.error = self._wait(submitted.job)
        submitted.waited = time.perf_counter()
        return ref

    @staticmethod
    def _wait(job: Any) -> BaseException | None:
        """Wait for a local job; its exception if it failed (the local job's error_message() is empty)."""
        try:
            job.result()
        except Exception as exc:  # noqa: BLE001  (kept and reported by poll, never swallowed)
            return exc
        return None

    def reference(self, job: Any) -> ProviderJobRef:
        return self.base_reference(job.job_id(), local=True)

    def lookup(self, ref: ProviderJobRef) -> Any:
        submitted = self._jobs.get(ref.job_id)
        if submitted is None:
            raise UnknownProviderJob(
                f"local testing-mode job {ref.job_id} of {self.name} is not in this process: such jobs live only "
                f"in the process that ran them and cannot be looked up again"
            )
        return submitted.job

    def attach(self, provider_job_id: str) -> ProviderJobRef:
        return self.reference(
            self.lookup(ProviderJobRef(provider="ibm", job_id=provider_job_id, backend=self.name, local=True))
        )

    def find_submitted(self, idempotency_key: str, *, since: float) -> ProviderJobRef | None:
        """This process's job with that key, if any (local jobs exist nowhere else)."""
        for submitted in list(self._jobs.values()):
            if submitted.idempotency_key == idempotency_key and submitted.submitted_at >= since:
                return self.reference(submitted.job)
        return None

    def final_timestamps(self, job: Any) -> dict[str, float]:
        return {}  # a local job's metrics give its creation time for all three

    def poll(self, ref: ProviderJobRef) -> ProviderStatus:
        status = super().poll(ref)
        error = self._jobs[ref.job_id].error
        if status.status is JobStatus.FAILED and not status.message and error is not None:
            status = replace(status, message=f"{type(error).__name__}: {error}")
        return status

    def result(self, ref: ProviderJobRef) -> RemoteResult:
        outcome = super().result(ref)
        submitted = self._jobs[ref.job_id]
        noise = f"{self.device.class_name} noise model (all {self.num_qubits} qubits; Aer keeps the active ones)"
        for result in outcome.results:
            result.metadata.update(
                method="automatic",
                qubits_simulated=submitted.qubits[result.metadata["pub"]],
                noise=noise,
                mode="qiskit-ibm-runtime local testing mode",
            )
        outcome.usage = {"qpu_seconds": 0.0, "note": "local testing mode uses no QPU time"}
        outcome.timestamps = {}  # a local job's metrics give its creation time for all three
        outcome.actual_cost = 0.0
        return outcome

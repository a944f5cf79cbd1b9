"""IBM Quantum devices as backends: ``ibm:<device>`` (a real QPU of your account, e.g. ``ibm:ibm_torino``) and
``ibm:fake_<device>`` (IBM's local testing mode, :mod:`.ibm_local`).

``ibm:<device>`` uses the account the vendor's tools would use (see :mod:`.ibm_account`), transpiles for the
device's real ``Target`` (``service.backend(name).target``), and submits with ``SamplerV2`` (:mod:`.ibm_runtime`).
Each job carries the run record's idempotency key as a job tag, so :meth:`IBMBackend.find_submitted` can ask
IBM whether a submission whose answer was lost did reach it (``service.jobs(job_tags=[key], created_after=...)``).
Before submission the cost is estimated from the QPU time (:func:`qhybrid_lab.costs.prices.estimate_qpu_seconds`);
after, ``actual_cost`` is IBM's reported usage seconds × the device's rate in ``prices.json``.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ..errors import DeviceUnavailable, UnknownBackend
from .base import BackendKind
from .ibm_account import account_label, provider_error, runtime_service, sdk
from .ibm_devices import PREFIX, PLACEHOLDER, ibm_names, known_ibm_device_names, record_devices
from .ibm_runtime import IBMRuntimeBackend, Submitted
from .remote import ProviderJobRef

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.transpiler import Target

    from ..costs.prices import PriceModel

FIND_MARGIN_SECONDS = 600.0
"""How far before ``since`` :meth:`IBMBackend.find_submitted` looks (clock skew between here and IBM)."""

__all__ = ["IBMBackend", "PREFIX", "ibm_names", "make_backend", "refresh_devices"]


def make_backend(name: str):
    """The registry factory for ``ibm:<device>`` and ``ibm:fake_<device>`` (nothing contacts IBM here)."""
    device = name[len(PREFIX) :]
    if device.startswith("fake_"):
        from .devices import fake_device_catalog
        from .ibm_local import IBMLocalBackend

        catalog = fake_device_catalog()
        if device not in catalog:
            from .names import closest_names

            close = closest_names(name, [PREFIX + d for d in catalog])
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise UnknownBackend(
                f"unknown IBM fake device '{device}' in '{name}'; {hint}"
                f"list_backends() shows the {len(catalog)} ibm:fake_<device> names"
            )
        return IBMLocalBackend(catalog[device])
    if not device or device == PLACEHOLDER[len(PREFIX) :]:
        raise UnknownBackend(
            f"'{name}' needs a device name: ibm:<device>, e.g. ibm:ibm_torino "
            f"(refresh_devices() in qhybrid_lab.backends.ibm lists your account's devices)"
        )
    return IBMBackend(device)


def refresh_devices(service: Any = None) -> list[str]:
    """The devices of the configured account (one configuration read per device), remembered for
    ``list_backends()`` in ``$QHYBRID_HOME/ibm_devices.json``."""
    service = service or runtime_service()
    try:
        backends = service.backends()
    except Exception as exc:  # noqa: BLE001 - the SDK's network and account errors, classified
        raise provider_error(exc, "listing the account's devices") from None
    rows = [{"name": b.name, "num_qubits": int(b.num_qubits)} for b in backends]
    record_devices(rows, account=account_label(), replace=True)
    return [row["name"] for row in rows]


class IBMBackend(IBMRuntimeBackend):
    """A real IBM Quantum device of the configured account (``ibm:<device>``)."""

    kind = BackendKind.HARDWARE
    is_local = False

    def __init__(self, device: str) -> None:
        super().__init__()
        self.device = device
        self.name = PREFIX + device
        self.description = f"IBM Quantum {device} (real device; billed by QPU time)"
        self._backend: Any = None
        self._service: Any = None

    # --- the device -----------------------------------------------------------------------------------
    def qiskit_backend(self) -> Any:
        """The SDK's ``IBMBackend`` for this device (looked up again only when the account settings changed)."""
        service = runtime_service()
        with self._lock:
            if self._backend is None or self._service is not service:
                self._backend, self._service = self._resolve(service), service
            return self._backend

    def _resolve(self, service: Any) -> Any:
        sdk()
        from qiskit.providers.exceptions import QiskitBackendNotFoundError

        try:
            backend = service.backend(self.device)
        except QiskitBackendNotFoundError:
            backend = None
        except Exception as exc:  # noqa: BLE001 - network, credentials: classified
            raise provider_error(exc, f"looking up {self.device}") from None
        if backend is not None:
            record_devices([{"name": self.device, "num_qubits": int(backend.num_qubits)}], account=account_label())
            return backend
        try:
            service.usage()  # the SDK hides a refused token behind "no backend"; this call does not
        except Exception as exc:  # noqa: BLE001 - classified by provider_error
            raise provider_error(exc, "checking the account") from None
        raise self._not_found(refresh_devices(service))

    def _not_found(self, available: list[str]) -> Exception:
        from .names import closest_names

        listed = ", ".join(PREFIX + n for n in sorted(available)) or "none"
        close = closest_names(self.device, available)
        if self.device in known_ibm_device_names():
            alternatives = f"; similar: {', '.join(PREFIX + c for c in close)}" if close else ""
            return DeviceUnavailable(
                f"IBM Quantum device '{self.device}' is not available to {account_label()} "
                f"(retired, or not in its instances); available: {listed}{alternatives}"
            )
        if close:
            return UnknownBackend(
                f"unknown IBM Quantum device '{self.device}' for {account_label()}; did you mean "
                + " or ".join(f"'{PREFIX}{c}'" for c in close)
                + "?"
            )
        return UnknownBackend(f"unknown IBM Quantum device '{self.device}' for {account_label()}; available: {listed}")

    def _configuration(self) -> Any:
        return self.qiskit_backend().configuration()

    def _build_target(self) -> Target:
        with self.provider_errors("reading the device target"):
            return self.qiskit_backend().target

    @property
    def version(self) -> str:
        return str(getattr(self._configuration(), "backend_version", "") or "")

    @property
    def num_qubits(self) -> int:
        return int(self._configuration().n_qubits)

    @property
    def max_shots(self) -> int:
        return int(getattr(self._configuration(), "max_shots", 0) or 100_000)

    @property
    def rep_delay_seconds(self) -> float | None:
        """The device's default repetition delay (the SDK converts it to seconds)."""
        value = getattr(self._configuration(), "default_rep_delay", None)
        return float(value) if value is not None else None

    def price_model(self) -> PriceModel:
        from ..costs.prices import PriceModel, lookup_price

        return lookup_price("ibm", self.device) or PriceModel(
            provider="ibm", device=self.device, source="no IBM price in prices.json"
        )

    def hardware_price_model(self) -> PriceModel | None:
        """The device itself (so the record's ``hardware_equivalent`` equals its estimate)."""
        return self.price_model()

    def calibration(self) -> dict[str, Any] | None:
        """The device's current calibration: medians of its target and a snapshot of its properties."""
        from .calibration import canonical_json, sha256_ref, summarize_target
        from .ibm_pubs import jsonable

        with self.provider_errors("reading the device properties"):
            properties = self.qiskit_backend().properties()
        if properties is None:
            return None
        raw = jsonable(properties.to_dict())
        summary: dict[str, Any] = dict(summarize_target(self.target()))
        summary["date"] = str(raw.get("last_update_date") or "") or None
        snapshot = canonical_json(raw)
        summary["hash"] = sha256_ref(snapshot)
        return {"summary": summary, "snapshot": snapshot}

    # --- jobs -----------------------------------------------------------------------------------------
    def sampler_options(self, *, shots: int, seed: int | None, tags: list[str]) -> dict[str, Any]:
        return {"default_shots": shots, "environment": {"job_tags": list(tags)}}

    def mitigation_refusal(self, method: str) -> str | None:
        """Cloud Sampler jobs are not mitigated yet (IBM's SamplerV2 has no readout mitigation of its own)."""
        return (
            f"{self.name} cannot apply readout mitigation yet: IBM's SamplerV2 has no measurement mitigation "
            f"(its twirling.enable_measure only randomizes readout; resilience.measure_mitigation is an "
            f"EstimatorV2 option for expectation values), and qhybrid-lab does not yet add mthree's calibration "
            f"circuits to cloud jobs; ibm:fake_<device> (the local mode) is mitigated"
        )

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
        """Refuse a device that is not operational, then submit (see :meth:`IBMRuntimeBackend.submit`)."""
        with self.provider_errors("reading the device status"):
            status = self.qiskit_backend().status()
        if not status.operational:
            raise DeviceUnavailable(
                f"IBM Quantum device '{self.device}' is not operational now "
                f"({status.status_msg or 'no reason given'}); nothing was submitted"
            )
        return super().submit(
            circuits,
            shots=shots,
            seed=seed,
            parameter_binds=parameter_binds,
            idempotency_key=idempotency_key,
            tags=tags,
            mode=mode,
        )

    def reference(self, job: Any) -> ProviderJobRef:
        instance = getattr(job, "instance", None) or runtime_service().active_instance()
        backend = job.backend()
        name = PREFIX + backend.name if backend is not None else self.name
        return dataclasses.replace(self.base_reference(job.job_id(), instance=instance), backend=name)

    def lookup(self, ref: ProviderJobRef) -> Any:
        submitted = self._jobs.get(ref.job_id)
        if submitted is not None:
            return submitted.job
        service = runtime_service()
        with self.provider_errors(f"looking up job {ref.job_id}"):
            job = service.job(ref.job_id)
        self._remember(ref.job_id, Submitted(job, idempotency_key=""))
        return job

    def attach(self, provider_job_id: str) -> ProviderJobRef:
        """A reference to a job submitted elsewhere (UnknownProviderJob when the account cannot see it)."""
        job = self.lookup(ProviderJobRef(provider="ibm", job_id=provider_job_id, backend=self.name))
        return self.reference(job)

    def find_submitted(self, idempotency_key: str, *, since: float) -> ProviderJobRef | None:
        """The job tagged with ``idempotency_key`` created since ``since`` (the earliest, if several)."""
        service = runtime_service()
        after = datetime.fromtimestamp(since - FIND_MARGIN_SECONDS, tz=timezone.utc)
        with self.provider_errors("looking for a submitted job by its tag"):
            jobs = service.jobs(job_tags=[idempotency_key], created_after=after, limit=20)
        if not jobs:
            return None
        earliest = min(jobs, key=lambda j: j.creation_date or datetime.now(timezone.utc) + timedelta(days=1))
        self._remember(earliest.job_id(), Submitted(earliest, idempotency_key=idempotency_key))
        return self.reference(earliest)

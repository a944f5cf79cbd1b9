"""``braket:<device>``: a device of the Amazon Braket service, through ``AwsDevice.run`` and ``AwsQuantumTask``.

Accounts come from boto3's own chain (environment, ``~/.aws`` profiles, SSO, instance roles) and the region from
``AWS_DEFAULT_REGION`` / the profile; a QPU's ARN names its own region. Results go to the SDK's default S3 folder
(``AMZN_BRAKET_OUT_S3_BUCKET`` or ``amazon-braket-<region>-<account>``, prefix ``tasks``).

Idempotency: ``AwsDevice.run`` passes no client token of its own (botocore fills ``clientToken``, an
``idempotencyToken`` member of CreateQuantumTask, with a fresh uuid4 per call, so only botocore's own retries reuse
it). Here the record's idempotency key becomes the ``clientToken`` (its 64 hex digits: the API allows at most 64
characters) through botocore's ``provide-client-params`` event on the session's Braket client, so a retried
submission is answered with the task already created, and it is also written as the task tag
``qhybrid-lab:idempotency-key``, which :meth:`BraketDeviceBackend.find_submitted` looks for with SearchQuantumTasks
(GetQuantumTask does not return client tokens).
"""

from __future__ import annotations

import contextvars
import hashlib
import threading
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import (
    AccountNotConfigured,
    DeviceUnavailable,
    InvalidJobSpec,
    ProviderError,
    UnknownProviderJob,
)
from ..status import JobStatus
from .base import BackendKind
from .braket_convert import programs_for, results_of
from .braket_cost import actual_cost, device_price_model
from .braket_devices import BRAKET_STATES, PREFIX, catalogue_entry, layout_from_capabilities, sdk_version
from .braket_errors import CONFIGURE, mapped_errors
from .remote import ProviderJobRef, ProviderStatus, RemoteBackend, RemoteResult, map_state

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.transpiler import Target

    from ..costs.prices import PriceModel
    from .braket_devices import DeviceLayout

IDEMPOTENCY_TAG = "qhybrid-lab:idempotency-key"
TAGS_TAG = "qhybrid-lab:tags"
PROGRAM_SET_ACTION = "braket.ir.openqasm.program_set"
_CLIENT_TOKEN: contextvars.ContextVar[str | None] = contextvars.ContextVar("qhybrid_braket_client_token", default=None)


def client_token(idempotency_key: str) -> str:
    """The CreateQuantumTask ``clientToken`` (1-64 characters) of an idempotency key."""
    digest = idempotency_key.removeprefix("sha256:")
    if len(digest) == 64 and all(c in "0123456789abcdef" for c in digest):
        return digest
    return hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()


def _inject_client_token(params: dict, **_: Any) -> None:
    token = _CLIENT_TOKEN.get()
    if token is not None:
        params["clientToken"] = token


def _queue_position(text: Any) -> int | None:
    """Braket's queue position text as a number (">2000" → 2000; "None" or absent → None)."""
    if text is None or str(text) == "None":
        return None
    digits = str(text).lstrip("<>= ")
    return int(digits) if digits.isdigit() else None


def _epoch(value: Any) -> float | None:
    return value.timestamp() if isinstance(value, datetime) else None


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


class BraketDeviceBackend(RemoteBackend):
    """A managed simulator (``kind`` simulator) or a QPU (``kind`` hardware) of Amazon Braket."""

    provider = "braket"
    is_local = False
    STATE_TABLE: ClassVar[dict[str, JobStatus]] = BRAKET_STATES

    def __init__(self, name: str, arn: str):
        self.entry = catalogue_entry(arn)
        self.name = name
        self.arn = self.entry.arn if self.entry else arn
        self.kind = BackendKind.HARDWARE if ":device/qpu/" in self.arn.lower() else BackendKind.SIMULATOR
        self.short = self.entry.short if self.entry else self.arn.rsplit("/", 1)[-1].lower()
        self.description = self.entry.description if self.entry else f"Amazon Braket device {self.arn}"
        self._sessions: dict[str | None, Any] = {}
        self._aws_device: Any = None
        self._layout: DeviceLayout | None = None
        self._lock = threading.RLock()

    # --- sessions and the device ---------------------------------------------------------------------------
    @property
    def device_region(self) -> str | None:
        """The region in the device ARN (QPUs), else None (managed simulators use the session's region)."""
        parts = self.arn.split(":")
        return parts[3] or None if len(parts) > 3 else None

    def _session(self, region: str | None = None) -> Any:
        """An ``AwsSession`` in ``region`` (default: the device's, else the configured one), cached."""
        import boto3
        from braket.aws import AwsSession

        region = region or self.device_region
        with self._lock:
            if region in self._sessions:
                return self._sessions[region]
            with mapped_errors(f"connecting to Amazon Braket for {self.name}"):
                boto_session = boto3.Session(region_name=region) if region else boto3.Session()
                if not boto_session.region_name:
                    raise AccountNotConfigured(
                        f"{self.name}: no AWS region is configured; set AWS_DEFAULT_REGION "
                        "(e.g. us-east-1) or run `aws configure set region us-east-1`"
                    )
                if boto_session.get_credentials() is None:
                    raise AccountNotConfigured(f"{self.name}: no AWS credentials were found; {CONFIGURE}")
                session = AwsSession(boto_session=boto_session)
            self._watch_client(session)
            self._sessions[region] = session
            return session

    @staticmethod
    def _watch_client(session: Any) -> None:
        session.braket_client.meta.events.register(
            "provide-client-params.braket.CreateQuantumTask", _inject_client_token, unique_id="qhybrid-lab-client-token"
        )

    def device(self) -> Any:
        """The SDK's ``AwsDevice`` (GetDevice on first use; DeviceUnavailable if the service has no such device)."""
        from braket.aws import AwsDevice

        with self._lock:
            if self._aws_device is None:
                session = self._session()
                with mapped_errors(f"reading device {self.arn} for {self.name}", self.arn):
                    try:
                        self._aws_device = AwsDevice(self._resolved_arn(session), aws_session=session)
                    except ValueError as exc:  # the SDK's "Simulator '...' not found in '<region>'"
                        raise DeviceUnavailable(f"{self.name}: {exc}") from None
                self._watch_client(self._aws_device.aws_session)
            return self._aws_device

    def _resolved_arn(self, session: Any) -> str:
        """The device ARN with its real case (registry names are lower-cased; ARNs are case-sensitive)."""
        if self.entry is not None or self.arn != self.arn.lower():
            return self.arn
        from .names import closest_names

        devices = session.search_devices(statuses=["ONLINE", "OFFLINE", "RETIRED"])
        for found in devices:
            if found["deviceArn"].lower() == self.arn:
                return found["deviceArn"]
        close = closest_names(self.arn, [d["deviceArn"].lower() for d in devices])
        hint = f"; did you mean 'braket:{close[0]}'?" if close else ""
        raise DeviceUnavailable(f"Amazon Braket has no device {self.arn} in {session.region}{hint}")

    def layout(self) -> DeviceLayout:
        """Target and qubit naming from the device capabilities (built once)."""
        with self._lock:
            if self._layout is None:
                self._layout = layout_from_capabilities(self.device().properties)
            return self._layout

    # --- the Backend contract --------------------------------------------------------------------------------
    @property
    def version(self) -> str:
        if self._aws_device is None:
            return f"amazon-braket-sdk {sdk_version()}"
        updated = getattr(self._aws_device.properties.service, "updatedAt", None)
        return f"capabilities {updated.isoformat() if isinstance(updated, datetime) else updated}"

    @property
    def max_shots(self) -> int:
        action = self.device().properties.action.get("braket.ir.openqasm.program")
        limits = [rt.maxShots for rt in getattr(action, "supportedResultTypes", None) or [] if rt.name == "Sample"]
        service = getattr(self.device().properties.service, "shotsRange", None)
        if service:
            return int(service[1])
        return int(min(limits)) if limits else 100_000

    def _build_target(self) -> Target:
        return self.layout().target

    def price_model(self) -> PriceModel:
        return device_price_model(self.short, self.kind, self.arn)

    def validate(self, circuit: QuantumCircuit, shots: int) -> None:
        """The base checks (width from the device capabilities), plus: measurements only at the end."""
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
        """One quantum task: an OpenQASM program, or a program set for several circuits or sweep points.

        ``seed`` is not sent (Braket devices take none). The task carries the idempotency key as client token and
        tag (see the module docstring).
        """
        from braket.ir.openqasm import Program, ProgramSet

        device = self.device()
        programs = programs_for(circuits, parameter_binds, physical=self.layout().physical)
        executables = sum(p.points for p in programs)
        if executables == 1:
            spec: Any = Program(source=programs[0].source, inputs=programs[0].point_inputs(0) or None)
            total = shots
        else:
            limits = device.properties.action.get(PROGRAM_SET_ACTION)
            if limits is None:
                raise InvalidJobSpec(
                    f"{self.name} runs one program per task (no program sets), and this job has "
                    f"{executables} executions; submit each circuit or point as its own job"
                )
            total = shots * executables
            if executables > limits.maximumExecutables or total > limits.maximumTotalShots:
                raise InvalidJobSpec(
                    f"{self.name} runs at most {limits.maximumExecutables} executions and "
                    f"{limits.maximumTotalShots} shots in one task; this job needs {executables} "
                    f"× {shots} = {total}: split it"
                )
            spec = ProgramSet(programs=[Program(source=p.source, inputs=p.inputs) for p in programs])
        task_tags = {IDEMPOTENCY_TAG: idempotency_key}
        if tags:
            task_tags[TAGS_TAG] = ",".join(tags)[:256]
        reset = _CLIENT_TOKEN.set(client_token(idempotency_key))
        try:
            with mapped_errors(f"submitting to {self.name}", self.arn):
                task = device.run(spec, shots=total, tags=task_tags, quiet=True)
        finally:
            _CLIENT_TOKEN.reset(reset)
        return self._ref(task.id)

    def _ref(self, task_arn: str) -> ProviderJobRef:
        return ProviderJobRef(
            provider="braket",
            job_id=task_arn,
            backend=self.name,
            region=task_arn.split(":")[3],
            sdk="amazon-braket-sdk",
            sdk_version=sdk_version(),
        )

    def _task(self, ref: ProviderJobRef) -> Any:
        from braket.aws import AwsQuantumTask

        return AwsQuantumTask(ref.job_id, aws_session=self._session(ref.region), quiet=True)

    def poll(self, ref: ProviderJobRef) -> ProviderStatus:
        """One GetQuantumTask (with queue information)."""
        with mapped_errors(f"polling {self.name} task", ref.job_id):
            metadata = self._task(ref).metadata()
        return self._status(metadata)

    def _status(self, metadata: dict) -> ProviderStatus:
        state = str(metadata.get("status"))
        queue = metadata.get("queueInfo") or {}
        text = queue.get("position")
        stamps = {
            k: v
            for k, v in (("created", _epoch(metadata.get("createdAt"))), ("finished", _epoch(metadata.get("endedAt"))))
            if v is not None
        }
        return ProviderStatus(
            status=map_state(self.STATE_TABLE, state, "Amazon Braket"),
            provider_state=state,
            message=metadata.get("failureReason"),
            queue_position=_queue_position(text),
            queue_position_text=None if text in (None, "None") else str(text),
            queue_note=queue.get("message"),
            timestamps=stamps,
        )

    def result(self, ref: ProviderJobRef) -> RemoteResult:
        """The task's results from S3, as counts per circuit (and sweep point), and what it cost."""
        task = self._task(ref)
        with mapped_errors(f"fetching the result of {self.name} task", ref.job_id):
            metadata = task.metadata()
            if metadata.get("status") != "COMPLETED":
                raise ProviderError(
                    f"{self.name} task {ref.job_id} is {metadata.get('status')}, not COMPLETED: "
                    "it has no result" + (f" ({metadata['failureReason']})" if metadata.get("failureReason") else "")
                )
            outcome = task.result()
        results, execution_ms = results_of(outcome, self.kind)
        status = self._status(metadata)
        usage = {
            "qpu_seconds": None,
            "shots": metadata.get("shots"),
            "execution_ms": execution_ms,
            "billed_seconds": None if execution_ms is None else max(execution_ms, 3000) / 1000,
        }
        return RemoteResult(
            results=results,
            metrics=_json_safe(metadata),
            usage=usage,
            timestamps=status.timestamps,
            actual_cost=actual_cost(self.price_model(), self.kind, metadata, execution_ms),
        )

    def cancel(self, ref: ProviderJobRef) -> bool:
        """CancelQuantumTask; False if Braket already finished it."""
        import botocore.exceptions

        if self.poll(ref).final:
            return False
        with mapped_errors(f"cancelling {self.name} task", ref.job_id):
            try:
                self._task(ref).cancel()
            except botocore.exceptions.ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "ConflictException":
                    return False
                raise
        return True

    def attach(self, provider_job_id: str) -> ProviderJobRef:
        """A task created elsewhere (the console, a script) on this device, by its ARN."""
        parts = str(provider_job_id).split(":")
        if len(parts) != 6 or parts[:3] != ["arn", "aws", "braket"] or not parts[5].startswith("quantum-task/"):
            raise UnknownProviderJob(
                f"'{provider_job_id}' is not a Braket quantum-task ARN "
                "(arn:aws:braket:<region>:<account>:quantum-task/<id>)"
            )
        ref = self._ref(provider_job_id)
        with mapped_errors(f"attaching {self.name} task", provider_job_id):
            metadata = self._task(ref).metadata()
        if str(metadata.get("deviceArn", "")).lower() != self.arn.lower():
            entry = catalogue_entry(str(metadata.get("deviceArn", "")))
            other = PREFIX + (entry.short if entry else f"{metadata.get('deviceArn')}")
            raise ProviderError(
                f"task {provider_job_id} ran on {metadata.get('deviceArn')}, not on {self.name}; "
                f"attach it with backend '{other}'"
            )
        return ref

    def find_submitted(self, idempotency_key: str, *, since: float) -> ProviderJobRef | None:
        """The task tagged with this key on this device, created since ``since`` (SearchQuantumTasks)."""
        import botocore.exceptions

        client = self._session().braket_client
        after = datetime.fromtimestamp(since - 300, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        device = [{"name": "deviceArn", "operator": "EQUAL", "values": [self._resolved_arn(self._session())]}]
        with mapped_errors(f"looking for a submitted {self.name} task", self.arn):
            try:
                pages = list(
                    client.get_paginator("search_quantum_tasks").paginate(
                        filters=[*device, {"name": "createdAt", "operator": "GTE", "values": [after]}]
                    )
                )
            except botocore.exceptions.ClientError as exc:  # a createdAt format the service refuses: filter here
                if exc.response.get("Error", {}).get("Code") != "ValidationException":
                    raise
                pages = list(client.get_paginator("search_quantum_tasks").paginate(filters=device))
        for page in pages:
            for task in page.get("quantumTasks", []):
                if (task.get("tags") or {}).get(IDEMPOTENCY_TAG) == idempotency_key:
                    return self._ref(task["quantumTaskArn"])
        return None

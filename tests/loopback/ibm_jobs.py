"""Jobs of the loopback IBM Quantum service: scripted phases, execution with Aer, usage, and their JSON forms.

A job's life is driven by the clock and by what clients have seen: it leaves ``Queued`` once its scripted
``queue_seconds`` have passed *and* a client was told it was queued (so every state is observable however slow the
machine is), likewise for ``Running``; then it runs for real (the PUBs, decoded with qiskit-ibm-runtime's
``RuntimeDecoder``, are sampled by qiskit's ``BackendSamplerV2`` on the device's fake backend from
qiskit-ibm-runtime, i.e. by Aer with the noise model IBM's local testing mode uses) and its ``PrimitiveResult``
is stored encoded with ``RuntimeEncoder``.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import math
import re
import time
import uuid
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from .http_service import StateDir

API_STATES = ("Queued", "Running", "Completed", "Failed", "Cancelled")
FINAL_API_STATES = ("Completed", "Failed", "Cancelled")
JOB_OVERHEAD_SECONDS = 2.0
"""The usage model of the loopback: IBM's documented "about 2 s per sub-job plus (rep_delay + circuit duration) ×
executions", rounded up to whole seconds. A model, not IBM's billing."""
DEFAULT_SCRIPT = {"queue_seconds": 0.0, "run_seconds": 0.0, "fail": None, "fail_code": 1517, "hold": False,
                  "observe_each_state": True, "drop_create_response": 0}


def iso(epoch: float | None) -> str | None:
    """ISO 8601 UTC with a ``Z``, the form the IBM API uses."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@lru_cache(maxsize=None)
def fake_backend_files(device: str) -> tuple[Path, Path | None, str, str]:
    """(configuration JSON, properties JSON, module, class) of qiskit-ibm-runtime's fake copy of ``device``."""
    import qiskit_ibm_runtime

    root = Path(qiskit_ibm_runtime.__file__).parent / "fake_provider" / "backends"
    for directory in sorted(p for p in root.iterdir() if p.is_dir()):
        for conf in directory.glob("conf_*.json"):
            if json.loads(conf.read_text(encoding="utf-8")).get("backend_name") != device:
                continue
            props = directory / conf.name.replace("conf_", "props_", 1)
            source = next(directory.glob("fake_*.py"))
            class_name = re.search(r"class\s+(\w+)\s*\(\s*FakeBackendV2", source.read_text(encoding="utf-8")).group(1)
            module = f"qiskit_ibm_runtime.fake_provider.backends.{directory.name}.{source.stem}"
            return conf, (props if props.exists() else None), module, class_name
    raise KeyError(device)


@lru_cache(maxsize=8)
def fake_backend(device: str):
    """qiskit-ibm-runtime's fake copy of ``device`` (it keeps its noisy Aer simulator; cached per process)."""
    _, _, module, class_name = fake_backend_files(device)
    return getattr(importlib.import_module(module), class_name)()


def seed_of(job_id: str) -> int:
    return int(hashlib.sha256(job_id.encode()).hexdigest()[:8], 16)


def decode_pubs(params: dict) -> list:
    """SamplerPubs from the decoded ``params`` of a sampler job (``[circuit, values, shots]`` triples)."""
    from qiskit.primitives.containers.sampler_pub import SamplerPub

    pubs = []
    for item in params["pubs"]:
        circuit, values, shots = (list(item) + [None, None])[:3]
        if values is not None and not circuit.parameters:
            values = None
        pubs.append(SamplerPub.coerce((circuit, values, shots) if shots else (circuit, values)))
    return pubs


def usage_seconds(pubs: list, device: str, rep_delay_us: float) -> tuple[float, int]:
    """(modelled quantum seconds, executions) of sampling ``pubs`` on ``device``."""
    fake = fake_backend(device)
    seconds, executions = JOB_OVERHEAD_SECONDS, 0
    for pub in pubs:
        runs = int(pub.shots) * max(1, int(pub.parameter_values.size))
        try:
            duration = float(pub.circuit.estimate_duration(fake.target, unit="s"))
        except Exception:  # noqa: BLE001  (parameterized delays and the like: the repetition delay dominates)
            duration = 0.0
        seconds += runs * (rep_delay_us * 1e-6 + duration)
        executions += runs
    return seconds, executions


def run_pubs(pubs: list, device: str, job_id: str) -> str:
    """The PUBs sampled with the device noise; the ``PrimitiveResult`` encoded as the service returns it."""
    from qiskit.primitives import BackendSamplerV2
    from qiskit_ibm_runtime import RuntimeEncoder

    sampler = BackendSamplerV2(backend=fake_backend(device), options={"seed_simulator": seed_of(job_id)})
    result = sampler.run(pubs).result()
    return json.dumps(result, cls=RuntimeEncoder)


def warm_up() -> None:
    """Import qiskit and round-trip a circuit through RuntimeEncoder/RuntimeDecoder in the main thread.

    Request threads then only use already-initialised native code, one at a time (under the state lock).
    Before these two measures a service process crashed twice (SIGSEGV inside ``qiskit.qpy.load`` in a request
    thread, right after another request's connection was torn down); the cause was not found.
    """
    from qiskit import QuantumCircuit
    from qiskit_ibm_runtime import RuntimeDecoder, RuntimeEncoder

    circuit = QuantumCircuit(1, 1)
    circuit.measure(0, 0)
    json.loads(json.dumps({"c": circuit}, cls=RuntimeEncoder), cls=RuntimeDecoder)


class JobStore:
    """The jobs of one loopback service, in ``jobs/<id>.json`` of its state directory (shared by processes)."""

    def __init__(self, state: StateDir) -> None:
        self.state = state

    def script_for(self, tags: list[str]) -> dict:
        scripts = self.state.read("script.json", {}) or {}
        script = dict(DEFAULT_SCRIPT)
        script.update(scripts.get("default", {}))
        for tag in tags:
            if tag in scripts.get("by_tag", {}):
                script.update(scripts["by_tag"][tag])
                break
        return script

    def create(self, payload: dict, raw_body: bytes, *, rep_delay_us: float) -> tuple[dict, dict]:
        """Record a new job from a ``POST /jobs`` payload; returns (job, its script)."""
        from qiskit_ibm_runtime import RuntimeDecoder

        with self.state.locked():  # all of qiskit's work in this process is serialized (see warm_up)
            pubs = decode_pubs(json.loads(raw_body, cls=RuntimeDecoder)["params"])
            estimate, executions = usage_seconds(pubs, payload["backend"], rep_delay_us)
            qubits, depths = [p.circuit.num_qubits for p in pubs], [p.circuit.depth() for p in pubs]
        device = payload["backend"]
        job_id = "d" + uuid.uuid4().hex[:19]
        tags = list(payload.get("tags") or [])
        script = self.script_for(tags)
        job = {
            "id": job_id, "backend": device, "program_id": payload.get("program_id"), "tags": tags,
            "session_id": payload.get("session_id"), "private": bool(payload.get("private")),
            "created": time.time(), "status": "Queued", "reported": [], "running_at": None, "finished_at": None,
            "reason": None, "reason_code": None, "estimated_seconds": estimate, "executions": executions,
            "num_pubs": len(pubs), "usage_seconds": None, "script": script,
            "qubits": qubits, "depths": depths,
        }
        with self.state.locked():
            self.state.path("params").mkdir(exist_ok=True)
            self.state.path(f"params/{job_id}.json").write_bytes(raw_body)
            self.state.write(f"jobs/{job_id}.json", job)
        return job, script

    def get(self, job_id: str) -> dict | None:
        return self.state.read(f"jobs/{job_id}.json")

    def all(self) -> list[dict]:
        return [self.state.read(name) for name in self.state.names("jobs")]

    def save(self, job: dict) -> None:
        self.state.write(f"jobs/{job['id']}.json", job)

    def advance(self, job_id: str, *, report: bool = False) -> dict | None:
        """Move the job along its script as far as the clock and what clients saw allow; ``report``: a client
        is being told its state now."""
        with self.state.locked():
            job = self.get(job_id)
            if job is None:
                return None
            script, now = job["script"], time.time()
            while True:
                status = job["status"]
                seen = status in job["reported"] or not script["observe_each_state"]
                if status == "Queued" and not script["hold"] and seen \
                        and now >= job["created"] + script["queue_seconds"]:
                    job["status"], job["running_at"] = "Running", now
                elif status == "Running" and seen and now >= job["running_at"] + script["run_seconds"]:
                    self._finish(job, now)
                else:
                    break
            if report and job["status"] not in job["reported"]:
                job["reported"].append(job["status"])
            self.save(job)
            return job

    def _finish(self, job: dict, now: float) -> None:
        script = job["script"]
        if script["fail"]:
            job["status"], job["reason"], job["reason_code"] = "Failed", script["fail"], script["fail_code"]
            job["usage_seconds"] = 0
            self.state.path(f"results/{job['id']}.txt").parent.mkdir(exist_ok=True)
            self.state.path(f"results/{job['id']}.txt").write_text(
                f"Traceback (most recent call last):\nRuntimeError: {script['fail']}", encoding="utf-8")
        else:
            from qiskit_ibm_runtime import RuntimeDecoder

            raw = self.state.path(f"params/{job['id']}.json").read_bytes()
            pubs = decode_pubs(json.loads(raw, cls=RuntimeDecoder)["params"])
            encoded = run_pubs(pubs, job["backend"], job["id"])
            self.state.path("results").mkdir(exist_ok=True)
            self.state.path(f"results/{job['id']}.txt").write_text(encoded, encoding="utf-8")
            job["status"] = "Completed"
            job["usage_seconds"] = math.ceil(job["estimated_seconds"])
        job["finished_at"] = now

    def cancel(self, job_id: str) -> bool | None:
        """Cancel a queued or running job: True; False when already final; None when unknown."""
        with self.state.locked():
            job = self.advance(job_id)
            if job is None:
                return None
            if job["status"] in FINAL_API_STATES:
                return False
            job["status"], job["finished_at"] = "Cancelled", time.time()
            job["usage_seconds"] = 0
            self.save(job)
            return True

    def result_text(self, job_id: str) -> str | None:
        try:
            return self.state.path(f"results/{job_id}.txt").read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    # --- the API's JSON forms -------------------------------------------------------------------------
    @staticmethod
    def as_api(job: dict) -> dict:
        """``GET /jobs/{id}`` (params excluded)."""
        state: dict[str, Any] = {"status": job["status"]}
        if job["reason"]:
            state.update(reason=job["reason"], reason_code=job["reason_code"])
        out = {
            "id": job["id"], "backend": job["backend"], "state": state, "status": job["status"].upper(),
            "program": {"id": job["program_id"]}, "created": iso(job["created"]), "runtime": "",
            "tags": job["tags"], "session_id": job["session_id"], "private": job["private"],
            "estimated_running_time_seconds": job["estimated_seconds"], "user_id": "loopback-user",
        }
        if job["usage_seconds"] is not None:
            out["usage"] = {"seconds": job["usage_seconds"], "quantum_seconds": job["usage_seconds"]}
        return out

    @staticmethod
    def metrics(job: dict) -> dict:
        """``GET /jobs/{id}/metrics``."""
        final = job["status"] in FINAL_API_STATES
        usage = job["usage_seconds"] if final else None
        return {
            "timestamps": {"created": iso(job["created"]), "running": iso(job["running_at"]),
                           "finished": iso(job["finished_at"])},
            "bss": {"seconds": usage or 0},
            "usage": {"quantum_seconds": usage or 0, "seconds": usage or 0,
                      "qpu_charge_time_seconds": usage or 0, "status": "complete" if final else "pending"},
            "executions": job["executions"], "num_circuits": job["num_pubs"], "num_qubits": job["qubits"],
            "circuit_depths": job["depths"], "caller": "qiskit_ibm_runtime~sampler.py",
        }

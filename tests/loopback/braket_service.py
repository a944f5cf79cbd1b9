"""A loopback Amazon Braket service on 127.0.0.1 for tests: the REST API the unmodified boto3/Braket SDK calls.

Braket (rest-json): CreateQuantumTask ``POST /quantum-task``, GetQuantumTask ``GET /quantum-task/{arn}``,
CancelQuantumTask ``PUT /quantum-task/{arn}/cancel``, SearchQuantumTasks ``POST /quantum-tasks``, GetDevice
``GET /device/{arn}``, SearchDevices ``POST /devices`` (paths and shapes from botocore's ``braket/2019-09-01``
service model); S3 (rest-xml, path style): CreateBucket ``PUT /{bucket}`` and GetObject ``GET /{bucket}/{key}``
(what ``AwsSession.default_bucket`` and ``retrieve_s3_object_body`` call); STS (query): GetCallerIdentity (the
default bucket's account). Requests are routed by the service in their SigV4 credential scope, so one URL serves
``AWS_ENDPOINT_URL_BRAKET``, ``AWS_ENDPOINT_URL_S3`` and ``AWS_ENDPOINT_URL_STS``.

Programs run on ``braket.default_simulator`` and the real ``GateModelTaskResult`` / ``ProgramSetTaskResult`` JSON is
written to the S3 folder the task names. Behaviour is scripted per client token (or by default) with ``POST
/_loopback/script``: seconds in CREATED, QUEUED and RUNNING, a failure reason, a queue position text, how many
CreateQuantumTask answers to drop after accepting the task (the connection is closed before the answer), seconds a
cancel takes, and ``hold`` (QUEUED until ``POST /_loopback/release``). All state lives in one directory (``state.json`` and ``s3/``), so the service can be restarted and
every client process sees the same tasks. ``GET /_loopback/tasks`` and ``GET /_loopback/requests`` show the tasks
and the calls received. Run: ``python -m tests.loopback.braket_service --state DIR`` (prints its URL).
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import threading
import time
import urllib.parse
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ACCOUNT = "123456789012"
DEFAULT_BEHAVIOUR = {"created": 0.0, "queued": 0.0, "running": 0.0, "fail": None, "queue_position": "3",
                     "drop_create": 0, "cancel": 0.2, "hold": False}
"""``hold``: the task stays QUEUED until ``POST /_loopback/release`` (whatever the clock), then goes on: ``queued``
seconds more in QUEUED, ``running`` in RUNNING, from the release."""
_SCOPE = re.compile(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_iso(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class BraketState:
    """Tasks, scripts and the request log, persisted in ``directory`` after every change."""

    def __init__(self, directory: Path):
        from .braket_devices import devices

        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.file = directory / "state.json"
        self.lock = threading.RLock()
        self.data: dict[str, Any] = {"tasks": {}, "scripts": {}, "dropped": {}, "requests": [], "rejected": [],
                                     "device_status": {}}
        if self.file.exists():
            self.data.update(json.loads(self.file.read_text()))
        self.devices = devices()

    def save(self) -> None:
        temporary = self.file.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.data))
        temporary.replace(self.file)

    def behaviour(self, token: str) -> dict[str, Any]:
        scripts = self.data["scripts"]
        return {**DEFAULT_BEHAVIOUR, **scripts.get("*", {}), **scripts.get(token, {})}

    # --- the task lifecycle, as a function of time --------------------------------------------------------------
    def state_of(self, task: dict[str, Any], now: float | None = None) -> str:
        now = time.time() if now is None else now
        b = task["behaviour"]
        if task.get("cancel_at") is not None:
            return "CANCELLED" if now >= task["cancel_at"] + b["cancel"] else "CANCELLING"
        if b.get("hold"):
            if task.get("released") is None:
                return "QUEUED"
            elapsed = now - task["released"] + b["created"]  # the clock starts again at the release
        else:
            elapsed = now - task["created"]
        if elapsed < b["created"]:
            return "CREATED"
        if elapsed < b["created"] + b["queued"]:
            return "QUEUED"
        if elapsed < b["created"] + b["queued"] + b["running"]:
            return "RUNNING"
        if b["fail"]:
            return "FAILED"
        self.complete(task)
        return "COMPLETED"

    def ended(self, task: dict[str, Any]) -> float | None:
        b = task["behaviour"]
        if task.get("cancel_at") is not None:
            return task["cancel_at"] + b["cancel"]
        if b.get("hold"):
            return None if task.get("released") is None else task["released"] + b["queued"] + b["running"]
        return task["created"] + b["created"] + b["queued"] + b["running"]

    def complete(self, task: dict[str, Any]) -> None:
        """Run the program on Braket's default simulator and write results.json (once)."""
        if task.get("result_written"):
            return
        from braket.default_simulator import StateVectorSimulator
        from braket.schema_common import BraketSchemaBase

        spec = BraketSchemaBase.parse_raw_schema(task["action"])
        started = time.perf_counter()
        result = StateVectorSimulator().run(spec, shots=task["shots"])
        result.taskMetadata.id = task["arn"]
        result.taskMetadata.deviceId = task["deviceArn"]
        if hasattr(result, "additionalMetadata"):  # a QPU result has no simulator metadata; a simulator's has its ms
            from braket.task_result import SimulatorMetadata

            duration = max(1, int((time.perf_counter() - started) * 1000))
            qpu = ":device/qpu/" in task["deviceArn"]
            result.additionalMetadata.simulatorMetadata = None if qpu else SimulatorMetadata(executionDuration=duration)
        path = self.directory / "s3" / task["bucket"] / task["directory"] / "results.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result.json())
        task["result_written"] = True
        self.save()


class Handler(BaseHTTPRequestHandler):
    """One request: control, STS, S3 or Braket, by path and SigV4 scope."""

    protocol_version = "HTTP/1.1"
    state: BraketState
    region = "us-east-1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    # --- plumbing -------------------------------------------------------------------------------------------
    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes | str | dict, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        if isinstance(body, dict):
            body = json.dumps(body)
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", uuid.uuid4().hex)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _braket_error(self, status: int, code: str, message: str) -> None:
        self._send(status, {"message": message}, headers={"x-amzn-ErrorType": code})

    def _xml_error(self, status: int, code: str, message: str) -> None:
        self._send(status, f"<Error><Code>{code}</Code><Message>{message}</Message></Error>", "application/xml")

    def _drop(self) -> None:
        """Close the connection without an answer (the request was processed)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _dispatch(self, method: str) -> None:
        body = self._body()
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        if path.startswith("/_loopback/"):
            return self._control(method, path, body)
        scope = _SCOPE.search(self.headers.get("Authorization", ""))
        if scope is None:
            return self._braket_error(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
        access_key, service = scope.group(1), scope.group(3)
        with self.state.lock:
            self.state.data["requests"].append({"service": service, "method": method, "path": path,
                                                "query": url.query, "at": time.time()})
            self.state.save()
            if access_key in self.state.data["rejected"]:
                message = (f"The security token included in the request is invalid. "  # echoes what it got
                           f"(Authorization: {self.headers.get('Authorization')}, "
                           f"X-Amz-Security-Token={self.headers.get('X-Amz-Security-Token')})")
                if service == "braket":
                    return self._braket_error(403, "UnrecognizedClientException", message)
                return self._xml_error(403, "InvalidAccessKeyId", message)
            if service == "sts":
                return self._sts()
            if service == "s3":
                return self._s3(method, path)
            return self._braket(method, path, json.loads(body or b"{}"), urllib.parse.parse_qs(url.query))

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch("HEAD")

    # --- control --------------------------------------------------------------------------------------------
    def _control(self, method: str, path: str, body: bytes) -> None:
        data = self.state.data
        with self.state.lock:
            if path == "/_loopback/tasks":
                return self._send(200, {"tasks": [{**t, "status": self.state.state_of(t)}
                                                  for t in data["tasks"].values()]})
            if path == "/_loopback/requests":
                return self._send(200, {"requests": data["requests"]})
            request = json.loads(body or b"{}")
            if path == "/_loopback/script" and method == "POST":
                data["scripts"][request.pop("token", "*")] = request
            elif path == "/_loopback/reject" and method == "POST":
                data["rejected"].append(request["access_key"])
            elif path == "/_loopback/release" and method == "POST":  # held tasks (of a client token, or all) go on
                token = request.get("token")
                for task in data["tasks"].values():
                    if task.get("released") is None and token in (None, task.get("clientToken")):
                        task["released"] = time.time()
            elif path == "/_loopback/device-status" and method == "POST":
                data["device_status"][request["arn"]] = request["status"]
            else:
                return self._send(404, {"message": f"no control endpoint {method} {path}"})
            self.state.save()
        self._send(200, {"ok": True})

    # --- STS and S3 -----------------------------------------------------------------------------------------
    def _sts(self) -> None:
        self._send(200, "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                        f"<GetCallerIdentityResult><Arn>arn:aws:iam::{ACCOUNT}:user/loopback</Arn>"
                        f"<UserId>AIDALOOPBACK</UserId><Account>{ACCOUNT}</Account></GetCallerIdentityResult>"
                        "<ResponseMetadata><RequestId>loopback</RequestId></ResponseMetadata>"
                        "</GetCallerIdentityResponse>", "text/xml")

    def _s3(self, method: str, path: str) -> None:
        bucket, _, key = path.lstrip("/").partition("/")
        root = self.state.directory / "s3" / bucket
        if method == "PUT" and not key:
            root.mkdir(parents=True, exist_ok=True)
            return self._send(200, b"", "application/xml", {"Location": f"/{bucket}"})
        target = root / key
        if method in ("GET", "HEAD") and key:
            for task in self.state.data["tasks"].values():  # a result appears when the task is first seen done
                if key.startswith(task["directory"] + "/"):
                    self.state.state_of(task)
            if target.is_file():
                return self._send(200, target.read_bytes(), "application/json")
            return self._xml_error(404, "NoSuchKey", "The specified key does not exist.")
        self._xml_error(405, "MethodNotAllowed", f"{method} {path} is not served by the loopback")

    # --- Braket ---------------------------------------------------------------------------------------------
    def _braket(self, method: str, path: str, body: dict[str, Any], query: dict[str, list[str]]) -> None:
        if method == "POST" and path == "/quantum-task":
            return self._create(body)
        if method == "POST" and path == "/quantum-tasks":
            return self._search_tasks(body)
        if method == "POST" and path == "/devices":
            return self._search_devices(body)
        if method == "GET" and path.startswith("/device/"):
            return self._get_device(path[len("/device/"):])
        if path.startswith("/quantum-task/"):
            arn = path[len("/quantum-task/"):]
            if method == "PUT" and arn.endswith("/cancel"):
                return self._cancel(arn[: -len("/cancel")])
            if method == "GET":
                return self._get_task(arn, "QueueInfo" in query.get("additionalAttributeNames", []))
        self._braket_error(404, "ResourceNotFoundException", f"no operation {method} {path}")

    def _device_response(self, arn: str) -> dict[str, Any] | None:
        device = self.state.devices.get(arn)
        if device is None:
            return None
        return {**device, "deviceStatus": self.state.data["device_status"].get(arn, device["deviceStatus"])}

    def _get_device(self, arn: str) -> None:
        device = self._device_response(arn)
        if device is None:
            return self._braket_error(404, "ResourceNotFoundException", f"Braket device '{arn}' not found")
        self._send(200, device)

    def _search_devices(self, body: dict[str, Any]) -> None:
        wanted = [v for f in body.get("filters", []) if f["name"] == "deviceArn" for v in f["values"]]
        found = [self._device_response(arn) for arn in self.state.devices if not wanted or arn in wanted]
        self._send(200, {"devices": [{k: d[k] for k in ("deviceArn", "deviceName", "providerName", "deviceType",
                                                          "deviceStatus")} for d in found]})

    def _create(self, body: dict[str, Any]) -> None:
        data, token = self.state.data, body["clientToken"]
        device = self._device_response(body["deviceArn"])
        if device is None:
            return self._braket_error(400, "ValidationException", f"Device {body['deviceArn']} not found")
        if device["deviceStatus"] == "OFFLINE":
            return self._braket_error(424, "DeviceOfflineException", f"Device {body['deviceArn']} is offline")
        if device["deviceStatus"] == "RETIRED":
            return self._braket_error(410, "DeviceRetiredException", f"Device {body['deviceArn']} is retired")
        existing = next((t for t in data["tasks"].values() if t["clientToken"] == token), None)
        if existing is None:
            region = self.region if body["deviceArn"].split(":")[3] == "" else body["deviceArn"].split(":")[3]
            task_id = str(uuid.uuid4())
            action = json.loads(body["action"])
            existing = {
                "arn": f"arn:aws:braket:{region}:{ACCOUNT}:quantum-task/{task_id}", "clientToken": token,
                "deviceArn": body["deviceArn"], "shots": body["shots"], "action": body["action"],
                "actionType": action["braketSchemaHeader"]["name"], "tags": body.get("tags") or {},
                "bucket": body["outputS3Bucket"], "directory": f"{body['outputS3KeyPrefix']}/{task_id}",
                "created": time.time(), "behaviour": self.state.behaviour(token), "cancel_at": None,
            }
            data["tasks"][task_id] = existing
        self.state.save()
        dropped = data["dropped"].get(token, 0)
        if dropped < existing["behaviour"]["drop_create"]:
            data["dropped"][token] = dropped + 1
            self.state.save()
            return self._drop()
        self._send(201, {"quantumTaskArn": existing["arn"]})

    def _task(self, arn: str) -> dict[str, Any] | None:
        return next((t for t in self.state.data["tasks"].values() if t["arn"] == arn), None)

    def _get_task(self, arn: str, queue_info: bool) -> None:
        task = self._task(arn)
        if task is None:
            return self._braket_error(404, "ResourceNotFoundException", f"Quantum task {arn} not found")
        status = self.state.state_of(task)
        answer: dict[str, Any] = {
            "quantumTaskArn": arn, "status": status, "deviceArn": task["deviceArn"], "deviceParameters": "{}",
            "shots": task["shots"], "outputS3Bucket": task["bucket"], "outputS3Directory": task["directory"],
            "createdAt": iso(task["created"]), "tags": task["tags"],
            "actionMetadata": {"actionType": task["actionType"]},
        }
        if status in ("COMPLETED", "FAILED", "CANCELLED"):
            answer["endedAt"] = iso(self.state.ended(task))
        if status == "FAILED":
            answer["failureReason"] = task["behaviour"]["fail"]
        if status == "COMPLETED":
            answer["numSuccessfulShots"] = task["shots"]
        if queue_info:
            queued = status in ("CREATED", "QUEUED")
            answer["queueInfo"] = {"queue": "QUANTUM_TASKS_QUEUE", "queuePriority": "Normal",
                                   "position": str(task["behaviour"]["queue_position"]) if queued else "None"}
            if not queued:
                answer["queueInfo"]["message"] = (f"Task is in {status} status. AmazonBraket does not show queue "
                                                  "position for this status.")
        self._send(200, answer)

    def _cancel(self, arn: str) -> None:
        task = self._task(arn)
        if task is None:
            return self._braket_error(404, "ResourceNotFoundException", f"Quantum task {arn} not found")
        status = self.state.state_of(task)
        if status in ("COMPLETED", "FAILED", "CANCELLED"):
            return self._braket_error(409, "ConflictException", f"Quantum task {arn} is already {status}")
        if task["cancel_at"] is None:
            task["cancel_at"] = time.time()
            self.state.save()
        self._send(200, {"quantumTaskArn": arn, "cancellationStatus": self.state.state_of(task)})

    def _search_tasks(self, body: dict[str, Any]) -> None:
        tasks = list(self.state.data["tasks"].values())
        for f in body.get("filters", []):
            name, op, values = f["name"], f["operator"], f["values"]
            if name == "deviceArn":
                tasks = [t for t in tasks if t["deviceArn"] in values]
            elif name == "quantumTaskArn":
                tasks = [t for t in tasks if t["arn"] in values]
            elif name == "status":
                tasks = [t for t in tasks if self.state.state_of(t) in values]
            elif name == "createdAt" and op in ("GTE", "GT"):
                tasks = [t for t in tasks if t["created"] >= parse_iso(values[0])]
            else:
                return self._braket_error(400, "ValidationException", f"unsupported filter {f}")
        summaries = [{"quantumTaskArn": t["arn"], "status": self.state.state_of(t), "deviceArn": t["deviceArn"],
                      "shots": t["shots"], "outputS3Bucket": t["bucket"], "outputS3Directory": t["directory"],
                      "createdAt": iso(t["created"]), "tags": t["tags"]} for t in tasks]
        self._send(200, {"quantumTasks": summaries})


def serve(directory: Path, port: int = 0, region: str = "us-east-1") -> ThreadingHTTPServer:
    """A started server (in a daemon thread) keeping its state in ``directory``."""
    handler = type("LoopbackBraketHandler", (Handler,), {"state": BraketState(directory), "region": region})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="loopback-braket", daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", required=True, type=Path, help="directory for tasks, scripts and S3 objects")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--region", default="us-east-1", help="region of tasks on region-less devices")
    args = parser.parse_args()
    server = serve(args.state, args.port, args.region)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()

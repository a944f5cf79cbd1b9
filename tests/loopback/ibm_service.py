"""A loopback IBM Quantum Platform on 127.0.0.1 for the real, unmodified qiskit-ibm-runtime client.

It answers the REST calls the SDK (0.51) makes for the ``ibm_quantum_platform`` / ``ibm_cloud`` channels, found
in its sources: IAM's API-key exchange (``POST /identity/token``), the Global Search and Global Catalog lookups
that list the account's instances, and the Runtime API under ``/api/v1`` (backends and their configuration,
properties and status, instance usage, jobs: create, list by tags and date, get, results, metrics, cancel,
and sessions/batches).

How the SDK reaches it, through documented settings only: the account's ``url`` is
``http://cloud.<name>.test`` (the SDK derives ``iam.``, ``api.global-search-tagging.``, ``globalcatalog.`` and
``quantum.`` hosts from it, dropping any port), the standard ``HTTP_PROXY`` variable (honoured by ``requests``)
names this server, which routes by host, and ``IAM_URL`` (read by the SDK's ``CloudAuth``, which otherwise
hard-codes ``https://iam.cloud.ibm.com``) is ``http://iam.cloud.<name>.test``. :meth:`IBMLoopback.environment`
gives the variables; nothing resolves or leaves the machine.

State lives in a directory (``--state DIR``), so several processes see the same jobs and a restarted service
keeps them. Behaviour is scripted per job tag in ``script.json`` (see :meth:`IBMLoopback.script`).
Run ``python -m tests.loopback.ibm_service --state DIR``: it prints its URL and serves until killed.
"""

from __future__ import annotations

import argparse
import json
import secrets
import time
import uuid
from pathlib import Path
from typing import Any

from .http_service import DropConnection, LoopbackServer, Reply, Request, ServiceProcess, StateDir, serve_forever_main
from .ibm_jobs import FINAL_API_STATES, JobStore, fake_backend_files, iso, parse_iso, warm_up

DOMAIN = "cloud.qhybrid-loopback.test"
"""The IBM Cloud URL's host the SDK is given (``.test`` is reserved: it never resolves)."""
ACCOUNT_ID = "loopbackaccount0000000000000000"
INSTANCE_GUID = "00000000-0000-4000-8000-00000000c0de"
CRN = f"crn:v1:bluemix:public:quantum-computing:us-east:a/{ACCOUNT_ID}:{INSTANCE_GUID}::"
INSTANCE_NAME = "qhybrid-loopback"
PLAN_ID = "loopback-paygo-plan"
DEFAULT_DEVICES = ("ibmq_manila", "ibm_torino")
DEFAULT_TOKEN = "loopback-api-key-0123456789"


def default_config() -> dict[str, Any]:
    return {
        "api_keys": [DEFAULT_TOKEN], "iam_reject_status": 400, "reject_api": False, "crn": CRN,
        "instance_name": INSTANCE_NAME, "devices": list(DEFAULT_DEVICES), "device_status": {},
        "jwt_secret": secrets.token_hex(16),
    }


def _error(status: int, message: str, code: int = 1000) -> Reply:
    return Reply(status, {"errors": [{"code": code, "message": message}], "error": {"message": message, "code": code}})


class IBMServer(LoopbackServer):
    """The HTTP side: routes each request by host (``iam.``, ``api.global-search-tagging.``, ``globalcatalog.``,
    ``resource-controller.``, ``[<region>.]quantum.``) and path."""

    def __init__(self, state: StateDir, port: int = 0) -> None:
        super().__init__(state, port)
        with state.locked():
            if state.read("config.json") is None:
                state.write("config.json", default_config())
        self.jobs = JobStore(state)

    @property
    def config(self) -> dict:
        return self.state.read("config.json")

    def route(self, request: Request) -> Reply:
        host = request.host
        if host.startswith("iam.") or request.path == "/identity/token":
            return self._iam(request)
        if host.startswith("api.global-search-tagging."):
            return self._authorized(request, self._global_search)
        if host.startswith("globalcatalog."):
            return self._authorized(request, self._global_catalog)
        if host.startswith("resource-controller."):
            return self._authorized(request, self._resource_controller)
        if host.startswith("quantum.") or ".quantum." in host:
            return self._authorized(request, self._runtime, runtime=True)
        return _error(404, f"no loopback service for host {host!r}")

    # --- IAM and the IBM Cloud platform APIs ------------------------------------------------------------
    def _iam(self, request: Request) -> Reply:
        import jwt
        from urllib.parse import parse_qs

        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        config = self.config
        if request.method != "POST" or form.get("grant_type") != "urn:ibm:params:oauth:grant-type:apikey":
            return Reply(400, {"errorCode": "BXNIM0109E", "errorMessage": "Property missing or empty."})
        if form.get("apikey") not in config["api_keys"]:
            return Reply(config["iam_reject_status"], {"errorCode": "BXNIM0415E",
                                                       "errorMessage": "Provided API key could not be found."})
        now = int(time.time())
        token = jwt.encode({"iam_id": f"IBMid-{ACCOUNT_ID}", "account": {"bss": ACCOUNT_ID}, "iat": now,
                            "exp": now + 3600, "jti": uuid.uuid4().hex}, config["jwt_secret"], algorithm="HS256")
        return Reply(200, {"access_token": token, "refresh_token": "not-used", "token_type": "Bearer",
                           "expires_in": 3600, "expiration": now + 3600, "scope": "ibm openid"})

    def _authorized(self, request: Request, handler, *, runtime: bool = False) -> Reply:
        import jwt

        config = self.config
        header = request.headers.get("Authorization") or ""
        if not header.startswith("Bearer "):
            return _error(401, "Unauthorized: a bearer token from IAM is required", 1010)
        try:
            jwt.decode(header[7:], config["jwt_secret"], algorithms=["HS256"])
        except jwt.PyJWTError:
            return _error(401, "Unauthorized: invalid or expired token", 1010)
        if runtime and config["reject_api"]:
            return _error(401, "Unauthorized: the API key was revoked", 1010)
        if runtime and request.headers.get("Service-CRN") != config["crn"]:
            return _error(403, f"Forbidden: no access to instance {request.headers.get('Service-CRN')!r}", 1011)
        return handler(request)

    def _global_search(self, request: Request) -> Reply:
        config = self.config
        return Reply(200, {"items": [{"crn": config["crn"], "name": config["instance_name"],
                                      "service_plan_unique_id": PLAN_ID, "tags": [],
                                      "doc": {"extensions": {"virtual_private_endpoints": {}}}}],
                           "limit": 100, "search_cursor": None})

    def _global_catalog(self, request: Request) -> Reply:
        if not request.path.endswith("/" + PLAN_ID):
            return Reply(404, {"message": "catalog entry not found"})
        return Reply(200, {"id": PLAN_ID, "overview_ui": {"en": {"display_name": "Pay-As-You-Go"}},
                           "metadata": {"pricing": {"type": "paygo"}}})

    def _resource_controller(self, request: Request) -> Reply:
        config = self.config
        match = request.arg("name") == config["instance_name"]
        return Reply(200, {"rows_count": int(match), "resources": [{"crn": config["crn"]}] if match else []})

    # --- the Runtime API ------------------------------------------------------------------------------
    def _runtime(self, request: Request) -> Reply:
        path = request.path.removeprefix("/api/v1")
        parts = [p for p in path.split("/") if p]
        method = request.method
        if parts == ["backends"] and method == "GET":
            return self._backends()
        if len(parts) == 3 and parts[0] == "backends" and method == "GET":
            return self._backend(parts[1], parts[2])
        if parts == ["instances", "usage"]:
            return self._instance_usage()
        if parts == ["jobs"] and method == "POST":
            return self._create_job(request)
        if parts == ["jobs"] and method == "GET":
            return self._list_jobs(request)
        if len(parts) >= 2 and parts[0] == "jobs":
            return self._job(request, parts[1], parts[2] if len(parts) > 2 else "")
        if parts and parts[0] == "sessions":
            return self._session(request, parts[1:])
        return _error(404, f"no route {method} {request.path}")

    def _device_info(self, name: str) -> tuple[dict, dict | None]:
        conf_path, props_path, _, _ = fake_backend_files(name)
        conf = json.loads(conf_path.read_text(encoding="utf-8"))
        props = json.loads(props_path.read_text(encoding="utf-8")) if props_path else None
        return conf, props

    def _device_status(self, name: str) -> dict:
        status = {"state": True, "status": "active", "message": "available", "length_queue": 0}
        status.update(self.config["device_status"].get(name, {}))
        return status

    def _backends(self) -> Reply:
        devices = []
        for name in self.config["devices"]:
            conf, _ = self._device_info(name)
            status = self._device_status(name)
            devices.append({"name": name, "qubits": conf["n_qubits"], "processor_type": conf.get("processor_type"),
                            "status": {"name": "online" if status["state"] else "offline",
                                       "reason": status["message"]},
                            "queue_length": status["length_queue"]})
        return Reply(200, {"devices": devices})

    def _backend(self, name: str, what: str) -> Reply:
        if name not in self.config["devices"]:
            return _error(404, f"backend {name} not found", 1216)
        conf, props = self._device_info(name)
        if what == "configuration":
            return Reply(200, conf)
        if what == "properties":
            return Reply(200, props or {})
        if what == "status":
            return Reply(200, {**self._device_status(name), "backend_version": conf.get("backend_version")})
        return _error(404, f"no backend resource {what!r}")

    def _instance_usage(self) -> Reply:
        consumed = sum(job.get("usage_seconds") or 0 for job in self.jobs.all())
        return Reply(200, {"instance_id": self.config["crn"], "plan_id": PLAN_ID, "usage_consumed_seconds": consumed,
                           "usage_limit_seconds": None, "usage_limit_reached": False})

    def _create_job(self, request: Request) -> Reply:
        payload = json.loads(request.body)
        device = payload.get("backend")
        if device not in self.config["devices"]:
            return _error(400, f"backend {device!r} is not available to this instance", 1217)
        conf, _ = self._device_info(device)
        job, script = self.jobs.create(payload, request.body, rep_delay_us=float(conf.get("default_rep_delay", 250.0)))
        if script["drop_create_response"]:
            self._consume_drop(job["tags"])
            raise DropConnection
        return Reply(200, {"id": job["id"], "backend": device, "session_id": job["session_id"]})

    def _consume_drop(self, tags: list[str]) -> None:
        with self.state.locked():
            scripts = self.state.read("script.json", {}) or {}
            for tag in tags:
                entry = scripts.get("by_tag", {}).get(tag)
                if entry and entry.get("drop_create_response"):
                    entry["drop_create_response"] -= 1
                    break
            else:
                if scripts.get("default", {}).get("drop_create_response"):
                    scripts["default"]["drop_create_response"] -= 1
            self.state.write("script.json", scripts)

    def _list_jobs(self, request: Request) -> Reply:
        tags = request.args("tags")
        after = request.arg("created_after")
        before = request.arg("created_before")
        pending = request.arg("pending")
        jobs = []
        for job in self.jobs.all():
            job = self.jobs.advance(job["id"])
            if tags and not all(tag in job["tags"] for tag in tags):
                continue
            if after and job["created"] < parse_iso(after):
                continue
            if before and job["created"] > parse_iso(before):
                continue
            if request.arg("backend") and job["backend"] != request.arg("backend"):
                continue
            if request.arg("session_id") and job["session_id"] != request.arg("session_id"):
                continue
            if pending is not None and (job["status"] not in FINAL_API_STATES) != (pending == "true"):
                continue
            jobs.append(job)
        jobs.sort(key=lambda j: j["created"], reverse=request.arg("sort") != "ASC")
        offset, limit = int(request.arg("offset", "0")), int(request.arg("limit", "10"))
        page = jobs[offset:offset + limit]
        return Reply(200, {"jobs": [JobStore.as_api(j) for j in page], "count": len(jobs), "limit": limit,
                           "offset": offset})

    def _job(self, request: Request, job_id: str, what: str) -> Reply:
        if what == "cancel" and request.method == "POST":
            cancelled = self.jobs.cancel(job_id)
            if cancelled is None:
                return _error(404, f"Job not found: {job_id}", 1291)
            return Reply(204) if cancelled else _error(409, "The job cannot be cancelled: it is in a final state", 1211)
        job = self.jobs.advance(job_id, report=(what == "" and request.method == "GET"))
        if job is None:
            return _error(404, f"Job not found: {job_id}", 1291)
        if what == "":
            return Reply(200, JobStore.as_api(job))
        if what == "metrics":
            return Reply(200, JobStore.metrics(job))
        if what == "results":
            text = self.jobs.result_text(job_id)
            if text is None:
                return _error(404, f"Results of job {job_id} are not available yet", 1292)
            return Reply(200, text, content_type="application/json" if job["status"] == "Completed" else None)
        return _error(404, f"no job resource {what!r}")

    def _session(self, request: Request, parts: list[str]) -> Reply:
        if not parts and request.method == "POST":
            payload = request.json() or {}
            session = {"id": "s" + uuid.uuid4().hex[:19], "mode": payload.get("mode"),
                       "backend_name": payload.get("backend"), "max_ttl": payload.get("max_ttl") or 28800,
                       "interactive_ttl": 60, "active_ttl": 28800, "state": "open", "accepting_jobs": True,
                       "started_at": iso(time.time()), "elapsed_time": 0, "timestamps": []}
            self.state.write(f"sessions/{session['id']}.json", session)
            return Reply(200, session)
        session = self.state.read(f"sessions/{parts[0]}.json") if parts else None
        if session is None:
            return _error(404, "Session not found", 1700)
        if len(parts) == 1 and request.method == "GET":
            return Reply(200, session)
        if len(parts) == 1 and request.method == "PATCH":
            session.update(request.json() or {})
            self.state.write(f"sessions/{parts[0]}.json", session)
            return Reply(204)
        if parts[1:] == ["close"] and request.method == "DELETE":
            session.update(state="closed", accepting_jobs=False, closed_at=iso(time.time()))
            self.state.write(f"sessions/{parts[0]}.json", session)
            return Reply(204)
        return _error(404, f"no session route {request.method} {request.path}")


class IBMLoopback:
    """A running loopback IBM service (in a thread of this process, or as its own process) and its controls."""

    def __init__(self, state_dir: str | Path, url: str, *, server: IBMServer | None = None,
                 process: ServiceProcess | None = None) -> None:
        self.state = StateDir(state_dir)
        self.url = url
        self._server, self._process = server, process

    @classmethod
    def in_thread(cls, state_dir: str | Path) -> IBMLoopback:
        server = IBMServer(StateDir(state_dir)).start()
        return cls(state_dir, server.url, server=server)

    @classmethod
    def as_process(cls, state_dir: str | Path) -> IBMLoopback:
        Path(state_dir).mkdir(parents=True, exist_ok=True)
        process = ServiceProcess("tests.loopback.ibm_service", Path(state_dir))
        return cls(state_dir, process.url, process=process)

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        if self._process is not None:
            self._process.stop()

    # --- pointing the SDK at it -----------------------------------------------------------------------
    def environment(self, token: str = DEFAULT_TOKEN, *, instance: str | None = CRN,
                    channel: str = "ibm_quantum_platform") -> dict[str, str]:
        """The variables that make the unmodified SDK use this service (an env-var account, see the module)."""
        env = {"QISKIT_IBM_TOKEN": token, "QISKIT_IBM_URL": f"http://{DOMAIN}", "QISKIT_IBM_CHANNEL": channel,
               "IAM_URL": f"http://iam.{DOMAIN}", "HTTP_PROXY": self.url, "http_proxy": self.url,
               "NO_PROXY": "", "no_proxy": ""}
        if instance:
            env["QISKIT_IBM_INSTANCE"] = instance
        return env

    # --- scripting ----------------------------------------------------------------------------------
    def script(self, tag: str | None = None, **behaviour: Any) -> None:
        """Script the jobs created with ``tag`` (or every job, without a tag).

        Keys: ``queue_seconds``, ``run_seconds`` (least time in each state), ``hold`` (stay queued until
        :meth:`release`), ``fail`` (the failure reason; the job ends ``Failed``), ``fail_code``,
        ``drop_create_response`` (how many ``POST /jobs`` for the tag create the job and then lose the answer:
        the connection closes mid status line, see :class:`~.http_service.DropConnection`),
        ``observe_each_state`` (default True: a state is left only after a client was told about it).
        """
        with self.state.locked():
            scripts = self.state.read("script.json", {}) or {}
            target = scripts.setdefault("default", {}) if tag is None else scripts.setdefault("by_tag", {}).setdefault(tag, {})
            target.update(behaviour)
            self.state.write("script.json", scripts)

    def release(self, job_id: str) -> None:
        """Let a held job leave the queue."""
        with self.state.locked():
            job = self.state.read(f"jobs/{job_id}.json")
            job["script"]["hold"] = False
            self.state.write(f"jobs/{job_id}.json", job)

    def configure(self, **changes: Any) -> None:
        """Change ``config.json``: ``api_keys``, ``iam_reject_status``, ``reject_api``, ``devices``, ``device_status``."""
        with self.state.locked():
            config = self.state.read("config.json") or default_config()
            config.update(changes)
            self.state.write("config.json", config)

    def reset(self) -> None:
        """Back to the default configuration and no scripts (jobs stay; the token signing key stays)."""
        with self.state.locked():
            secret = (self.state.read("config.json") or {}).get("jwt_secret")
            config = default_config()
            config["jwt_secret"] = secret or config["jwt_secret"]
            self.state.write("config.json", config)
            self.state.write("script.json", {})

    # --- inspection ---------------------------------------------------------------------------------
    def jobs(self, tag: str | None = None) -> list[dict]:
        jobs = [self.state.read(n) for n in self.state.names("jobs")]
        return [j for j in jobs if tag is None or tag in j["tags"]]

    def job(self, job_id: str) -> dict:
        return self.state.read(f"jobs/{job_id}.json")

    def requests(self) -> list[dict]:
        """Every request served so far (method, host, path, query, status), in order."""
        return self.state.lines(IBMServer.REQUEST_LOG)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", required=True, help="directory holding the service's jobs and configuration")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--parent-pid", type=int, default=None, help="stop when this process is gone")
    args = parser.parse_args(argv)
    import faulthandler

    faulthandler.enable()  # a crash of native code in a request thread is shown in <state>/ibm_service.stderr
    warm_up()
    serve_forever_main(IBMServer(StateDir(args.state), args.port), args.parent_pid)


if __name__ == "__main__":
    main()

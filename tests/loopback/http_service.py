"""Shared plumbing of the loopback services: a state directory several processes share, an HTTP server on
127.0.0.1 that logs every request, and running a service as its own process.

A service module subclasses :class:`LoopbackHandler` (one ``route`` method) and calls :func:`serve_forever_main`
from its ``__main__``; tests start it with :func:`start_service_process`, which reads the URL it prints.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]


class StateDir:
    """JSON documents in a directory, read and written under one cross-process lock (``fcntl.flock``)."""

    def __init__(self, directory: str | os.PathLike) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock_path = self.directory / "state.lock"
        self._thread_lock = threading.RLock()
        self._depth = 0

    @contextlib.contextmanager
    def locked(self):
        """Hold the state lock (re-entrant within a thread; other processes and threads wait)."""
        with self._thread_lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            with open(self._lock_path, "a+") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                self._depth = 1
                try:
                    yield self
                finally:
                    self._depth = 0
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def path(self, name: str) -> Path:
        return self.directory / name

    def read(self, name: str, default: Any = None) -> Any:
        """The JSON document ``name`` (relative path), or ``default`` when it does not exist."""
        try:
            return json.loads(self.path(name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return default

    def write(self, name: str, value: Any) -> None:
        """Replace the document atomically (write aside, then rename)."""
        target = self.path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        aside = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        aside.write_text(json.dumps(value, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(aside, target)

    def names(self, folder: str) -> list[str]:
        """The document names in ``folder`` (``"jobs/<id>.json"``), oldest first by name order."""
        directory = self.path(folder)
        if not directory.is_dir():
            return []
        return sorted(f"{folder}/{p.name}" for p in directory.glob("*.json"))

    def append_line(self, name: str, value: Any) -> None:
        """Append one JSON line to the log ``name``."""
        with self.locked(), open(self.path(name), "a", encoding="utf-8") as handle:
            handle.write(json.dumps(value, sort_keys=True) + "\n")

    def lines(self, name: str) -> list[Any]:
        try:
            text = self.path(name).read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.splitlines() if line.strip()]


class DropConnection(Exception):
    """Raised by a route to lose its answer after the work was done: the connection closes mid status line.

    Why not a bare close: the tests reach the services through a forwarding HTTP proxy (``HTTP_PROXY``), and on
    such a connection urllib3 takes a close before any byte for a failed *proxy* connection and retries even a
    POST, which it never does on a direct connection. Closing after the first bytes of the status line gives the
    client what a lost answer gives on a direct connection: ``requests.ConnectionError('Connection aborted.')``,
    and no retry of the POST.
    """


class Reply:
    """What a route answers: a status, a body (bytes, str, or JSON-able), extra headers."""

    def __init__(self, status: int = 200, body: Any = None, *, content_type: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.status = status
        if body is None:
            self.data = b""
            self.content_type = content_type
        elif isinstance(body, bytes):
            self.data, self.content_type = body, content_type or "application/octet-stream"
        elif isinstance(body, str):
            self.data, self.content_type = body.encode(), content_type or "text/plain; charset=utf-8"
        else:
            self.data, self.content_type = json.dumps(body).encode(), content_type or "application/json"
        self.headers = headers or {}


class Request:
    """One parsed request: host (from an absolute proxy URL or the Host header), path, query, headers, body."""

    def __init__(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        parts = urlsplit(handler.path)
        self.method = handler.command
        self.host = (parts.hostname or (handler.headers.get("Host") or "").split(":")[0]).lower()
        self.path = parts.path or "/"
        self.query = parse_qs(parts.query, keep_blank_values=True)
        self.headers = handler.headers
        self.body = body
        self.proxied = bool(parts.scheme)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        return list(self.query.get(name, []))

    def json(self) -> Any:
        return json.loads(self.body or b"null")


class LoopbackHandler(BaseHTTPRequestHandler):
    """Reads the request, calls ``server.route(request)``, writes the :class:`Reply`, logs the exchange."""

    protocol_version = "HTTP/1.1"
    server: LoopbackServer

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(self, body)
        entry = {"at": time.time(), "method": request.method, "host": request.host, "path": request.path,
                 "query": {k: v for k, v in request.query.items()}, "proxied": request.proxied}
        try:
            reply = self.server.route(request)
        except DropConnection:
            entry["status"] = "dropped"
            self.server.log_request_entry(entry)
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.wfile.write(b"HTTP/1.1 2")
                self.wfile.flush()
                self.connection.shutdown(2)
            return
        entry["status"] = reply.status
        self.server.log_request_entry(entry)
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply.data)))
        self.end_headers()
        if reply.data:
            self.wfile.write(reply.data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (the stdlib's parameter name)
        pass  # every exchange is in the state directory's requests.jsonl instead


class LoopbackServer(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 (a free port) whose subclasses implement :meth:`route`."""

    daemon_threads = True
    REQUEST_LOG = "requests.jsonl"

    def __init__(self, state: StateDir, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), LoopbackHandler)
        self.state = state
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, request: Request) -> Reply:  # pragma: no cover - subclasses answer
        return Reply(404, {"error": "no route"})

    def log_request_entry(self, entry: dict) -> None:
        self.state.append_line(self.REQUEST_LOG, entry)

    def start(self) -> LoopbackServer:
        """Serve in a daemon thread of this process."""
        self._thread = threading.Thread(target=self.serve_forever, name="loopback-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def serve_forever_main(server: LoopbackServer, parent_pid: int | None = None) -> None:
    """Print the URL (one line, flushed) and serve until killed, or until ``parent_pid`` is gone: the
    ``__main__`` of a service module."""
    if parent_pid:
        def watch() -> None:
            while True:
                time.sleep(1.0)
                try:
                    os.kill(parent_pid, 0)
                except ProcessLookupError:
                    server.shutdown()
                    return

        threading.Thread(target=watch, name="loopback-parent-watch", daemon=True).start()
    print(server.url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


class ServiceProcess:
    """A loopback service running as its own process (``python -m tests.loopback.<module> --state DIR``); it ends
    with this process (``--parent-pid``) even when :meth:`stop` is never called."""

    def __init__(self, module: str, state_dir: Path, *extra: str, timeout: float = 60.0) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
            env.pop(name, None)
        self.stderr_path = Path(state_dir) / f"{module.rsplit('.', 1)[-1]}.stderr"
        with open(self.stderr_path, "ab") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", module, "--state", str(state_dir), "--parent-pid", str(os.getpid()), *extra],
                cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True,
            )
        self.url = self._read_url(timeout)

    def _read_url(self, timeout: float) -> str:
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        line = result[0].strip() if result else ""
        if not line.startswith("http://"):
            self.stop()
            stderr = self.stderr_path.read_text(encoding="utf-8", errors="replace")
            raise RuntimeError(f"the loopback service did not start (printed {line!r}); stderr:\n{stderr}")
        return line

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()

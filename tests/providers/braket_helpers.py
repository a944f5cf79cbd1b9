"""Helpers of the provider tests: the loopback Braket service process, its AWS environment, waiting for conditions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class LoopbackBraket:
    """A running ``python -m tests.loopback.braket_service`` and helpers to script it and read its state."""

    def __init__(self, state: Path):
        self.state = state
        self.process = subprocess.Popen([sys.executable, "-m", "tests.loopback.braket_service", "--state", str(state)],
                                        cwd=REPO, stdout=subprocess.PIPE, text=True)
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.process.kill()
            raise RuntimeError(f"the loopback Braket service did not start (printed {self.url!r})")

    def _call(self, path: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method="GET" if body is None else "POST")
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())

    def script(self, token: str = "*", **behaviour) -> None:
        """Behaviour of tasks created with this client token (``*``: every task)."""
        self._call("/_loopback/script", {"token": token, **behaviour})

    def release(self, token: str | None = None) -> None:
        """Let the held tasks (of this client token, or all) go on (see ``hold`` in the service's behaviours)."""
        self._call("/_loopback/release", {} if token is None else {"token": token})

    def tasks(self) -> list[dict]:
        return self._call("/_loopback/tasks")["tasks"]

    def requests(self) -> list[dict]:
        return self._call("/_loopback/requests")["requests"]

    def reject(self, access_key: str) -> None:
        self._call("/_loopback/reject", {"access_key": access_key})

    def device_status(self, arn: str, status: str) -> None:
        self._call("/_loopback/device-status", {"arn": arn, "status": status})

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def aws_environment(url: str, access_key: str | None = None) -> dict[str, str]:
    """Environment for the real SDK: the loopback's URL for Braket, S3 and STS, fake keys, a region, no IMDS."""
    return {
        "AWS_ENDPOINT_URL_BRAKET": url, "AWS_ENDPOINT_URL_S3": url, "AWS_ENDPOINT_URL_STS": url,
        "AWS_ACCESS_KEY_ID": access_key or "AKIDLOOPBACK" + uuid.uuid4().hex[:8].upper(),
        "AWS_SECRET_ACCESS_KEY": "loopback-secret-" + uuid.uuid4().hex,
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_MAX_ATTEMPTS": "3",
    }


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.05):
    """Poll ``predicate`` until it returns something truthy (returned), or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)

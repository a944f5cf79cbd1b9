"""Every operation of the OpenAPI description, fuzzed with schemathesis against a real ``jupyter server``.

Valid and invalid requests (schemathesis' positive and negative modes, a bounded number of each, derandomized so a
run is reproducible) for every route and method, with real job and group ids as well as generated ones. Checks:
no 5xx, the answer conforms to the response schema of its status and is JSON, and a rejected request (4xx) leaves
the run log byte for byte as it was.
"""

from __future__ import annotations

import collections
import os
import socket
import uuid
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from qhybrid_lab.runlog import RunLog

from server_helpers import described_operations, make_record
from live_server import live_server

EXAMPLES = 50
"""Examples per operation, mode and path-parameter choice (about 1300 requests in all)."""

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def seed(home: Path) -> dict[str, str]:
    """A run log with finished jobs, a group with one job still running (owned by this live process), a budget."""
    log = RunLog(home)
    me = {"owner": f"{os.getpid()}@{socket.gethostname()}", "pid": os.getpid(), "host": socket.gethostname()}
    group = uuid.uuid4().hex
    running = make_record(status="running", group=group, origin=me, tags=["fuzz"], experiment="e1")
    done = [make_record(created=running["created"] + i, group=group, origin=me) for i in range(1, 3)]
    finished = make_record(status="failed", error="boom", backend={"name": "fake_torino", "kind": "emulator"})
    log.insert_many([running, *done, finished])
    log.set_budget(limit=5.0, period="day")
    log.open_experiment("e1", owner=me["owner"])  # running, owned by this live process
    log.add_iteration("e1", {"parameters": [0.5], "value": 0.25, "stderr": 0.01, "jobs": 1,
                             "job_ids": [running["id"]], "latency": {"run": 0.1, "wall": 0.2}})
    log.open_experiment("e0", owner=me["owner"])
    log.update_experiment("e0", {"status": "finished"})
    log.close()
    return {"running": running["id"], "finished": finished["id"], "group": group, "experiment": "e1",
            "finished_experiment": "e0"}


@pytest.mark.slow
@pytest.mark.timeout(900)  # about 1300 requests: minutes on a loaded 2-core machine
def test_every_operation_fuzzed_without_server_errors(tmp_path, capsys):
    # Given a real Jupyter server on a run log with jobs, groups and a budget
    home = tmp_path / "home"
    ids = seed(home)
    runlog_file = home / "runlog.jsonl"
    with live_server(home, tmp_path / "server") as server:
        code, document = server.request("GET", "openapi.json")
        assert code == 200
        config = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})
        schema = schemathesis.openapi.from_dict(document, config=config)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert {op.label for op in operations} == {f"{m} {p}" for m, p in described_operations()}
        statuses: collections.Counter[int] = collections.Counter()
        failures: list[str] = []

        def exercise(operation, mode: GenerationMode, path_parameters: dict | None) -> None:
            @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
            @settings(max_examples=EXAMPLES, database=None, deadline=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            def one(case) -> None:
                before = runlog_file.read_bytes()
                response = case.call(base_url=server.url, headers=server.headers, timeout=60)
                statuses[response.status_code] += 1
                where = f"{operation.label} ({mode.value}) {response.status_code}"
                if response.status_code >= 400 and runlog_file.read_bytes() != before:
                    failures.append(f"{where}: a rejected request changed the run log: {case.as_curl_command()}")
                try:
                    case.validate_response(response, checks=CHECKS)
                except (AssertionError, FailureGroup) as error:  # a check failed: keep going, report them all
                    failures.append(f"{where}: {str(error)[:600]}")

            one()

        # When every operation is called with valid and invalid arguments, for real ids and made-up ones
        for operation in operations:
            path_choices: list[dict | None] = [None]
            if "{job_id}" in operation.path:
                path_choices += [{"job_id": ids["running"]}, {"job_id": ids["finished"]}]
            if "{group}" in operation.path:
                path_choices += [{"group": ids["group"]}]
            if "{name}" in operation.path:
                path_choices += [{"name": ids["experiment"]}, {"name": ids["finished_experiment"]}]
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                for path_parameters in path_choices if mode is GenerationMode.POSITIVE else [None]:
                    try:  # (negative: the path parameter is one of the things made bad)
                        exercise(operation, mode, path_parameters)
                    except Unsatisfiable:  # it takes nothing to make invalid but the query string
                        code, data = server.request(operation.method.upper(), operation.path.lstrip("/") + "?x=1")
                        statuses[code] += 1
                        if code != 400 or "does not take" not in data["message"]:
                            failures.append(f"{operation.label}: an unknown parameter gave {code} {str(data)[:300]}")
        server_log = server.server_log()

    # Then no answer was a server error or broke its schema, and rejected requests changed nothing
    with capsys.disabled():
        print(f"\nschemathesis: {sum(statuses.values())} requests, statuses "
              + ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items())))
    assert not failures, "\n".join(failures[:20])
    assert "Traceback" not in server_log
    assert statuses[200] > 0 and statuses[400] > 0 and statuses[404] > 0 and statuses[409] > 0

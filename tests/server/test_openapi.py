"""The OpenAPI description: served (with authentication), complete, and true of real answers."""

from __future__ import annotations

import os
import socket

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from server_helpers import described_operations


def validator(document: dict, name: str) -> Draft202012Validator:
    """A validator for ``#/components/schemas/<name>`` of ``document`` (its ``$ref``s resolved in it)."""
    registry = Registry().with_resource("urn:qhybrid-openapi", Resource(document, DRAFT202012))
    return Draft202012Validator({"$ref": f"urn:qhybrid-openapi#/components/schemas/{name}"}, registry=registry)


def assert_valid(document: dict, name: str, value: object) -> None:
    errors = sorted(validator(document, name).iter_errors(value), key=lambda e: list(e.absolute_path))
    assert not errors, f"{name}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


async def test_the_document_is_served_only_with_the_token(api):
    code, document = await api("GET", "openapi.json")
    assert code == 200 and document["openapi"].startswith("3.1")
    code, data = await api("GET", "openapi.json", headers={"Authorization": ""})
    assert code == 403 and data["error"] == "Forbidden"


async def test_every_route_and_method_is_described(api):
    _, document = await api("GET", "openapi.json")
    described = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert described == described_operations()
    Draft202012Validator.check_schema(document["components"]["schemas"]["Record"])
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert {"200", "400", "403", "default"} <= set(operation["responses"]), (method, path)


async def test_real_answers_validate_against_the_schemas(api, runlog, record):
    # Given a job the engine really ran, a failed and a running one, a blocked one, a budget
    from qiskit import QuantumCircuit

    import qhybrid_lab
    from qhybrid_lab.jobs import JobManager

    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    bell.measure_all()
    try:
        group = qhybrid_lab.run(bell, "aer", shots=100, name="bell", tags=["real"], experiment="e")
        group.wait(timeout=120)
    finally:
        JobManager.shutdown()
    me = {"owner": f"{os.getpid()}@{socket.gethostname()}", "pid": os.getpid(), "host": socket.gethostname()}
    running = runlog.insert(record(status="running", origin=me))
    runlog.insert(record(status="failed", error="boom", errors=[{"at": 1.0, "attempt": 1, "type": "X", "message": "m"}]))
    runlog.insert(record(status="blocked", blocked_reason="over budget", result=None))
    runlog.insert(record())
    runlog.insert(record(backend={"name": "fake_torino", "kind": "emulator"},
                         result={"counts": {"00": 480, "11": 470, "01": 50}, "shots": 1000}))
    runlog.open_experiment("loop", owner=me["owner"], settings={"method": "COBYLA"})
    runlog.add_iteration("loop", {"parameters": [0.1], "value": -0.5, "stderr": 0.02, "jobs": 1,
                                  "job_ids": [group.jobs[0].id], "shots": 100, "cost": 0.0,
                                  "latency": {"classical": 0.01, "run": 0.02, "wall": 0.05}})
    runlog.add_iteration("loop", {"parameters": [0.2], "value": None, "stderr": None})
    _, document = await api("GET", "openapi.json")
    real = group.jobs[0].id
    # When every route answers; Then each answer is what the document says
    calls = [
        ("GET", ("",), None, None, "Info"), ("GET", ("openapi.json",), None, None, "OpenAPI"),
        ("GET", ("jobs",), None, None, "Jobs"), ("GET", ("jobs",), {"brief": 1, "q": "bell"}, None, "Jobs"),
        ("GET", ("jobs", real), None, None, "Record"), ("GET", ("table",), None, None, "Table"),
        ("GET", ("table",), {"status": "done", "limit": 1}, None, "Table"),
        ("PUT", ("budgets",), None, {"limit": 3, "period": "day", "backend": "aer"}, "Budgets"),
        ("PUT", ("budgets",), None, {"rehearse": True}, "Budgets"), ("GET", ("budgets",), None, None, "Budgets"),
        ("DELETE", ("budgets",), {"period": "day", "backend": "aer"}, None, "Budgets"),
        ("GET", ("compare",), None, None, "Compare"), ("GET", ("backends",), None, None, "Backends"),
        ("POST", ("jobs", running, "cancel"), None, None, "Cancelled"),
        ("POST", ("groups", runlog.get(running)["group"], "cancel"), None, None, "GroupCancelled"),
        ("GET", ("metrics",), None, None, "Metrics"), ("GET", ("metrics",), {"window": "hour"}, None, "Metrics"),
        ("GET", ("metrics",), {"window": "day", "backend": "nothing-here"}, None, "Metrics"),
        ("GET", ("experiments",), None, None, "Experiments"),
        ("GET", ("experiments", "loop"), None, None, "ExperimentView"),
        ("GET", ("experiments", "loop"), {"since": 1}, None, "ExperimentView"),
        ("POST", ("experiments", "loop", "stop"), None, None, "ExperimentStopped"),
        ("GET", ("experiments", "nope"), None, None, "Error"), ("GET", ("metrics",), {"window": "x"}, None, "Error"),
        ("GET", ("jobs", "ffffffffffff"), None, None, "Error"), ("POST", ("jobs", real, "cancel"), None, None, "Error"),
        ("PUT", ("budgets",), None, {"limit": 1e400}, "Error"),
    ]
    for method, path, params, body, schema in calls:
        code, data = await api(method, *path, params=params, body=body)
        assert (code == 200) == (schema != "Error"), (method, path, code, data)
        assert_valid(document, schema, data)
    _, full = await api("GET", "jobs", real)
    assert full["circuit"]["qasm"].startswith("OPENQASM") and full["tags"] == ["real"]
    _, compare = await api("GET", "compare")
    assert compare["groups"], "the done runs of one circuit on aer and fake_torino make a comparison group"


@pytest.mark.parametrize("schema", ["Record", "Table", "Budgets", "Error", "Metrics", "ExperimentView"])
def test_the_schemas_reject_what_they_should(schema):
    # a schema that accepted anything would make the checks above vacuous
    from qhybrid_lab.server.openapi import openapi_document

    document = openapi_document(version="0")
    bad = {"Record": {"id": 1, "status": "finished", "created": "yesterday"}, "Table": {"page": []},
           "Budgets": {"budgets": [{"limit": "5"}], "rehearse": "no", "blocked": []}, "Error": {"message": 3},
           "Metrics": {"window": "week", "since": None, "now": 1.0, "overall": {}, "backends": [], "series": {}},
           "ExperimentView": {"experiment": {"name": "x"}, "iterations": [{"n": -1}]}}[schema]
    assert list(validator(document, schema).iter_errors(bad))

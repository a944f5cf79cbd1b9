"""Bad input to the REST API: a clear 4xx naming the problem, never a 500, and the run log untouched."""

from __future__ import annotations

import json

import pytest

from qhybrid_lab.errors import InvalidJobSpec, RunLogCorrupt, RunLogError, UnknownBackend
from qhybrid_lab.server.errors import BadRequest, PayloadTooLarge, status_for


@pytest.fixture
def unchanged(runlog, record):
    """``async with``-free check: ``snapshot()`` before, ``assert_same()`` after (the log file byte for byte)."""
    runlog.insert(record(status="running"))
    runlog.set_budget(limit=1.0, period="day")

    class Snapshot:
        def __init__(self) -> None:
            self.before = runlog.file.read_bytes()

        def assert_same(self) -> None:
            assert runlog.file.read_bytes() == self.before

    return Snapshot


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ('{"limit": ' + "9" * 400 + "}", 400, "at most 18 digits"),
        ('{"limit": 1e400}', 400, "must be finite"),
        ('{"limit": NaN}', 400, "NaN is not a number JSON allows"),
        ('{"limit": Infinity}', 400, "Infinity is not a number"),
        ('{"limit": 1, "limit": 2}', 400, "gives the key 'limit' twice"),
        ("[" * 30_000 + "]" * 30_000, 400, "more than 8 deep"),
        ('{"limit": 1, "backend": ' + "[" * 9 + "]" * 9 + "}", 400, "more than 8 deep"),
        ("[" * 100_000 + "]" * 100_000, 413, "at most 65536"),
        (json.dumps({"limit": 1, "currency": "X" * 10_000_000}), 413, "at most 65536"),
        ({"limit": 1, "currency": "usd"}, 400, "currency must be a 3-letter code"),
        ({"limit": 1, "currency": 5}, 400, "currency must be"),
        ({"limit": 1, "backend": "fake_torin"}, 400, "did you mean 'fake_torino'?"),
        ({"limit": 1, "backend": ""}, 400, "backend must be a backend name or null"),
        ({"limit": 1e13}, 400, "limit must be a number from 0 to 1e+12"),
        ({"limit": True}, 400, "limit must be a number"),
        ({"limit": 1, "period": ["day"]}, 400, "period must be one of day, total, job"),
        ({"period": "day"}, 400, "give its limit too"),
        ({}, 400, "give a budget"),
        ({"rehearse": "yes"}, 400, "rehearse must be true or false"),
        (b"\xff\xfe{}", 400, "not UTF-8"),
        ("", 400, "must be a JSON object"),
    ],
)
async def test_bad_budget_bodies_are_refused_clearly(api, unchanged, body, status, needle):
    snapshot = unchanged()
    code, data = await api("PUT", "budgets", body=body)
    assert code == status and needle in data["message"], data
    assert data["error"] in ("BadRequest", "PayloadTooLarge", "UnknownBackend")
    snapshot.assert_same()


@pytest.mark.parametrize(
    ("path", "params", "needle"),
    [
        (("jobs",), {"offset": 10**30}, "offset must be an integer between 0 and 1000000000"),
        (("jobs",), {"offset": 10**9 + 1}, "offset must be between 0 and 1000000000"),
        (("jobs",), {"limit": 501}, "limit must be between 1 and 500"),
        (("jobs",), {"limit": "1_0"}, "limit must be an integer"),
        (("jobs",), [("limit", "5"), ("limit", "6")], "limit was given 2 times"),
        (("jobs",), {"stauts": "running"}, "does not take the query parameter(s) 'stauts'"),
        (("jobs",), {"brief": "maybe"}, "brief must be 1 or 0"),
        (("jobs",), {"kind": "quantum"}, "unknown kind 'quantum'"),
        (("jobs",), {"notebook": "n" * 300}, "notebook is at most 256 characters"),
        (("jobs",), {"status": ",".join(["done"] * 65)}, "status takes at most 64 values"),
        (("table",), {"finished_after": "nan"}, "finished_after must be a time"),
        (("table",), {"finished_after": "1e400"}, "finished_after must be a time"),
        (("table",), {"circuit_hash": "x"}, "does not take"),
        (("jobs", "a" * 200), None, "a job id is at most 128 characters"),
        (("budgets",), {"limit": 1}, "GET budgets does not take"),
        (("backends",), {"x": 1}, "GET backends does not take"),
        (("compare",), {"limit": 0}, "limit must be between 1 and 500"),
    ],
)
async def test_bad_query_arguments_are_refused_clearly(api, unchanged, path, params, needle):
    snapshot = unchanged()
    code, data = await api("GET", *path, params=params)
    assert code == 400 and data["error"] == "BadRequest" and needle in data["message"], data
    snapshot.assert_same()


async def test_repeated_filters_add_up_and_auth_parameters_are_allowed(api, runlog, record):
    runlog.insert(record(status="done"))
    runlog.insert(record(status="failed"))
    runlog.insert(record(status="running"))
    code, data = await api("GET", "jobs", params=[("status", "done"), ("status", "failed"), ("_xsrf", "x")])
    assert code == 200 and sorted(j["status"] for j in data["jobs"]) == ["done", "failed"]
    _, data = await api("GET", "jobs", params={"status": "done,running", "brief": "true"})
    assert data["total"] == 2


async def test_writes_with_bad_bodies_or_deletes_with_bad_arguments_change_nothing(api, runlog, record, unchanged):
    snapshot = unchanged()
    job_id = runlog.query(status="running")[0]["id"]
    for method, path, params, body, status in [
        ("POST", ("jobs", job_id, "cancel"), None, [1], 400),
        ("POST", ("jobs", job_id, "cancel"), None, "x" * 70_000, 413),
        ("POST", ("groups", runlog.get(job_id)["group"], "cancel"), None, {"all": True}, 400),
        ("DELETE", ("budgets",), {"period": "week"}, None, 400),
        ("DELETE", ("budgets",), None, None, 400),
        ("DELETE", ("budgets",), [("period", "day"), ("period", "total")], None, 400),
        ("DELETE", ("budgets",), {"period": "total"}, None, 404),
        ("POST", ("groups", "ffffffff", "cancel"), None, None, 404),
        ("PATCH", ("budgets",), None, {"limit": 1}, 405),
    ]:
        code, data = await api(method, *path, params=params, body=body)
        assert code == status, (method, path, code, data)
        assert isinstance(data["error"], str) and data["message"], data
    snapshot.assert_same()
    # and the same requests done right do write
    code, _ = await api("POST", "jobs", job_id, "cancel", body={})
    assert code == 200 and runlog.pending_requests(runlog.get(job_id)["origin"]["owner"])


async def test_rehearse_is_set_through_put_budgets(api, runlog):
    code, data = await api("PUT", "budgets", body={"rehearse": True})
    assert code == 200 and data["rehearse"] is True and runlog.get_setting("rehearse") is True
    code, data = await api("PUT", "budgets", body={"limit": 2, "period": "job", "backend": " AER ", "rehearse": False})
    assert code == 200 and data["rehearse"] is False
    assert [(b["period"], b["backend"], b["currency"]) for b in data["budgets"]] == [("job", "aer", "USD")]
    code, _ = await api("PUT", "budgets", body={"limit": 1, "backend": "pennylane:default.qubit", "currency": "EUR"})
    assert code == 200 and {b["backend"] for b in runlog.budgets()} == {"aer", "pennylane:default.qubit"}


async def test_a_damaged_run_log_is_503_naming_the_file_and_line(api, runlog, record):
    runlog.insert(record())
    with open(runlog.file, "ab") as fh:
        fh.write(b"{this is not json\n")
    code, data = await api("GET", "jobs")
    assert code == 503 and data["error"] == "RunLogCorrupt"
    assert str(runlog.file) in data["message"] and "line 3" in data["message"] and "mv " in data["message"]


def test_only_typed_errors_are_mapped():
    # a builtin ValueError/TypeError escaping the service is a bug: it stays a 500 with a traceback
    assert status_for(ValueError("x")) is None and status_for(TypeError("x")) is None
    assert status_for(BadRequest("x")) == 400 and status_for(PayloadTooLarge("x")) == 413
    assert status_for(InvalidJobSpec("x")) == 400 and status_for(UnknownBackend("x")) == 400
    assert status_for(RunLogCorrupt("x")) == 503 and status_for(RunLogError("x")) == 503


async def test_jupyterlabs_cache_buster_is_accepted_on_every_get(jp_fetch):
    # JupyterLab's ServerConnection appends "?<milliseconds>" (a bare number) to each GET it sends
    for path in ("", "jobs", "budgets", "backends", "table"):
        response = await jp_fetch("qhybrid-lab", "api", path, params={"1796207356568": ""})
        assert response.code == 200, path
    with pytest.raises(Exception, match="400"):  # a number with a value is not that: still refused
        await jp_fetch("qhybrid-lab", "api", "jobs", params={"1796207356568": "x"})

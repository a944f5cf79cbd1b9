"""The OpenAPI 3.1 description of the REST API, built from the same constants the checks use.

Served at ``GET /qhybrid-lab/api/openapi.json``; ``tests/server`` checks that every route of ``routes.py`` is
described, that real answers validate against these schemas, and fuzzes every operation with schemathesis.
"""

from __future__ import annotations

from typing import Any

from . import arguments as limits
from .operations import LATENCY_PARTS, MAX_ITERATION, MAX_NAME_CHARS, METRICS_WINDOWS
from .service import KINDS, MAX_BUDGET_LIMIT, MAX_ID_CHARS, PERIODS, STATUSES

OPENAPI_VERSION = "3.1.0"


def _nullable(kind: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"type": [*(kind if isinstance(kind, list) else [kind]), "null"], **extra}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def _object(properties: dict[str, Any], required: tuple[str, ...] = (), *, closed: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "required": list(required)}
    if closed:
        schema["additionalProperties"] = False
    return schema


NUMBER, INTEGER, STRING, BOOLEAN = ({"type": t} for t in ("number", "integer", "string", "boolean"))
COUNT = {"type": "integer", "minimum": 0}
STATUS = {"type": "string", "enum": list(STATUSES)}
ID = {"type": "string", "minLength": 1, "maxLength": MAX_ID_CHARS}
BY_STATUS = {"type": "object", "additionalProperties": COUNT}


def _record_schema() -> dict[str, Any]:
    """A run record (docs/architecture.md "The run record", ``qhybrid_lab/record.py``); later fields may be added."""
    maybe_number = _nullable("number")
    maybe_object = _nullable("object")
    return _object(
        {
            "schema": INTEGER,
            "id": STRING,
            "group": _nullable("string"),
            "idempotency_key": _nullable("string"),
            "created": NUMBER,
            "updated": NUMBER,
            "status": STATUS,
            "status_history": _array(
                _object({"status": STATUS, "at": NUMBER, "note": _nullable("string")}, ("status", "at"))
            ),
            "backend": _object(
                {
                    "name": STRING,
                    "provider": _nullable("string"),
                    "kind": _nullable("string"),
                    "version": _nullable("string"),
                    "num_qubits": _nullable("integer"),
                }
            ),
            "provider_job_id": _nullable("string"),
            "provider_job": maybe_object,
            "provider_status": maybe_object,
            "circuit": _object(
                {
                    "hash": _nullable("string"),
                    "name": _nullable("string"),
                    "num_qubits": _nullable("integer"),
                    "qasm": _nullable("string"),
                    "qasm_ref": _nullable("string"),
                    "measure_added": BOOLEAN,
                    "depth": _nullable("integer"),
                    "size": _nullable("integer"),
                    "two_qubit": _nullable("integer"),
                    "ops": {"type": "object", "additionalProperties": INTEGER},
                }
            ),
            "parameters": _nullable("object", properties={"names": _array(STRING), "values": _array(_array(NUMBER))}),
            "shots": _nullable("integer"),
            "seed": _nullable("integer"),
            "options": {"type": "object"},
            "transpile": maybe_object,
            "calibration": maybe_object,
            "simulation": maybe_object,
            "mitigation": maybe_object,
            "timeout": maybe_object,
            "fallback": maybe_object,
            "handler": maybe_object,
            "cost": _object(
                {
                    "currency": STRING,
                    "estimate": maybe_number,
                    "actual": maybe_number,
                    "hardware_equivalent": maybe_number,
                    "counted": maybe_number,
                    "rehearsal": BOOLEAN,
                    "price_model": maybe_object,
                    "hardware_price_model": maybe_object,
                    "qpu_seconds": maybe_number,
                }
            ),
            "timings": {"type": "object", "additionalProperties": maybe_number},
            "attempts": INTEGER,
            "errors": _array(_object({"at": NUMBER, "attempt": INTEGER, "type": STRING, "message": STRING})),
            "error": _nullable("string"),
            "blocked_reason": _nullable("string"),
            "experiment": _nullable("string"),
            "result": _nullable(
                "object", properties={"counts": {"type": ["object", "array"]}, "shots": _nullable("integer")}
            ),
            "origin": _object(
                {
                    "owner": _nullable("string"),
                    "pid": _nullable("integer"),
                    "host": _nullable("string"),
                    "user": _nullable("string"),
                    "kernel_id": _nullable("string"),
                    "notebook": _nullable("string"),
                    "notebook_at_submit": _nullable("string"),
                    "cell_id": _nullable("string"),
                }
            ),
            "tags": _array(STRING),
        },
        ("id", "status", "created"),
    )


_run = _object(
    {
        "id": STRING,
        "backend": _nullable("string"),
        "kind": _nullable("string"),
        "status": STRING,
        "shots": _nullable("integer"),
        "mitigation": STRING,
        "mitigated": BOOLEAN,
        "observables": _array(STRING),
    },
    ("id", "backend", "kind", "status"),
)
"""A run as a comparison shows it (``qhybrid_lab.comparison.run_summary``)."""


def _schemas(max_page: int) -> dict[str, Any]:
    request = _object(
        {
            "id": STRING,
            "job_id": STRING,
            "kind": {"const": "cancel"},
            "at": NUMBER,
            "by": STRING,
            "owner": _nullable("string"),
        },
        ("id", "job_id", "kind", "at"),
    )
    group_row = _object(
        {
            "group": STRING,
            "submitted": _nullable("number"),
            "updated": NUMBER,
            "total": COUNT,
            "by_status": BY_STATUS,
            "done": COUNT,
            "active": COUNT,
            "finished": COUNT,
            "backends": _array(STRING),
            "kinds": _array(STRING),
            "names": _array(STRING),
            "experiments": _array(STRING),
            "tags": _array(STRING),
            "notebooks": _array(STRING),
            "offset": _nullable("integer", minimum=0),
            "matching": _nullable("integer", minimum=0),
        },
        ("group", "submitted", "total", "by_status", "done", "active", "finished", "offset", "matching"),
    )
    budget = _object(
        {
            "limit": NUMBER,
            "period": {"enum": list(PERIODS)},
            "backend": _nullable("string"),
            "currency": STRING,
            "updated": NUMBER,
            "spent": NUMBER,
            "committed": NUMBER,
            "remaining": NUMBER,
            "rehearsal": BOOLEAN,
            "since": _nullable("number"),
        },
        ("limit", "period", "backend", "currency", "spent", "committed", "remaining"),
    )
    return {
        "Error": _object({"error": STRING, "message": STRING}, ("error", "message")),
        "Info": _object(
            {"name": {"const": "qhybrid-lab"}, "version": STRING, "poll_interval": NUMBER},
            ("name", "version", "poll_interval"),
        ),
        "Record": _record_schema(),
        "Jobs": _object(
            {
                "jobs": _array(_ref("Record")),
                "total": COUNT,
                "limit": {"type": "integer", "minimum": 1, "maximum": max_page},
                "offset": COUNT,
            },
            ("jobs", "total", "limit", "offset"),
            closed=True,
        ),
        "CancelRequest": request,
        "Cancelled": _object(
            {"requested": {"const": True}, "job_id": STRING, "request": _ref("CancelRequest")},
            ("requested", "job_id", "request"),
            closed=True,
        ),
        "GroupCancelled": _object(
            {
                "requested": {"type": "integer", "minimum": 1},
                "group": STRING,
                "job_ids": _array(STRING),
                "requests": _array(_ref("CancelRequest")),
                "finished": COUNT,
            },
            ("requested", "group", "job_ids", "requests", "finished"),
            closed=True,
        ),
        "GroupRow": group_row,
        "Table": _object(
            {
                "page": _array(_ref("Record")),
                "active": _array(_ref("Record")),
                "groups": _array(_ref("GroupRow")),
                "counts": _object(
                    {"total": COUNT, "active": COUNT, "by_status": BY_STATUS},
                    ("total", "active", "by_status"),
                    closed=True,
                ),
                "overall": _object({"total": COUNT, "active": COUNT}, ("total", "active"), closed=True),
                "total": COUNT,
                "limit": {"type": "integer", "minimum": 1, "maximum": max_page},
                "offset": COUNT,
                "next_offset": _nullable("integer", minimum=1),
            },
            ("page", "active", "groups", "counts", "overall", "total", "limit", "offset", "next_offset"),
            closed=True,
        ),
        "Budget": budget,
        "Budgets": _object(
            {"budgets": _array(_ref("Budget")), "rehearse": BOOLEAN, "blocked": _array(_ref("Record"))},
            ("budgets", "rehearse", "blocked"),
            closed=True,
        ),
        "BudgetChange": {
            **_object(
                {
                    "limit": {"type": "number", "minimum": 0, "maximum": MAX_BUDGET_LIMIT},
                    "period": {"enum": list(PERIODS), "default": "total"},
                    "backend": _nullable(
                        "string",
                        minLength=1,
                        maxLength=limits.MAX_VALUE_CHARS,
                        description="a name list_backends() lists, or one under a registered prefix "
                        "(pennylane:<device>); null: all backends",
                    ),
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "default": "USD"},
                    "rehearse": {"type": "boolean", "description": "sets the rehearse setting"},
                },
                closed=True,
            ),
            "anyOf": [{"required": ["limit"]}, {"required": ["rehearse"]}],
            "dependentRequired": {"period": ["limit"], "backend": ["limit"], "currency": ["limit"]},
        },
        "Compare": _object(
            {
                "groups": _array(
                    _object(
                        {
                            "circuit_hash": STRING,
                            "circuit_name": _nullable("string"),
                            "num_qubits": _nullable("integer"),
                            "newest": NUMBER,
                            "runs": _array({"type": "object"}),
                            "pairs": _array({"type": "object"}),
                        },
                        ("circuit_hash", "runs", "pairs"),
                    )
                )
            },
            ("groups",),
            closed=True,
        ),
        "ComparePair": _object(
            {
                "comparison": _object(
                    {
                        "circuit_hash": STRING,
                        "circuit_name": _nullable("string"),
                        "num_qubits": _nullable("integer"),
                        "a": _run,
                        "b": _run,
                        "hellinger_fidelity": _nullable("number"),
                        "hellinger_fidelity_interval": _nullable("array", items=NUMBER, minItems=2, maxItems=2),
                        "total_variation_distance": _nullable("number"),
                        "total_variation_distance_interval": _nullable("array", items=NUMBER, minItems=2, maxItems=2),
                        "within_shot_noise": _nullable("boolean"),
                        "shot_noise": _nullable("object"),
                        "points": _nullable("array", items={"type": "object"}),
                        "expectation_values": _array(
                            _object(
                                {
                                    "label": STRING,
                                    "a": NUMBER,
                                    "a_se": NUMBER,
                                    "b": NUMBER,
                                    "b_se": NUMBER,
                                    "delta": NUMBER,
                                    "combined_se": NUMBER,
                                    "z": _nullable("number"),
                                    "within_shot_noise": BOOLEAN,
                                },
                                ("label", "a", "b", "delta", "combined_se", "z", "within_shot_noise"),
                            )
                        ),
                        "mitigation": _object({"a": STRING, "b": STRING, "mixed": BOOLEAN}, ("a", "b", "mixed")),
                        "warnings": _array(STRING),
                        "notes": _array(STRING),
                    },
                    (
                        "circuit_hash",
                        "a",
                        "b",
                        "hellinger_fidelity",
                        "within_shot_noise",
                        "expectation_values",
                        "mitigation",
                        "warnings",
                        "notes",
                    ),
                )
            },
            ("comparison",),
            closed=True,
        ),
        "CompareCandidates": _object(
            {
                "job": _run,
                "total": COUNT,
                "candidates": _array(
                    {
                        **_run,
                        "properties": {
                            **_run["properties"],
                            "relation": {"enum": ["device", "simulator", "other", "same backend"]},
                            "relation_text": STRING,
                            "comparable": BOOLEAN,
                            "reason": _nullable("string"),
                        },
                        "required": [*_run["required"], "relation", "comparable", "reason"],
                    }
                ),
            },
            ("job", "candidates", "total"),
            closed=True,
        ),
        "Backends": _object(
            {
                "backends": _array(
                    _object(
                        {
                            "name": STRING,
                            "kind": _nullable("string"),
                            "provider": _nullable("string"),
                            "num_qubits": _nullable("integer"),
                            "description": _nullable("string"),
                        },
                        ("name", "kind", "provider", "num_qubits"),
                    )
                )
            },
            ("backends",),
            closed=True,
        ),
        "OpenAPI": {"type": "object", "required": ["openapi", "paths"]},
        **_operations_schemas(),
    }


def _operations_schemas() -> dict[str, Any]:
    """Schemas of ``GET metrics`` and the experiments routes (``server/operations.py``)."""
    rate = _nullable("number", minimum=0, maximum=1)
    seconds = _nullable("number", minimum=0)
    money = {"type": "object", "additionalProperties": NUMBER}
    phase = _object({"median": seconds, "p95": seconds, "count": COUNT}, ("median", "p95", "count"), closed=True)
    summary = {
        "submissions": COUNT,
        "by_status": BY_STATUS,
        "settled": COUNT,
        "done": COUNT,
        "errors": COUNT,
        "active": COUNT,
        "success_rate": rate,
        "error_rate": rate,
        "blocked_rate": rate,
        "fallbacks": COUNT,
        "fallbacks_received": COUNT,
        "fallback_rate": rate,
        "latency": _object(dict.fromkeys(("submit", "queue", "run"), phase), ("submit", "queue", "run"), closed=True),
        "spend": money,
        "currency": STRING,
        "hardware_equivalent": NUMBER,
        "cost_per_success": _nullable("number"),
    }
    required = tuple(summary)
    series = _object(
        {
            "start": NUMBER,
            "step": NUMBER,
            "submissions": _array(COUNT),
            "done": _array(COUNT),
            "errors": _array(COUNT),
            "fallbacks": _array(COUNT),
            "spend": _array(NUMBER),
        },
        ("start", "step", "submissions", "done", "errors", "fallbacks", "spend"),
        closed=True,
    )
    row = _object(
        {"backend": STRING, "kind": _nullable("string"), **summary, "series": series},
        ("backend", "kind", *required, "series"),
        closed=True,
    )
    experiment = _object(
        {
            "name": STRING,
            "status": {"enum": ["running", "finished", "stopped", "failed"]},
            "owner": _nullable("string"),
            "owner_alive": _nullable("boolean"),
            "created": NUMBER,
            "updated": NUMBER,
            "iterations": COUNT,
            "best": _nullable(
                "object", properties={"n": COUNT, "value": NUMBER, "stderr": _nullable("number"), "parameters": {}}
            ),
            "totals": {"type": "object", "additionalProperties": NUMBER},
            "settings": {"type": "object"},
            "message": _nullable("string"),
            "stop_requested": _nullable("object"),
            "seconds": _nullable("number"),
        },
        ("name", "status", "iterations", "owner_alive"),
    )
    iteration = _object(
        {
            "n": COUNT,
            "at": NUMBER,
            "experiment": STRING,
            "parameters": {},
            "value": _nullable("number"),
            "stderr": _nullable("number"),
            "jobs": COUNT,
            "job_ids": _array(STRING),
            "shots": COUNT,
            "cost": NUMBER,
            "hardware_equivalent": NUMBER,
            "backends": _array(STRING),
            "fallbacks": COUNT,
            "seconds": NUMBER,
            "latency": {"type": "object", "additionalProperties": NUMBER},
        },
        ("n", "at", "value"),
    )
    return {
        "MetricsSummary": _object(summary, required, closed=True),
        "Metrics": _object(
            {
                "window": {"enum": list(METRICS_WINDOWS)},
                "since": _nullable("number"),
                "now": NUMBER,
                "overall": _ref("MetricsSummary"),
                "backends": _array(row),
                "series": series,
            },
            ("window", "since", "now", "overall", "backends", "series"),
            closed=True,
        ),
        "Experiment": experiment,
        "Experiments": _object(
            {"experiments": _array(_ref("Experiment")), "total": COUNT}, ("experiments", "total"), closed=True
        ),
        "ExperimentView": _object(
            {
                "experiment": _ref("Experiment"),
                "iterations": _array(iteration),
                "since": COUNT,
                "latency": _object(
                    dict.fromkeys((*LATENCY_PARTS, "wall"), NUMBER), (*LATENCY_PARTS, "wall"), closed=True
                ),
                "fallbacks": COUNT,
                "jobs": _array(_ref("Record")),
                "jobs_total": COUNT,
            },
            ("experiment", "iterations", "since", "latency", "fallbacks", "jobs", "jobs_total"),
            closed=True,
        ),
        "ExperimentStopped": _object(
            {"requested": {"const": True}, "experiment": _ref("Experiment")}, ("requested", "experiment"), closed=True
        ),
    }


def _query(name: str, schema: dict[str, Any], description: str, *, required: bool = False) -> dict[str, Any]:
    out = {"name": name, "in": "query", "required": required, "schema": schema, "description": description}
    if schema.get("type") == "array":
        out.update(style="form", explode=True)
    return out


def _path(name: str, what: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"a {what} id or a unique prefix of it (at least 4 characters)",
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_ID_CHARS},
    }


ERRORS = {
    400: "a query argument or the body is wrong (the message says which and why); nothing was changed",
    403: "no valid Jupyter token (Authorization: token ...) or XSRF token",
    404: "no such job, group, budget or experiment",
    409: "the job, group or experiment is already finished: nothing to cancel or stop",
    413: f"the body is larger than {limits.MAX_BODY_BYTES} bytes",
    503: "the run log cannot be read or written (damaged, read-only or full home, lock held too long); the "
    "message names the file and says what to do",
}


def _operation(
    summary: str,
    ok: str,
    errors: tuple[int, ...],
    parameters: list[dict] = (),  # type: ignore[assignment]
    body: str | None = None,
) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {"application/json": {"schema": _ref(ok)}}}}
    for code in (400, 403, *errors):
        responses[str(code)] = {"description": ERRORS[code], "content": {"application/json": {"schema": _ref("Error")}}}
    responses["default"] = {
        "description": "any other error (405 for an unsupported method)",
        "content": {"application/json": {"schema": _ref("Error")}},
    }
    operation: dict[str, Any] = {"summary": summary, "parameters": list(parameters), "responses": responses}
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
    return operation


def _filters(max_page: int, *, table: bool) -> list[dict[str, Any]]:
    text = {"type": "string", "maxLength": limits.MAX_VALUE_CHARS}
    many = {"type": "array", "maxItems": limits.MAX_VALUES, "items": text}
    out = [
        _query(
            "status",
            {"type": "array", "maxItems": limits.MAX_VALUES, "items": STATUS},
            "job status(es); repeat or comma-separate" + ("; selects the page only" if table else ""),
        ),
        _query("backend", many, "backend name(s); repeat or comma-separate"),
        _query(
            "kind", {"type": "array", "maxItems": limits.MAX_VALUES, "items": {"enum": list(KINDS)}}, "backend kind(s)"
        ),
        _query("notebook", text, "the notebook path at submission"),
        _query("tag", text, "a tag the job has"),
        _query("experiment", text, "the job's experiment"),
        _query("q", text, "search: a circuit name or tag containing it (any case), or an id starting with it"),
    ]
    if table:
        out.append(
            _query(
                "finished_after",
                {"type": "number", "minimum": 0, "maximum": limits.MAX_EPOCH},
                "hide finished jobs whose last change is older (epoch seconds): clear finished from view",
            )
        )
    else:
        out += [
            _query("circuit_hash", text, "the circuit hash"),
            _query("group", text, "the group id"),
            _query("brief", BOOLEAN, "drop OpenQASM text and counts"),
        ]
    out += [
        _query("limit", {"type": "integer", "minimum": 1, "maximum": max_page, "default": 50}, "page size"),
        _query(
            "offset",
            {"type": "integer", "minimum": 0, "maximum": limits.MAX_OFFSET, "default": 0},
            "where the page starts",
        ),
    ]
    return out


def _operations_paths(max_page: int) -> dict[str, Any]:
    """Paths of ``GET metrics`` and the experiments routes."""
    name = {
        "name": "name",
        "in": "path",
        "required": True,
        "description": "the experiment's name",
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_NAME_CHARS},
    }
    text = {"type": "string", "maxLength": limits.MAX_VALUE_CHARS}
    metrics = [
        _query(
            "window",
            {"enum": list(METRICS_WINDOWS), "default": "all"},
            "jobs created in the last hour, day, or all of them",
        ),
        _query("backend", text, "one backend only"),
    ]
    listing = [
        _query("limit", {"type": "integer", "minimum": 1, "maximum": max_page, "default": 50}, "most experiments")
    ]
    view = [
        name,
        _query(
            "since",
            {"type": "integer", "minimum": 0, "maximum": MAX_ITERATION, "default": 0},
            "the first iteration to return (the latency and fallbacks still cover them all)",
        ),
        _query(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": max_page, "default": 100},
            "most of the experiment's jobs, newest first",
        ),
    ]
    return {
        "/metrics": {
            "get": _operation(
                "Operations metrics per backend in a window: submissions, rates, latency quantiles, cost, spend",
                "Metrics",
                (503,),
                metrics,
            )
        },
        "/experiments": {"get": _operation("Experiments, most recently changed first", "Experiments", (503,), listing)},
        "/experiments/{name}": {
            "get": _operation(
                "One experiment: its trace, latency breakdown and jobs", "ExperimentView", (404, 503), view
            )
        },
        "/experiments/{name}/stop": {
            "post": _operation(
                "Ask a running experiment's loop to stop after its current iteration (takes no body)",
                "ExperimentStopped",
                (404, 409, 413, 503),
                [name],
            )
        },
    }


def openapi_document(*, version: str, max_page: int = 500) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the API (paths relative to ``<base_url>qhybrid-lab/api``, where it is served)."""
    budgets_delete = [
        _query("period", {"enum": list(PERIODS)}, "the budget's period", required=True),
        _query(
            "backend",
            {"type": "string", "maxLength": limits.MAX_VALUE_CHARS},
            "the budget's backend (absent: the budget for all backends)",
        ),
    ]
    compare = [
        _query("circuit_hash", {"type": "string", "maxLength": limits.MAX_VALUE_CHARS}, "one circuit only"),
        _query("limit", {"type": "integer", "minimum": 1, "maximum": max_page, "default": 20}, "groups"),
    ]
    paths = {
        "/": {"get": _operation("The extension is there: name, version, polling hint", "Info", ())},
        "/openapi.json": {"get": _operation("This document", "OpenAPI", ())},
        "/jobs": {
            "get": _operation("Jobs newest first, filtered and paged", "Jobs", (503,), _filters(max_page, table=False))
        },
        "/jobs/{job_id}": {"get": _operation("One job's full record", "Record", (404, 503), [_path("job_id", "job")])},
        "/jobs/{job_id}/cancel": {
            "post": _operation(
                "Ask the owning kernel to cancel a job (takes no body)",
                "Cancelled",
                (404, 409, 413, 503),
                [_path("job_id", "job")],
            )
        },
        "/table": {
            "get": _operation(
                "The Queue's jobs table: a page in group order, every active job pinned, counts and group rows",
                "Table",
                (503,),
                _filters(max_page, table=True),
            )
        },
        "/groups/{group}/cancel": {
            "post": _operation(
                "Ask for every unfinished job of a group to be cancelled (takes no body)",
                "GroupCancelled",
                (404, 409, 413, 503),
                [_path("group", "group")],
            )
        },
        "/budgets": {
            "get": _operation(
                "Budgets with spent, committed and remaining; rehearsal; recent blocked jobs", "Budgets", (503,)
            ),
            "put": _operation(
                "Set a budget (one per period and backend) and/or the rehearse setting",
                "Budgets",
                (413, 503),
                body="BudgetChange",
            ),
            "delete": _operation("Remove a budget", "Budgets", (404, 503), budgets_delete),
        },
        "/compare": {
            "get": _operation("Runs of one circuit across backends, with metrics", "Compare", (503,), compare)
        },
        "/compare/pair": {
            "get": _operation(
                "Two runs the user picked: fidelity and TVD with 95% shot-noise intervals, within-shot-noise verdict, "
                "expectation values, sweeps point by point; 400 NotComparable says why two runs cannot be compared",
                "ComparePair",
                (404, 503),
                [
                    _query("a", ID, "the reference run's job id (or unique prefix)", required=True),
                    _query("b", ID, "the other run's job id (or unique prefix)", required=True),
                ],
            )
        },
        "/compare/candidates": {
            "get": _operation(
                "The runs one run can be compared with, its device's emulator (or hardware) first, then simulators",
                "CompareCandidates",
                (404, 503),
                [
                    _query("job", ID, "the run's job id (or unique prefix)", required=True),
                    _query(
                        "limit", {"type": "integer", "minimum": 1, "maximum": max_page, "default": 20}, "candidates"
                    ),
                ],
            )
        },
        "/backends": {"get": _operation("Every registered backend (nothing is loaded)", "Backends", ())},
        **_operations_paths(max_page),
    }
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "qhybrid-lab REST API",
            "version": version,
            "description": "The REST API of the qhybrid-lab Jupyter server extension (docs/architecture.md, "
            '"Server REST API"). Unknown query parameters are refused (400), except Jupyter\'s '
            "token and _xsrf.",
        },
        "servers": [
            {
                "url": ".",
                "description": "<the Jupyter server's base URL>qhybrid-lab/api/, where this document is served",
            }
        ],
        "security": [{"jupyterToken": []}],
        "paths": paths,
        "components": {
            "schemas": _schemas(max_page),
            "securitySchemes": {
                "jupyterToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "token <the Jupyter server's token>",
                }
            },
        },
    }

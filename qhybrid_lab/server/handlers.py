"""REST handlers: thin adapters from HTTP to :class:`~qhybrid_lab.server.service.RunLogService`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from concurrent.futures import Executor
from http.client import responses
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler

from .arguments import check_known, json_body
from .errors import json_errors
from .service import RunLogService


class BaseHandler(APIHandler):
    """Runs service calls on the extension's run-log thread (file locks never block the event loop)."""

    def initialize(
        self, service: RunLogService, executor: Executor, info: dict[str, Any], openapi: Callable[[], dict[str, Any]]
    ) -> None:
        self.service = service
        self.executor = executor
        self.info = info
        self.openapi = openapi

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run ``fn(*args, **kwargs)`` off the event loop and answer with its JSON result."""
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(self.executor, lambda: fn(*args, **kwargs))
        self.finish(json.dumps(result))

    async def notebook_paths(self) -> dict[str, str]:
        """Live kernels' notebook paths by kernel id, from the server's sessions (renames included)."""
        assert self.serverapp is not None  # set on every handler the server routes to
        sessions = await self.serverapp.session_manager.list_sessions()
        return {s["kernel"]["id"]: s["path"] for s in sessions if s.get("kernel") and s.get("path")}

    def query(self) -> dict[str, list[str]]:
        """The query arguments, decoded (tornado answers 400 for ones that are not UTF-8)."""
        return {name: self.get_query_arguments(name) for name in self.request.query_arguments}

    def body(self) -> Any:
        """The JSON body, within the limits of :func:`~qhybrid_lab.server.arguments.json_body`."""
        return json_body(self.request.body or b"")

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Errors tornado raises itself (403 without a token, 405, 400 for a bad query string) as our JSON."""
        error = kwargs.get("exc_info", (None, None, None))[1]
        message = responses.get(status_code, "Unknown HTTP Error")
        if isinstance(error, tornado.web.HTTPError):
            message = error.log_message or error.reason or message
        elif error is not None:
            message = "internal error; the Jupyter server log has the traceback"
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": responses.get(status_code, "HTTPError").replace(" ", ""), "message": message}))


class RootHandler(BaseHandler):
    """``GET /qhybrid-lab/api/``: the extension is there; its version and polling hint."""

    @tornado.web.authenticated
    @json_errors
    async def get(self) -> None:
        await self.call(self.service.root, self.query(), self.info)


class OpenAPIHandler(BaseHandler):
    """``GET openapi.json``: the OpenAPI description of this API."""

    @tornado.web.authenticated
    @json_errors
    async def get(self) -> None:
        check_known(self.query(), "GET openapi.json", ())
        self.finish(json.dumps(self.openapi()))


class JobsHandler(BaseHandler):
    """``GET jobs?status=&backend=&kind=&notebook=&tag=&experiment=&q=&limit=&offset=&brief=``."""

    @tornado.web.authenticated
    @json_errors
    async def get(self) -> None:
        await self.call(self.service.jobs, self.query(), await self.notebook_paths())


class TableHandler(BaseHandler):
    """``GET table?...``: the Queue's jobs table (page, pinned active jobs, counts, group rows)."""

    @tornado.web.authenticated
    @json_errors
    async def get(self) -> None:
        await self.call(self.service.table, self.query(), await self.notebook_paths())


class JobHandler(BaseHandler):
    """``GET jobs/<id>``: the full record."""

    @tornado.web.authenticated
    @json_errors
    async def get(self, job_id: str) -> None:
        await self.call(self.service.job, job_id, await self.notebook_paths(), self.query())


class CancelHandler(BaseHandler):
    """``POST jobs/<id>/cancel``: a cancel request for the owning kernel."""

    @tornado.web.authenticated
    @json_errors
    async def post(self, job_id: str) -> None:
        await self.call(self.service.cancel, job_id, args=self.query(), body=self.body())


class GroupCancelHandler(BaseHandler):
    """``POST groups/<id>/cancel``: cancel requests for every unfinished job of a group."""

    @tornado.web.authenticated
    @json_errors
    async def post(self, group: str) -> None:
        await self.call(self.service.cancel_group, group, args=self.query(), body=self.body())


class BudgetsHandler(BaseHandler):
    """``GET`` / ``PUT`` / ``DELETE budgets``: budgets with spent and committed."""

    @tornado.web.authenticated
    @json_errors
    async def get(self) -> None:
        await self.call(self.service.budgets, self.query())

    @tornado.web.authenticated
    @json_errors
    async def put(self) -> None:
        await self.call(self.service.set_budget, self.body(), self.query())

    @tornado.web.authenticated
    @json_errors
    async def delete(self) -> None:
        await self.call(self.service.delete_budget, self.query())


class CompareHandler(BaseHandler):
    """``GET compare?circuit_hash=&limit=``: runs of one circuit across backends."""

    @tornado.web.authenticated
    @json_errors
    async def get(self) -> None:
        await self.call(self.service.compare, self.query())


class ComparePairHandler(BaseHandler):
    """``GET compare/pair?a=&b=``: one pair of runs the user picked, with shot-noise intervals."""

    @tornado.web.authenticated
    @json_errors
    async def get(self) -> None:
        await self.call(self.service.compare_pair, self.query())


class CompareCandidatesHandler(BaseHandler):
    """``GET compare/candidates?job=&limit=``: what one run can be compared with."""

    @tornado.web.authenticated
    @json_errors
    async def get(self) -> None:
        await self.call(self.service.compare_candidates, self.query())


class BackendsHandler(BaseHandler):
    """``GET backends``: list_backends()."""

    @tornado.web.authenticated
    @json_errors
    async def get(self) -> None:
        await self.call(self.service.backends, self.query())


class MetricsHandler(BaseHandler):
    """``GET metrics?window=hour|day|all&backend=``: operations metrics per backend, as JSON (the sidebar)."""

    @tornado.web.authenticated
    @json_errors
    async def get(self) -> None:
        await self.call(self.service.metrics, self.query())


class PrometheusHandler(BaseHandler):
    """``GET /qhybrid-lab/metrics``: the operations metrics in the Prometheus text format (token required)."""

    @tornado.web.authenticated
    @json_errors
    async def get(self) -> None:
        from .prometheus import CONTENT_TYPE

        loop = asyncio.get_running_loop()
        args = self.query()
        text = await loop.run_in_executor(self.executor, lambda: self.service.prometheus(args))
        self.finish(text, set_content_type=CONTENT_TYPE)  # APIHandler.finish would say application/json


class ExperimentsHandler(BaseHandler):
    """``GET experiments?limit=``: experiments, most recently changed first."""

    @tornado.web.authenticated
    @json_errors
    async def get(self) -> None:
        await self.call(self.service.experiments, self.query())


class ExperimentHandler(BaseHandler):
    """``GET experiments/<name>?since=&limit=``: one experiment with its trace, latency breakdown and jobs."""

    @tornado.web.authenticated
    @json_errors
    async def get(self, name: str) -> None:
        await self.call(self.service.experiment, name, self.query())


class ExperimentStopHandler(BaseHandler):
    """``POST experiments/<name>/stop``: ask the running loop to stop after its current iteration."""

    @tornado.web.authenticated
    @json_errors
    async def post(self, name: str) -> None:
        await self.call(self.service.stop_experiment, name, args=self.query(), body=self.body())

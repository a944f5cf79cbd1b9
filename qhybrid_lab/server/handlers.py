"""REST handlers: thin adapters from HTTP to :class:`~qhybrid_lab.server.service.RunLogService`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler

from .errors import json_errors
from .service import RunLogService


class BaseHandler(APIHandler):
    """Runs service calls on the extension's run-log thread (file locks never block the event loop)."""

    def initialize(self, service: RunLogService, executor: Executor, info: dict[str, Any]) -> None:
        self.service = service
        self.executor = executor
        self.info = info

    async def call(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` off the event loop and answer with its JSON result."""
        result = await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)
        self.finish(json.dumps(result))

    async def notebook_paths(self) -> dict[str, str]:
        """Live kernels' notebook paths by kernel id, from the server's sessions (renames included)."""
        sessions = await self.serverapp.session_manager.list_sessions()
        return {s["kernel"]["id"]: s["path"] for s in sessions if s.get("kernel") and s.get("path")}

    def query(self) -> dict[str, list[str]]:
        """The query arguments, decoded."""
        return {name: self.get_query_arguments(name) for name in self.request.query_arguments}

    def body(self) -> Any:
        """The JSON body; a ValueError (400) names the problem when it is not JSON."""
        try:
            return json.loads(self.request.body or b"null")
        except json.JSONDecodeError as error:
            raise ValueError(f"the request body is not valid JSON: {error}") from None


class RootHandler(BaseHandler):
    """``GET /qhybrid-lab/api/``: the extension is there; its version and polling hint."""

    @tornado.web.authenticated
    @json_errors
    async def get(self) -> None:
        self.finish(json.dumps(self.info))


class JobsHandler(BaseHandler):
    """``GET jobs?status=&backend=&notebook=&tag=&limit=&offset=&brief=``."""

    @tornado.web.authenticated
    @json_errors
    async def get(self) -> None:
        await self.call(self.service.jobs, self.query(), await self.notebook_paths())


class JobHandler(BaseHandler):
    """``GET jobs/<id>``: the full record."""

    @tornado.web.authenticated
    @json_errors
    async def get(self, job_id: str) -> None:
        await self.call(self.service.job, job_id, await self.notebook_paths())


class CancelHandler(BaseHandler):
    """``POST jobs/<id>/cancel``: a cancel request for the owning kernel."""

    @tornado.web.authenticated
    @json_errors
    async def post(self, job_id: str) -> None:
        await self.call(self.service.cancel, job_id)


class BudgetsHandler(BaseHandler):
    """``GET`` / ``PUT`` / ``DELETE budgets``: budgets with spent and committed."""

    @tornado.web.authenticated
    @json_errors
    async def get(self) -> None:
        await self.call(self.service.budgets)

    @tornado.web.authenticated
    @json_errors
    async def put(self) -> None:
        await self.call(self.service.set_budget, self.body())

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


class BackendsHandler(BaseHandler):
    """``GET backends``: list_backends()."""

    @tornado.web.authenticated
    @json_errors
    async def get(self) -> None:
        await self.call(self.service.backends)

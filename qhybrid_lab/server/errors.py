"""Typed errors → HTTP responses, in one place: ``{"error": type, "message": text}``."""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any

from ..errors import (
    AmbiguousJobId,
    InvalidJobSpec,
    QHybridError,
    RunLogError,
    UnknownBackend,
    UnknownExperiment,
    UnknownJob,
)


class BadRequest(QHybridError, ValueError):
    """A query argument or the body of a request is wrong (type, size, value); nothing was changed."""


class PayloadTooLarge(BadRequest):
    """The request body is larger than the API accepts."""


class Conflict(QHybridError):
    """The request is valid but the resource is in a state that forbids it (e.g. cancelling a finished job)."""


class NotFound(QHybridError, LookupError):
    """The thing asked for (other than a job or a backend) does not exist."""


ERROR_STATUS: tuple[tuple[type[BaseException], int], ...] = (
    (AmbiguousJobId, 400),
    (UnknownJob, 404),
    (UnknownExperiment, 404),
    (UnknownBackend, 400),
    (NotFound, 404),
    (Conflict, 409),
    (PayloadTooLarge, 413),
    (BadRequest, 400),
    (InvalidJobSpec, 400),
    (RunLogError, 503),
)
"""The first matching class decides the status; order subclasses before their bases.

Only the project's typed errors are mapped: a builtin ``ValueError``/``TypeError`` escaping the service is a bug
and stays a 500 with a traceback in the server log. ``UnknownBackend`` is 400: a backend is only ever named in a
request's arguments or body. ``RunLogError`` (and ``RunLogCorrupt``) is 503: the run log cannot be read or written
(a damaged file, a read-only or full home, a lock held too long) is a condition of the server's storage, not of
the request; its message names the file and says what to do.
"""


def status_for(error: BaseException) -> int | None:
    """The HTTP status for a typed error, or None when it is not one we map (it then stays a 500 with a trace)."""
    for cls, status in ERROR_STATUS:
        if isinstance(error, cls):
            return status
    return None


def error_body(error: BaseException) -> str:
    """The JSON body sent for a mapped error."""
    return json.dumps({"error": type(error).__name__, "message": str(error)})


def json_errors(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Decorate a handler method so mapped errors become JSON responses with the right status.

    Errors that are not mapped propagate to tornado, which logs them with a traceback and answers 500.
    """

    @functools.wraps(method)
    async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await method(self, *args, **kwargs)
        except Exception as error:  # re-raised below unless it is one of ours
            status = status_for(error)
            if status is None:
                raise
            if status >= 500:
                self.log.error("qhybrid-lab: %s: %s", type(error).__name__, error)
            self.set_status(status)
            self.set_header("Content-Type", "application/json")
            self.finish(error_body(error))
            return None

    return wrapper

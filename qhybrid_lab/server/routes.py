"""The URL table of the qhybrid-lab REST API (under ``<base_url>qhybrid-lab/api/``)."""

from __future__ import annotations

from typing import Any

from jupyter_server.utils import url_path_join

from . import handlers

API_PREFIX = "qhybrid-lab/api"
"""Every route lives under this path, relative to the server's base URL."""

JOB_ID = r"(?P<job_id>[^/]+)"
GROUP_ID = r"(?P<group>[^/]+)"
EXPERIMENT = r"(?P<name>[^/]+)"
PROMETHEUS_PATH = "qhybrid-lab/metrics"
"""The Prometheus text exposition, beside the API (not under it: it is not JSON, and not in the OpenAPI document)."""

ROUTES: list[tuple[str, type]] = [
    (r"/?", handlers.RootHandler),
    (r"/openapi\.json", handlers.OpenAPIHandler),
    (r"/jobs/?", handlers.JobsHandler),
    (rf"/jobs/{JOB_ID}/?", handlers.JobHandler),
    (rf"/jobs/{JOB_ID}/cancel/?", handlers.CancelHandler),
    (r"/table/?", handlers.TableHandler),
    (rf"/groups/{GROUP_ID}/cancel/?", handlers.GroupCancelHandler),
    (r"/budgets/?", handlers.BudgetsHandler),
    (r"/compare/?", handlers.CompareHandler),
    (r"/compare/pair/?", handlers.ComparePairHandler),
    (r"/compare/candidates/?", handlers.CompareCandidatesHandler),
    (r"/backends/?", handlers.BackendsHandler),
    (r"/metrics/?", handlers.MetricsHandler),
    (r"/experiments/?", handlers.ExperimentsHandler),
    (rf"/experiments/{EXPERIMENT}/?", handlers.ExperimentHandler),
    (rf"/experiments/{EXPERIMENT}/stop/?", handlers.ExperimentStopHandler),
]
"""(path under the API prefix, handler class)."""


def url_specs(base_url: str, kwargs: dict[str, Any]) -> list[tuple[str, type, dict[str, Any]]]:
    """Tornado URL specs for :data:`ROUTES` and the Prometheus path, every handler initialised with ``kwargs``."""
    prefix = url_path_join(base_url, API_PREFIX)
    specs = [(prefix + path, handler, kwargs) for path, handler in ROUTES]
    return [*specs, (url_path_join(base_url, PROMETHEUS_PATH) + "/?", handlers.PrometheusHandler, kwargs)]

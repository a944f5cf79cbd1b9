"""The qhybrid-lab Jupyter server extension: the REST API the sidebar reads (``/qhybrid-lab/api/``)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .config import QHybridLabServer
from .openapi import openapi_document
from .routes import API_PREFIX, url_specs
from .service import RunLogService

__all__ = ["API_PREFIX", "QHybridLabServer", "RunLogService"]


def _adopt_released() -> list[str]:
    """Follow, in this server, the provider jobs whose kernels are gone (they outlive kernels, not the server)."""
    from ..jobs import JobManager

    return JobManager.instance().adopt_released()


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Register the REST handlers with the running Jupyter server."""
    from .. import __version__

    config = QHybridLabServer(parent=serverapp)
    service = RunLogService(
        stale_after=config.stale_after,
        reap_every=config.reap_every,
        max_page=config.max_page,
        adopt=_adopt_released if config.adopt_provider_jobs else None,
    )
    # One thread for every run-log call: file locks never block the event loop, and calls never race each other.
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qhybrid-runlog")
    info = {"name": "qhybrid-lab", "version": __version__, "poll_interval": config.poll_interval}
    document = openapi_document(version=__version__, max_page=config.max_page)
    web_app = serverapp.web_app
    specs = url_specs(
        web_app.settings["base_url"],
        {"service": service, "executor": executor, "info": info, "openapi": lambda: document},
    )
    web_app.add_handlers(".*$", specs)
    serverapp.log.info("qhybrid-lab: REST API at %s%s/", web_app.settings["base_url"], API_PREFIX)

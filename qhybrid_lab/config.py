"""Where qhybrid-lab keeps its files: ``$QHYBRID_HOME``, else ``<jupyter data dir>/qhybrid-lab``."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "QHYBRID_HOME"


def home_dir() -> Path:
    """The directory that holds the run log, its blobs and the price overrides (created if missing)."""
    env = os.environ.get(HOME_ENV)
    if env:
        path = Path(env).expanduser()
    else:
        from jupyter_core.paths import jupyter_data_dir

        path = Path(jupyter_data_dir()) / "qhybrid-lab"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        from .errors import RunLogError

        raise RunLogError(
            f"cannot create the qhybrid home {path}: {error}; set {HOME_ENV} to a writable directory"
        ) from error
    return path

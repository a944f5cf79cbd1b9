"""Jupyter server for the Galata UI tests: Galata's settings, root allowed, a throw-away QHYBRID_HOME."""

import os
import tempfile

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 (c is the config object Jupyter passes in)
c.ServerApp.allow_root = True  # noqa: F821 (CI containers run as root)

# The server and every kernel it starts share this run log; never the user's real one.
if not os.environ.get("QHYBRID_HOME"):
    os.environ["QHYBRID_HOME"] = tempfile.mkdtemp(prefix="qhybrid-ui-tests-")
print(f"qhybrid-lab UI tests: QHYBRID_HOME={os.environ['QHYBRID_HOME']}")

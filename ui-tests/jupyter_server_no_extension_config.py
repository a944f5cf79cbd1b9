"""A second Jupyter server for the UI tests (port 8889) with the qhybrid-lab server extension disabled."""

import os

exec(open(os.path.join(os.path.dirname(__file__), "jupyter_server_test_config.py")).read())  # noqa: S102

c.ServerApp.port = 8889  # noqa: F821
c.ServerApp.jpserver_extensions = {"qhybrid_lab": False}  # noqa: F821

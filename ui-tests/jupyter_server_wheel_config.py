"""JupyterLab from the installed wheel for the wheel smoke test (port 8891; scripts/test-wheel.sh starts it)."""

import os

WITH_LOOPBACK_BRAKET = False  # the installed wheel's venv has no amazon-braket-sdk (the provider spec is not run here)
exec(open(os.path.join(os.path.dirname(__file__), "jupyter_server_test_config.py")).read())  # noqa: S102

c.ServerApp.port = 8891  # noqa: F821

"""Jupyter server for the Galata UI tests: Galata's settings, root allowed, a throw-away QHYBRID_HOME, and a loopback
Amazon Braket service (tests/loopback/braket_service.py) that the server's and its kernels' unmodified Braket SDK talk
to, for the provider spec (ui-tests/tests/provider.spec.ts)."""

import atexit
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 (c is the config object Jupyter passes in)
c.ServerApp.allow_root = True  # noqa: F821 (CI containers run as root)

# The server and every kernel it starts share this run log; never the user's real one.
if not os.environ.get("QHYBRID_HOME"):
    os.environ["QHYBRID_HOME"] = tempfile.mkdtemp(prefix="qhybrid-ui-tests-")
print(f"qhybrid-lab UI tests: QHYBRID_HOME={os.environ['QHYBRID_HOME']}")

# The loopback Braket service, in its own process for the server's life; every kernel inherits its AWS environment
# (the same as tests/providers/braket_helpers.aws_environment: its URL for Braket, S3 and STS, throw-away keys).
# The wheel smoke test's server (jupyter_server_wheel_config.py, a venv without amazon-braket-sdk) goes without.
if globals().get("WITH_LOOPBACK_BRAKET", True):
    _REPO = Path(__file__).resolve().parents[1]
    _braket = subprocess.Popen(
        [sys.executable, "-m", "tests.loopback.braket_service", "--state", tempfile.mkdtemp(prefix="qhybrid-ui-braket-")],
        cwd=_REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    atexit.register(_braket.terminate)
    _url = _braket.stdout.readline().strip()
    if not _url.startswith("http://127.0.0.1:"):
        raise RuntimeError(f"the loopback Braket service did not start (printed {_url!r})")
    os.environ.update(
        {
            "AWS_ENDPOINT_URL_BRAKET": _url,
            "AWS_ENDPOINT_URL_S3": _url,
            "AWS_ENDPOINT_URL_STS": _url,
            "AWS_ACCESS_KEY_ID": "AKIDLOOPBACK" + uuid.uuid4().hex[:8].upper(),
            "AWS_SECRET_ACCESS_KEY": "loopback-secret-" + uuid.uuid4().hex,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
    )
    for _key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "BRAKET_ENDPOINT", "AMZN_BRAKET_OUT_S3_BUCKET"):
        os.environ.pop(_key, None)
    print(f"qhybrid-lab UI tests: a loopback Amazon Braket service at {_url}")

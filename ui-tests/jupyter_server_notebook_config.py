"""A Jupyter Notebook 7 server for the UI tests (port 8890), with a run log of its own beside the lab tests' one."""

import os

exec(open(os.path.join(os.path.dirname(__file__), "jupyter_server_test_config.py")).read())  # noqa: S102

c.ServerApp.port = 8890  # noqa: F821
c.JupyterNotebookApp.expose_app_in_browser = True  # noqa: F821 (window.jupyterapp, as Galata has in lab)

os.environ["QHYBRID_HOME"] = os.path.join(os.environ["QHYBRID_HOME"], "notebook7")
os.makedirs(os.environ["QHYBRID_HOME"], exist_ok=True)
print(f"qhybrid-lab Notebook 7 UI tests: QHYBRID_HOME={os.environ['QHYBRID_HOME']}")

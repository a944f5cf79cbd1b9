#!/usr/bin/env bash
# Set up a development environment from a fresh clone: a Python venv in .venv with qhybrid-lab installed
# editable (which also builds the JupyterLab extension with jlpm) and the test extras. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  echo "qhybrid-lab needs Python >= 3.10 (found $("$PYTHON" --version 2>&1)); set PYTHON=/path/to/python3.x" >&2
  exit 2
fi
if ! command -v node >/dev/null 2>&1; then
  echo "Building the JupyterLab extension needs Node.js >= 18 (apt-get install nodejs npm)" >&2
  exit 2
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# A second run finds the venv's copy of the extension replaced by a link to labextension/ (below); pip would write
# the new copy through that link into the source tree. Remove the link: pip installs a copy, which is linked again.
link=.venv/share/jupyter/labextensions/qhybrid-lab
if [ -L "$link" ]; then rm "$link"; fi
.venv/bin/python -m pip install --quiet -e ".[test]"
# pip copies the built extension into the venv; link it instead so later `jlpm build`s are seen.
PATH="$PWD/.venv/bin:$PATH" .venv/bin/jupyter labextension develop --overwrite . >/dev/null  # needs jupyter-builder on PATH
echo "setup: done ($(.venv/bin/python -c 'import qhybrid_lab; print("qhybrid-lab", qhybrid_lab.__version__)'))"

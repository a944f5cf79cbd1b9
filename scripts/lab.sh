#!/usr/bin/env bash
# Set up (scripts/setup.sh) and open JupyterLab with the qhybrid-lab sidebar on the quickstart notebook.
#   scripts/lab.sh             JupyterLab in your browser
#   scripts/lab.sh --headless  no screen: execute the quickstart notebook and print its summary
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "${1:-}" = "--headless" ]; then
  exec .venv/bin/python -m qhybrid_lab.quickstart
fi
root_flag=()
[ "$(id -u)" = 0 ] && root_flag=(--allow-root)
exec .venv/bin/jupyter lab "${root_flag[@]}" notebooks/01-quickstart.ipynb

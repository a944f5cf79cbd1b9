#!/usr/bin/env bash
# Galata (Playwright) UI tests of the qhybrid-lab sidebar, headless in Debian's Chromium.
# Installs what is missing (chromium via apt-get, the ui-tests node modules), runs the tests against a
# JupyterLab on port 8888 (8889: without the server extension) and Jupyter Notebook 7 on 8890, with a throw-away
# QHYBRID_HOME, and ends with one line: `ui-tests: N passed, N failed`.
# Works as root, from a fresh clone, with CI=true (lockfiles are committed and never changed).
#   scripts/run-ui-tests.sh [playwright args...]     e.g. scripts/run-ui-tests.sh -g "budget"
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
start=$(date +%s)
export CI=${CI:-true}
export PATH="$ROOT/.venv/bin:$PATH"

die() { echo "run-ui-tests: $*" >&2; echo "ui-tests: 0 passed, 1 failed"; exit 1; }

# 1. The Python side: the venv with qhybrid-lab and its extension (scripts/setup.sh builds it).
if [ ! -x .venv/bin/jupyter ] || ! .venv/bin/jupyter labextension list 2>&1 | grep -q "qhybrid-lab.*enabled"; then
  bash scripts/setup.sh || die "scripts/setup.sh failed"
fi
if [ ! -f labextension/package.json ]; then
  (jlpm install && jlpm build) || die "building the JupyterLab extension failed"
fi

# 2. The browser (Debian's chromium) and 3. the test runner (Galata and Playwright from ui-tests/yarn.lock).
. scripts/ui-prereqs.sh
ensure_chromium || die "no chromium"
ensure_ui_node_modules || die "no ui-tests node modules"

# 4. Galata's server uses port 8888 (the no-server-extension one 8889, Notebook 7 8890); a server already there
#    would be tested.
ensure_ports_free 8888 8889 8890 || die "a port is in use"
cd ui-tests

# 5. Run, with a run log of its own.
QHYBRID_HOME=$(mktemp -d -t qhybrid-ui-XXXXXX)
export QHYBRID_HOME
trap 'rm -rf "$QHYBRID_HOME"' EXIT
rm -rf test-results screenshots
mkdir -p screenshots
jlpm playwright test "$@"
rc=$?

# 6. One plain summary line from Playwright's JSON report.
read -r passed failed <<<"$(playwright_counts test-results/results.json)"
echo "run-ui-tests: $(( $(date +%s) - start )) s; screenshots in ui-tests/screenshots, report in ui-tests/playwright-report"
echo "ui-tests: $passed passed, $failed failed"
if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi

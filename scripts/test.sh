#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run every test: the TypeScript checks (jlpm lint:check: eslint + prettier;
# jlpm test: jest), the Python checks (ruff check, ruff format --check, mypy; configured in pyproject.toml), the Galata UI tests in
# Debian's Chromium (JupyterLab and Notebook 7), the release artifacts (scripts/test-wheel.sh: sdist and wheel
# built, the wheel installed into a fresh venv without node and smoke-tested there), then pytest (last, so its
# summary line ends the run).
#   scripts/test.sh            everything
#   scripts/test.sh --no-ui    without the Galata UI tests
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
export PATH="$PWD/.venv/bin:$PATH"  # jlpm

# The TypeScript checks. `jlpm install` brings node_modules up to yarn.lock (with CI=true it refuses to change
# the lockfile, so a yarn.lock that is out of date with package.json fails here).
ts_rc=0
ts_log=$(mktemp -t qhybrid-jlpm-install-XXXXXX.log)
if ! jlpm install >"$ts_log" 2>&1; then
  cat "$ts_log" >&2
  echo "test.sh: jlpm install failed (is yarn.lock committed and up to date with package.json?)" >&2
  ts_rc=1
else
  if ! jlpm lint:check; then
    echo "test.sh: jlpm lint:check FAILED (eslint or prettier); jlpm lint fixes what can be fixed" >&2
    ts_rc=1
  fi
  if ! jlpm test; then
    echo "test.sh: jlpm test FAILED (jest unit tests of src/)" >&2
    ts_rc=1
  fi
fi
rm -f "$ts_log"

# The Python checks (configured in pyproject.toml): ruff's lint rules and its formatter, then mypy (the core packages
# strictly).
py_lint_rc=0
if ! .venv/bin/ruff check qhybrid_lab; then
  echo "test.sh: ruff check FAILED; .venv/bin/ruff check --fix fixes what can be fixed" >&2
  py_lint_rc=1
fi
if ! .venv/bin/ruff format --check qhybrid_lab; then
  echo "test.sh: ruff format --check FAILED; .venv/bin/ruff format qhybrid_lab formats the code" >&2
  py_lint_rc=1
fi
if ! .venv/bin/mypy; then
  echo "test.sh: mypy FAILED (type errors in qhybrid_lab/)" >&2
  py_lint_rc=1
fi

ui_rc=0 wheel_rc=0
if [ "${1:-}" != "--no-ui" ]; then
  bash scripts/run-ui-tests.sh
  ui_rc=$?
  bash scripts/test-wheel.sh
  wheel_rc=$?
fi

.venv/bin/python -m pytest -q -p no:cacheprovider tests
py_rc=$?

if [ $ts_rc -ne 0 ] || [ $py_lint_rc -ne 0 ] || [ $ui_rc -ne 0 ] || [ $wheel_rc -ne 0 ] || [ $py_rc -ne 0 ]; then
  echo "test.sh: FAILED (TypeScript lint/unit tests exit $ts_rc, Python lint exit $py_lint_rc, ui-tests exit $ui_rc, wheel-tests exit $wheel_rc, pytest exit $py_rc)" >&2
  exit 1
fi

#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run every test: the Galata UI tests in Debian's Chromium (JupyterLab and Notebook 7),
# the release artifacts (scripts/test-wheel.sh: sdist and wheel built, the wheel installed into a fresh venv without
# node and smoke-tested there), then pytest.
#   scripts/test.sh            everything
#   scripts/test.sh --no-ui    pytest only
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

ui_rc=0 wheel_rc=0
if [ "${1:-}" != "--no-ui" ]; then
  bash scripts/run-ui-tests.sh
  ui_rc=$?
  bash scripts/test-wheel.sh
  wheel_rc=$?
fi

.venv/bin/python -m pytest -q -p no:cacheprovider tests
py_rc=$?

if [ $ui_rc -ne 0 ] || [ $wheel_rc -ne 0 ] || [ $py_rc -ne 0 ]; then
  echo "test.sh: FAILED (ui-tests exit $ui_rc, wheel-tests exit $wheel_rc, pytest exit $py_rc)" >&2
  exit 1
fi

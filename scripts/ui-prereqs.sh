# Shared by scripts/run-ui-tests.sh and scripts/test-wheel.sh (sourced, from the repository root): what a Playwright
# run needs, and its one-line summary. Each function prints why it failed and returns non-zero.

# Debian's chromium (never `playwright install`); exports QHYBRID_CHROMIUM for the Playwright configs.
ensure_chromium() {
  local chromium=${QHYBRID_CHROMIUM:-/usr/bin/chromium}
  if [ ! -x "$chromium" ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "$chromium is missing; as root: apt-get update && apt-get install -y chromium chromium-driver" >&2
      return 1
    fi
    echo "installing chromium (apt-get)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
      || { echo "apt-get install chromium failed" >&2; return 1; }
  fi
  export QHYBRID_CHROMIUM=$chromium
}

# Galata and Playwright from ui-tests/yarn.lock (jlpm must be on PATH).
ensure_ui_node_modules() {
  if [ ! -d ui-tests/node_modules/@jupyterlab/galata ] || [ ui-tests/yarn.lock -nt ui-tests/node_modules ]; then
    (cd ui-tests && jlpm install) || { echo "jlpm install in ui-tests failed" >&2; return 1; }
    touch ui-tests/node_modules
  fi
}

# Fails when something listens on one of the ports given: it would be tested instead of the server a config starts.
ensure_ports_free() {
  local port
  for port in "$@"; do
    if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
      echo "port $port is in use; stop that server first (the UI tests start their own servers on $*)" >&2
      return 1
    fi
  done
}

# "passed failed" from a Playwright JSON report (a skipped test counts as failed), or "0 1" without a report.
playwright_counts() {
  node -e '
    const fs = require("fs");
    const file = process.argv[1];
    if (!fs.existsSync(file)) { console.log("0 1"); process.exit(0); }
    const s = JSON.parse(fs.readFileSync(file, "utf8")).stats || {};
    console.log(`${(s.expected || 0) + (s.flaky || 0)} ${(s.unexpected || 0) + (s.skipped || 0)}`);
  ' "$1"
}

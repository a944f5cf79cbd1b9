#!/usr/bin/env bash
# The release artifacts, as a user gets them: build the sdist and the wheel from a clean copy of this tree (tracked
# and new files, nothing built), check that the wheel from the sdist and the wheel from the tree are the same and that
# the working tree builds one too; install the wheel with its dependencies (pip's cache, the registry) into a fresh
# venv whose PATH has no node; test it there (pytest: wheel-tests/) and start JupyterLab from it for one Galata smoke
# test on port 8891. Prints the install summary and each step's time; ends with `wheel-tests: N passed, N failed`.
# Needs scripts/setup.sh's .venv (python -m build) and node for the sdist build; as root it installs chromium.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CI=${CI:-true}
PY=$ROOT/.venv/bin/python
WORK=$(mktemp -d -t qhybrid-wheel-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0 started=$(date +%s)

# check NAME COMMAND...: run one step, print its time and outcome, count it.
check() {
  local name=$1 t0=$SECONDS
  shift
  if "$@"; then
    passed=$((passed + 1)); echo "test-wheel: ok   $name ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1)); echo "test-wheel: FAIL $name ($((SECONDS - t0)) s)"
  fi
}
finish() {
  echo "test-wheel: $(( $(date +%s) - started )) s in all"
  echo "wheel-tests: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}
[ -x "$PY" ] || { echo "test-wheel: no .venv; run scripts/setup.sh first" >&2; failed=1; finish; }

# A PATH with every command of this machine except Node.js and its package managers.
NODELESS=$WORK/nodeless-bin
mkdir -p "$NODELESS"
for dir in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
  for tool in "$dir"/*; do
    name=${tool##*/}
    case $name in node|nodejs|npm|npx|corepack|yarn|yarnpkg|pnpm|pnpx) continue ;; esac
    [ -x "$tool" ] && [ ! -e "$NODELESS/$name" ] && ln -s "$tool" "$NODELESS/$name"
  done
done
no_node() { ! env PATH="$NODELESS" bash -c 'command -v node' && echo "  node: not on the test PATH ($NODELESS)"; }

# 1. A clean copy of the tree: what a fresh clone of this commit (plus new, not ignored, files) holds.
export_tree() {
  mkdir -p "$WORK/src"
  git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
    [ -e "$f" ] && printf '%s\0' "$f"
  done | tar --null -T - -cf - | tar -xf - -C "$WORK/src"
}
# 2. The sdist (its build hook runs jlpm install + build:prod; the yarn cache of this tree is reused).
build_sdist() {
  (cd "$WORK/src" && YARN_CACHE_FOLDER=$ROOT/.yarn/cache "$PY" -m build --sdist --outdir "$WORK/dist" \
    > "$WORK/sdist.log" 2>&1) || { tail -30 "$WORK/sdist.log"; return 1; }
  ls -l "$WORK"/dist/*.tar.gz | awk '{print "  sdist: " $5 " B, " $NF}'
}
# 3. Wheels: from the sdist with no node on PATH (as pip builds it on a user's machine), and from the tree.
wheel_from() {  # wheel_from SOURCE OUTDIR [PATH]
  env PATH="${3:-$PATH}" "$PY" -m pip wheel --no-deps --quiet "$1" -w "$2" > "$2.log" 2>&1 \
    || { tail -30 "$2.log"; return 1; }
  "$PY" scripts/wheel_report.py describe "$2"/*.whl
}
check "a clean copy of the tree" export_tree
check "sdist (the extension built with jlpm build:prod)" build_sdist
check "node is not on the test PATH" no_node
check "wheel from the sdist, without node" wheel_from "$(ls "$WORK"/dist/*.tar.gz 2>/dev/null)" "$WORK/from-sdist" "$NODELESS"
check "wheel from the tree" wheel_from "$WORK/src" "$WORK/from-tree"
check "the two wheels: same files, same contents" "$PY" scripts/wheel_report.py compare \
  "$WORK"/from-sdist/*.whl "$WORK"/from-tree/*.whl
# The working tree after scripts/setup.sh ran twice (the README's test command, then its lab command).
setup_again() {
  bash scripts/setup.sh > "$WORK/setup.log" 2>&1 || { tail -30 "$WORK/setup.log"; return 1; }
  ls labextension/install.json  # the file whose second copy made `pip wheel .` fail here before
}
check "scripts/setup.sh once more" setup_again
check "wheel from this working tree (its development build)" wheel_from "$ROOT" "$WORK/from-worktree"
WHEEL=$(ls "$WORK"/from-sdist/*.whl 2>/dev/null)
[ -n "$WHEEL" ] || finish

# 4. A fresh venv, the wheel with its dependencies from the registry (pip's cache reused), no node on PATH.
VENV=$WORK/venv
install_wheel() {
  python3 -m venv "$VENV" || return 1
  local t0=$SECONDS
  env PATH="$VENV/bin:$NODELESS" "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --report "$WORK/install.json" "$WHEEL[lab]" > "$WORK/install.log" 2>&1 || { tail -30 "$WORK/install.log"; return 1; }
  "$PY" scripts/wheel_report.py installed "$WORK/install.json" "$(echo "$VENV"/lib/python3*/site-packages)" \
    $((SECONDS - t0))
}
check 'pip install "qhybrid_lab-*.whl[lab]" into a fresh venv' install_wheel

# 5. The installed wheel tested in its venv (pytest itself is added after the summary above).
installed_tests() {
  env PATH="$VENV/bin:$NODELESS" "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check pytest \
    > "$WORK/pytest-install.log" 2>&1 || { tail "$WORK/pytest-install.log"; return 1; }
  (cd "$WORK" && env PATH="$VENV/bin:$NODELESS" "$VENV/bin/python" -m pytest -q -p no:cacheprovider -c /dev/null \
    --rootdir "$ROOT/wheel-tests" "$ROOT/wheel-tests")
}
check "the installed wheel's tests (wheel-tests/, in its venv)" installed_tests

# 6. JupyterLab from the venv (no node on its PATH), one Galata smoke test.
smoke() {
  . scripts/ui-prereqs.sh
  PATH=$ROOT/.venv/bin:$PATH ensure_ui_node_modules && ensure_chromium && ensure_ports_free 8891 || return 1
  mkdir -p ui-tests/screenshots && rm -rf ui-tests/test-results-wheel
  (cd ui-tests && QHYBRID_WHEEL_VENV=$VENV QHYBRID_NODELESS_PATH=$VENV/bin:$NODELESS \
    QHYBRID_HOME=$WORK/qhybrid-home PATH=$ROOT/.venv/bin:$PATH jlpm playwright test -c playwright.wheel.config.js)
  read -r ok bad <<<"$(playwright_counts ui-tests/test-results-wheel/results.json)"
  echo "  smoke: $ok passed, $bad failed; screenshot ui-tests/screenshots/wheel-smoke.png"
  [ "$bad" -eq 0 ] && [ "$ok" -gt 0 ]
}
check "JupyterLab from the wheel's venv: the sidebar and a %%qrun job (Galata, port 8891)" smoke
finish

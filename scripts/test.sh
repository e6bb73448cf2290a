#!/usr/bin/env bash
# npm test: compile everything, run the contracts' forge suite (CI profile: fixed seed, more fuzz runs),
# the TypeScript suites (jest) against the real stack (embedded Postgres, anvil, processor, API), then the
# benchmarks at CI size (--quick; results in bench/results/quick/). Ends with one line:
#   tests: N passed, M failed
set -uo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

step() { echo; echo "== $*"; }

step "build: contracts (forge) and TypeScript (tsc)"
node scripts/forge.js build || { echo "tests: 0 passed, 1 failed (build)"; exit 1; }
npx tsc -p tsconfig.json || { echo "tests: 0 passed, 1 failed (tsc)"; exit 1; }

step "forge test (FOUNDRY_PROFILE=ci)"
FOUNDRY_PROFILE=ci node scripts/forge.js test 2>&1 | tee "$tmp/forge.log"
forge_rc=${PIPESTATUS[0]}
forge_passed=$(grep -Eo '[0-9]+ tests passed' "$tmp/forge.log" | tail -1 | grep -Eo '^[0-9]+' || echo 0)
forge_failed=$(grep -Eo '[0-9]+ failed' "$tmp/forge.log" | tail -1 | grep -Eo '^[0-9]+' || echo 0)

step "chromium (the dashboard suite drives a headless browser)"
# CHROMIUM_PATH, else chromium on PATH; missing: installed with apt when we may (root), else one line saying how
chromium_bin="${CHROMIUM_PATH:-$(command -v chromium || command -v chromium-browser || echo /usr/bin/chromium)}"
if [ ! -x "$chromium_bin" ] && [ -z "${CHROMIUM_PATH:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing chromium with apt-get (log: $tmp/apt.log)"
  { DEBIAN_FRONTEND=noninteractive apt-get install -y chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }; } >"$tmp/apt.log" 2>&1
  chromium_bin="$(command -v chromium || echo /usr/bin/chromium)"
fi
if [ -x "$chromium_bin" ]; then echo "chromium: $chromium_bin"; export CHROMIUM_PATH="$chromium_bin"
else echo "chromium not found: install it (as root: apt-get install -y chromium) or set CHROMIUM_PATH; the dashboard suite will fail"; fi

step "jest"
npx jest --ci --json --outputFile="$tmp/jest.json" "$@"
jest_rc=$?
read -r jest_passed jest_failed < <(node -e '
  try { const r = require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests + (r.numRuntimeErrorTestSuites || 0)) }
  catch { console.log("0 1") }' "$tmp/jest.json")

bench_rc=0
bench_state=skipped
if [ "${SKIP_BENCH:-}" != "1" ] && [ "$#" -eq 0 ]; then
  step "benchmarks (--quick)"
  npm run --silent bench -- --quick
  bench_rc=$?
  bench_state=$([ $bench_rc -eq 0 ] && echo ok || echo failed)
fi

passed=$((forge_passed + jest_passed))
failed=$((forge_failed + jest_failed))
if [ "$forge_rc" -ne 0 ] && [ "$forge_failed" -eq 0 ]; then failed=$((failed + 1)); fi
if [ "$bench_rc" -ne 0 ]; then failed=$((failed + 1)); echo "benchmarks failed (exit $bench_rc)"; fi
echo
echo "forge: $forge_passed passed, $forge_failed failed; jest: $jest_passed passed, $jest_failed failed; bench --quick: $bench_state"
echo "tests: $passed passed, $failed failed"
[ "$forge_rc" -eq 0 ] && [ "$jest_rc" -eq 0 ] && [ "$bench_rc" -eq 0 ]

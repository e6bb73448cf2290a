#!/usr/bin/env bash
# npm test: compile everything, run the contracts' forge suite (CI profile: fixed seed, more fuzz runs),
# then the TypeScript suites (jest) against the real stack: embedded Postgres, anvil, processor, API.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== build: contracts (forge) and TypeScript (tsc)"
node scripts/forge.js build
npx tsc -p tsconfig.json

echo "== forge test (FOUNDRY_PROFILE=ci)"
FOUNDRY_PROFILE=ci node scripts/forge.js test

echo "== jest"
npx jest --ci "$@"

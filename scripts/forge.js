#!/usr/bin/env node
// Runs the npm-installed forge inside contracts/ with the given arguments (`node scripts/forge.js test`).
const { spawnSync } = require('child_process');
const path = require('path');
const bin = path.resolve(__dirname, '..', 'node_modules', '.bin', 'forge');
const r = spawnSync(bin, process.argv.slice(2), { cwd: path.resolve(__dirname, '..', 'contracts'), stdio: 'inherit' });
if (r.error) {
  console.error(`forge: cannot run ${bin}: ${r.error.message} (did "npm install" run?)`);
  process.exit(1);
}
process.exit(r.status ?? 1);

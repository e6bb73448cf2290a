#!/usr/bin/env node
// Runs the npm-installed forge inside contracts/ with the given arguments (`node scripts/forge.js test`).
// forge 1.7 exits 0 when the compiler process fails ("Error: solc exited with ..."), so the output is
// watched and such a run exits 1.
const { spawn } = require('child_process');
const path = require('path');
const { foundryBinary } = require('./foundry-bin');
let bin;
try {
  bin = foundryBinary('forge');
} catch (e) {
  console.error(`forge: ${e.message}`);
  process.exit(1);
}
const child = spawn(bin, process.argv.slice(2), { cwd: path.resolve(__dirname, '..', 'contracts'), stdio: ['inherit', 'pipe', 'pipe'] });
let compilerFailed = false;
const watch = (chunk) => {
  if (/^Error: (solc|Compiler run failed)|Compiler run failed/m.test(chunk.toString())) compilerFailed = true;
};
child.stdout.on('data', (d) => { watch(d); process.stdout.write(d); });
child.stderr.on('data', (d) => { watch(d); process.stderr.write(d); });
child.on('error', (e) => {
  console.error(`forge: cannot run ${bin}: ${e.message} (did "npm install" run?)`);
  process.exit(1);
});
child.on('close', (code) => {
  if (compilerFailed && code === 0) {
    console.error('forge: the Solidity compiler failed (see above)');
    process.exit(1);
  }
  process.exit(code ?? 1);
});
